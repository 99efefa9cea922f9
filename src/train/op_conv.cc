// src/train/op_conv.cc - Conv forward and backward (any rank, groups, strides, pads, dilations).
//
// Per image and group g (Cg = C_in/groups input channels, Mg = C_out/groups filters, K taps,
// P output positions), with col = im2col(x_g) of shape [Cg*K, P]:
//   forward:  y_g = W_g [Mg, Cg*K] * col + b
//   backward: dW_g += dy_g * col^T,   db += sum_p dy_g,   dx_g += col2im(W_g^T * dy_g)
// col is rebuilt in backward instead of kept, so memory stays at one image's matrix per half of the
// batch. im2col/col2im copy runs of consecutive input elements (precomputed from the window
// offsets); a 1x1 stride-1 unpadded Conv uses the input itself as col; a depthwise Conv (one filter
// per one-channel group) computes its K-tap sums with vector loops instead of 1-row GEMMs.
#include <algorithm>

#include "src/exec/window_table.h"
#include "src/ir/conv_geometry.h"
#include "src/train/matrix_map.h"
#include "src/train/parallel.h"
#include "src/train/tape.h"

namespace tinyq::train {
namespace {

// Images are split into two halves run by RunChunks (the caller and a helper thread). Each half
// owns its im2col buffers and weight/bias gradient accumulators, which are added to the parameter
// gradients in half order afterwards, so results depend only on the batch size, not on which
// thread ran which half.
constexpr int kChunks = 2;

template <typename F>
void ForImageHalves(int64_t batch, F f) {
  if (batch < 2) {
    f(0, 0, batch);
    return;
  }
  const int64_t half = batch / 2;
  RunChunks(kChunks, [&](int c) { c == 0 ? f(0, 0, half) : f(1, half, batch); });
}

class ConvOp : public TrainOp {
 public:
  ConvOp(int x, int w, int b, int y, int64_t c_in, int64_t c_out, int64_t groups, int64_t in_size,
         int64_t out_size, int64_t taps, const std::vector<int32_t>& offsets)
      : x_(x),
        w_(w),
        b_(b),
        y_(y),
        cg_(c_in / groups),
        mg_(c_out / groups),
        groups_(groups),
        in_size_(in_size),
        p_(out_size),
        k_(taps) {
    BuildRuns(offsets);
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
          const float* cols = Cols(x + g * cg_ * in_size_, col);
          const float* wg = w + g * mg_ * cg_ * k_;
          MapMat out(y + g * mg_ * p_, mg_, p_);
          if (Depthwise()) {
            auto row = out.row(0).array();
            row = wg[0] * ConstMapArr(cols, p_).transpose();
            for (int64_t k = 1; k < k_; ++k)
              row += wg[k] * ConstMapArr(cols + k * p_, p_).transpose();
          } else {
            out.noalias() = ConstMapMat(wg, mg_, cg_ * k_) * ConstMapMat(cols, cg_ * k_, p_);
          }
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
          const float* wg = w + g * mg_ * cg_ * k_;
          if (need_w) {
            const float* cols = Cols(x + g * cg_ * in_size_, wk.col.data());
            float* dwg = wk.dw.data() + g * mg_ * cg_ * k_;
            if (Depthwise()) {
              for (int64_t k = 0; k < k_; ++k)
                dwg[k] += (dyg.row(0).array().transpose() * ConstMapArr(cols + k * p_, p_)).sum();
            } else {
              MapMat(dwg, mg_, cg_ * k_).noalias() +=
                  dyg * ConstMapMat(cols, cg_ * k_, p_).transpose();
            }
          }
          if (need_x) {
            float* dx = s.grad(x_) + n * groups_ * cg_ * in_size_ + g * cg_ * in_size_;
            if (identity_) {  // col is x itself: add W^T dy straight into dx
              MapMat(dx, cg_, p_).noalias() += ConstMapMat(wg, mg_, cg_).transpose() * dyg;
              continue;
            }
            MapMat dcol(wk.dcol.data(), cg_ * k_, p_);
            if (Depthwise()) {
              for (int64_t k = 0; k < k_; ++k) dcol.row(k) = wg[k] * dyg.row(0);
            } else {
              dcol.noalias() = ConstMapMat(wg, mg_, cg_ * k_).transpose() * dyg;
            }
            Col2ImAdd(wk.dcol.data(), dx);
          }
        }
      }
    });
    const int used = s.batch < 2 ? 1 : kChunks;
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

  // A run of consecutive output positions [p, p + len) of tap k reading consecutive input
  // elements [src, src + len) of a plane.
  struct Run {
    int32_t p, src, len;
  };

  // Runs per tap from the window offsets (offsets[k * P + p], -1 = padding). Taps whose runs
  // are short on average (strided windows) keep the offsets and copy element by element.
  void BuildRuns(const std::vector<int32_t>& offsets) {
    offsets_ = offsets;
    identity_ = k_ == 1 && p_ == in_size_;
    run_begin_.push_back(0);
    for (int64_t k = 0; k < k_; ++k) {
      const int32_t* off = offsets.data() + k * p_;
      bool gap = false;
      for (int64_t p = 0; p < p_;) {
        if (off[p] < 0) {
          gap = true;
          ++p;
          continue;
        }
        Run r{static_cast<int32_t>(p), off[p], 1};
        while (p + r.len < p_ && off[p + r.len] == r.src + r.len) ++r.len;
        identity_ = identity_ && r.p == r.src;
        runs_.push_back(r);
        p += r.len;
      }
      identity_ = identity_ && !gap;
      has_gap_.push_back(gap);
      const size_t count = runs_.size() - run_begin_.back();
      gather_.push_back(count * kMinRun > static_cast<size_t>(p_));
      run_begin_.push_back(runs_.size());
    }
  }

  bool Depthwise() const { return cg_ == 1 && mg_ == 1; }

  // The im2col matrix [cg * K, P] of one group's input: `x` itself for a 1x1 identity window,
  // else built in `col`.
  const float* Cols(const float* x, float* col) const {
    if (identity_) return x;
    for (int64_t c = 0; c < cg_; ++c) {
      const float* plane = x + c * in_size_;
      for (int64_t k = 0; k < k_; ++k) {
        float* dst = col + (c * k_ + k) * p_;
        if (gather_[static_cast<size_t>(k)]) {
          const int32_t* off = offsets_.data() + k * p_;
          for (int64_t p = 0; p < p_; ++p) dst[p] = off[p] >= 0 ? plane[off[p]] : 0.0f;
          continue;
        }
        if (has_gap_[static_cast<size_t>(k)]) std::fill(dst, dst + p_, 0.0f);
        for (size_t i = run_begin_[static_cast<size_t>(k)]; i < run_begin_[k + 1]; ++i)
          std::copy_n(plane + runs_[i].src, runs_[i].len, dst + runs_[i].p);
      }
    }
    return col;
  }
  void Col2ImAdd(const float* dcol, float* dx) const {
    for (int64_t c = 0; c < cg_; ++c) {
      float* plane = dx + c * in_size_;
      for (int64_t k = 0; k < k_; ++k) {
        const float* src = dcol + (c * k_ + k) * p_;
        if (gather_[static_cast<size_t>(k)]) {
          const int32_t* off = offsets_.data() + k * p_;
          for (int64_t p = 0; p < p_; ++p)
            if (off[p] >= 0) plane[off[p]] += src[p];
          continue;
        }
        for (size_t i = run_begin_[static_cast<size_t>(k)]; i < run_begin_[k + 1]; ++i) {
          const Run& r = runs_[i];
          for (int32_t j = 0; j < r.len; ++j) plane[r.src + j] += src[r.p + j];
        }
      }
    }
  }

  int x_, w_, b_, y_;
  int64_t cg_, mg_, groups_, in_size_, p_, k_;
  static constexpr size_t kMinRun = 8;  // shorter runs on average: copy by offsets instead
  std::vector<int32_t> offsets_;
  std::vector<Run> runs_;
  std::vector<size_t> run_begin_;  // runs of tap k: [run_begin_[k], run_begin_[k + 1])
  std::vector<bool> has_gap_;      // tap k has padded positions (its col row is zero-filled)
  std::vector<bool> gather_;       // tap k copies through offsets_ (short runs)
  bool identity_ = false;          // K = 1 and the window reads input p at output p
  Worker workers_[kChunks];
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
