/* tq_pool.h - int8 max / average / global average pooling, NHWC.
 *
 * Windows: for output (oy, ox) the window starts at iy0 = oy*stride.h - padding.h (ix0 likewise)
 * and covers filter.h x filter.w input pixels; only in-bound pixels are visited.
 *
 * max_pool2d (TFLite int8 MaxPool, bit-exact): y = clamp(max over in-bound x, act).
 *   Input and output share scale and zero point.
 * avg_pool2d (TFLite int8 AveragePool, bit-exact when count_include_pad = 0): input and output
 *   share scale and zero point;
 *     sum = sum over in-bound x   (raw int8 values; the zero point cancels in an average)
 *     count_include_pad = 0: count = number of in-bound pixels
 *     count_include_pad = 1: count = filter.h*filter.w and every padded pixel counts as the
 *                            zero point: sum += input_zero_point * (count - in-bound pixels)
 *     avg = sum > 0 ? (sum + count/2) / count : (sum - count/2) / count   (C division truncates,
 *           so this rounds half away from zero)
 *     y = clamp(avg, act)
 *   Bound: |sum| <= 128 * filter.h * filter.w; validate refuses windows over 2^24 pixels.
 * global_avg_pool (tinyq; TFLite has only Mean): one output per (n, c),
 *     acc = sum_{h,w} (x - input_zero_point)                |acc| <= 255*H*W (H*W <= 2^23)
 *     y = clamp(tq_requantize(acc, multiplier, shift) + output_zero_point, act)
 *   where the real multiplier is s_in / (s_out * H * W): averaging and rescaling are folded
 *   into one rounding.
 */
#ifndef TINYQ_RUNTIME_TQ_POOL_H_
#define TINYQ_RUNTIME_TQ_POOL_H_

#include "tq_common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
  tq_tile filter;            /* window size, >= 1 */
  tq_tile stride;            /* >= 1 */
  tq_tile padding;           /* top / left, in [0, filter - 1] */
  int32_t count_include_pad; /* avg only: 0 or 1 */
  int32_t input_zero_point;  /* avg with count_include_pad only: [-128, 127] */
  tq_activation activation;
} tq_pool_params;

typedef struct {
  int32_t input_zero_point;  /* [-128, 127] */
  int32_t output_zero_point; /* [-128, 127] */
  int32_t multiplier;        /* s_in / (s_out * H * W) as (m0, shift) */
  int32_t shift;
  tq_activation activation;
} tq_global_pool_params;

/* Checks input [N,H,W,C], output [N,OH,OW,C], params, and that every window overlaps the input:
 * (OH-1)*stride.h - padding.h <= H-1 (likewise for width). */
tq_status tq_pool2d_s8_validate(const tq_pool_params* params, const tq_dims* input_dims,
                                const tq_dims* output_dims);

/* Checks input [N,H,W,C], output [N,1,1,C], params, H*W <= 2^23. */
tq_status tq_global_avg_pool_s8_validate(const tq_global_pool_params* params,
                                         const tq_dims* input_dims, const tq_dims* output_dims);

/* Scratch: none (all return 0). */
size_t tq_max_pool2d_s8_get_buffer_size(void);
size_t tq_avg_pool2d_s8_get_buffer_size(void);
size_t tq_global_avg_pool_s8_get_buffer_size(void);

void tq_max_pool2d_s8(const tq_pool_params* params, const tq_dims* input_dims, const int8_t* input,
                      const tq_dims* output_dims, int8_t* output);

void tq_avg_pool2d_s8(const tq_pool_params* params, const tq_dims* input_dims, const int8_t* input,
                      const tq_dims* output_dims, int8_t* output);

void tq_global_avg_pool_s8(const tq_global_pool_params* params, const tq_dims* input_dims,
                           const int8_t* input, int8_t* output);

#ifdef __cplusplus
}
#endif

#endif /* TINYQ_RUNTIME_TQ_POOL_H_ */
