// src/train/op_batch_norm.cc - BatchNormalization in its inference and training forms.
//
// Per channel c, over the M = batch * spatial values of the channel:
//   inference (BnMode::kRunning), running mean/var fixed: inv = 1 / sqrt(var + eps),
//     y = (x - mean) * inv * scale + b
//     dx += dy * scale * inv,  dscale += sum dy * xhat,  db += sum dy      (xhat = (x - mean) inv)
//   training (kBatch, kEstimate), the batch's own statistics (biased variance, as ONNX and PyTorch
//   normalize): mu = sum x / M, v = sum (x - mu)^2 / M, inv = 1 / sqrt(v + eps),
//     y = (x - mu) * inv * scale + b
//     dx += scale * inv / M * (M dy - sum dy - xhat * sum(dy * xhat))     (mu and v depend on x)
//     dscale += sum dy * xhat,  db += sum dy
//   Running statistics (unbiased variance v * M / (M - 1), as PyTorch):
//     kBatch:    running = momentum * running + (1 - momentum) * batch      (ONNX `momentum`)
//     kEstimate: running = the mean over the batches since BeginBatchNormEstimate.
// Sums run in float within a channel plane and in double across planes.
#include <cmath>

#include "src/train/matrix_map.h"
#include "src/train/tape.h"

namespace tinyq::train {
namespace {

class BatchNormOp : public TrainOp {
 public:
  BatchNormOp(int x, int scale, int bias, int mean, int var, int y, int64_t c, int64_t spatial,
              float eps, float momentum)
      : x_(x),
        scale_(scale),
        bias_(bias),
        mean_(mean),
        var_(var),
        y_(y),
        c_(c),
        hw_(spatial),
        eps_(eps),
        momentum_(momentum),
        mu_(static_cast<size_t>(c)),
        inv_(static_cast<size_t>(c)) {}

  void Forward(TrainState& s) override {
    batch_stats_ = s.bn_mode != BnMode::kRunning;
    if (batch_stats_) {
      BatchStatistics(s);
    } else {
      for (int64_t c = 0; c < c_; ++c) {
        mu_[c] = s.data(mean_)[c];
        inv_[c] = 1.0f / std::sqrt(s.data(var_)[c] + eps_);
      }
    }
    const float* x = s.data(x_);
    float* y = s.data(y_);
    for (int64_t n = 0; n < s.batch; ++n)
      for (int64_t c = 0; c < c_; ++c) {
        const float a = s.data(scale_)[c] * inv_[c];
        const float m = mu_[c], b = s.data(bias_)[c];
        const int64_t base = (n * c_ + c) * hw_;
        for (int64_t i = 0; i < hw_; ++i) y[base + i] = (x[base + i] - m) * a + b;
      }
  }

  void Backward(TrainState& s) override {
    const float* x = s.data(x_);
    const float* dy = s.grad(y_);
    const bool gx = s.needs_grad(x_), gs = s.needs_grad(scale_), gb = s.needs_grad(bias_);
    const double count = static_cast<double>(s.batch * hw_);
    for (int64_t c = 0; c < c_; ++c) {
      const float inv = inv_[c], m = mu_[c];
      double sum_dy = 0.0, sum_dy_xm = 0.0;
      for (int64_t n = 0; n < s.batch; ++n) {
        const int64_t base = (n * c_ + c) * hw_;
        const ConstMapArr dyp(dy + base, hw_), xp(x + base, hw_);
        sum_dy += dyp.sum();
        sum_dy_xm += (dyp * (xp - m)).sum();
      }
      const double sum_dy_xhat = sum_dy_xm * inv;
      if (gs) s.grad(scale_)[c] += static_cast<float>(sum_dy_xhat);
      if (gb) s.grad(bias_)[c] += static_cast<float>(sum_dy);
      if (!gx) continue;
      const float a = s.data(scale_)[c] * inv;
      const float mean_dy = static_cast<float>(sum_dy / count);
      const float mean_dy_xhat = static_cast<float>(sum_dy_xhat / count);
      float* dx = s.grad(x_);
      for (int64_t n = 0; n < s.batch; ++n) {
        const int64_t base = (n * c_ + c) * hw_;
        if (!batch_stats_) {
          for (int64_t i = 0; i < hw_; ++i) dx[base + i] += dy[base + i] * a;
          continue;
        }
        for (int64_t i = 0; i < hw_; ++i) {
          const float xhat = (x[base + i] - m) * inv;
          dx[base + i] += a * (dy[base + i] - mean_dy - xhat * mean_dy_xhat);
        }
      }
    }
  }

 private:
  // Batch mean and inverse deviation into mu_/inv_, and the running statistics updated.
  void BatchStatistics(TrainState& s) {
    const float* x = s.data(x_);
    const int64_t count = s.batch * hw_;
    for (int64_t c = 0; c < c_; ++c) {
      double sum = 0.0;
      for (int64_t n = 0; n < s.batch; ++n) {
        sum += ConstMapArr(x + (n * c_ + c) * hw_, hw_).sum();
      }
      const double mu = sum / static_cast<double>(count);
      const float muf = static_cast<float>(mu);
      double sq = 0.0;
      for (int64_t n = 0; n < s.batch; ++n) {
        sq += (ConstMapArr(x + (n * c_ + c) * hw_, hw_) - muf).square().sum();
      }
      const double var = sq / static_cast<double>(count);
      mu_[c] = static_cast<float>(mu);
      inv_[c] = static_cast<float>(1.0 / std::sqrt(var + eps_));
      const double unbiased = count > 1 ? var * count / (count - 1) : var;
      float& rm = s.data(mean_)[c];
      float& rv = s.data(var_)[c];
      if (s.bn_mode == BnMode::kBatch) {
        rm = static_cast<float>(momentum_ * rm + (1.0 - momentum_) * mu);
        rv = static_cast<float>(momentum_ * rv + (1.0 - momentum_) * unbiased);
      } else {
        const double k = static_cast<double>(s.bn_estimate_batches);
        rm = static_cast<float>(rm + (mu - rm) / (k + 1.0));
        rv = static_cast<float>(rv + (unbiased - rv) / (k + 1.0));
      }
    }
  }

  int x_, scale_, bias_, mean_, var_, y_;
  int64_t c_, hw_;
  float eps_, momentum_;
  bool batch_stats_ = false;  // the mode of the last Forward
  std::vector<float> mu_, inv_;
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
  const float momentum = b.node.GetFloat("momentum", 0.9f);
  if (!(momentum >= 0.0f && momentum <= 1.0f))
    return InvalidModel(where + "momentum must be in [0, 1]");
  const int64_t spatial = b.state.slot(b.in[0]).numel / std::max<int64_t>(c, 1);
  return std::unique_ptr<TrainOp>(new BatchNormOp(b.in[0], b.in[1], b.in[2], b.in[3], b.in[4],
                                                  b.out[0], c, spatial,
                                                  b.node.GetFloat("epsilon", 1e-5f), momentum));
}

}  // namespace tinyq::train
