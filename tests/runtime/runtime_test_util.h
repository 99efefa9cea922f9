// Test-only helpers for the C99 runtime tests: an independent requantize reference in __int128
// arithmetic, TFLite-style multiplier quantization (frexp), and small random generators.
#ifndef TINYQ_TESTS_RUNTIME_RUNTIME_TEST_UTIL_H_
#define TINYQ_TESTS_RUNTIME_RUNTIME_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <utility>
#include <vector>

extern "C" {
#include "src/runtime/tq_common.h"
}

namespace tinyq_test {

using i128 = __int128;

// floor(a / b) for b > 0, exact.
inline i128 FloorDiv(i128 a, i128 b) {
  i128 q = a / b;
  if ((a % b != 0) && (a < 0)) --q;
  return q;
}

// Reference for tq_requantize, written from the TFLite definition with exact integers:
//   x  = saturate_int32(acc * 2^max(shift,0))
//   s1 = floor((x*m0 + 2^30) / 2^31)   [SRDHM: nearest, ties toward +inf], except
//        x = m0 = INT32_MIN -> INT32_MAX
//   s2 = s1 / 2^max(-shift,0) rounded to nearest, ties away from zero.
inline int32_t RefRequantize(int32_t acc, int32_t m0, int32_t shift) {
  i128 x = acc;
  if (shift > 0) x *= (i128)1 << shift;
  if (x > INT32_MAX) x = INT32_MAX;
  if (x < INT32_MIN) x = INT32_MIN;
  i128 s1;
  if (x == INT32_MIN && m0 == INT32_MIN) {
    s1 = INT32_MAX;
  } else {
    s1 = FloorDiv(x * m0 + ((i128)1 << 30), (i128)1 << 31);
  }
  const int rs = shift > 0 ? 0 : -shift;
  if (rs == 0) return (int32_t)s1;
  const i128 mag = s1 < 0 ? -s1 : s1;
  const i128 q = (mag + ((i128)1 << (rs - 1))) >> rs;
  return (int32_t)(s1 < 0 ? -q : q);
}

// Output stage reference: clamp(requantize(acc) + zp, lo, hi). acc must fit int32.
inline int8_t RefOutput(int64_t acc, int32_t m0, int32_t shift, int32_t zp, int32_t lo,
                        int32_t hi) {
  int32_t v = RefRequantize((int32_t)acc, m0, shift) + zp;
  return (int8_t)(v < lo ? lo : (v > hi ? hi : v));
}

// TFLite QuantizeMultiplier: real = m0 * 2^(shift-31), m0 in [2^30, 2^31).
inline std::pair<int32_t, int32_t> QuantizeMultiplier(double real) {
  if (real == 0.0) return {0, 0};
  int shift = 0;
  const double q = std::frexp(real, &shift);
  int64_t q_fixed = (int64_t)std::llround(q * (double)(1ll << 31));
  if (q_fixed == (1ll << 31)) {
    q_fixed /= 2;
    ++shift;
  }
  return {(int32_t)q_fixed, shift};
}

// Round half away from zero of a long double (independent of the integer code paths).
inline long double RoundHalfAway(long double v) {
  return v < 0 ? -std::floor(-v + 0.5L) : std::floor(v + 0.5L);
}

inline std::vector<int8_t> RandomS8(std::mt19937& rng, size_t n, int lo = -128, int hi = 127) {
  std::uniform_int_distribution<int> d(lo, hi);
  std::vector<int8_t> v(n);
  for (auto& e : v) e = (int8_t)d(rng);
  return v;
}

inline std::vector<int32_t> RandomS32(std::mt19937& rng, size_t n, int32_t lo, int32_t hi) {
  std::uniform_int_distribution<int32_t> d(lo, hi);
  std::vector<int32_t> v(n);
  for (auto& e : v) e = d(rng);
  return v;
}

// Per-channel multipliers for real multipliers drawn log-uniformly in [lo, hi].
inline void RandomMultipliers(std::mt19937& rng, size_t n, double lo, double hi,
                              std::vector<int32_t>* m0, std::vector<int32_t>* shift) {
  std::uniform_real_distribution<double> d(std::log(lo), std::log(hi));
  m0->resize(n);
  shift->resize(n);
  for (size_t i = 0; i < n; ++i) {
    auto q = QuantizeMultiplier(std::exp(d(rng)));
    (*m0)[i] = q.first;
    (*shift)[i] = q.second;
  }
}

// The packed form of tq_per_channel_quant_params (tq_pack_bias_shift): one word per channel
// holding bias (zeros when `bias` is null) and shift; `shift` has one entry per channel or a
// single entry used for all channels (per-tensor). Fails the test if the biases do not fit.
inline std::vector<int32_t> PackBiasShift(const int32_t* bias, const std::vector<int32_t>& shift,
                                          size_t channels) {
  std::vector<int32_t> sh(channels);
  for (size_t c = 0; c < channels; ++c) sh[c] = shift[shift.size() == 1 ? 0 : c];
  std::vector<int32_t> words(channels);
  EXPECT_EQ(tq_pack_bias_shift(bias, sh.data(), (int32_t)channels, words.data()), TQ_OK);
  return words;
}

}  // namespace tinyq_test

#endif  // TINYQ_TESTS_RUNTIME_RUNTIME_TEST_UTIL_H_
