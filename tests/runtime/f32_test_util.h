// Test-only helpers for the float32 runtime kernels (tq_*_f32): binary32 operations with exactly
// one rounding each. The result goes through a volatile, so the test's own compiler (C++, built
// with -mfma and gcc's default -ffp-contract=fast) cannot fuse a product and a sum into an FMA
// (it does so even through casts to double: it folds them back into float operations), and
// random inputs.
#ifndef TINYQ_TESTS_RUNTIME_F32_TEST_UTIL_H_
#define TINYQ_TESTS_RUNTIME_F32_TEST_UTIL_H_

#include <cstring>
#include <random>
#include <vector>

namespace tinyq_test {

inline float Mul32(float a, float b) {
  volatile float r = a * b;
  return r;
}
inline float Add32(float a, float b) {
  volatile float r = a + b;
  return r;
}

inline std::vector<float> RandomF32(std::mt19937& rng, size_t n, float lo = -1.0f,
                                    float hi = 1.0f) {
  std::uniform_real_distribution<float> d(lo, hi);
  std::vector<float> v(n);
  for (float& f : v) f = d(rng);
  return v;
}

// Bitwise equality (distinguishes -0 from +0, compares NaNs by payload).
inline bool SameBits(float a, float b) { return std::memcmp(&a, &b, sizeof(float)) == 0; }

}  // namespace tinyq_test

#endif  // TINYQ_TESTS_RUNTIME_F32_TEST_UTIL_H_
