// src/train/op_activation.cc - Relu, LeakyRelu, Clip and Softmax, forward and backward.
//
//   Relu:      y = max(x, 0)             dx += dy * [x > 0]
//   LeakyRelu: y = x or alpha * x        dx += dy * (x > 0 ? 1 : alpha)
//   Clip:      y = min(max(x, lo), hi)   dx += dy * [lo < x < hi]   (PyTorch's hardtanh rule)
//   Softmax over blocks of L contiguous elements: y = exp(x - max) / sum,
//              dx += y * (dy - sum(dy * y))
#include <algorithm>
#include <cmath>
#include <limits>

#include "src/train/tape.h"

namespace tinyq::train {
namespace {

class ActivationOp : public TrainOp {
 public:
  ActivationOp(int x, int y, float lo, float hi, float neg_slope)
      : x_(x), y_(y), lo_(lo), hi_(hi), slope_(neg_slope) {}

  void Forward(TrainState& s) override {
    const float* x = s.data(x_);
    float* y = s.data(y_);
    const int64_t total = s.slot(x_).numel * s.batch;
    if (IsRelu()) {  // the common case, in a loop the compiler vectorizes
      for (int64_t i = 0; i < total; ++i) y[i] = std::max(x[i], 0.0f);
      return;
    }
    for (int64_t i = 0; i < total; ++i) {
      const float v = x[i];
      y[i] = v < 0.0f && slope_ != 0.0f ? v * slope_ : std::min(std::max(v, lo_), hi_);
    }
  }

  void Backward(TrainState& s) override {
    if (!s.needs_grad(x_)) return;
    const float* x = s.data(x_);
    const float* dy = s.grad(y_);
    float* dx = s.grad(x_);
    const int64_t total = s.slot(x_).numel * s.batch;
    if (IsRelu()) {
      for (int64_t i = 0; i < total; ++i) dx[i] += x[i] > 0.0f ? dy[i] : 0.0f;
      return;
    }
    for (int64_t i = 0; i < total; ++i) {
      const float v = x[i];
      if (slope_ != 0.0f && v < 0.0f) {
        dx[i] += dy[i] * slope_;
      } else if (v > lo_ && v < hi_) {
        dx[i] += dy[i];
      }
    }
  }

 private:
  bool IsRelu() const {
    return lo_ == 0.0f && hi_ == std::numeric_limits<float>::infinity() && slope_ == 0.0f;
  }
  int x_, y_;
  float lo_, hi_, slope_;
};

class SoftmaxOp : public TrainOp {
 public:
  SoftmaxOp(int x, int y, int64_t block) : x_(x), y_(y), l_(block) {}

  void Forward(TrainState& s) override {
    const int64_t blocks = s.slot(x_).numel * s.batch / l_;
    for (int64_t b = 0; b < blocks; ++b) {
      const float* x = s.data(x_) + b * l_;
      float* y = s.data(y_) + b * l_;
      const float mx = *std::max_element(x, x + l_);
      double sum = 0.0;
      for (int64_t i = 0; i < l_; ++i) sum += (y[i] = std::exp(x[i] - mx));
      const float inv = static_cast<float>(1.0 / sum);
      for (int64_t i = 0; i < l_; ++i) y[i] *= inv;
    }
  }

  void Backward(TrainState& s) override {
    if (!s.needs_grad(x_)) return;
    const int64_t blocks = s.slot(x_).numel * s.batch / l_;
    for (int64_t b = 0; b < blocks; ++b) {
      const float* y = s.data(y_) + b * l_;
      const float* dy = s.grad(y_) + b * l_;
      float* dx = s.grad(x_) + b * l_;
      double dot = 0.0;
      for (int64_t i = 0; i < l_; ++i) dot += static_cast<double>(dy[i]) * y[i];
      for (int64_t i = 0; i < l_; ++i) dx[i] += y[i] * (dy[i] - static_cast<float>(dot));
    }
  }

 private:
  int x_, y_;
  int64_t l_;
};

bool CheckUnary(const OpBuild& b) {
  return !b.in.empty() && b.in[0] >= 0 && b.state.slot(b.in[0]).batched && !b.out.empty() &&
         b.out[0] >= 0;
}

// A scalar bound of Clip from input i (constant) or attribute `attr`, else `def`.
StatusOr<float> ClipBound(const OpBuild& b, int i, const char* attr, float def) {
  const Value* v = b.node.input(i);
  if (v != nullptr) {
    if (!v->is_constant() || v->constant()->numel() != 1)
      return Unsupported(b.graph.Where(&b.node) + "the trainer needs constant scalar Clip bounds");
    return v->constant()->ToFloatVector()[0];
  }
  return b.node.GetFloat(attr, def);
}

}  // namespace

StatusOr<std::unique_ptr<TrainOp>> MakeActivationOp(const OpBuild& b) {
  if (!CheckUnary(b)) return Unsupported(b.graph.Where(&b.node) + "needs a float activation");
  constexpr float kInf = std::numeric_limits<float>::infinity();
  switch (b.node.op()) {
    case OpKind::kRelu:
      return std::unique_ptr<TrainOp>(new ActivationOp(b.in[0], b.out[0], 0.0f, kInf, 0.0f));
    case OpKind::kLeakyRelu:
      return std::unique_ptr<TrainOp>(
          new ActivationOp(b.in[0], b.out[0], -kInf, kInf, b.node.GetFloat("alpha", 0.01f)));
    default: {
      TQ_ASSIGN_OR_RETURN(float lo, ClipBound(b, 1, "min", -kInf));
      TQ_ASSIGN_OR_RETURN(float hi, ClipBound(b, 2, "max", kInf));
      return std::unique_ptr<TrainOp>(new ActivationOp(b.in[0], b.out[0], lo, hi, 0.0f));
    }
  }
}

StatusOr<std::unique_ptr<TrainOp>> MakeSoftmaxOp(const OpBuild& b) {
  if (!CheckUnary(b)) return Unsupported(b.graph.Where(&b.node) + "needs a float activation");
  const Shape& shape = b.node.input(0)->shape();
  const int64_t rank = static_cast<int64_t>(shape.size());
  int64_t axis = b.node.GetInt("axis", b.graph.opset() >= 13 ? -1 : 1);
  if (axis < 0) axis += rank;
  if (axis < 1 || axis >= rank)
    return Unsupported(b.graph.Where(&b.node) + "the trainer needs a Softmax axis after the batch");
  // Opset < 13 coerces to 2-D at axis: blocks span every dim from axis on.
  if (b.graph.opset() >= 13 && axis != rank - 1)
    return Unsupported(b.graph.Where(&b.node) + "the trainer needs Softmax over the last axis");
  int64_t block = 1;
  for (int64_t d = axis; d < rank; ++d) block *= shape[static_cast<size_t>(d)];
  if (block < 1) return InvalidModel(b.graph.Where(&b.node) + "empty Softmax axis");
  return std::unique_ptr<TrainOp>(new SoftmaxOp(b.in[0], b.out[0], block));
}

}  // namespace tinyq::train
