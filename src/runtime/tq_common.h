/* tq_common.h - types shared by every tinyq int8 kernel and THE requantize function.
 *
 * Pure C99, integer only, no libc beyond <stdint.h>/<stddef.h>. This file is copied verbatim into
 * generated MCU code; the host int8 executor uses the same file, so both are bit-exact.
 *
 * Requires two's complement integers with arithmetic right shift of negative values (gcc, clang,
 * armcc, IAR all qualify) - the same assumption TFLite Micro and CMSIS-NN make.
 */
#ifndef TINYQ_RUNTIME_TQ_COMMON_H_
#define TINYQ_RUNTIME_TQ_COMMON_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One status enum for the whole runtime. Only *_validate functions and scratch checks return
 * errors; kernels otherwise run blind (validate once at prepare time). */
typedef enum {
  TQ_OK = 0,
  TQ_ARG_ERROR = 1,     /* inconsistent dims/params, NULL scratch, too small scratch */
  TQ_OVERFLOW = 2,      /* a worst-case accumulator bound exceeds int32 */
  TQ_BLOB_MISMATCH = 3, /* a weights blob of another model or format version (tq_blob.h) */
  TQ_BLOB_CORRUPT = 4,  /* a truncated weights blob or one whose CRC fails (tq_blob.h) */
} tq_status;

/* A 4-D NHWC shape. Activations [N,H,W,C]; conv filters use it as [Cout,KH,KW,Cin/groups]
 * (OHWI); depthwise filters as [1,KH,KW,C*multiplier]. */
typedef struct {
  int32_t n;
  int32_t h;
  int32_t w;
  int32_t c;
} tq_dims;

/* A (height, width) pair: strides, dilations, top/left paddings, pooling window sizes. */
typedef struct {
  int32_t h;
  int32_t w;
} tq_tile;

/* Fused activation as a clamp of the quantized output: act_min <= out <= act_max, both in
 * [-128,127]. No activation = {-128, 127}. */
typedef struct {
  int32_t min;
  int32_t max;
} tq_activation;

/* Per-output-channel requantization: real multiplier M[c] = multiplier[c] * 2^(shift[c] - 31),
 * multiplier[c] in [2^30, 2^31-1] (or 0 for M = 0), shift[c] in [-31, 30]. Arrays are borrowed
 * for the duration of the call.
 *
 * Two storage forms of the shifts (tq_channel_quant reads both):
 *   shift != NULL: separate arrays; the kernel's int32 bias array (may be NULL) holds biases.
 *   shift == NULL: "packed": the kernel's bias array is required and each word holds the
 *                  channel's bias and shift, word = bias * 64 + (shift & 63), i.e. bias in the
 *                  top 26 bits (|bias| < 2^25) and the shift as a 6-bit two's complement field.
 *                  Lossless (tq_pack_bias_shift); costs no flash beyond bias and multiplier:
 *                  4 bytes per channel over the raw int32 bias instead of 8.
 * The kernel header says what its bias is (e.g. folded kernel bias); the form does not change
 * any result. */
typedef struct {
  const int32_t* multiplier;
  const int32_t* shift;
} tq_per_channel_quant_params;

/* One output channel's bias and requantization (m0, shift), as read by every MAC kernel. */
typedef struct {
  int32_t bias;
  int32_t multiplier;
  int32_t shift;
} tq_channel_quant;

#define TQ_PACKED_BIAS_LIMIT ((int32_t)1 << 25) /* packed bias words: |bias| < 2^25 */

/* Caller-owned scratch memory; size in bytes from the matching *_get_buffer_size query. The
 * buffer must be 4-byte aligned. */
typedef struct {
  void* buf;
  size_t size;
} tq_context;

/* The requantize and output stage below are inlined into every kernel loop: on a core without
 * caches a call costs as much as the arithmetic. GCC and clang honour the attribute; any other
 * C99 compiler gets a plain static inline function (same results, possibly slower). */
#if defined(__GNUC__)
#define TQ_ALWAYS_INLINE static inline __attribute__((always_inline))
#else
#define TQ_ALWAYS_INLINE static inline
#endif

#define TQ_INT32_MAX_ ((int32_t)0x7FFFFFFF)
#define TQ_INT32_MIN_ ((int32_t)(-TQ_INT32_MAX_ - 1))

/* (a * b) / 2^31 rounded to nearest, bit-exact with gemmlowp/TFLite
 * SaturatingRoundingDoublingHighMul. gemmlowp adds a nudge of +2^30 (a*b >= 0) or 1 - 2^30
 * (a*b < 0) and divides by 2^31 truncating toward zero; for a*b < 0 that truncation of
 * (a*b + 1 - 2^30) / 2^31 equals floor((a*b + 2^30) / 2^31), so both cases are one
 * floor((a*b + 2^30) / 2^31): round to nearest, ties toward +inf (0.5 -> 1, -0.5 -> 0,
 * -1.5 -> -1). The floor is an arithmetic shift of the int64 sum (cheap on Cortex-M: smull,
 * adds, adc, shifts). The only overflow, INT32_MIN * INT32_MIN, saturates to INT32_MAX. */
static inline int32_t tq_saturating_rounding_doubling_high_mul(int32_t a, int32_t b) {
  if (a == TQ_INT32_MIN_ && b == TQ_INT32_MIN_) return TQ_INT32_MAX_;
  return (int32_t)(((int64_t)a * (int64_t)b + ((int64_t)1 << 30)) >> 31);
}

/* x / 2^exponent rounded to nearest, ties away from zero (TFLite RoundingDivideByPOT).
 * exponent in [0, 31]. */
static inline int32_t tq_rounding_divide_by_pot(int32_t x, int32_t exponent) {
  const int32_t mask = (int32_t)(((uint32_t)1 << exponent) - 1u);
  const int32_t remainder = x & mask;
  const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

/* THE requantize of tinyq: acc * m0 * 2^(shift-31), exactly TFLite's
 * MultiplyByQuantizedMultiplier: SRDHM(acc * 2^max(shift,0), m0) then RoundingDivideByPOT by
 * e = max(-shift,0). m0 in [2^30, 2^31-1] (or 0; any m0 >= 0 works), shift in [-31, 30].
 * One deliberate difference: TFLite computes acc * 2^left_shift in int32 (undefined behaviour on
 * overflow); here that product saturates to int32, so the function is defined for every input
 * and equals TFLite wherever TFLite is defined. Note the double rounding TFLite has too: the
 * SRDHM result is rounded again by the divide (exact 0.25 = requantize(1, 2^30, -1) gives 1).
 *
 * Right shifts (e >= 1, the usual case) are evaluated as one exact 64-bit rounding with the same
 * result. With P = acc*m0, SRDHM is s1 = floor((P + 2^30) / 2^31) and the divide, rounding half
 * away from zero, is floor((s1 + 2^(e-1) - [s1 < 0]) / 2^e); nesting the two floors gives
 *   result = floor((P + 2^30 + 2^(30+e) - [s1 < 0] * 2^31) / 2^(31+e)),
 * i.e. the high word of that 64-bit sum shifted right by e-1. [s1 < 0] = [P < -2^30] may be
 * replaced by [acc < 0] for m0 >= 0: they differ only when P is in [-2^30, 0), where s1 = 0 and
 * both sums give 0. Cortex-M4: smlal, three instructions for the sign, one asr. */
/* The right-shift branch of tq_requantize (shift = -e, e in [1, 31]) with its rounding constant
 * r = 2^30 + 2^(30+e) and e - 1 given: hosts precompute both per channel (src/runtime/vec). The
 * high word of the 64-bit sum is its bits 32..63, read through an unsigned shift (the same 32
 * bits as an arithmetic one, and cheaper in SIMD code). */
TQ_ALWAYS_INLINE int32_t tq_requantize_right_r(int32_t acc, int32_t m0, int64_t r,
                                               int32_t e_minus_1) {
  int64_t s = r + (int64_t)acc * (int64_t)m0;
  if (acc < 0) s -= (int64_t)1 << 31;
  return (int32_t)(uint32_t)((uint64_t)s >> 32) >> e_minus_1;
}

/* The rounding constant of tq_requantize_right_r: 2^30 + 2^(30+e) = 2^30 + 2^(e-1) * 2^31. */
TQ_ALWAYS_INLINE int64_t tq_requantize_right_round(int32_t e) {
  return ((int64_t)1 << 30) + ((int64_t)((uint32_t)1 << (e - 1)) << 31);
}

/* The right-shift branch of tq_requantize (shift = -e, e in [1, 31]). */
TQ_ALWAYS_INLINE int32_t tq_requantize_right(int32_t acc, int32_t m0, int32_t e) {
  return tq_requantize_right_r(acc, m0, tq_requantize_right_round(e), e - 1);
}

TQ_ALWAYS_INLINE int32_t tq_requantize(int32_t acc, int32_t m0, int32_t shift) {
  if (shift < 0) return tq_requantize_right(acc, m0, -shift);
  {
    int32_t x = acc;
    if (shift > 0) {
      const int64_t p = (int64_t)acc * (int64_t)(int32_t)((uint32_t)1 << shift);
      x = p > TQ_INT32_MAX_ ? TQ_INT32_MAX_ : (p < TQ_INT32_MIN_ ? TQ_INT32_MIN_ : (int32_t)p);
    }
    return tq_saturating_rounding_doubling_high_mul(x, m0);
  }
}

/* Channel c's bias, multiplier and shift (tq_per_channel_quant_params); qc indexes the
 * multiplier (and the shift array of the separate form): c for per-channel, 0 for per-tensor.
 * Packed word: bias = word >> 6 (arithmetic), shift = sign-extended low 6 bits. */
static inline tq_channel_quant tq_get_channel_quant(const int32_t* bias,
                                                    const tq_per_channel_quant_params* q, int32_t c,
                                                    int32_t qc) {
  tq_channel_quant r;
  r.multiplier = q->multiplier[qc];
  if (q->shift == NULL) {
    const int32_t word = bias[c];
    r.bias = word >> 6;
    r.shift = (int32_t)((uint32_t)word << 26) >> 26;
  } else {
    r.bias = bias == NULL ? 0 : bias[c];
    r.shift = q->shift[qc];
  }
  return r;
}

/* Packs n (bias, shift) pairs into words for the packed form (bias may be NULL = zeros; shifts
 * must be in [-31, 30]). Returns TQ_ARG_ERROR, writing nothing, when some |bias| >= 2^25: the
 * caller then keeps the separate form. */
static inline tq_status tq_pack_bias_shift(const int32_t* bias, const int32_t* shift, int32_t n,
                                           int32_t* words) {
  int32_t i;
  for (i = 0; i < n; ++i) {
    const int32_t b = bias == NULL ? 0 : bias[i];
    if (b >= TQ_PACKED_BIAS_LIMIT || b <= -TQ_PACKED_BIAS_LIMIT) return TQ_ARG_ERROR;
  }
  for (i = 0; i < n; ++i) {
    const int32_t b = bias == NULL ? 0 : bias[i];
    words[i] = (int32_t)(((uint32_t)b << 6) | ((uint32_t)shift[i] & 63u));
  }
  return TQ_OK;
}

/* Clamp helper used by every kernel's output stage. */
static inline int32_t tq_clamp_s32(int32_t v, int32_t lo, int32_t hi) {
  return v < lo ? lo : (v > hi ? hi : v);
}

/* Validates a fused activation clamp: -128 <= min <= max <= 127. */
static inline tq_status tq_activation_validate(const tq_activation* act) {
  if (act == NULL || act->min < -128 || act->max > 127 || act->min > act->max) {
    return TQ_ARG_ERROR;
  }
  return TQ_OK;
}

/* Validates a dims struct: all extents >= 1. */
static inline tq_status tq_dims_validate(const tq_dims* d) {
  if (d == NULL || d->n < 1 || d->h < 1 || d->w < 1 || d->c < 1) return TQ_ARG_ERROR;
  return TQ_OK;
}

/* Validates a (multiplier, shift) pair: multiplier 0 or in [2^30, 2^31-1], shift in [-31,30]. */
static inline tq_status tq_multiplier_validate(int32_t multiplier, int32_t shift) {
  if (multiplier < 0 || (multiplier != 0 && multiplier < ((int32_t)1 << 30))) return TQ_ARG_ERROR;
  if (shift < -31 || shift > 30) return TQ_ARG_ERROR;
  return TQ_OK;
}

#ifdef __cplusplus
}
#endif

#endif /* TINYQ_RUNTIME_TQ_COMMON_H_ */
