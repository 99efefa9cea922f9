/* tq_elementwise_f32.h - float32 elementwise kernels: binary ops with broadcasting, unary
 * activations, the per-channel affine map of an inference BatchNormalization, and the int8
 * borders of a float region (quantize / dequantize).
 *
 * Float-fallback layers only (tq_common_f32.h: order of operations, compile flags). Every
 * output element is computed from its own inputs only, so the iteration order does not matter;
 * the per-element formulas below are exact about roundings.
 *
 *   binary:  y = clamp(x1 op x2, activation), op one of + - * /, inputs read through 4-D
 *            element strides (0 along a broadcast axis; tq_elementwise.h), output dense.
 *   unary:   relu       y = x < 0 ? 0 : x
 *            clip       y = clamp(x)                     (params->clamp)
 *            leaky_relu y = x < 0 ? alpha * x : x
 *            hard_sigmoid  y = max(0, min(1, alpha * x + beta))
 *            hard_swish    y = x * max(0, min(1, alpha * x + beta))   (ONNX: alpha 1/6, beta 1/2)
 *            sigmoid, tanh, exp: tq_math_f32.h (no libm)
 *            neg        y = -x;  abs  y = x < 0 ? -x : x
 *   channel_affine: y[o, c, i] = x[o, c, i] * scale[c] + shift[c]   (two roundings; an
 *            inference BatchNormalization with scale = gamma / sqrt(var + eps) and
 *            shift = beta - scale * mean precomputed by the caller)
 *   quantize:   y = saturate_s8(round_half_to_even(x / scale) + zero_point); NaN gives the
 *               zero point (ONNX QuantizeLinear, per tensor)
 *   dequantize: y = ((float)x - (float)zero_point) * scale        (ONNX DequantizeLinear)
 * All of them may run in place (output == input, same element type) where the types allow.
 */
#ifndef TINYQ_RUNTIME_TQ_ELEMENTWISE_F32_H_
#define TINYQ_RUNTIME_TQ_ELEMENTWISE_F32_H_

#include "tq_common_f32.h"
#include "tq_elementwise.h"

#ifdef __cplusplus
extern "C" {
#endif

enum { TQ_BINARY_ADD_F32 = 0, TQ_BINARY_SUB_F32 = 1, TQ_BINARY_MUL_F32 = 2, TQ_BINARY_DIV_F32 = 3 };

typedef struct {
  int32_t op; /* TQ_BINARY_*_F32 */
  tq_clamp_f32 activation;
} tq_binary_f32_params;

enum {
  TQ_UNARY_RELU_F32 = 0,
  TQ_UNARY_CLIP_F32 = 1,
  TQ_UNARY_LEAKY_RELU_F32 = 2,
  TQ_UNARY_HARD_SIGMOID_F32 = 3,
  TQ_UNARY_HARD_SWISH_F32 = 4,
  TQ_UNARY_SIGMOID_F32 = 5,
  TQ_UNARY_TANH_F32 = 6,
  TQ_UNARY_EXP_F32 = 7,
  TQ_UNARY_NEG_F32 = 8,
  TQ_UNARY_ABS_F32 = 9
};

typedef struct {
  int32_t op; /* TQ_UNARY_*_F32 */
  float alpha;
  float beta;
  tq_clamp_f32 clamp; /* clip only */
} tq_unary_f32_params;

/* y (dense, out_dims) = clamp(x1 op x2); TQ_ARG_ERROR from validate for an unknown op or an
 * extent < 1. */
tq_status tq_binary_f32_validate(const tq_binary_f32_params* params, const tq_dims* out_dims);
void tq_binary_f32(const tq_binary_f32_params* params, const tq_dims* out_dims, const float* input1,
                   const tq_strides* s1, const float* input2, const tq_strides* s2, float* output);

tq_status tq_unary_f32_validate(const tq_unary_f32_params* params);
void tq_unary_f32(const tq_unary_f32_params* params, const float* input, int32_t size,
                  float* output);

/* x and y [outer, channels, inner]. */
void tq_channel_affine_f32(const float* input, int32_t outer, int32_t channels, int32_t inner,
                           const float* scale, const float* shift, float* output);

/* scale > 0 and finite, zero_point in [-128, 127]. */
void tq_quantize_f32(const float* input, int32_t size, float scale, int32_t zero_point,
                     int8_t* output);
void tq_dequantize_s8(const int8_t* input, int32_t size, float scale, int32_t zero_point,
                      float* output);

#ifdef __cplusplus
}
#endif

#endif /* TINYQ_RUNTIME_TQ_ELEMENTWISE_F32_H_ */
