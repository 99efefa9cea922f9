/* tq_fully_connected_f32.h - float32 fully connected layer (Gemm / MatMul with constant
 * weights).
 *
 * Float-fallback layers only (tq_common_f32.h: order of operations, compile flags).
 *
 * Layouts: input [rows, K], output [rows, N], filter stored [K, N] (the output feature varies
 * fastest: the innermost loop runs over outputs and vectorizes without reassociating a sum).
 *
 * Math, for every output (r, o), in exactly this order:
 *   acc = 0.0f;  for k in 0..K-1:  acc = acc + x[r, k] * w[k, o]
 *   v = alpha * acc;  if (bias) v = v + bias[o]
 *   y = clamp(v, activation)
 * (ONNX Gemm Y = alpha * A B + beta * C: the caller passes beta * C as bias.)
 */
#ifndef TINYQ_RUNTIME_TQ_FULLY_CONNECTED_F32_H_
#define TINYQ_RUNTIME_TQ_FULLY_CONNECTED_F32_H_

#include "tq_common_f32.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
  int32_t rows;            /* >= 1 */
  int32_t input_features;  /* K >= 1 */
  int32_t output_features; /* N >= 1 */
} tq_fc_f32_dims;

typedef struct {
  float alpha;
  tq_clamp_f32 activation;
} tq_fc_f32_params;

/* TQ_ARG_ERROR for a NULL pointer or an extent < 1. */
tq_status tq_fully_connected_f32_validate(const tq_fc_f32_params* params,
                                          const tq_fc_f32_dims* dims);

/* No scratch. Input and output must not overlap. bias may be NULL. */
void tq_fully_connected_f32(const tq_fc_f32_params* params, const tq_fc_f32_dims* dims,
                            const float* input, const float* filter, const float* bias,
                            float* output);

#ifdef __cplusplus
}
#endif

#endif /* TINYQ_RUNTIME_TQ_FULLY_CONNECTED_F32_H_ */
