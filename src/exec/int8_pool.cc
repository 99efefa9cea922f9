// int8 node kernels of MaxPool, AveragePool (2-D, NHWC: an NCHW input or output goes through an
// NHWC scratch copy, a channel-last one is used in place, int8_layout.h), GlobalMaxPool and
// GlobalAveragePool (src/runtime/tq_pool.h).
//
// MaxPool / AveragePool / GlobalMaxPool keep the input's codes: output params must equal input
// params. GlobalAveragePool has its own output params: multiplier s_in / (s_out * H * W).
// Global pools need no transpose: an NCHW [N,C,H,W] tensor is the NHWC tensor
// [N*C, 1, H*W, 1], one window per (n, c), and the [N*C,1,1,1] result is the NCHW output.
// Windows: the geometry comes from ComputeConvGeometry (ceil_mode allowed); the runtime takes
// top/left pads in [0, kernel-1] and requires every window to overlap the input; dilations other
// than 1, storage_order 1 and MaxPool's Indices output are refused.
#include <memory>
#include <string>
#include <vector>

#include "src/exec/int8_common.h"
#include "src/exec/int8_layout.h"
#include "src/ir/conv_geometry.h"
#include "src/runtime/tq_pool.h"

namespace tinyq {
namespace {

class Pool2dS8Kernel : public KernelInstance {
 public:
  void Eval(KernelIO& io) override {
    const int8_t* x = io.inputs[0]->data<int8_t>();
    if (!x_channel_last_) {
      RunStridedCopy(to_nhwc_, x, x_.data());
      x = x_.data();
    }
    int8_t* y = y_channel_last_ ? io.outputs[0]->data<int8_t>() : y_.data();
    if (max_)
      tq_max_pool2d_s8(&p_, &in_, x, &out_, y);
    else
      tq_avg_pool2d_s8(&p_, &in_, x, &out_, y);
    if (!y_channel_last_) RunStridedCopy(to_nchw_, y, io.outputs[0]->raw());
  }

  bool max_ = true;
  tq_pool_params p_{};
  tq_dims in_{}, out_{};
  // Channel-last input/output (int8_layout.h) or an order where both layouts coincide: no copy.
  bool x_channel_last_ = false, y_channel_last_ = false;
  StridedCopyPlan to_nhwc_, to_nchw_;
  std::vector<int8_t> x_, y_;
};

Status CheckRank4(const Graph& graph, const Node& node) {
  const Value* x = node.input(0);
  if (!x || x->shape().size() != 4)
    return Unsupported(graph.Where(&node) + "int8 " + OpKindName(node.op()) +
                       " supports 4-D [N,C,H,W] inputs only" +
                       (x ? ", got " + ShapeToString(x->shape()) : std::string()));
  if (node.num_outputs() > 1 && node.output(1))
    return Unsupported(graph.Where(&node) + "the Indices output is not supported in int8");
  return Status::Ok();
}

StatusOr<std::unique_ptr<KernelInstance>> PreparePool2dLayoutS8(const Graph& graph,
                                                                const Node& node,
                                                                const Int8Layouts& layouts) {
  TQ_RETURN_IF_ERROR(CheckRank4(graph, node));
  const Shape& xs = node.input(0)->shape();
  const std::vector<int64_t> kernel = node.GetInts("kernel_shape");
  if (kernel.size() != 2)
    return InvalidModel(graph.Where(&node) + "kernel_shape must have 2 values");
  TQ_ASSIGN_OR_RETURN(ConvGeometry g, ComputeConvGeometry(graph, node, xs, kernel, true));
  for (int64_t d : g.dilations)
    if (d != 1) return Unsupported(graph.Where(&node) + "int8 pooling needs dilations = 1");
  if (node.GetInt("storage_order", 0) != 0)
    return Unsupported(graph.Where(&node) + "storage_order = 1 is not supported");
  const Shape ys = {xs[0], xs[1], g.out[0], g.out[1]};
  TQ_RETURN_IF_ERROR(CheckS8Output(graph, node, 0, ys));
  TQ_ASSIGN_OR_RETURN(ActQuant xq, GetActQuant(graph, node, node.input(0), "input X"));
  TQ_ASSIGN_OR_RETURN(ActQuant yq, GetActQuant(graph, node, node.output(0), "output Y"));
  TQ_RETURN_IF_ERROR(CheckSameQuant(graph, node, xq, yq));
  auto k = std::make_unique<Pool2dS8Kernel>();
  k->max_ = node.op() == OpKind::kMaxPool;
  TQ_ASSIGN_OR_RETURN(k->in_, ToDims(graph, node, xs[0], xs[2], xs[3], xs[1]));
  TQ_ASSIGN_OR_RETURN(k->out_, ToDims(graph, node, ys[0], ys[2], ys[3], ys[1]));
  for (int64_t v : {kernel[0], kernel[1], g.strides[0], g.strides[1]})
    if (v > INT32_MAX) return Unsupported(graph.Where(&node) + "window or stride exceeds int32");
  k->p_.filter = {static_cast<int32_t>(kernel[0]), static_cast<int32_t>(kernel[1])};
  k->p_.stride = {static_cast<int32_t>(g.strides[0]), static_cast<int32_t>(g.strides[1])};
  k->p_.padding = {static_cast<int32_t>(g.pad_begin[0]), static_cast<int32_t>(g.pad_begin[1])};
  k->p_.count_include_pad =
      node.op() == OpKind::kAveragePool && node.GetInt("count_include_pad", 0) != 0 ? 1 : 0;
  k->p_.input_zero_point = xq.zero_point;
  k->p_.activation = {-128, 127};
  if (tq_pool2d_s8_validate(&k->p_, &k->in_, &k->out_) != TQ_OK)
    return Unsupported(graph.Where(&node) +
                       "window geometry not supported by the int8 runtime (pads must be below "
                       "the kernel size and every window must overlap the input)");
  k->x_channel_last_ = layouts.input_channel_last[0] || !ChannelLastMatters(xs);
  k->y_channel_last_ = layouts.output_channel_last[0] || !ChannelLastMatters(ys);
  if (!k->x_channel_last_) {
    k->to_nhwc_ = NchwToNhwcPlan(xs[0], xs[1], xs[2], xs[3]);
    k->x_.resize(static_cast<size_t>(NumElements(xs)));
  }
  if (!k->y_channel_last_) {
    k->to_nchw_ = NhwcToNchwPlan(ys[0], ys[1], ys[2], ys[3]);
    k->y_.resize(static_cast<size_t>(NumElements(ys)));
  }
  return std::unique_ptr<KernelInstance>(std::move(k));
}

StatusOr<std::unique_ptr<KernelInstance>> PreparePool2dS8(const Graph& graph, const Node& node) {
  return PreparePool2dLayoutS8(graph, node, Int8Layouts{{false}, {false}});
}

// Global pools over the [N*C, 1, H*W, 1] view of an NCHW input (see the file comment), or the
// [N, 1, H*W, C] view of a channel-last one; the [N,C,1,1] output is the same in both orders.
StatusOr<std::unique_ptr<KernelInstance>> PrepareGlobalPoolLayoutS8(const Graph& graph,
                                                                    const Node& node,
                                                                    const Int8Layouts& layouts) {
  TQ_RETURN_IF_ERROR(CheckRank4(graph, node));
  const Shape& xs = node.input(0)->shape();
  TQ_RETURN_IF_ERROR(CheckS8Output(graph, node, 0, Shape{xs[0], xs[1], 1, 1}));
  TQ_ASSIGN_OR_RETURN(ActQuant xq, GetActQuant(graph, node, node.input(0), "input X"));
  TQ_ASSIGN_OR_RETURN(ActQuant yq, GetActQuant(graph, node, node.output(0), "output Y"));
  const int64_t hw = xs[2] * xs[3];
  const bool channel_last = layouts.input_channel_last[0];
  TQ_ASSIGN_OR_RETURN(tq_dims in, channel_last ? ToDims(graph, node, xs[0], 1, hw, xs[1])
                                               : ToDims(graph, node, xs[0] * xs[1], 1, hw, 1));
  TQ_ASSIGN_OR_RETURN(tq_dims out, channel_last ? ToDims(graph, node, xs[0], 1, 1, xs[1])
                                                : ToDims(graph, node, xs[0] * xs[1], 1, 1, 1));
  if (node.op() == OpKind::kGlobalMaxPool) {
    TQ_RETURN_IF_ERROR(CheckSameQuant(graph, node, xq, yq));
    tq_pool_params p{};
    p.filter = {1, in.w};
    p.stride = {1, in.w};
    p.activation = {-128, 127};
    if (tq_pool2d_s8_validate(&p, &in, &out) != TQ_OK)
      return Unsupported(graph.Where(&node) + "window too large for the int8 runtime");
    return MakeKernel([p, in, out](KernelIO& io) {
      tq_max_pool2d_s8(&p, &in, io.inputs[0]->data<int8_t>(), &out, io.outputs[0]->data<int8_t>());
    });
  }
  const double real = static_cast<double>(xq.scale) / (static_cast<double>(yq.scale) * hw);
  TQ_ASSIGN_OR_RETURN(ChannelMultipliers m, MakeMultiplier(graph, node, real));
  tq_global_pool_params p{xq.zero_point, yq.zero_point, m.multiplier[0], m.shift[0], {-128, 127}};
  if (tq_global_avg_pool_s8_validate(&p, &in, &out) != TQ_OK)
    return Unsupported(graph.Where(&node) +
                       "H*W above 2^23 or multiplier outside the int8 runtime's range");
  return MakeKernel([p, in](KernelIO& io) {
    tq_global_avg_pool_s8(&p, &in, io.inputs[0]->data<int8_t>(), io.outputs[0]->data<int8_t>());
  });
}

StatusOr<std::unique_ptr<KernelInstance>> PrepareGlobalPoolS8(const Graph& graph,
                                                              const Node& node) {
  return PrepareGlobalPoolLayoutS8(graph, node, Int8Layouts{{false}, {false}});
}

}  // namespace

void AppendInt8PoolKernels(std::vector<KernelRegistration>* table) {
  table->push_back({OpKind::kMaxPool, ExecMode::kInt8, PreparePool2dS8, PreparePool2dLayoutS8});
  table->push_back({OpKind::kAveragePool, ExecMode::kInt8, PreparePool2dS8, PreparePool2dLayoutS8});
  table->push_back(
      {OpKind::kGlobalMaxPool, ExecMode::kInt8, PrepareGlobalPoolS8, PrepareGlobalPoolLayoutS8});
  table->push_back({OpKind::kGlobalAveragePool, ExecMode::kInt8, PrepareGlobalPoolS8,
                    PrepareGlobalPoolLayoutS8});
}

}  // namespace tinyq
