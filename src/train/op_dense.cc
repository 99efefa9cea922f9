// src/train/op_dense.cc - Gemm and MatMul with a constant right operand, forward and backward.
//
// Rows R = batch * (per-sample elements of A / K), A [R, K], B [K, N] (or [N, K] with transB):
//   forward:  Y = alpha * A * op(B) + beta * C          (C: N elements or one, broadcast)
//   backward: dA += alpha * dY * op(B)^T
//             dB += alpha * A^T * dY   (or alpha * dY^T * A when transB)
//             dC += beta * column sums of dY (or the total sum for a scalar C)

#include "src/train/matrix_map.h"
#include "src/train/tape.h"

namespace tinyq::train {
namespace {

class DenseOp : public TrainOp {
 public:
  DenseOp(int a, int b, int c, int y, int64_t rows_per_sample, int64_t k, int64_t n, bool trans_b,
          float alpha, float beta)
      : a_(a),
        b_(b),
        c_(c),
        y_(y),
        r_(rows_per_sample),
        k_(k),
        n_(n),
        trans_b_(trans_b),
        alpha_(alpha),
        beta_(beta) {}

  void Forward(TrainState& s) override {
    const int64_t rows = r_ * s.batch;
    ConstMapMat a(s.data(a_), rows, k_);
    MapMat y(s.data(y_), rows, n_);
    if (trans_b_) {
      y.noalias() = alpha_ * (a * ConstMapMat(s.data(b_), n_, k_).transpose());
    } else {
      y.noalias() = alpha_ * (a * ConstMapMat(s.data(b_), k_, n_));
    }
    if (c_ >= 0) {
      const float* c = s.data(c_);
      const bool scalar = s.slot(c_).numel == 1;
      for (int64_t i = 0; i < rows; ++i)
        for (int64_t j = 0; j < n_; ++j) y(i, j) += beta_ * c[scalar ? 0 : j];
    }
  }

  void Backward(TrainState& s) override {
    const int64_t rows = r_ * s.batch;
    ConstMapMat dy(s.grad(y_), rows, n_);
    if (s.needs_grad(a_)) {
      MapMat da(s.grad(a_), rows, k_);
      if (trans_b_) {
        da.noalias() += alpha_ * (dy * ConstMapMat(s.data(b_), n_, k_));
      } else {
        da.noalias() += alpha_ * (dy * ConstMapMat(s.data(b_), k_, n_).transpose());
      }
    }
    if (s.needs_grad(b_)) {
      ConstMapMat a(s.data(a_), rows, k_);
      if (trans_b_) {
        MapMat(s.grad(b_), n_, k_).noalias() += alpha_ * (dy.transpose() * a);
      } else {
        MapMat(s.grad(b_), k_, n_).noalias() += alpha_ * (a.transpose() * dy);
      }
    }
    if (s.needs_grad(c_)) {
      float* dc = s.grad(c_);
      if (s.slot(c_).numel == 1) {
        dc[0] += beta_ * dy.sum();
      } else {
        for (int64_t j = 0; j < n_; ++j) dc[j] += beta_ * dy.col(j).sum();
      }
    }
  }

 private:
  int a_, b_, c_, y_;
  int64_t r_, k_, n_;
  bool trans_b_;
  float alpha_, beta_;
};

}  // namespace

StatusOr<std::unique_ptr<TrainOp>> MakeDenseOp(const OpBuild& b) {
  const Node& n = b.node;
  const std::string where = b.graph.Where(&n);
  if (b.in.size() < 2 || b.in[0] < 0 || b.in[1] < 0 || b.out.empty() || b.out[0] < 0 ||
      !b.state.slot(b.in[0]).batched)
    return Unsupported(where + "the trainer needs a float activation A and float B");
  const Slot& a = b.state.slot(b.in[0]);
  const Slot& w = b.state.slot(b.in[1]);
  if (w.batched || w.shape.size() != 2)
    return Unsupported(where + "the trainer needs a constant 2-D B (weights)");
  const bool gemm = n.op() == OpKind::kGemm;
  if (gemm && n.GetInt("transA", 0) != 0)
    return Unsupported(where + "the trainer does not support transA=1");
  const bool trans_b = gemm && n.GetInt("transB", 0) != 0;
  const int64_t k = trans_b ? w.shape[1] : w.shape[0];
  const int64_t cols = trans_b ? w.shape[0] : w.shape[1];
  const int64_t a_last = n.input(0)->shape().back();
  if (a_last != k || a.numel % k != 0)
    return InvalidModel(where + "inner dimensions of A and B differ");
  int c = -1;
  if (gemm && b.in.size() > 2 && b.in[2] >= 0) {
    c = b.in[2];
    const Slot& cs = b.state.slot(c);
    if (cs.batched || (cs.numel != cols && cs.numel != 1))
      return Unsupported(where + "the trainer needs a constant C of N elements or one");
  }
  const float alpha = gemm ? n.GetFloat("alpha", 1.0f) : 1.0f;
  const float beta = gemm ? n.GetFloat("beta", 1.0f) : 1.0f;
  return std::unique_ptr<TrainOp>(
      new DenseOp(b.in[0], b.in[1], c, b.out[0], a.numel / k, k, cols, trans_b, alpha, beta));
}

}  // namespace tinyq::train
