/* tq_unary.h - int8 elementwise unary kernels: rescale (requantize) and 256-entry lookup table.
 *
 * rescale_s8 (TFLite int8->int8 Requantize, bit-exact): moves a tensor from (s_in, zp_in) to
 *   (s_out, zp_out), e.g. Concat inputs with different scales:
 *     y = clamp(tq_requantize(x - input_zero_point, multiplier, shift) + output_zero_point, act)
 *   with the real multiplier s_in / s_out as (m0, shift). |x - zp| <= 255: no overflow.
 *
 * lut_s8: y[i] = table[x[i] + 128]. Table format: int8_t table[256]; entry j holds the output
 *   for the input value q = j - 128 (entry 0 is q = -128, entry 255 is q = 127). The C++ side
 *   fills it at prepare time with, for every q: y = clamp(round(f(s_in*(q - zp_in)) / s_out) +
 *   zp_out, -128, 127) (sigmoid, tanh, hard-swish, leaky-relu, gelu, ...), so any fused clamp
 *   is already inside the table.
 */
#ifndef TINYQ_RUNTIME_TQ_UNARY_H_
#define TINYQ_RUNTIME_TQ_UNARY_H_

#include "tq_common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
  int32_t input_zero_point;  /* [-128, 127] */
  int32_t output_zero_point; /* [-128, 127] */
  int32_t multiplier;        /* s_in / s_out as (m0, shift) */
  int32_t shift;
  tq_activation activation;
} tq_rescale_params;

tq_status tq_rescale_s8_validate(const tq_rescale_params* params, int32_t size);
size_t tq_rescale_s8_get_buffer_size(void);

/* y[i] for i < size; input and output may alias exactly (in-place). */
void tq_rescale_s8(const tq_rescale_params* params, const int8_t* input, int32_t size,
                   int8_t* output);

tq_status tq_lut_s8_validate(const int8_t* table, int32_t size);
size_t tq_lut_s8_get_buffer_size(void);

/* y[i] = table[x[i] + 128] for i < size; input and output may alias exactly (in-place). */
void tq_lut_s8(const int8_t* table, const int8_t* input, int32_t size, int8_t* output);

#ifdef __cplusplus
}
#endif

#endif /* TINYQ_RUNTIME_TQ_UNARY_H_ */
