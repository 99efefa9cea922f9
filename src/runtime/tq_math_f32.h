/* tq_math_f32.h - exp, sigmoid and tanh in float32 without libm (header-only, static inline).
 *
 * Results depend only on IEEE-754 binary32 +, -, *, / (tq_common_f32.h), so every target gives
 * the same bits; accuracy is a few ulp (not correctly rounded like a good libm).
 *
 * exp(x): k = round(x * log2(e)), r = x - k*ln2 (Cody-Waite: ln2 = LN2_HI + LN2_LO with LN2_HI
 *   exact in 16 bits, so k*LN2_HI is exact), e^r by its Taylor polynomial of degree 7 on
 *   |r| <= 0.35 (truncation error < 6e-9), times 2^k built from the exponent bits (in two steps
 *   for subnormal results). x > 88.7228 gives +inf, x < -103.97 gives 0, NaN stays NaN.
 * sigmoid(x) = 1 / (1 + e^-x) for x >= 0, e^x / (1 + e^x) below (no overflow, no cancellation).
 * tanh(x) = sign(x) * t(|x|): t(a) = a - a^3/3 + 2a^5/15 - 17a^7/315 + 62a^9/2835 for a < 0.25,
 *   1 - 2 / (e^(2a) + 1) up to 9, and 1 above.
 */
#ifndef TINYQ_RUNTIME_TQ_MATH_F32_H_
#define TINYQ_RUNTIME_TQ_MATH_F32_H_

#include <stdint.h>

/* 2^k as a float, k in [-126, 127]. */
static inline float tq_pow2_f32(int32_t k) {
  union {
    uint32_t u;
    float f;
  } b;
  b.u = (uint32_t)(k + 127) << 23;
  return b.f;
}

static inline float tq_exp_f32(float x) {
  float r, p;
  int32_t k;
  if (x != x) return x;
  if (x > 88.72283935546875f) {
    union {
      uint32_t u;
      float f;
    } inf;
    inf.u = 0x7F800000u;
    return inf.f;
  }
  if (x < -103.972084045410156f) return 0.0f;
  k = (int32_t)(x * 1.44269502162933349609375f + (x < 0.0f ? -0.5f : 0.5f));
  r = (x - (float)k * 0.693145751953125f) - (float)k * 1.4286068202862268e-06f;
  p = 1.0f + r * (1.0f + r * (0.5f + r * (1.666666716337203979e-01f +
                                          r * (4.166666790843009949e-02f +
                                               r * (8.333333767950534821e-03f +
                                                    r * (1.388888922519981861e-03f +
                                                         r * 1.984127011382952332e-04f))))));
  if (k > 127) return (p * 2.0f) * tq_pow2_f32(k - 1);
  if (k < -126) return (p * tq_pow2_f32(k + 64)) * tq_pow2_f32(-64);
  return p * tq_pow2_f32(k);
}

static inline float tq_sigmoid_f32(float x) {
  float e;
  if (x >= 0.0f) return 1.0f / (1.0f + tq_exp_f32(-x));
  e = tq_exp_f32(x);
  return e / (1.0f + e);
}

static inline float tq_tanh_f32(float x) {
  const float a = x < 0.0f ? -x : x;
  float t;
  if (x != x) return x;
  if (a > 9.0f) {
    t = 1.0f;
  } else if (a < 0.25f) {
    const float z = a * a;
    t = a + a * z *
                (-3.333333432674407959e-01f +
                 z * (1.333333402872085571e-01f +
                      z * (-5.396825447678565979e-02f + z * 2.186948806047439575e-02f)));
  } else {
    t = 1.0f - 2.0f / (tq_exp_f32(2.0f * a) + 1.0f);
  }
  return x < 0.0f ? -t : t;
}

#endif /* TINYQ_RUNTIME_TQ_MATH_F32_H_ */
