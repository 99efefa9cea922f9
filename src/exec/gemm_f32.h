// src/exec/gemm_f32.h - dense matrix products on row-major float matrices (Eigen underneath).
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

}  // namespace tinyq

#endif  // TINYQ_SRC_EXEC_GEMM_F32_H_
