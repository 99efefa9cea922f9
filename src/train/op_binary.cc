// src/train/op_binary.cc - Add, Sub and Mul with numpy broadcasting, forward and backward.
//
// Each operand maps an output element j of one sample to its own element through an index table
// (empty when the operand has the output's per-sample shape). Batched operands add n * numel.
//   Add: da += dy, db += dy     Sub: da += dy, db -= dy     Mul: da += dy * b, db += dy * a
// A broadcast operand's gradient sums over the elements that read it.
#include "src/train/tape.h"

namespace tinyq::train {
namespace {

struct Operand {
  int slot = -1;
  bool batched = false;
  int64_t numel = 0;
  std::vector<int32_t> map;  // per output element of a sample; empty = identity
  int64_t Index(int64_t n, int64_t j) const {
    const int64_t i = map.empty() ? j : map[static_cast<size_t>(j)];
    return batched ? n * numel + i : i;
  }
};

class BinaryOp : public TrainOp {
 public:
  BinaryOp(OpKind op, Operand a, Operand b, int y, int64_t out_numel)
      : op_(op), a_(std::move(a)), b_(std::move(b)), y_(y), numel_(out_numel) {}

  void Forward(TrainState& s) override {
    const float* a = s.data(a_.slot);
    const float* b = s.data(b_.slot);
    float* y = s.data(y_);
    for (int64_t n = 0; n < s.batch; ++n)
      for (int64_t j = 0; j < numel_; ++j) {
        const float u = a[a_.Index(n, j)], v = b[b_.Index(n, j)];
        y[n * numel_ + j] = op_ == OpKind::kAdd ? u + v : op_ == OpKind::kSub ? u - v : u * v;
      }
  }

  void Backward(TrainState& s) override {
    const float* dy = s.grad(y_);
    const bool ga = s.needs_grad(a_.slot), gb = s.needs_grad(b_.slot);
    const float* a = s.data(a_.slot);
    const float* b = s.data(b_.slot);
    float* da = ga ? s.grad(a_.slot) : nullptr;
    float* db = gb ? s.grad(b_.slot) : nullptr;
    for (int64_t n = 0; n < s.batch; ++n)
      for (int64_t j = 0; j < numel_; ++j) {
        const float g = dy[n * numel_ + j];
        const int64_t ia = a_.Index(n, j), ib = b_.Index(n, j);
        if (op_ == OpKind::kMul) {
          if (ga) da[ia] += g * b[ib];
          if (gb) db[ib] += g * a[ia];
        } else {
          if (ga) da[ia] += g;
          if (gb) db[ib] += op_ == OpKind::kSub ? -g : g;
        }
      }
  }

 private:
  OpKind op_;
  Operand a_, b_;
  int y_;
  int64_t numel_;
};

// Index table of an operand whose (right-aligned) shape `in` broadcasts to `out`.
std::vector<int32_t> BroadcastMap(const Shape& in, const Shape& out) {
  const size_t r = out.size();
  Shape padded(r, 1);
  for (size_t i = 0; i < in.size(); ++i) padded[r - in.size() + i] = in[i];
  std::vector<int64_t> stride(r, 0);
  int64_t st = 1;
  for (size_t d = r; d-- > 0;) {
    stride[d] = padded[d] == 1 ? 0 : st;
    st *= padded[d];
  }
  const int64_t total = NumElements(out);
  std::vector<int32_t> map(static_cast<size_t>(total));
  std::vector<int64_t> idx(r, 0);
  for (int64_t j = 0; j < total; ++j) {
    int64_t off = 0;
    for (size_t d = 0; d < r; ++d) off += idx[d] * stride[d];
    map[static_cast<size_t>(j)] = static_cast<int32_t>(off);
    for (size_t d = r; d-- > 0;) {
      if (++idx[d] < out[d]) break;
      idx[d] = 0;
    }
  }
  return map;
}

}  // namespace

StatusOr<std::unique_ptr<TrainOp>> MakeBinaryOp(const OpBuild& b) {
  const std::string where = b.graph.Where(&b.node);
  if (b.in.size() != 2 || b.in[0] < 0 || b.in[1] < 0 || b.out.empty() || b.out[0] < 0)
    return Unsupported(where + "the trainer needs two float operands");
  const Slot& ys = b.state.slot(b.out[0]);
  const Shape& out_shape = b.node.output(0)->shape();
  Shape sample_out = out_shape;
  sample_out[0] = 1;
  Operand ops[2];
  for (int i = 0; i < 2; ++i) {
    const Slot& s = b.state.slot(b.in[static_cast<size_t>(i)]);
    Operand& o = ops[i];
    o.slot = b.in[static_cast<size_t>(i)];
    o.batched = s.batched;
    Shape in = b.node.input(i)->shape();
    if (in.size() > out_shape.size())
      return InvalidModel(where + "operand rank exceeds the output rank");
    if (s.batched) {
      in[0] = 1;
    } else if (in.size() == out_shape.size() && in[0] != 1) {
      return Unsupported(where + "a constant operand may not vary along the batch dimension");
    }
    o.numel = NumElements(in);
    if (o.numel != ys.numel || in.size() != out_shape.size()) o.map = BroadcastMap(in, sample_out);
  }
  return std::unique_ptr<TrainOp>(
      new BinaryOp(b.node.op(), std::move(ops[0]), std::move(ops[1]), b.out[0], ys.numel));
}

}  // namespace tinyq::train
