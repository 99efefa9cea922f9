/* tq_vec.h - host variants of the int8 MAC kernels, written for compilers that vectorize.
 *
 * The int8 executor runs these on the host; generated MCU code does not contain them (only
 * src/runtime/tq_*.c/.h are copied) and uses tq_conv2d_s8, tq_depthwise_conv2d_s8 and
 * tq_fully_connected_s8 instead. Same math, same results: each output is the same exact integer
 * sum (in another order, under the same worst-case bounds: tq_*_acc_bound) followed by the same
 * requantization (tq_requantize_right, tq_common.h). What differs is the loop structure: plain
 * loops over contiguous memory that gcc and clang turn into SIMD code.
 *   - Dot products are u8 x s8: an input x is read as the unsigned byte x + 128 (x ^ 0x80), so
 *     x86 AVX-VNNI does four multiply-accumulates per byte lane (vpdpbusd) and AVX2 widens to
 *     16 bits; the 128 * sum(w) this adds is folded into the kernel bias at prepare time.
 *   - The requantization runs over a pixel's output channels (vectorized 64-bit products).
 * Layouts and parameters are those of tq_conv.h, tq_depthwise.h, tq_fully_connected.h; the
 * quantization is the separate form (tq_vec_quant), requantized by tq_vec_requantize.
 */
#ifndef TINYQ_RUNTIME_VEC_TQ_VEC_H_
#define TINYQ_RUNTIME_VEC_TQ_VEC_H_

#include "../tq_common.h"
#include "../tq_conv.h"
#include "../tq_depthwise.h"
#include "../tq_fully_connected.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Per-output-channel bias and requantization of the host kernels (arrays of Cout entries). */
typedef struct {
  const int32_t* bias;       /* the kernel's bias: see each kernel */
  const int32_t* multiplier; /* m0, in [2^30, 2^31-1] or 0 */
  const int32_t* shift;      /* in [-31, 30] */
  /* When every shift is a right shift (< 0, the usual case): the rounding constants
   * tq_requantize_right_round(-shift[c]) (tq_vec_right_rounds), so the output stage is
   * tq_requantize_right_r; NULL otherwise (then tq_vec_requantize). */
  const int64_t* round;
} tq_vec_quant;

/* round[c] = tq_requantize_right_round(-shift[c]) for c < n and 1 when every shift is < 0;
 * 0 (round untouched) otherwise. */
int32_t tq_vec_right_rounds(const int32_t* shift, int32_t n, int64_t* round);

/* tq_requantize (tq_common.h) for m0 >= 0, written so that a loop over lanes with different
 * shifts vectorizes: the left shift is a saturated 64-bit shift, then shift >= 0 gives the SRDHM
 * floor((x*m0 + 2^30) / 2^31) and shift < 0 the single rounding of tq_requantize_right. Equal to
 * tq_requantize for every acc, m0 >= 0 and shift in [-31, 30] (tests/runtime/vec_test.cc). */
TQ_ALWAYS_INLINE int32_t tq_vec_requantize(int32_t acc, int32_t m0, int32_t shift) {
  const int32_t left = shift > 0 ? shift : 0;
  const int32_t e = shift < 0 ? -shift : 0;
  const int64_t wide = (int64_t)acc * ((int64_t)1 << left);
  const int32_t x = (int32_t)(wide > TQ_INT32_MAX_ ? TQ_INT32_MAX_
                                                   : (wide < TQ_INT32_MIN_ ? TQ_INT32_MIN_ : wide));
  int64_t s = (int64_t)x * (int64_t)m0 + ((int64_t)1 << 30);
  if (e == 0) return (int32_t)(s >> 31);
  s += (int64_t)((int32_t)1 << (e - 1)) << 31;
  if (x < 0) s -= (int64_t)1 << 31;
  return (int32_t)(s >> 32) >> (e - 1);
}

/* Kernel bias of the u8 x s8 kernels: bias[r] + (input_offset - 128) * sum of row r of `w`
 * (rows x cols, bias may be NULL). Exact in int32 when |bias| + 256 * sum|w| <= INT32_MAX,
 * which tq_conv2d_s8_acc_bound / tq_fully_connected_s8_acc_bound <= INT32_MAX implies for
 * input_offset >= 0, and which the caller checks otherwise (tq_vec_kernel_bias_bound). */
void tq_vec_kernel_bias(const int8_t* w, int32_t rows, int32_t cols, const int32_t* bias,
                        int32_t input_offset, int32_t* kernel_bias);

/* max over rows of |bias[r]| + 256 * sum_c |w[r][c]|, int64: the bound of every partial sum of
 * the u8 x s8 kernels (|x + 128| <= 255 plus the kernel bias). Refuse when > INT32_MAX. */
int64_t tq_vec_kernel_bias_bound(const int8_t* w, int32_t rows, int32_t cols, const int32_t* bias);

/* tq_conv2d_s8 for the host: same params, dims, filter (OHWI). quant->bias is the kernel bias of
 * tq_vec_kernel_bias (rows = Cout, cols = KH*KW*Cin/groups). Scratch:
 * tq_conv2d_vec_s8_get_buffer_size. TQ_ARG_ERROR only for a NULL or too small scratch. */
size_t tq_conv2d_vec_s8_get_buffer_size(const tq_dims* filter_dims, const tq_dims* output_dims);
tq_status tq_conv2d_vec_s8(const tq_context* ctx, const tq_conv_params* params,
                           const tq_vec_quant* quant, const tq_dims* input_dims,
                           const int8_t* input, const tq_dims* filter_dims, const int8_t* filter,
                           const tq_dims* output_dims, int8_t* output);

/* tq_fully_connected_s8 for the host (per-channel quantization: Cout entries). quant->bias is
 * the kernel bias of tq_vec_kernel_bias (rows = Cout, cols = Cin). Scratch:
 * tq_fully_connected_vec_s8_get_buffer_size. TQ_ARG_ERROR only for a NULL or too small
 * scratch. */
size_t tq_fully_connected_vec_s8_get_buffer_size(const tq_fc_dims* dims);
tq_status tq_fully_connected_vec_s8(const tq_context* ctx, const tq_fc_params* params,
                                    const tq_vec_quant* quant, const tq_fc_dims* dims,
                                    const int8_t* input, const int8_t* filter, int8_t* output);

/* tq_depthwise_conv2d_s8 for the host: same params and dims; quant->bias is the plain bias
 * (Cout entries). Evaluated per output pixel over all channels: bias + sum over the in-bound
 * taps of (x + input_offset) * w, 16-bit products (|x + input_offset| <= 255, |w| <= 127).
 * Scratch: tq_depthwise_conv2d_vec_s8_get_buffer_size. */
size_t tq_depthwise_conv2d_vec_s8_get_buffer_size(const tq_dims* output_dims);
tq_status tq_depthwise_conv2d_vec_s8(const tq_context* ctx, const tq_dw_conv_params* params,
                                     const tq_vec_quant* quant, const tq_dims* input_dims,
                                     const int8_t* input, const tq_dims* filter_dims,
                                     const int8_t* filter, const tq_dims* output_dims,
                                     int8_t* output);

#ifdef __cplusplus
}
#endif

#endif /* TINYQ_RUNTIME_VEC_TQ_VEC_H_ */
