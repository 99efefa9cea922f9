// src/train/op_pool.cc - MaxPool, AveragePool and GlobalAveragePool, forward and backward.
//
// Windows come from the BuildWindowOffsets table (-1 = padding), per channel plane:
//   MaxPool:  y[p] = max over valid taps; forward records the winning input index, and
//             backward routes dy[p] to it (the first maximum wins ties, as in PyTorch).
//   AveragePool: y[p] = inv[p] * sum over valid taps; dx[tap] += dy[p] * inv[p].
//   GlobalAveragePool: one window covering the plane.
#include <algorithm>
#include <limits>

#include "src/exec/window_table.h"
#include "src/ir/conv_geometry.h"
#include "src/train/tape.h"

namespace tinyq::train {
namespace {

class PoolOp : public TrainOp {
 public:
  PoolOp(bool max, int x, int y, int64_t channels, int64_t in_size, int64_t out_size, int64_t taps,
         std::vector<int32_t> offsets, std::vector<float> inv)
      : max_(max),
        x_(x),
        y_(y),
        c_(channels),
        in_(in_size),
        p_(out_size),
        k_(taps),
        offsets_(std::move(offsets)),
        inv_(std::move(inv)) {}

  void Forward(TrainState& s) override {
    const int64_t planes = c_ * s.batch;
    if (max_) argmax_.resize(static_cast<size_t>(planes * p_));
    for (int64_t pl = 0; pl < planes; ++pl) {
      const float* x = s.data(x_) + pl * in_;
      float* y = s.data(y_) + pl * p_;
      for (int64_t p = 0; p < p_; ++p) {
        float acc = max_ ? -std::numeric_limits<float>::infinity() : 0.0f;
        int32_t best = -1;
        for (int64_t k = 0; k < k_; ++k) {
          const int32_t o = Offset(k, p);
          if (o < 0) continue;
          if (!max_) {
            acc += x[o];
          } else if (x[o] > acc || best < 0) {
            acc = x[o];
            best = o;
          }
        }
        if (max_) {
          argmax_[static_cast<size_t>(pl * p_ + p)] = best;
          y[p] = acc;
        } else {
          y[p] = acc * inv_[static_cast<size_t>(p)];
        }
      }
    }
  }

  void Backward(TrainState& s) override {
    if (!s.needs_grad(x_)) return;
    const int64_t planes = c_ * s.batch;
    for (int64_t pl = 0; pl < planes; ++pl) {
      float* dx = s.grad(x_) + pl * in_;
      const float* dy = s.grad(y_) + pl * p_;
      for (int64_t p = 0; p < p_; ++p) {
        if (max_) {
          dx[argmax_[static_cast<size_t>(pl * p_ + p)]] += dy[p];
          continue;
        }
        const float g = dy[p] * inv_[static_cast<size_t>(p)];
        for (int64_t k = 0; k < k_; ++k) {
          const int32_t o = Offset(k, p);
          if (o >= 0) dx[o] += g;
        }
      }
    }
  }

 private:
  // Global pools have no table: tap k of the single window is element k.
  int32_t Offset(int64_t k, int64_t p) const {
    return offsets_.empty() ? static_cast<int32_t>(k) : offsets_[static_cast<size_t>(k * p_ + p)];
  }
  bool max_;
  int x_, y_;
  int64_t c_, in_, p_, k_;
  std::vector<int32_t> offsets_;
  std::vector<float> inv_;
  std::vector<int32_t> argmax_;
};

}  // namespace

StatusOr<std::unique_ptr<TrainOp>> MakePoolOp(const OpBuild& b) {
  const Node& n = b.node;
  const std::string where = b.graph.Where(&n);
  if (b.in.empty() || b.in[0] < 0 || !b.state.slot(b.in[0]).batched || b.out.empty() ||
      b.out[0] < 0)
    return Unsupported(where + "needs a float activation");
  const Shape& xs = n.input(0)->shape();
  if (xs.size() < 3) return InvalidModel(where + "X must have rank >= 3");
  const int64_t c = xs[1];
  const int64_t in_size = b.state.slot(b.in[0]).numel / std::max<int64_t>(c, 1);
  if (n.op() == OpKind::kGlobalAveragePool)
    return std::unique_ptr<TrainOp>(new PoolOp(false, b.in[0], b.out[0], c, in_size, 1, in_size, {},
                                               {1.0f / static_cast<float>(in_size)}));
  if (n.op() == OpKind::kMaxPool &&
      (n.num_outputs() > 1 && n.output(1) != nullptr && !n.output(1)->uses().empty()))
    return Unsupported(where + "the trainer does not support MaxPool's Indices output");
  const std::vector<int64_t> kernel = n.GetInts("kernel_shape");
  if (kernel.size() + 2 != xs.size()) return InvalidModel(where + "kernel_shape rank mismatch");
  TQ_ASSIGN_OR_RETURN(ConvGeometry g, ComputeConvGeometry(b.graph, n, xs, kernel, true));
  std::vector<int32_t> offsets = BuildWindowOffsets(g);
  const bool max = n.op() == OpKind::kMaxPool;
  std::vector<float> inv(static_cast<size_t>(g.OutSize()), 1.0f);
  if (!max) {
    const bool include_pad = n.GetInt("count_include_pad", 0) != 0;
    std::vector<int32_t> padded;
    if (include_pad) padded = CountTapsInsidePaddedInput(g);
    for (int64_t p = 0; p < g.OutSize(); ++p) {
      int64_t count = 0;
      if (include_pad) {
        count = padded[static_cast<size_t>(p)];
      } else {
        for (int64_t k = 0; k < g.KernelSize(); ++k)
          count += offsets[static_cast<size_t>(k * g.OutSize() + p)] >= 0;
      }
      inv[static_cast<size_t>(p)] = 1.0f / static_cast<float>(std::max<int64_t>(count, 1));
    }
  }
  return std::unique_ptr<TrainOp>(new PoolOp(max, b.in[0], b.out[0], c, g.InSize(), g.OutSize(),
                                             g.KernelSize(), std::move(offsets), std::move(inv)));
}

}  // namespace tinyq::train
