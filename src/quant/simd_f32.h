// src/quant/simd_f32.h - a vector of floats as one value, for the hot float loops of quant/ and
// exec/ that GCC does not vectorize on its own (min/max reductions, register-blocked
// accumulators).
//
// F32Vec is a GCC/clang vector extension type of kF32Lanes floats: 16 (one AVX-512 register)
// when the build targets AVX-512, else 8 (one AVX register with -mavx2, two SSE registers
// without, NEON on ARM). Element-wise + - * < > and `c ? a : b` compile to vector instructions
// (FMA when available). Every lane computes its own output with the same operations in the same
// order, so results do not depend on the lane count; only how many junk lanes a plane's last
// chunk holds does.
#ifndef TINYQ_SRC_QUANT_SIMD_F32_H_
#define TINYQ_SRC_QUANT_SIMD_F32_H_

#include <cstdint>
#include <cstring>

namespace tinyq {

#if defined(__AVX512F__)
constexpr int64_t kF32Lanes = 16;
#else
constexpr int64_t kF32Lanes = 8;
#endif

typedef float F32Vec __attribute__((vector_size(4 * kF32Lanes)));

// Unaligned load / store of kF32Lanes floats.
inline F32Vec LoadF32Vec(const float* p) {
  F32Vec v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
inline void StoreF32Vec(float* p, F32Vec v) { std::memcpy(p, &v, sizeof v); }

inline F32Vec BroadcastF32Vec(float x) { return F32Vec{} + x; }

// ONNX Clip order: max with lo first, then min with hi (lo > hi gives hi; NaN stays NaN). Written
// as selects, which GCC vectorizes in loops (std::min/std::max of references it does not).
inline float ClampF32(float v, float lo, float hi) {
  v = v < lo ? lo : v;
  return v > hi ? hi : v;
}
inline F32Vec ClampF32Vec(F32Vec v, float lo, float hi) {
  const F32Vec l = BroadcastF32Vec(lo), h = BroadcastF32Vec(hi);
  v = v < l ? l : v;
  return v > h ? h : v;
}

}  // namespace tinyq

#endif  // TINYQ_SRC_QUANT_SIMD_F32_H_
