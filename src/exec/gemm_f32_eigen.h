// src/exec/gemm_f32_eigen.h - the body of MatMulF32 on Eigen, included by gemm_f32.cc (built for
// the project's baseline ISA) and by gemm_f32_avx512.cc (built with -mavx512*, run only on CPUs
// that have it). Everything here has internal linkage, so each file keeps its own copy.
#ifndef TINYQ_SRC_EXEC_GEMM_F32_EIGEN_H_
#define TINYQ_SRC_EXEC_GEMM_F32_EIGEN_H_

#include <Eigen/Core>
#include <cstdint>

namespace tinyq {
namespace {

using RowMajor = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using ColMajor = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::ColMajor>;
using ConstRowMap = Eigen::Map<const RowMajor>;
// A row-major [R,C] buffer read as column-major is its transpose [C,R], with no copy.
using ConstColMap = Eigen::Map<const ColMajor>;

template <typename A, typename B>
void Product(const A& a, const B& b, float* out, int64_t m, int64_t n, float alpha,
             bool accumulate) {
  Eigen::Map<RowMajor> o(out, m, n);
  if (accumulate) {
    o.noalias() += alpha * (a * b);
  } else if (alpha == 1.0f) {
    o.noalias() = a * b;
  } else {
    o.noalias() = alpha * (a * b);
  }
}

// MatMulF32 (gemm_f32.h) on Eigen.
void MatMulEigenF32(const float* a, const float* b, float* out, int64_t m, int64_t k, int64_t n,
                    bool trans_a, bool trans_b, float alpha, bool accumulate) {
  if (!trans_a && !trans_b)
    Product(ConstRowMap(a, m, k), ConstRowMap(b, k, n), out, m, n, alpha, accumulate);
  else if (trans_a && !trans_b)
    Product(ConstColMap(a, m, k), ConstRowMap(b, k, n), out, m, n, alpha, accumulate);
  else if (!trans_a && trans_b)
    Product(ConstRowMap(a, m, k), ConstColMap(b, k, n), out, m, n, alpha, accumulate);
  else
    Product(ConstColMap(a, m, k), ConstColMap(b, k, n), out, m, n, alpha, accumulate);
}

}  // namespace
}  // namespace tinyq

#endif  // TINYQ_SRC_EXEC_GEMM_F32_EIGEN_H_
