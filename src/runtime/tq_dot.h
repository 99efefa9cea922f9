/* tq_dot.h - private int8 dot-product helpers shared by conv and fully-connected kernels
 * (plus the window validation conv and depthwise conv share).
 *
 * Plain loops over contiguous memory with int32 accumulators, written so that gcc/clang vectorize
 * them on the host (-O2/-O3) and keep four accumulators in registers on Cortex-M (one input load
 * feeds four multiply-accumulates: ~0.35 MACs per instruction on Cortex-M4 with -Os).
 */
#ifndef TINYQ_RUNTIME_TQ_DOT_H_
#define TINYQ_RUNTIME_TQ_DOT_H_

#include <stdint.h>

#include "tq_common.h"

/* acc += sum_i x[i] * w[i]. */
static inline int32_t tq_dot_s8(const int8_t* x, const int8_t* w, int32_t n, int32_t acc) {
  int32_t i;
  for (i = 0; i < n; ++i) acc += (int32_t)x[i] * (int32_t)w[i];
  return acc;
}

/* acc[j] += sum_i x[i] * w_j[i] for four weight rows w_j = w + j * w_stride.
 * Written as a bottom-tested pointer loop: on Cortex-M4 (-Os) one iteration is 5 ldrsb,
 * 4 smlabb, cmp, bne = 11 instructions for 4 MACs (0.36 MACs/instruction; a hand-unrolled
 * version spills registers and is slower). gcc -O3 vectorizes it on the host. */
static inline void tq_dot4_s8(const int8_t* x, const int8_t* w, int32_t w_stride, int32_t n,
                              int32_t* acc) {
  const int8_t* x_end = x + n;
  int32_t a0 = acc[0], a1 = acc[1], a2 = acc[2], a3 = acc[3];
  if (n > 0) {
    do {
      const int32_t xv = *x++;
      a0 += xv * w[0];
      a1 += xv * w[w_stride];
      a2 += xv * w[2 * w_stride];
      a3 += xv * w[3 * w_stride];
      ++w;
    } while (x != x_end);
  }
  acc[0] = a0;
  acc[1] = a1;
  acc[2] = a2;
  acc[3] = a3;
}

/* acc[j] += sum_i (x[i] + off) * w_j[i]: the direct (unhoisted) form, used for border windows
 * of convolutions where only part of the kernel is inside the input. 12 instructions per
 * 4 MACs on Cortex-M4. */
static inline void tq_dot4_off_s8(const int8_t* x, const int8_t* w, int32_t w_stride, int32_t n,
                                  int32_t off, int32_t* acc) {
  const int8_t* x_end = x + n;
  int32_t a0 = acc[0], a1 = acc[1], a2 = acc[2], a3 = acc[3];
  if (n > 0) {
    do {
      const int32_t xv = *x++ + off;
      a0 += xv * w[0];
      a1 += xv * w[w_stride];
      a2 += xv * w[2 * w_stride];
      a3 += xv * w[3 * w_stride];
      ++w;
    } while (x != x_end);
  }
  acc[0] = a0;
  acc[1] = a1;
  acc[2] = a2;
  acc[3] = a3;
}

/* acc + sum_i (x[i] + off) * w[i]. */
static inline int32_t tq_dot_off_s8(const int8_t* x, const int8_t* w, int32_t n, int32_t off,
                                    int32_t acc) {
  int32_t i;
  for (i = 0; i < n; ++i) acc += ((int32_t)x[i] + off) * (int32_t)w[i];
  return acc;
}

/* acc[j] += sum_i x[i] * w_j[i] with int16 inputs (x + offset, fully connected); same loop
 * shape as tq_dot4_s8 (ldrsh + 4 ldrsb + 4 smlabb + cmp + bne on Cortex-M4). */
static inline void tq_dot4_s16_s8(const int16_t* x, const int8_t* w, int32_t w_stride, int32_t n,
                                  int32_t* acc) {
  const int16_t* x_end = x + n;
  int32_t a0 = acc[0], a1 = acc[1], a2 = acc[2], a3 = acc[3];
  if (n > 0) {
    do {
      const int32_t xv = *x++;
      a0 += xv * w[0];
      a1 += xv * w[w_stride];
      a2 += xv * w[2 * w_stride];
      a3 += xv * w[3 * w_stride];
      ++w;
    } while (x != x_end);
  }
  acc[0] = a0;
  acc[1] = a1;
  acc[2] = a2;
  acc[3] = a3;
}

/* Sum of n int8 values (kernel sums for the hoisted zero-point correction). */
static inline int32_t tq_sum_s8(const int8_t* w, int32_t n) {
  int32_t s = 0;
  int32_t i;
  for (i = 0; i < n; ++i) s += w[i];
  return s;
}

/* sum_i |w[i]| in int64 (accumulator-bound helpers). */
static inline int64_t tq_sum_abs_s8(const int8_t* w, int32_t n) {
  int64_t s = 0;
  int32_t i;
  for (i = 0; i < n; ++i) s += w[i] < 0 ? -(int64_t)w[i] : (int64_t)w[i];
  return s;
}

/* Smallest k >= 0 with start + k*step >= 0, i.e. the first in-bound tap (start may be < 0). */
static inline int32_t tq_first_tap(int32_t start, int32_t step) {
  return start >= 0 ? 0 : (-start + step - 1) / step;
}

/* One past the last tap k < taps with start + k*step < extent. */
static inline int32_t tq_end_tap(int32_t start, int32_t step, int32_t extent, int32_t taps) {
  int32_t end;
  if (start >= extent) return 0;
  end = (extent - 1 - start) / step + 1;
  return end < taps ? end : taps;
}

/* Requantize + output offset + clamp: the output stage of every MAC kernel. */
TQ_ALWAYS_INLINE int8_t tq_output_stage(int32_t acc, int32_t m0, int32_t shift, int32_t out_offset,
                                        int32_t act_min, int32_t act_max) {
  return (int8_t)tq_clamp_s32(tq_requantize(acc, m0, shift) + out_offset, act_min, act_max);
}

/* The checks conv and depthwise conv share: dims, activation, offsets, stride / dilation /
 * padding ranges, and that the output dims fit the window geometry (implied bottom/right padding
 * no larger than max(padding, effective kernel extent - 1)). Kernel-specific channel checks stay
 * with the caller. */
static inline tq_status tq_conv_window_validate(const tq_activation* activation,
                                                int32_t input_offset, int32_t output_offset,
                                                tq_tile stride, tq_tile padding, tq_tile dilation,
                                                const tq_dims* input_dims,
                                                const tq_dims* filter_dims,
                                                const tq_dims* output_dims) {
  if (tq_dims_validate(input_dims) != TQ_OK || tq_dims_validate(filter_dims) != TQ_OK ||
      tq_dims_validate(output_dims) != TQ_OK) {
    return TQ_ARG_ERROR;
  }
  if (tq_activation_validate(activation) != TQ_OK) return TQ_ARG_ERROR;
  if (input_offset < -127 || input_offset > 128) return TQ_ARG_ERROR;
  if (output_offset < -128 || output_offset > 127) return TQ_ARG_ERROR;
  if (stride.h < 1 || stride.w < 1) return TQ_ARG_ERROR;
  if (dilation.h < 1 || dilation.w < 1) return TQ_ARG_ERROR;
  if (padding.h < 0 || padding.w < 0) return TQ_ARG_ERROR;
  /* int64 so that absurd extents cannot overflow the checks themselves. */
  {
    const int64_t ekh = (int64_t)(filter_dims->h - 1) * dilation.h;
    const int64_t ekw = (int64_t)(filter_dims->w - 1) * dilation.w;
    const int64_t last_y = (int64_t)(output_dims->h - 1) * stride.h - padding.h;
    const int64_t last_x = (int64_t)(output_dims->w - 1) * stride.w - padding.w;
    /* Implied bottom/right padding: what the last window needs beyond the input. */
    const int64_t pad_b = last_y + ekh + 1 - input_dims->h;
    const int64_t pad_r = last_x + ekw + 1 - input_dims->w;
    if (padding.h > 0xFFFF || padding.w > 0xFFFF) return TQ_ARG_ERROR;
    if (pad_b > (padding.h > ekh ? padding.h : ekh)) return TQ_ARG_ERROR;
    if (pad_r > (padding.w > ekw ? padding.w : ekw)) return TQ_ARG_ERROR;
  }
  return TQ_OK;
}

#endif /* TINYQ_RUNTIME_TQ_DOT_H_ */
