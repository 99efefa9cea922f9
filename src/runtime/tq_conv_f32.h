/* tq_conv_f32.h - float32 2-D convolution, NHWC (regular, grouped, depthwise).
 *
 * Float-fallback layers only (tq_common_f32.h: order of operations, compile flags).
 *
 * Layouts: input [N,H,W,Cin], output [N,OH,OW,Cout]; the filter is stored HWIO,
 *   filter[((ky * KW + kx) * Cin/groups + ci) * Cout + oc]
 * (the output channel varies fastest, so the innermost loop runs over output channels and
 * vectorizes without reassociating any sum). filter_dims describes it as {Cout, KH, KW,
 * Cin/groups}. Output channel oc belongs to group g = oc / (Cout/groups) and reads input
 * channels g*(Cin/groups) .. +Cin/groups-1; depthwise is groups = Cin (Cin/groups = 1,
 * Cout = Cin * multiplier).
 *
 * Math, for every output (n, oy, ox, oc), in exactly this order:
 *   acc = bias ? bias[oc] : 0.0f
 *   for ky in 0..KH-1, kx in 0..KW-1 (taps outside the input are skipped: zero padding),
 *     for ci in 0..Cin/groups-1:  acc = acc + x[n, iy, ix, g*Cin/groups + ci] * w[ky,kx,ci,oc]
 *         iy = oy*stride.h - padding.h + ky*dilation.h, ix likewise
 *   y = clamp(acc, activation)
 * one rounding per product and per sum (no FMA).
 */
#ifndef TINYQ_RUNTIME_TQ_CONV_F32_H_
#define TINYQ_RUNTIME_TQ_CONV_F32_H_

#include "tq_common_f32.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
  tq_tile stride;   /* >= 1 */
  tq_tile padding;  /* top / left, >= 0 (bottom / right follow from the output size) */
  tq_tile dilation; /* >= 1 */
  int32_t groups;   /* >= 1, divides Cin and Cout */
  tq_clamp_f32 activation;
} tq_conv_f32_params;

/* Checks dims against params: positive extents, filter {Cout, KH, KW, Cin/groups} with groups
 * dividing Cin and Cout, output {N, OH, OW, Cout}, strides and dilations >= 1, paddings >= 0.
 * Any output size is accepted (taps outside the input are skipped). TQ_ARG_ERROR otherwise. */
tq_status tq_conv2d_f32_validate(const tq_conv_f32_params* params, const tq_dims* input_dims,
                                 const tq_dims* filter_dims, const tq_dims* output_dims);

/* No scratch. Input and output must not overlap. */
void tq_conv2d_f32(const tq_conv_f32_params* params, const tq_dims* input_dims, const float* input,
                   const tq_dims* filter_dims, const float* filter, const float* bias,
                   const tq_dims* output_dims, float* output);

#ifdef __cplusplus
}
#endif

#endif /* TINYQ_RUNTIME_TQ_CONV_F32_H_ */
