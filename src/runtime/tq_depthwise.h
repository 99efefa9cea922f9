/* tq_depthwise.h - int8 depthwise 2-D convolution, NHWC, depth multiplier, per-channel weights.
 *
 * Math (TFLite int8 DepthwiseConvPerChannel, bit-exact), oc = ic * depth_multiplier + m:
 *   acc[n,oy,ox,oc] = bias[oc] + sum_{ky,kx in window} (x[n,iy,ix,ic] + input_offset)
 *                                                      * w[0,ky,kx,oc]
 *     iy = oy*stride.h - padding.h + ky*dilation.h (ix likewise); out-of-input taps are skipped.
 *   y = clamp(tq_requantize(acc, multiplier[oc], shift[oc]) + output_offset, act.min, act.max)
 * Filter layout [1,KH,KW,C*depth_multiplier] (TFLite). Evaluated one output channel at a time:
 * the channel's input plane is copied into the scratch buffer with the input zero point around
 * it (a tap outside the input reads -input_offset, which gives the skipped term of the formula:
 * (zp + input_offset) * w = 0), then every output is kbias + sum x * w over its window with the
 * kernel bias kbias = bias + input_offset * sum_{ky,kx} w[oc]. 3x3 windows with unit dilation
 * are unrolled.
 *
 * Overflow: every partial sum is bounded by
 *   B[oc] = |bias[oc]| + (128 + |input_offset|) * sum_{ky,kx} |w[oc]|
 * returned (max over oc, int64) by tq_depthwise_conv2d_s8_acc_bound; refuse when > INT32_MAX.
 */
#ifndef TINYQ_RUNTIME_TQ_DEPTHWISE_H_
#define TINYQ_RUNTIME_TQ_DEPTHWISE_H_

#include "tq_common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
  int32_t input_offset;     /* -input_zero_point, in [-127, 128] */
  int32_t output_offset;    /* output_zero_point, in [-128, 127] */
  int32_t depth_multiplier; /* >= 1; output channels = input channels * depth_multiplier */
  tq_tile stride;           /* >= 1 */
  tq_tile padding;          /* top / left, >= 0 (bottom/right implied by output dims) */
  tq_tile dilation;         /* >= 1 */
  tq_activation activation;
} tq_dw_conv_params;

/* Checks input [N,H,W,C], filter [1,KH,KW,C*mult], output [N,OH,OW,C*mult], params, and that
 * the output size / padding rule of tq_conv2d_s8_validate. */
tq_status tq_depthwise_conv2d_s8_validate(const tq_dw_conv_params* params,
                                          const tq_dims* input_dims, const tq_dims* filter_dims,
                                          const tq_dims* output_dims);

/* Scratch bytes: PH * PW, one input channel plane padded with the zero point, PH =
 * (OH-1)*stride.h + (KH-1)*dilation.h + 1 and PW likewise (the input positions the windows
 * read). */
size_t tq_depthwise_conv2d_s8_get_buffer_size(const tq_dw_conv_params* params,
                                              const tq_dims* filter_dims,
                                              const tq_dims* output_dims);

/* Worst-case |partial sum| (see header comment), int64. bias may be NULL. */
int64_t tq_depthwise_conv2d_s8_acc_bound(const tq_dims* filter_dims, const int8_t* filter,
                                         const int32_t* bias, int32_t input_offset);

/* bias (the plain bias, Cout entries) may be NULL unless quant is packed (tq_common.h). Returns
 * TQ_ARG_ERROR only for a NULL or too small scratch buffer (validate first). */
tq_status tq_depthwise_conv2d_s8(const tq_context* ctx, const tq_dw_conv_params* params,
                                 const tq_per_channel_quant_params* quant,
                                 const tq_dims* input_dims, const int8_t* input,
                                 const tq_dims* filter_dims, const int8_t* filter,
                                 const int32_t* bias, const tq_dims* output_dims, int8_t* output);

#ifdef __cplusplus
}
#endif

#endif /* TINYQ_RUNTIME_TQ_DEPTHWISE_H_ */
