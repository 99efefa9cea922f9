#include "src/exec/gemm_f32.h"

#include <Eigen/Core>

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
}  // namespace

void MatMulF32(const float* a, const float* b, float* out, int64_t m, int64_t k, int64_t n,
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

}  // namespace tinyq
