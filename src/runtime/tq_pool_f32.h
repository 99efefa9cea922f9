/* tq_pool_f32.h - float32 max / average pooling, NHWC (global pools: a window of H x W).
 *
 * Float-fallback layers only (tq_common_f32.h: order of operations, compile flags).
 *
 * For output (oy, ox) the window starts at iy0 = oy*stride.h - padding.h (ix0 likewise) and
 * covers filter.h x filter.w positions; only positions inside the input are read, in the order
 * ky, kx (row by row).
 *   max: y = the largest in-bound value (y = first, then y = x > y ? x : y).
 *   avg: s = the first in-bound value, then s = s + x for the others; y = s * (1.0f / count) where
 * count is the number of in-bound positions, or with count_include_pad the number of positions
 * inside the padded input [-padding, H + padding_end) x [-padding, W + padding_end) (ONNX: the part
 * of a ceil_mode window beyond the padded input never counts).
 */
#ifndef TINYQ_RUNTIME_TQ_POOL_F32_H_
#define TINYQ_RUNTIME_TQ_POOL_F32_H_

#include "tq_common_f32.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
  tq_tile filter;            /* window size, >= 1 */
  tq_tile stride;            /* >= 1 */
  tq_tile padding;           /* top / left, >= 0 */
  tq_tile padding_end;       /* bottom / right, >= 0 (average with count_include_pad only) */
  int32_t count_include_pad; /* average only: 0 or 1 */
} tq_pool_f32_params;

/* Checks input [N,H,W,C], output [N,OH,OW,C], params, and that every window has an in-bound
 * position: (OH-1)*stride.h - padding.h <= H-1, filter.h > padding.h (likewise for width). */
tq_status tq_pool2d_f32_validate(const tq_pool_f32_params* params, const tq_dims* input_dims,
                                 const tq_dims* output_dims);

/* No scratch. Input and output must not overlap. */
void tq_max_pool2d_f32(const tq_pool_f32_params* params, const tq_dims* input_dims,
                       const float* input, const tq_dims* output_dims, float* output);
void tq_avg_pool2d_f32(const tq_pool_f32_params* params, const tq_dims* input_dims,
                       const float* input, const tq_dims* output_dims, float* output);

#ifdef __cplusplus
}
#endif

#endif /* TINYQ_RUNTIME_TQ_POOL_F32_H_ */
