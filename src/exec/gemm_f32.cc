#include "src/exec/gemm_f32.h"

#include "src/exec/gemm_f32_eigen.h"

namespace tinyq {

#if defined(TINYQ_GEMM_AVX512)
// gemm_f32_avx512.cc.
void MatMulF32Avx512(const float* a, const float* b, float* out, int64_t m, int64_t k, int64_t n,
                     bool trans_a, bool trans_b, float alpha, bool accumulate);
#endif

bool MatMulF32UsesAvx512() {
#if defined(TINYQ_GEMM_AVX512)
  static const bool has = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512cd") &&
                          __builtin_cpu_supports("avx512bw") &&
                          __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl");
  return has;
#else
  return false;
#endif
}

void MatMulF32(const float* a, const float* b, float* out, int64_t m, int64_t k, int64_t n,
               bool trans_a, bool trans_b, float alpha, bool accumulate) {
#if defined(TINYQ_GEMM_AVX512)
  if (MatMulF32UsesAvx512()) {
    MatMulF32Avx512(a, b, out, m, k, n, trans_a, trans_b, alpha, accumulate);
    return;
  }
#endif
  MatMulEigenF32(a, b, out, m, k, n, trans_a, trans_b, alpha, accumulate);
}

}  // namespace tinyq
