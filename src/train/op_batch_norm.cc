// src/train/op_batch_norm.cc - BatchNormalization in its inference (folded) form.
//
// Per channel c with fixed running statistics: inv = 1 / sqrt(var + eps),
//   y = (x - mean) * inv * scale + b
//   dx += dy * scale * inv,  dscale += sum dy * (x - mean) * inv,  db += sum dy
// Mean and var are not trained (they are the statistics the exported model uses).
#include <cmath>

#include "src/train/tape.h"

namespace tinyq::train {
namespace {

class BatchNormOp : public TrainOp {
 public:
  BatchNormOp(int x, int scale, int bias, int mean, int var, int y, int64_t c, int64_t spatial,
              float eps)
      : x_(x),
        scale_(scale),
        bias_(bias),
        mean_(mean),
        var_(var),
        y_(y),
        c_(c),
        hw_(spatial),
        eps_(eps) {}

  void Forward(TrainState& s) override {
    const float* x = s.data(x_);
    float* y = s.data(y_);
    for (int64_t n = 0; n < s.batch; ++n)
      for (int64_t c = 0; c < c_; ++c) {
        const float inv = Inv(s, c);
        const float a = s.data(scale_)[c] * inv;
        const float m = s.data(mean_)[c], b = s.data(bias_)[c];
        const int64_t base = (n * c_ + c) * hw_;
        for (int64_t i = 0; i < hw_; ++i) y[base + i] = (x[base + i] - m) * a + b;
      }
  }

  void Backward(TrainState& s) override {
    const float* x = s.data(x_);
    const float* dy = s.grad(y_);
    const bool gx = s.needs_grad(x_), gs = s.needs_grad(scale_), gb = s.needs_grad(bias_);
    for (int64_t n = 0; n < s.batch; ++n)
      for (int64_t c = 0; c < c_; ++c) {
        const float inv = Inv(s, c);
        const float a = s.data(scale_)[c] * inv;
        const float m = s.data(mean_)[c];
        const int64_t base = (n * c_ + c) * hw_;
        double sum_dy = 0.0, sum_dy_xhat = 0.0;
        for (int64_t i = 0; i < hw_; ++i) {
          sum_dy += dy[base + i];
          sum_dy_xhat += static_cast<double>(dy[base + i]) * (x[base + i] - m) * inv;
        }
        if (gx)
          for (int64_t i = 0; i < hw_; ++i) s.grad(x_)[base + i] += dy[base + i] * a;
        if (gs) s.grad(scale_)[c] += static_cast<float>(sum_dy_xhat);
        if (gb) s.grad(bias_)[c] += static_cast<float>(sum_dy);
      }
  }

 private:
  float Inv(TrainState& s, int64_t c) const { return 1.0f / std::sqrt(s.data(var_)[c] + eps_); }
  int x_, scale_, bias_, mean_, var_, y_;
  int64_t c_, hw_;
  float eps_;
};

}  // namespace

StatusOr<std::unique_ptr<TrainOp>> MakeBatchNormOp(const OpBuild& b) {
  const std::string where = b.graph.Where(&b.node);
  if (b.in.size() < 5 || b.out.empty() || b.out[0] < 0 || b.in[0] < 0 ||
      !b.state.slot(b.in[0]).batched)
    return Unsupported(where + "the trainer needs X, scale, B, mean and var");
  const Shape& xs = b.node.input(0)->shape();
  if (xs.size() < 2) return InvalidModel(where + "X needs a channel dimension");
  const int64_t c = xs[1];
  for (int i = 1; i < 5; ++i) {
    const int s = b.in[static_cast<size_t>(i)];
    if (s < 0 || b.state.slot(s).batched || b.state.slot(s).numel != c)
      return Unsupported(where + "the trainer needs constant per-channel scale, B, mean and var");
  }
  const int64_t spatial = b.state.slot(b.in[0]).numel / std::max<int64_t>(c, 1);
  return std::unique_ptr<TrainOp>(new BatchNormOp(b.in[0], b.in[1], b.in[2], b.in[3], b.in[4],
                                                  b.out[0], c, spatial,
                                                  b.node.GetFloat("epsilon", 1e-5f)));
}

}  // namespace tinyq::train
