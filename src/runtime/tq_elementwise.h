/* tq_elementwise.h - int8 binary elementwise Add and Mul with 4-D broadcasting.
 *
 * Add (TFLite int8 Add, bit-exact). With s1, s2 the input scales and s_out the output scale,
 * prepare computes (in double):  twice_max = 2 * max(s1, s2);  left_shift = 20;
 *   input1 multiplier = s1 / twice_max,  input2 multiplier = s2 / twice_max   (both <= 1/2)
 *   output multiplier = twice_max / (2^left_shift * s_out)
 * each as (m0, shift) via the usual frexp-based quantization. The kernel computes
 *   a = (x1 + input1_offset) * 2^left_shift,  b = (x2 + input2_offset) * 2^left_shift
 *   a' = tq_requantize(a, input1_multiplier, input1_shift), b' likewise
 *   y = clamp(tq_requantize(a' + b', output_multiplier, output_shift) + output_offset, act)
 * Overflow: |x + offset| <= 255, so |a|, |b| < 2^28 and |a' + b'| < 2^29: no int32 overflow for
 * any valid parameters (input multipliers <= 1).
 *
 * Mul (TFLite int8 Mul, bit-exact): output multiplier = s1 * s2 / s_out;
 *   y = clamp(tq_requantize((x1 + input1_offset) * (x2 + input2_offset), output_multiplier,
 *             output_shift) + output_offset, act)      |product| <= 65025: never overflows.
 *
 * Broadcasting: the output has dims out_dims [N,H,W,C]; each input is read at
 *   x[n*s.n + h*s.h + w*s.w + c*s.c]
 * with element strides s (0 along a broadcast axis). A dense input of the output's shape has
 * strides {H*W*C, W*C, C, 1}; a per-channel vector {0,0,0,1}; a scalar {0,0,0,0}.
 * tq_dense_strides() builds the dense strides of a shape.
 */
#ifndef TINYQ_RUNTIME_TQ_ELEMENTWISE_H_
#define TINYQ_RUNTIME_TQ_ELEMENTWISE_H_

#include "tq_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Element strides of a broadcast operand, one per output axis; 0 = broadcast. */
typedef struct {
  int32_t n;
  int32_t h;
  int32_t w;
  int32_t c;
} tq_strides;

typedef struct {
  int32_t input1_offset; /* -zero point, [-127, 128] */
  int32_t input1_multiplier;
  int32_t input1_shift; /* <= 0 */
  int32_t input2_offset;
  int32_t input2_multiplier;
  int32_t input2_shift; /* <= 0 */
  int32_t left_shift;   /* 20 (TFLite); in [0, 22] */
  int32_t output_multiplier;
  int32_t output_shift;
  int32_t output_offset; /* zero point, [-128, 127] */
  tq_activation activation;
} tq_add_params;

typedef struct {
  int32_t input1_offset; /* -zero point, [-127, 128] */
  int32_t input2_offset;
  int32_t output_multiplier;
  int32_t output_shift;
  int32_t output_offset; /* zero point, [-128, 127] */
  tq_activation activation;
} tq_mul_params;

/* Dense strides of a tensor of shape d: {H*W*C, W*C, C, 1}. */
tq_strides tq_dense_strides(const tq_dims* d);

tq_status tq_add_s8_validate(const tq_add_params* params, const tq_dims* out_dims);
tq_status tq_mul_s8_validate(const tq_mul_params* params, const tq_dims* out_dims);

/* Scratch: none (both return 0). */
size_t tq_add_s8_get_buffer_size(void);
size_t tq_mul_s8_get_buffer_size(void);

/* y (dense, out_dims) = x1 + x2, inputs read through strides s1, s2. */
void tq_add_s8(const tq_add_params* params, const tq_dims* out_dims, const int8_t* input1,
               const tq_strides* s1, const int8_t* input2, const tq_strides* s2, int8_t* output);

/* y (dense, out_dims) = x1 * x2, inputs read through strides s1, s2. */
void tq_mul_s8(const tq_mul_params* params, const tq_dims* out_dims, const int8_t* input1,
               const tq_strides* s1, const int8_t* input2, const tq_strides* s2, int8_t* output);

#ifdef __cplusplus
}
#endif

#endif /* TINYQ_RUNTIME_TQ_ELEMENTWISE_H_ */
