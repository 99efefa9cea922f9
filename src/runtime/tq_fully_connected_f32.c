/* tq_fully_connected_f32.c - float32 fully connected layer (tq_fully_connected_f32.h). */
#include "tq_fully_connected_f32.h"

tq_status tq_fully_connected_f32_validate(const tq_fc_f32_params* params,
                                          const tq_fc_f32_dims* dims) {
  if (params == NULL || dims == NULL || dims->rows < 1 || dims->input_features < 1 ||
      dims->output_features < 1) {
    return TQ_ARG_ERROR;
  }
  return TQ_OK;
}

void tq_fully_connected_f32(const tq_fc_f32_params* params, const tq_fc_f32_dims* dims,
                            const float* input, const float* filter, const float* bias,
                            float* output) {
  const int32_t k_n = dims->input_features, n_out = dims->output_features;
  const float alpha = params->alpha;
  int32_t r, k, o;
  for (r = 0; r < dims->rows; ++r) {
    const float* x = input + (size_t)r * k_n;
    float* y = output + (size_t)r * n_out;
    for (o = 0; o < n_out; ++o) y[o] = 0.0f;
    for (k = 0; k < k_n; ++k) {
      const float xv = x[k];
      const float* w = filter + (size_t)k * n_out;
      for (o = 0; o < n_out; ++o) y[o] = y[o] + xv * w[o];
    }
    for (o = 0; o < n_out; ++o) {
      float v = alpha * y[o];
      if (bias != NULL) v = v + bias[o];
      y[o] = tq_clamp_f32_apply(&params->activation, v);
    }
  }
}
