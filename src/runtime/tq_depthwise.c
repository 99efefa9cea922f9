/* tq_depthwise.c - int8 depthwise convolution. */
#include "tq_depthwise.h"

#include "tq_dot.h"

tq_status tq_depthwise_conv2d_s8_validate(const tq_dw_conv_params* params,
                                          const tq_dims* input_dims, const tq_dims* filter_dims,
                                          const tq_dims* output_dims) {
  if (params == NULL ||
      tq_conv_window_validate(&params->activation, params->input_offset, params->output_offset,
                              params->stride, params->padding, params->dilation, input_dims,
                              filter_dims, output_dims) != TQ_OK) {
    return TQ_ARG_ERROR;
  }
  if (params->depth_multiplier < 1) return TQ_ARG_ERROR;
  if (filter_dims->n != 1) return TQ_ARG_ERROR;
  if ((int64_t)input_dims->c * params->depth_multiplier != filter_dims->c) return TQ_ARG_ERROR;
  if (output_dims->n != input_dims->n || output_dims->c != filter_dims->c) return TQ_ARG_ERROR;
  return TQ_OK;
}

size_t tq_depthwise_conv2d_s8_get_buffer_size(const tq_dims* output_dims) {
  (void)output_dims;
  return 0;
}

int64_t tq_depthwise_conv2d_s8_acc_bound(const tq_dims* filter_dims, const int8_t* filter,
                                         const int32_t* bias, int32_t input_offset) {
  const int32_t taps = filter_dims->h * filter_dims->w;
  const int32_t oc_n = filter_dims->c;
  const int64_t lo = input_offset - 128 < 0 ? 128 - (int64_t)input_offset : input_offset - 128;
  const int64_t hi = input_offset + 127 < 0 ? -(int64_t)input_offset - 127 : input_offset + 127;
  const int64_t x_max = lo > hi ? lo : hi;
  int64_t worst = 0;
  int32_t oc, t;
  for (oc = 0; oc < oc_n; ++oc) {
    int64_t s = 0;
    int64_t bound;
    for (t = 0; t < taps; ++t) {
      const int8_t w = filter[(size_t)t * oc_n + oc];
      s += w < 0 ? -(int64_t)w : w;
    }
    bound = (bias == NULL ? 0 : (bias[oc] < 0 ? -(int64_t)bias[oc] : bias[oc])) + x_max * s;
    if (bound > worst) worst = bound;
  }
  return worst;
}

tq_status tq_depthwise_conv2d_s8(const tq_context* ctx, const tq_dw_conv_params* params,
                                 const tq_per_channel_quant_params* quant,
                                 const tq_dims* input_dims, const int8_t* input,
                                 const tq_dims* filter_dims, const int8_t* filter,
                                 const int32_t* bias, const tq_dims* output_dims, int8_t* output) {
  const int32_t in_h = input_dims->h, in_w = input_dims->w, in_c = input_dims->c;
  const int32_t kh = filter_dims->h, kw = filter_dims->w;
  const int32_t out_h = output_dims->h, out_w = output_dims->w, out_c = output_dims->c;
  const int32_t mult = params->depth_multiplier;
  const int32_t off = params->input_offset;
  const int32_t dil_h = params->dilation.h, dil_w = params->dilation.w;
  int32_t n, oy, ox, ky, kx, c;
  (void)ctx; /* no scratch needed; kept for a uniform kernel signature */
  for (n = 0; n < input_dims->n; ++n) {
    const int8_t* in_n = input + (size_t)n * in_h * in_w * in_c;
    for (oy = 0; oy < out_h; ++oy) {
      const int32_t iy0 = oy * params->stride.h - params->padding.h;
      const int32_t ky0 = tq_first_tap(iy0, dil_h);
      const int32_t ky1 = tq_end_tap(iy0, dil_h, in_h, kh);
      for (ox = 0; ox < out_w; ++ox) {
        const int32_t ix0 = ox * params->stride.w - params->padding.w;
        const int32_t kx0 = tq_first_tap(ix0, dil_w);
        const int32_t kx1 = tq_end_tap(ix0, dil_w, in_w, kw);
        int8_t* out_px = output + (((size_t)n * out_h + oy) * out_w + ox) * out_c;
        /* Output channels in blocks of four held in registers; the in-bound taps are
         * visited once per block (no per-tap bounds checks). */
        for (c = 0; c < out_c;) {
          if (mult == 1 && out_c - c >= 4) {
            const tq_channel_quant q0 = tq_get_channel_quant(bias, quant, c, c);
            const tq_channel_quant q1 = tq_get_channel_quant(bias, quant, c + 1, c + 1);
            const tq_channel_quant q2 = tq_get_channel_quant(bias, quant, c + 2, c + 2);
            const tq_channel_quant q3 = tq_get_channel_quant(bias, quant, c + 3, c + 3);
            int32_t a0 = q0.bias, a1 = q1.bias, a2 = q2.bias, a3 = q3.bias;
            for (ky = ky0; ky < ky1; ++ky) {
              const int8_t* xp =
                  in_n + ((size_t)(iy0 + ky * dil_h) * in_w + ix0 + kx0 * dil_w) * in_c + c;
              const int8_t* wp = filter + ((size_t)ky * kw + kx0) * out_c + c;
              for (kx = kx0; kx < kx1; ++kx) {
                a0 += ((int32_t)xp[0] + off) * wp[0];
                a1 += ((int32_t)xp[1] + off) * wp[1];
                a2 += ((int32_t)xp[2] + off) * wp[2];
                a3 += ((int32_t)xp[3] + off) * wp[3];
                xp += (size_t)dil_w * in_c;
                wp += out_c;
              }
            }
            out_px[c] = tq_output_stage(a0, q0.multiplier, q0.shift, params->output_offset,
                                        params->activation.min, params->activation.max);
            out_px[c + 1] = tq_output_stage(a1, q1.multiplier, q1.shift, params->output_offset,
                                            params->activation.min, params->activation.max);
            out_px[c + 2] = tq_output_stage(a2, q2.multiplier, q2.shift, params->output_offset,
                                            params->activation.min, params->activation.max);
            out_px[c + 3] = tq_output_stage(a3, q3.multiplier, q3.shift, params->output_offset,
                                            params->activation.min, params->activation.max);
            c += 4;
          } else {
            /* Depth multiplier > 1 or a channel remainder: one output channel oc = c, which
             * reads input channel c / mult. */
            const int32_t ic = c / mult;
            const tq_channel_quant cq = tq_get_channel_quant(bias, quant, c, c);
            int32_t acc = cq.bias;
            for (ky = ky0; ky < ky1; ++ky) {
              const int8_t* xp =
                  in_n + ((size_t)(iy0 + ky * dil_h) * in_w + ix0 + kx0 * dil_w) * in_c + ic;
              const int8_t* wp = filter + ((size_t)ky * kw + kx0) * out_c + c;
              for (kx = kx0; kx < kx1; ++kx) {
                acc += ((int32_t)*xp + off) * *wp;
                xp += (size_t)dil_w * in_c;
                wp += out_c;
              }
            }
            out_px[c] = tq_output_stage(acc, cq.multiplier, cq.shift, params->output_offset,
                                        params->activation.min, params->activation.max);
            ++c;
          }
        }
      }
    }
  }
  return TQ_OK;
}
