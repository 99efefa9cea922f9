// src/exec/gemm_f32.h - dense matrix products on row-major float matrices (Eigen underneath).
//
// On x86-64 the product is also built for AVX-512 (gemm_f32_avx512.cc) and that build is chosen
// at run time on CPUs that have it (Eigen's GEMM runs 1.5-1.8x faster with 16-float packets:
// 64x64x196 30 -> 52 GMAC/s, 128x576x49 28 -> 45 GMAC/s here), as ONNX Runtime's kernels do.
// The two builds sum in different orders, so results may differ by float rounding.
#ifndef TINYQ_SRC_EXEC_GEMM_F32_H_
#define TINYQ_SRC_EXEC_GEMM_F32_H_

#include <cstdint>

namespace tinyq {

// out[m, n] = alpha * sum_k op(a)[m, k] * op(b)[k, n], all row-major. op(a) is a[M,K], or the
// transpose of a stored as [K,M] when trans_a; likewise b is [K,N] or [N,K] when trans_b.
// `out` must not alias `a` or `b`. When `accumulate`, the product is added to out instead.
void MatMulF32(const float* a, const float* b, float* out, int64_t m, int64_t k, int64_t n,
               bool trans_a = false, bool trans_b = false, float alpha = 1.0f,
               bool accumulate = false);

// True when MatMulF32 runs the AVX-512 build on this CPU.
bool MatMulF32UsesAvx512();

}  // namespace tinyq

#endif  // TINYQ_SRC_EXEC_GEMM_F32_H_
