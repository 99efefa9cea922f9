/* tq_conv.h - int8 2-D convolution (regular and grouped), NHWC, per-channel weights.
 *
 * Math (TFLite int8 ConvPerChannel, bit-exact):
 *   acc[n,oy,ox,oc] = bias[oc] + sum_{ky,kx,ci in window} (x[n,iy,ix,g*Cg+ci] + input_offset)
 *                                                    * w[oc,ky,kx,ci]
 *     iy = oy*stride.h - padding.h + ky*dilation.h, ix likewise; taps outside the input are skipped
 *     (= padding with the input zero point), g = oc / (Cout/groups), Cg = Cin/groups.
 *   y = clamp(tq_requantize(acc, multiplier[oc], shift[oc]) + output_offset, act.min, act.max)
 *
 * Evaluation (results identical to the formula whenever the bound below holds): the kernel takes
 * a kernel bias folded at prepare time (tq_conv2d_s8_kernel_bias), stored in place of the bias,
 *   kbias[oc] = bias[oc] + input_offset * S[oc],    S[oc] = sum_{ky,kx,ci} w[oc,ky,kx,ci],
 * and computes acc = kbias[oc] + sum x*w over all taps, a tap outside the input reading the
 * input zero point (x = -input_offset, so (x + input_offset)*w = 0 as in the formula). Two
 * output pixels and three output channels at a time, the two pixels' patches packed into one
 * int32 per tap so that a 32x32->64 multiply-accumulate serves both (tq_conv.c).
 *
 * Overflow: every partial sum (and |kbias|) is bounded by
 *   B[oc] = |bias[oc]| + (128 + |input_offset|) * sum_{ky,kx,ci} |w[oc,ky,kx,ci]|
 * tq_conv2d_s8_acc_bound() returns max_oc B[oc] in int64; prepare must refuse the kernel when it
 * exceeds INT32_MAX. With |w| <= 127 and |input_offset| <= 128 that is K = KH*KW*Cin/groups <=
 * 66,000 taps.
 */
#ifndef TINYQ_RUNTIME_TQ_CONV_H_
#define TINYQ_RUNTIME_TQ_CONV_H_

#include "tq_common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
  int32_t input_offset;  /* -input_zero_point, in [-127, 128] */
  int32_t output_offset; /* output_zero_point, in [-128, 127] */
  tq_tile stride;        /* >= 1 */
  tq_tile padding;       /* top / left padding, >= 0 (bottom/right implied by output dims) */
  tq_tile dilation;      /* >= 1 */
  int32_t groups;        /* >= 1, divides Cin and Cout */
  tq_activation activation;
} tq_conv_params;

/* Checks params and the shapes: input [N,H,W,Cin], filter [Cout,KH,KW,Cin/groups],
 * output [N,OH,OW,Cout], activation, offsets, strides/dilations >= 1, groups divides Cin and
 * Cout, 0 <= pad_top <= 65535, and that the output size implies a bottom padding
 *   pad_bottom = (OH-1)*stride.h - pad_top + (KH-1)*dilation.h + 1 - H
 * no larger than max(pad_top, (KH-1)*dilation.h) (likewise for width; windows lying entirely in
 * the padding yield bias only, as in ONNX). Returns TQ_ARG_ERROR on any
 * inconsistency. Does not check the multipliers (see tq_multiplier_validate). */
tq_status tq_conv2d_s8_validate(const tq_conv_params* params, const tq_dims* input_dims,
                                const tq_dims* filter_dims, const tq_dims* output_dims);

/* Scratch bytes needed by tq_conv2d_s8: KH*KW*Cin/groups * sizeof(int32_t) (one packed patch). */
size_t tq_conv2d_s8_get_buffer_size(const tq_dims* filter_dims);

/* Worst-case |partial sum| of the accumulator (see header comment), int64. bias may be NULL. */
int64_t tq_conv2d_s8_acc_bound(const tq_dims* filter_dims, const int8_t* filter,
                               const int32_t* bias, int32_t input_offset);

/* kernel_bias[oc] = bias[oc] + input_offset * sum of filter[oc,...] for the Cout channels (bias
 * may be NULL = zeros). Exact in int32 whenever tq_conv2d_s8_acc_bound <= INT32_MAX. */
void tq_conv2d_s8_kernel_bias(const tq_dims* filter_dims, const int8_t* filter, const int32_t* bias,
                              int32_t input_offset, int32_t* kernel_bias);

/* Any stride, dilation, padding, groups (1x1 and KxK alike). kernel_bias (required, Cout
 * entries, from tq_conv2d_s8_kernel_bias; packed bias words when quant is packed, tq_common.h).
 * Returns TQ_ARG_ERROR only if ctx->buf is NULL or too small; all other checks belong to
 * tq_conv2d_s8_validate. */
tq_status tq_conv2d_s8(const tq_context* ctx, const tq_conv_params* params,
                       const tq_per_channel_quant_params* quant, const tq_dims* input_dims,
                       const int8_t* input, const tq_dims* filter_dims, const int8_t* filter,
                       const int32_t* kernel_bias, const tq_dims* output_dims, int8_t* output);

#ifdef __cplusplus
}
#endif

#endif /* TINYQ_RUNTIME_TQ_CONV_H_ */
