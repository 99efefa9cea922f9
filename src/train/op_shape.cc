// src/train/op_shape.cc - ops that move data without arithmetic: Flatten, Reshape, Squeeze,
// Unsqueeze, Identity, Dropout (inference: identity) and Concat.
//
// With the batch dim first and kept, the reshapes are per-sample copies (dx += dy). Concat along
// axis a >= 1 copies, per outer index (batch and the dims before a), each input's block of
// (its dim a) * (inner size) elements; backward copies the blocks back.
#include <algorithm>

#include "src/train/tape.h"

namespace tinyq::train {
namespace {

class CopyOp : public TrainOp {
 public:
  CopyOp(int x, int y) : x_(x), y_(y) {}
  void Forward(TrainState& s) override {
    const int64_t total = s.slot(x_).numel * s.batch;
    std::copy(s.data(x_), s.data(x_) + total, s.data(y_));
  }
  void Backward(TrainState& s) override {
    if (!s.needs_grad(x_)) return;
    const int64_t total = s.slot(x_).numel * s.batch;
    const float* dy = s.grad(y_);
    float* dx = s.grad(x_);
    for (int64_t i = 0; i < total; ++i) dx[i] += dy[i];
  }

 private:
  int x_, y_;
};

class ConcatOp : public TrainOp {
 public:
  ConcatOp(std::vector<int> in, std::vector<int64_t> blocks, int y, int64_t outer)
      : in_(std::move(in)), blocks_(std::move(blocks)), y_(y), outer_(outer) {
    for (int64_t b : blocks_) out_block_ += b;
  }
  void Forward(TrainState& s) override {
    for (int64_t o = 0; o < outer_ * s.batch; ++o) {
      float* y = s.data(y_) + o * out_block_;
      for (size_t i = 0; i < in_.size(); ++i) {
        const float* x = s.data(in_[i]) + o * blocks_[i];
        y = std::copy(x, x + blocks_[i], y);
      }
    }
  }
  void Backward(TrainState& s) override {
    for (int64_t o = 0; o < outer_ * s.batch; ++o) {
      const float* dy = s.grad(y_) + o * out_block_;
      for (size_t i = 0; i < in_.size(); ++i) {
        if (s.needs_grad(in_[i])) {
          float* dx = s.grad(in_[i]) + o * blocks_[i];
          for (int64_t j = 0; j < blocks_[i]; ++j) dx[j] += dy[j];
        }
        dy += blocks_[i];
      }
    }
  }

 private:
  std::vector<int> in_;
  std::vector<int64_t> blocks_;
  int y_;
  int64_t outer_;
  int64_t out_block_ = 0;
};

}  // namespace

StatusOr<std::unique_ptr<TrainOp>> MakeCopyOp(const OpBuild& b) {
  if (b.in.empty() || b.in[0] < 0 || !b.state.slot(b.in[0]).batched || b.out.empty() ||
      b.out[0] < 0 || b.state.slot(b.out[0]).numel != b.state.slot(b.in[0]).numel)
    return Unsupported(b.graph.Where(&b.node) +
                       "the trainer needs a float activation reshaped per sample");
  const int64_t rank = static_cast<int64_t>(b.node.input(0)->shape().size());
  const bool moves_batch =
      (b.node.op() == OpKind::kFlatten && (b.node.GetInt("axis", 1) + rank) % rank == 0 &&
       rank > 0) ||
      (b.node.op() == OpKind::kUnsqueeze && b.node.GetInts("axes").size() > 0 &&
       (b.node.GetInts("axes")[0] + rank + 1) % (rank + 1) == 0);
  if (moves_batch)
    return Unsupported(b.graph.Where(&b.node) +
                       "the trainer needs the batch dimension to stay first (axis 0 is the batch)");
  return std::unique_ptr<TrainOp>(new CopyOp(b.in[0], b.out[0]));
}

StatusOr<std::unique_ptr<TrainOp>> MakeConcatOp(const OpBuild& b) {
  const std::string where = b.graph.Where(&b.node);
  const Shape& ys = b.node.output(0)->shape();
  int64_t axis = b.node.GetInt("axis", 1);
  if (axis < 0) axis += static_cast<int64_t>(ys.size());
  if (axis < 1 || axis >= static_cast<int64_t>(ys.size()))
    return Unsupported(where + "the trainer needs a Concat axis after the batch dimension");
  int64_t outer = 1, inner = 1;
  for (int64_t d = 1; d < axis; ++d) outer *= ys[static_cast<size_t>(d)];
  for (size_t d = static_cast<size_t>(axis) + 1; d < ys.size(); ++d) inner *= ys[d];
  std::vector<int64_t> blocks;
  for (size_t i = 0; i < b.in.size(); ++i) {
    if (b.in[i] < 0 || !b.state.slot(b.in[i]).batched)
      return Unsupported(where + "the trainer needs float activations as Concat inputs");
    blocks.push_back(b.node.input(static_cast<int>(i))->shape()[static_cast<size_t>(axis)] * inner);
  }
  return std::unique_ptr<TrainOp>(new ConcatOp(b.in, std::move(blocks), b.out[0], outer));
}

}  // namespace tinyq::train
