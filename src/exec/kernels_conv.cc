// Float kernels of Conv and ConvTranspose (N-d, groups, dilations, pads/auto_pad).
//
// prepare builds the window (or scatter) offset table and owns the im2col scratch; Eval loops
// over the batch and calls ConvF32 / ConvTransposeF32 per image.
#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "src/exec/conv_f32.h"
#include "src/exec/fused_activation.h"
#include "src/exec/kernels_nn.h"
#include "src/exec/window_table.h"
#include "src/ir/conv_geometry.h"

namespace tinyq {
namespace {

// Shared validation: shapes of X, W, B against group, returns the geometry.
StatusOr<ConvGeometry> PrepareGeometry(const Graph& graph, const Node& node, bool transpose,
                                       int64_t* cout) {
  const Value* x = node.input(0);
  const Value* w = node.input(1);
  if (!x || !w) return InvalidModel(graph.Where(&node) + "X and W are required");
  const Shape& xs = x->shape();
  const Shape& ws = w->shape();
  const int64_t groups = node.GetInt("group", 1);
  if (xs.size() < 3 || ws.size() != xs.size() || groups < 1)
    return InvalidModel(graph.Where(&node) + "input " + ShapeToString(xs) + ", weight " +
                        ShapeToString(ws) + " and group " + std::to_string(groups) +
                        " are inconsistent");
  *cout = transpose ? ws[1] * groups : ws[0];
  const bool ok = transpose ? (ws[0] == xs[1] && xs[1] % groups == 0)
                            : (ws[1] * groups == xs[1] && *cout % groups == 0);
  if (!ok)
    return InvalidModel(graph.Where(&node) + "input " + ShapeToString(xs) + " and weight " +
                        ShapeToString(ws) + " do not match with group = " + std::to_string(groups));
  const Value* b = node.input(2);
  if (b && b->shape() != Shape{*cout})
    return InvalidModel(graph.Where(&node) + "bias shape " + ShapeToString(b->shape()) +
                        " is not [" + std::to_string(*cout) + "]");
  const std::vector<int64_t> kernel(ws.begin() + 2, ws.end());
  return transpose ? ComputeConvTransposeGeometry(graph, node, xs, kernel)
                   : ComputeConvGeometry(graph, node, xs, kernel, false);
}

Shape OutputShape(int64_t n, int64_t c, const ConvGeometry& g) {
  Shape s = {n, c};
  s.insert(s.end(), g.out.begin(), g.out.end());
  return s;
}

// The fields ConvParamsF32 and ConvTransposeParamsF32 share, filled from the node and geometry.
template <typename Params>
Params CommonParams(const Node& node, const Shape& xs, int64_t cout, const ConvGeometry& g) {
  Params p;
  p.in_channels = xs[1];
  p.out_channels = cout;
  p.groups = node.GetInt("group", 1);
  p.in_size = g.InSize();
  p.out_size = g.OutSize();
  p.kernel_size = g.KernelSize();
  return p;
}

// Runs `Run` (ConvF32 or ConvTransposeF32) once per image of the batch.
template <auto Run, typename Params>
void EvalBatch(KernelIO& io, int64_t batch, const Params& p, float* scratch) {
  const float* x = io.inputs[0]->data<float>();
  const float* w = io.inputs[1]->data<float>();
  const float* bias = io.inputs.size() > 2 && io.inputs[2] ? io.inputs[2]->data<float>() : nullptr;
  float* out = io.outputs[0]->data<float>();
  for (int64_t b = 0; b < batch; ++b)
    Run(p, x + b * p.in_channels * p.in_size, w, bias, scratch,
        out + b * p.out_channels * p.out_size);
}

class ConvKernel : public KernelInstance {
 public:
  ConvKernel(int64_t batch, const ConvGeometry& g, ConvParamsF32 p) : batch_(batch), p_(p) {
    const bool pointwise =
        g.KernelSize() == 1 && g.in == g.out &&
        std::all_of(g.pad_begin.begin(), g.pad_begin.end(), [](int64_t v) { return v == 0; });
    // One input channel and groups == 1 is a plain convolution: im2col + GEMM shares the input
    // columns between the output channels (about 3x faster than the depthwise path here).
    const bool depthwise = p_.groups == p_.in_channels && p_.groups > 1;
    if (!pointwise && depthwise && g.rank() == 2) {
      depthwise_ =
          MakeDepthwisePlanF32(MakePlane2dF32(g), p_.out_channels, p_.out_channels / p_.groups);
      p_.depthwise = &depthwise_;
    } else if (!pointwise && g.rank() == 2 && IsSameSizeStride1(MakePlane2dF32(g))) {
      shifted_ = MakeShiftedPlaneF32(MakePlane2dF32(g));
      p_.shifted = &shifted_;
    } else if (!pointwise && g.rank() == 2) {
      p_.plane2d = MakePlane2dF32(g);
      p_.use_plane2d = true;
    } else if (!pointwise) {
      offsets_ = BuildWindowOffsets(g);
      p_.window_offsets = offsets_.data();
    }
    scratch_.resize(static_cast<size_t>(ConvScratchSizeF32(p_)));
  }
  void Eval(KernelIO& io) override { EvalBatch<ConvF32>(io, batch_, p_, scratch_.data()); }

 private:
  int64_t batch_;
  ConvParamsF32 p_;
  DepthwisePlanF32 depthwise_;
  ShiftedPlaneF32 shifted_;
  std::vector<int32_t> offsets_;
  std::vector<float> scratch_;
};

StatusOr<std::unique_ptr<KernelInstance>> PrepareConv(const Graph& graph, const Node& node) {
  int64_t cout = 0;
  TQ_ASSIGN_OR_RETURN(ConvGeometry g, PrepareGeometry(graph, node, false, &cout));
  const Shape& xs = node.input(0)->shape();
  TQ_RETURN_IF_ERROR(CheckNnNode(graph, node, 2, 3, OutputShape(xs[0], cout, g)));
  auto p = CommonParams<ConvParamsF32>(node, xs, cout, g);
  // The fused activation is applied inside ConvF32 (in the depthwise path while its outputs are
  // written), not by a FusedActivationKernel pass over the output.
  TQ_ASSIGN_OR_RETURN(std::optional<FusedActivationF32> act, ParseFusedActivation(graph, node));
  if (act) p.act_lo = act->lo, p.act_hi = act->hi;
  return std::unique_ptr<KernelInstance>(std::make_unique<ConvKernel>(xs[0], g, p));
}

class ConvTransposeKernel : public KernelInstance {
 public:
  ConvTransposeKernel(int64_t batch, const ConvGeometry& g, ConvTransposeParamsF32 p)
      : batch_(batch), p_(p), offsets_(BuildTransposeScatterOffsets(g)) {
    p_.scatter_offsets = offsets_.data();
    scratch_.resize(static_cast<size_t>(ConvTransposeScratchSizeF32(p_)));
  }
  void Eval(KernelIO& io) override { EvalBatch<ConvTransposeF32>(io, batch_, p_, scratch_.data()); }

 private:
  int64_t batch_;
  ConvTransposeParamsF32 p_;
  std::vector<int32_t> offsets_;
  std::vector<float> scratch_;
};

StatusOr<std::unique_ptr<KernelInstance>> PrepareConvTranspose(const Graph& graph,
                                                               const Node& node) {
  int64_t cout = 0;
  TQ_ASSIGN_OR_RETURN(ConvGeometry g, PrepareGeometry(graph, node, true, &cout));
  const Shape& xs = node.input(0)->shape();
  TQ_RETURN_IF_ERROR(CheckNnNode(graph, node, 2, 3, OutputShape(xs[0], cout, g)));
  const auto p = CommonParams<ConvTransposeParamsF32>(node, xs, cout, g);
  return std::unique_ptr<KernelInstance>(std::make_unique<ConvTransposeKernel>(xs[0], g, p));
}

}  // namespace

void AppendConvKernels(std::vector<KernelRegistration>* table) {
  table->push_back({OpKind::kConv, ExecMode::kFloat, PrepareConv});
  table->push_back(
      {OpKind::kConvTranspose, ExecMode::kFloat, PrepareWithFusedActivation<PrepareConvTranspose>});
}

}  // namespace tinyq
