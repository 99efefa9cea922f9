// int8_float_fallback.cc - the int8 executor's kernels of float-fallback nodes (f32 nodes of a
// QOp graph and their QuantizeLinear / DequantizeLinear borders), ExecMode::kFloatFallback.
//
// They run the C99 runtime's float kernels (src/runtime/tq_*_f32), the code the generated C
// calls, with the constants of float_fallback_plan.h, so host and MCU give the same bytes for a
// model with float layers too. The IR is NCHW: Conv and the pools transpose to NHWC and back
// around the call (exact data movement); the other kernels do not care about the layout (Softmax
// and BatchNormalization take the channel stride).
//
// A node the runtime kernels do not cover (plan Unsupported: e.g. a 3-D Conv, a MatMul of two
// activations, a per-axis border) runs on the float executor's kernel instead; the C code
// generator refuses such a node with the same message.
#include <memory>
#include <string>
#include <vector>

#include "src/exec/float_fallback_plan.h"
#include "src/exec/int8_common.h"
#include "src/runtime/tq_softmax_f32.h"

namespace tinyq {
namespace {

// The float executor's kernel when `plan` is Unsupported; other errors are returned.
template <typename Plan>
StatusOr<std::unique_ptr<KernelInstance>> FloatKernelIf(const StatusOr<Plan>& plan, const Graph& g,
                                                        const Node& node) {
  if (plan.status().code() != StatusCode::kUnsupported) return plan.status();
  const KernelRegistration* reg = FindKernel(node.op(), ExecMode::kFloat);
  if (!reg) return plan.status();
  return reg->prepare(g, node);
}

const float* OrNull(const std::vector<float>& v) { return v.empty() ? nullptr : v.data(); }

// Runs an NHWC runtime call between NCHW <-> NHWC copies of input 0 and output 0.
class NhwcF32Kernel : public KernelInstance {
 public:
  NhwcF32Kernel(const tq_dims& in, const tq_dims& out)
      : to_nhwc_(NchwToNhwcPlan(in.n, in.c, in.h, in.w, sizeof(float))),
        to_nchw_(NhwcToNchwPlan(out.n, out.c, out.h, out.w, sizeof(float))),
        x_(static_cast<size_t>(in.n) * in.h * in.w * in.c),
        y_(static_cast<size_t>(out.n) * out.h * out.w * out.c) {}
  void Eval(KernelIO& io) override {
    RunStridedCopy(to_nhwc_, io.inputs[0]->raw(), x_.data());
    Run(x_.data(), y_.data());
    RunStridedCopy(to_nchw_, y_.data(), io.outputs[0]->raw());
  }
  virtual void Run(const float* x, float* y) const = 0;

 private:
  StridedCopyPlan to_nhwc_, to_nchw_;
  std::vector<float> x_, y_;
};

class ConvKernel : public NhwcF32Kernel {
 public:
  explicit ConvKernel(ConvF32Plan p) : NhwcF32Kernel(p.in, p.out), p_(std::move(p)) {}
  void Run(const float* x, float* y) const override {
    tq_conv2d_f32(&p_.params, &p_.in, x, &p_.filter, p_.weights.data(), OrNull(p_.bias), &p_.out,
                  y);
  }

 private:
  ConvF32Plan p_;
};

class PoolKernel : public NhwcF32Kernel {
 public:
  explicit PoolKernel(const PoolF32Plan& p) : NhwcF32Kernel(p.in, p.out), p_(p) {}
  void Run(const float* x, float* y) const override {
    (p_.max ? tq_max_pool2d_f32 : tq_avg_pool2d_f32)(&p_.params, &p_.in, x, &p_.out, y);
  }

 private:
  PoolF32Plan p_;
};

StatusOr<std::unique_ptr<KernelInstance>> PrepareConv(const Graph& g, const Node& node) {
  auto plan = PlanConvF32(g, node);
  if (!plan.ok()) return FloatKernelIf(plan, g, node);
  return std::unique_ptr<KernelInstance>(std::make_unique<ConvKernel>(std::move(plan).value()));
}

StatusOr<std::unique_ptr<KernelInstance>> PreparePool(const Graph& g, const Node& node) {
  auto plan = PlanPoolF32(g, node);
  if (!plan.ok()) return FloatKernelIf(plan, g, node);
  return std::unique_ptr<KernelInstance>(std::make_unique<PoolKernel>(*plan));
}

StatusOr<std::unique_ptr<KernelInstance>> PrepareFullyConnected(const Graph& g, const Node& node) {
  auto plan = PlanFullyConnectedF32(g, node);
  if (!plan.ok()) return FloatKernelIf(plan, g, node);
  return MakeKernel([p = std::move(plan).value()](KernelIO& io) {
    tq_fully_connected_f32(&p.params, &p.dims, io.inputs[0]->data<float>(), p.weights.data(),
                           OrNull(p.bias), io.outputs[0]->data<float>());
  });
}

StatusOr<std::unique_ptr<KernelInstance>> PrepareBinary(const Graph& g, const Node& node) {
  auto plan = PlanBinaryF32(g, node);
  if (!plan.ok()) return FloatKernelIf(plan, g, node);
  auto b = PlanBroadcast(g, node);
  if (!b.ok()) return FloatKernelIf(b, g, node);
  return MakeKernel([p = *plan, b = *b](KernelIO& io) {
    tq_binary_f32(&p, &b.out, io.inputs[0]->data<float>(), &b.s1, io.inputs[1]->data<float>(),
                  &b.s2, io.outputs[0]->data<float>());
  });
}

// Element count of output 0 as the runtime's int32, or Unsupported.
StatusOr<int32_t> Size32(const Graph& g, const Node& node) {
  const int64_t n = NumElements(node.output(0)->shape());
  if (n > INT32_MAX) return Unsupported(g.Where(&node) + "tensor too large for the runtime");
  return static_cast<int32_t>(n);
}

StatusOr<std::unique_ptr<KernelInstance>> PrepareUnary(const Graph& g, const Node& node) {
  auto plan = PlanUnaryF32(g, node);
  if (!plan.ok()) return FloatKernelIf(plan, g, node);
  auto n = Size32(g, node);
  if (!n.ok()) return FloatKernelIf(n, g, node);
  return MakeKernel([p = *plan, n = *n](KernelIO& io) {
    tq_unary_f32(&p, io.inputs[0]->data<float>(), n, io.outputs[0]->data<float>());
  });
}

StatusOr<std::unique_ptr<KernelInstance>> PrepareBatchNorm(const Graph& g, const Node& node) {
  auto plan = PlanBatchNormF32(g, node);
  if (!plan.ok()) return FloatKernelIf(plan, g, node);
  auto n = Size32(g, node);
  if (!n.ok()) return FloatKernelIf(n, g, node);
  const Shape& xs = node.input(0)->shape();
  const auto c = static_cast<int32_t>(xs[1]);
  const int32_t outer = static_cast<int32_t>(xs[0]), inner = *n / (outer * c);
  return MakeKernel([p = std::move(plan).value(), outer, c, inner](KernelIO& io) {
    tq_channel_affine_f32(io.inputs[0]->data<float>(), outer, c, inner, p.scale.data(),
                          p.shift.data(), io.outputs[0]->data<float>());
  });
}

StatusOr<std::unique_ptr<KernelInstance>> PrepareSoftmax(const Graph& g, const Node& node) {
  auto plan = PlanSoftmaxF32(g, node);
  if (!plan.ok()) return FloatKernelIf(plan, g, node);
  auto n = Size32(g, node);
  if (!n.ok()) return FloatKernelIf(n, g, node);
  const Shape& xs = node.input(0)->shape();
  int64_t outer = 1, depth = 1, inner = 1;
  for (size_t d = 0; d < xs.size(); ++d) {
    const bool row = plan->coerce_2d ? d >= static_cast<size_t>(plan->axis)
                                     : d == static_cast<size_t>(plan->axis);
    (d < static_cast<size_t>(plan->axis) ? outer : (row ? depth : inner)) *= xs[d];
  }
  return MakeKernel([outer, depth, inner](KernelIO& io) {
    tq_softmax_f32(io.inputs[0]->data<float>(), static_cast<int32_t>(outer),
                   static_cast<int32_t>(depth), static_cast<int32_t>(inner),
                   io.outputs[0]->data<float>());
  });
}

StatusOr<std::unique_ptr<KernelInstance>> PrepareQdq(const Graph& g, const Node& node) {
  auto plan = PlanQdqF32(g, node);
  if (!plan.ok()) return FloatKernelIf(plan, g, node);
  auto n = Size32(g, node);
  if (!n.ok()) return FloatKernelIf(n, g, node);
  if (node.op() == OpKind::kQuantizeLinear)
    return MakeKernel([p = *plan, n = *n](KernelIO& io) {
      tq_quantize_f32(io.inputs[0]->data<float>(), n, p.scale, p.zero_point,
                      io.outputs[0]->data<int8_t>());
    });
  return MakeKernel([p = *plan, n = *n](KernelIO& io) {
    tq_dequantize_s8(io.inputs[0]->data<int8_t>(), n, p.scale, p.zero_point,
                     io.outputs[0]->data<float>());
  });
}

}  // namespace

void AppendInt8FloatFallbackKernels(std::vector<KernelRegistration>* table) {
  constexpr ExecMode kMode = ExecMode::kFloatFallback;
  table->push_back({OpKind::kConv, kMode, PrepareConv});
  for (OpKind op : {OpKind::kGemm, OpKind::kMatMul})
    table->push_back({op, kMode, PrepareFullyConnected});
  for (OpKind op :
       {OpKind::kMaxPool, OpKind::kAveragePool, OpKind::kGlobalMaxPool, OpKind::kGlobalAveragePool})
    table->push_back({op, kMode, PreparePool});
  for (OpKind op : {OpKind::kAdd, OpKind::kSub, OpKind::kMul, OpKind::kDiv})
    table->push_back({op, kMode, PrepareBinary});
  for (OpKind op :
       {OpKind::kRelu, OpKind::kClip, OpKind::kLeakyRelu, OpKind::kHardSigmoid, OpKind::kHardSwish,
        OpKind::kSigmoid, OpKind::kTanh, OpKind::kExp, OpKind::kNeg, OpKind::kAbs})
    table->push_back({op, kMode, PrepareUnary});
  table->push_back({OpKind::kBatchNormalization, kMode, PrepareBatchNorm});
  table->push_back({OpKind::kSoftmax, kMode, PrepareSoftmax});
  for (OpKind op : {OpKind::kQuantizeLinear, OpKind::kDequantizeLinear})
    table->push_back({op, kMode, PrepareQdq});
}

}  // namespace tinyq
