/* tq_fully_connected.c - int8 fully connected. */
#include "tq_fully_connected.h"

#include "tq_dot.h"

tq_status tq_fully_connected_s8_validate(const tq_fc_params* params, const tq_fc_dims* dims) {
  if (params == NULL || dims == NULL) return TQ_ARG_ERROR;
  if (dims->batches < 1 || dims->input_features < 1 || dims->output_features < 1) {
    return TQ_ARG_ERROR;
  }
  if (tq_activation_validate(&params->activation) != TQ_OK) return TQ_ARG_ERROR;
  if (params->input_offset < -127 || params->input_offset > 128) return TQ_ARG_ERROR;
  if (params->output_offset < -128 || params->output_offset > 127) return TQ_ARG_ERROR;
  if (params->per_channel != 0 && params->per_channel != 1) return TQ_ARG_ERROR;
  return TQ_OK;
}

size_t tq_fully_connected_s8_get_buffer_size(const tq_fc_dims* dims) {
  return ((size_t)dims->input_features * sizeof(int16_t) + 3u) & ~(size_t)3u;
}

int64_t tq_fully_connected_s8_acc_bound(const tq_fc_dims* dims, const int8_t* filter,
                                        const int32_t* bias, int32_t input_offset) {
  const int64_t lo = input_offset - 128 < 0 ? 128 - (int64_t)input_offset : input_offset - 128;
  const int64_t hi = input_offset + 127 < 0 ? -(int64_t)input_offset - 127 : input_offset + 127;
  const int64_t x_max = lo > hi ? lo : hi;
  int64_t worst = 0;
  int32_t o;
  for (o = 0; o < dims->output_features; ++o) {
    const int64_t b = bias == NULL ? 0 : (bias[o] < 0 ? -(int64_t)bias[o] : bias[o]);
    const int64_t bound =
        b + x_max * tq_sum_abs_s8(filter + (size_t)o * dims->input_features, dims->input_features);
    if (bound > worst) worst = bound;
  }
  return worst;
}

tq_status tq_fully_connected_s8(const tq_context* ctx, const tq_fc_params* params,
                                const tq_per_channel_quant_params* quant, const tq_fc_dims* dims,
                                const int8_t* input, const int8_t* filter, const int32_t* bias,
                                int8_t* output) {
  const int32_t cin = dims->input_features, cout = dims->output_features;
  const int32_t qstep = params->per_channel ? 1 : 0;
  int16_t* x16;
  int32_t b, i, o;
  if (ctx == NULL || ctx->buf == NULL || ctx->size < tq_fully_connected_s8_get_buffer_size(dims)) {
    return TQ_ARG_ERROR;
  }
  x16 = (int16_t*)ctx->buf;
  for (b = 0; b < dims->batches; ++b) {
    const int8_t* x = input + (size_t)b * cin;
    int8_t* y = output + (size_t)b * cout;
    for (i = 0; i < cin; ++i) x16[i] = (int16_t)(x[i] + params->input_offset);
    for (o = 0; o < cout;) {
      if (cout - o >= 4) {
        int32_t acc[4];
        tq_channel_quant cq[4];
        int32_t j;
        for (j = 0; j < 4; ++j) {
          cq[j] = tq_get_channel_quant(bias, quant, o + j, (o + j) * qstep);
          acc[j] = cq[j].bias;
        }
        tq_dot4_s16_s8(x16, filter + (size_t)o * cin, cin, cin, acc);
        for (j = 0; j < 4; ++j) {
          y[o + j] = tq_output_stage(acc[j], cq[j].multiplier, cq[j].shift, params->output_offset,
                                     params->activation.min, params->activation.max);
        }
        o += 4;
      } else {
        const int8_t* w = filter + (size_t)o * cin;
        const tq_channel_quant cq = tq_get_channel_quant(bias, quant, o, o * qstep);
        int32_t a = cq.bias;
        for (i = 0; i < cin; ++i) a += (int32_t)x16[i] * w[i];
        y[o] = tq_output_stage(a, cq.multiplier, cq.shift, params->output_offset,
                               params->activation.min, params->activation.max);
        ++o;
      }
    }
  }
  return TQ_OK;
}
