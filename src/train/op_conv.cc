// src/train/op_conv.cc - Conv forward and backward (any rank, groups, strides, pads, dilations).
//
// Per image and group g (Cg = C_in/groups input channels, Mg = C_out/groups filters, K taps,
// P output positions), with col = im2col(x_g) of shape [Cg*K, P]:
//   forward:  y_g = W_g [Mg, Cg*K] * col + b
//   backward: dW_g += dy_g * col^T,   db += sum_p dy_g,   dx_g += col2im(W_g^T * dy_g)
// col is rebuilt in backward instead of kept, so memory stays at one image's matrix per thread.
#include <algorithm>
#include <thread>

#include "src/exec/window_table.h"
#include "src/ir/conv_geometry.h"
#include "src/train/matrix_map.h"
#include "src/train/tape.h"

namespace tinyq::train {
namespace {

// Images are split over two threads (first half on the caller's thread). Each thread owns its
// im2col buffers and weight/bias gradient accumulators, which are added to the parameter
// gradients in thread order afterwards, so results depend only on the batch size.
constexpr int kThreads = 2;

template <typename F>
void ForImageHalves(int64_t batch, F f) {
  if (batch < 2) {
    f(0, 0, batch);
    return;
  }
  const int64_t half = batch / 2;
  std::thread other([&] { f(1, half, batch); });
  f(0, 0, half);
  other.join();
}

class ConvOp : public TrainOp {
 public:
  ConvOp(int x, int w, int b, int y, int64_t c_in, int64_t c_out, int64_t groups, int64_t in_size,
         int64_t out_size, int64_t taps, std::vector<int32_t> offsets)
      : x_(x),
        w_(w),
        b_(b),
        y_(y),
        cg_(c_in / groups),
        mg_(c_out / groups),
        groups_(groups),
        in_size_(in_size),
        p_(out_size),
        k_(taps),
        offsets_(std::move(offsets)) {
    for (Worker& wk : workers_) {
      wk.col.resize(static_cast<size_t>(cg_ * k_ * p_));
      wk.dcol.resize(wk.col.size());
      wk.dw.resize(static_cast<size_t>(groups_ * mg_ * cg_ * k_));
      wk.db.resize(static_cast<size_t>(groups_ * mg_));
    }
  }

  void Forward(TrainState& s) override {
    const float* w = s.data(w_);
    const float* bias = b_ >= 0 ? s.data(b_) : nullptr;
    ForImageHalves(s.batch, [&](int t, int64_t n0, int64_t n1) {
      float* col = workers_[t].col.data();
      for (int64_t n = n0; n < n1; ++n) {
        const float* x = s.data(x_) + n * groups_ * cg_ * in_size_;
        float* y = s.data(y_) + n * groups_ * mg_ * p_;
        for (int64_t g = 0; g < groups_; ++g) {
          Im2Col(x + g * cg_ * in_size_, col);
          MapMat out(y + g * mg_ * p_, mg_, p_);
          out.noalias() =
              ConstMapMat(w + g * mg_ * cg_ * k_, mg_, cg_ * k_) * ConstMapMat(col, cg_ * k_, p_);
          if (bias != nullptr)
            for (int64_t m = 0; m < mg_; ++m) out.row(m).array() += bias[g * mg_ + m];
        }
      }
    });
  }

  void Backward(TrainState& s) override {
    const bool need_w = s.needs_grad(w_), need_b = s.needs_grad(b_), need_x = s.needs_grad(x_);
    const float* w = s.data(w_);
    ForImageHalves(s.batch, [&](int t, int64_t n0, int64_t n1) {
      Worker& wk = workers_[t];
      std::fill(wk.dw.begin(), wk.dw.end(), 0.0f);
      std::fill(wk.db.begin(), wk.db.end(), 0.0f);
      for (int64_t n = n0; n < n1; ++n) {
        const float* x = s.data(x_) + n * groups_ * cg_ * in_size_;
        const float* dy = s.grad(y_) + n * groups_ * mg_ * p_;
        for (int64_t g = 0; g < groups_; ++g) {
          ConstMapMat dyg(dy + g * mg_ * p_, mg_, p_);
          if (need_b)
            for (int64_t m = 0; m < mg_; ++m)
              wk.db[static_cast<size_t>(g * mg_ + m)] += dyg.row(m).sum();
          if (need_w) {
            Im2Col(x + g * cg_ * in_size_, wk.col.data());
            MapMat dw(wk.dw.data() + g * mg_ * cg_ * k_, mg_, cg_ * k_);
            dw.noalias() += dyg * ConstMapMat(wk.col.data(), cg_ * k_, p_).transpose();
          }
          if (need_x) {
            MapMat dcol(wk.dcol.data(), cg_ * k_, p_);
            dcol.noalias() = ConstMapMat(w + g * mg_ * cg_ * k_, mg_, cg_ * k_).transpose() * dyg;
            Col2ImAdd(wk.dcol.data(),
                      s.grad(x_) + n * groups_ * cg_ * in_size_ + g * cg_ * in_size_);
          }
        }
      }
    });
    const int used = s.batch < 2 ? 1 : kThreads;
    for (int t = 0; t < used; ++t) {
      if (need_w) {
        float* dw = s.grad(w_);
        for (size_t i = 0; i < workers_[t].dw.size(); ++i) dw[i] += workers_[t].dw[i];
      }
      if (need_b) {
        float* db = s.grad(b_);
        for (size_t i = 0; i < workers_[t].db.size(); ++i) db[i] += workers_[t].db[i];
      }
    }
  }

 private:
  struct Worker {
    FloatVec col, dcol, dw, db;
  };

  void Im2Col(const float* x, float* col) const {
    for (int64_t c = 0; c < cg_; ++c) {
      const float* plane = x + c * in_size_;
      for (int64_t k = 0; k < k_; ++k) {
        const int32_t* off = offsets_.data() + k * p_;
        float* dst = col + (c * k_ + k) * p_;
        for (int64_t p = 0; p < p_; ++p) dst[p] = off[p] >= 0 ? plane[off[p]] : 0.0f;
      }
    }
  }
  void Col2ImAdd(const float* dcol, float* dx) const {
    for (int64_t c = 0; c < cg_; ++c) {
      float* plane = dx + c * in_size_;
      for (int64_t k = 0; k < k_; ++k) {
        const int32_t* off = offsets_.data() + k * p_;
        const float* src = dcol + (c * k_ + k) * p_;
        for (int64_t p = 0; p < p_; ++p)
          if (off[p] >= 0) plane[off[p]] += src[p];
      }
    }
  }

  int x_, w_, b_, y_;
  int64_t cg_, mg_, groups_, in_size_, p_, k_;
  std::vector<int32_t> offsets_;
  Worker workers_[kThreads];
};

}  // namespace

StatusOr<std::unique_ptr<TrainOp>> MakeConvOp(const OpBuild& b) {
  const Node& n = b.node;
  const std::string where = b.graph.Where(&n);
  if (b.in.size() < 2 || b.in[0] < 0 || b.in[1] < 0 || b.out.empty() || b.out[0] < 0)
    return Unsupported(where + "the trainer needs float X and W");
  const Slot& w = b.state.slot(b.in[1]);
  if (w.batched) return Unsupported(where + "the trainer needs a constant weight W");
  const Value* xv = n.input(0);
  const Shape& xs = xv->shape();
  const Shape& ws = w.shape;
  if (xs.size() < 3 || ws.size() != xs.size())
    return Unsupported(where + "X and W must have the same rank >= 3");
  const int64_t groups = n.GetInt("group", 1);
  const int64_t c_in = xs[1], c_out = ws[0];
  if (groups < 1 || c_in % groups != 0 || c_out % groups != 0 || ws[1] != c_in / groups)
    return InvalidModel(where + "channels do not fit group=" + std::to_string(groups));
  const int b_slot = b.in.size() > 2 ? b.in[2] : -1;
  if (b_slot >= 0 && b.state.slot(b_slot).numel != c_out)
    return InvalidModel(where + "bias must have C_out elements");
  std::vector<int64_t> kernel(ws.begin() + 2, ws.end());
  TQ_ASSIGN_OR_RETURN(ConvGeometry g, ComputeConvGeometry(b.graph, n, xs, kernel, false));
  return std::unique_ptr<TrainOp>(new ConvOp(b.in[0], b.in[1], b_slot, b.out[0], c_in, c_out,
                                             groups, g.InSize(), g.OutSize(), g.KernelSize(),
                                             BuildWindowOffsets(g)));
}

}  // namespace tinyq::train
