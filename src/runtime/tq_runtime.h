/* tq_runtime.h - the tinyq kernel library (C99, no malloc, no writable globals): int8 kernels
 * (integer only) and, for layers quantization left in float, float32 kernels (tq_*_f32.h, see
 * tq_common_f32.h for their rounding contract). Used by the host int8 executor and copied
 * verbatim into generated MCU code.
 *
 * Conventions shared by every kernel
 *   - Layout NHWC: activations [N,H,W,C]; conv filters [Cout,KH,KW,Cin/groups] (OHWI);
 *     depthwise filters [1,KH,KW,C*multiplier]; fully-connected filters [Cout,Cin].
 *   - Numerics: TFLite int8 spec. Activations asymmetric per tensor, weights symmetric per
 *     output channel (zero point 0), bias int32 with scale s_in*s_w[c]. Every requantization is
 *     tq_requantize() (tq_common.h). Offsets: input_offset = -input_zero_point,
 *     output_offset = output_zero_point. Fused activations are the output clamp.
 *   - Each kernel family has tq_<op>_s8_validate(...) (call it once at prepare; returns
 *     TQ_ARG_ERROR on bad dims/params), tq_<op>_s8_get_buffer_size(...) (scratch bytes the
 *     caller provides through tq_context, 4-byte aligned), and for MAC kernels an
 *     *_acc_bound(...) helper (int64) that prepare compares with INT32_MAX. Kernels run blind.
 *
 * Worked example: a 3x3 stride-1 "same" convolution, 8 -> 16 channels on a 1x32x32x8 input.
 *
 *   tq_dims in = {1, 32, 32, 8}, filt = {16, 3, 3, 8}, out = {1, 32, 32, 16};
 *   tq_conv_params p = {128, -5, {1, 1}, {1, 1}, {1, 1}, 1, {-5, 127}};  // zp_in -128, ReLU
 *   tq_per_channel_quant_params q = {multipliers, shifts};               // 16 entries each
 *   if (tq_conv2d_s8_validate(&p, &in, &filt, &out) != TQ_OK) return error;
 *   if (tq_conv2d_s8_acc_bound(&filt, weights, bias, p.input_offset) > INT32_MAX) refuse;
 *   int32_t kbias[16];                       // bias + input_offset * sum(w), once at prepare
 *   tq_conv2d_s8_kernel_bias(&filt, weights, bias, p.input_offset, kbias);
 *   int32_t scratch[72];                     // tq_conv2d_s8_get_buffer_size(&filt): 3*3*8 taps
 *   tq_context ctx = {scratch, sizeof(scratch)};
 *   tq_conv2d_s8(&ctx, &p, &q, &in, x, &filt, weights, kbias, &out, y);
 */
#ifndef TINYQ_RUNTIME_TQ_RUNTIME_H_
#define TINYQ_RUNTIME_TQ_RUNTIME_H_

#include "tq_blob.h"
#include "tq_common.h"
#include "tq_conv.h"
#include "tq_conv_f32.h"
#include "tq_depthwise.h"
#include "tq_elementwise.h"
#include "tq_elementwise_f32.h"
#include "tq_fully_connected.h"
#include "tq_fully_connected_f32.h"
#include "tq_pool.h"
#include "tq_pool_f32.h"
#include "tq_softmax.h"
#include "tq_softmax_f32.h"
#include "tq_sparse.h"
#include "tq_unary.h"

#endif /* TINYQ_RUNTIME_TQ_RUNTIME_H_ */
