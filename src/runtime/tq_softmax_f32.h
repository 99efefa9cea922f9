/* tq_softmax_f32.h - float32 softmax along one axis of a tensor viewed as [outer, depth, inner].
 *
 * Float-fallback layers only (tq_common_f32.h: order of operations, compile flags). For every
 * (o, i) the row x[o, 0..depth-1, i] gives, in this order:
 *   m = max_d x[d];  e_d = tq_exp_f32(x[d] - m) (tq_math_f32.h, no libm);
 *   s = e_0 + e_1 + ... (d increasing, from 0.0f);  y[d] = e_d / s
 * The strided row makes the result independent of the layout a caller keeps the tensor in (a
 * channel softmax is inner = 1 on NHWC data and inner = H*W on NCHW data). Input and output may
 * be the same buffer.
 */
#ifndef TINYQ_RUNTIME_TQ_SOFTMAX_F32_H_
#define TINYQ_RUNTIME_TQ_SOFTMAX_F32_H_

#include "tq_common_f32.h"

#ifdef __cplusplus
extern "C" {
#endif

void tq_softmax_f32(const float* input, int32_t outer, int32_t depth, int32_t inner, float* output);

#ifdef __cplusplus
}
#endif

#endif /* TINYQ_RUNTIME_TQ_SOFTMAX_F32_H_ */
