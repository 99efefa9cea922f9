// src/exec/fused_activation.h - the output clamp that fuse_activation puts on Conv, ConvTranspose,
// Gemm, MatMul and Add (attributes tq_act, tq_act_min, tq_act_max; docs/ir_ops.md).
//
// A kernel's prepare is wrapped with WithFusedActivation (or registered through
// PrepareWithFusedActivation): the attributes are parsed and validated once at prepare, and Eval
// clamps output 0 after the wrapped kernel ran:
//   y = min(max(y, lo), hi)   (the ONNX Clip order: lo > hi gives hi everywhere).
#ifndef TINYQ_SRC_EXEC_FUSED_ACTIVATION_H_
#define TINYQ_SRC_EXEC_FUSED_ACTIVATION_H_

#include <cmath>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "src/exec/kernel.h"

namespace tinyq {

struct FusedActivationF32 {
  float lo;
  float hi;
  void Apply(float* y, int64_t n) const {
    // Bounds in locals: for the compiler `y` could alias *this, which would keep the loop scalar.
    const float l = lo, h = hi;
    for (int64_t i = 0; i < n; ++i) {
      const float v = y[i] < l ? l : y[i];
      y[i] = v > h ? h : v;
    }
  }
};

// Runs `inner`, then clamps output 0 (f32, checked at prepare).
class FusedActivationKernel : public KernelInstance {
 public:
  FusedActivationKernel(std::unique_ptr<KernelInstance> inner, FusedActivationF32 act)
      : inner_(std::move(inner)), act_(act) {}
  void Eval(KernelIO& io) override {
    inner_->Eval(io);
    act_.Apply(io.outputs[0]->data<float>(), io.outputs[0]->numel());
  }

 private:
  std::unique_ptr<KernelInstance> inner_;
  FusedActivationF32 act_;
};

// The bounds of `node`'s fused activation (tq_act, tq_act_min, tq_act_max) as a float clamp, or
// nullopt without one. Shared by the float clamp below and the int8 kernels' output range.
// Errors (graph.Where(&node)): InvalidModel for a tq_act other than "relu"/"clip", missing or NaN
// tq_act_min/tq_act_max.
inline StatusOr<std::optional<FusedActivationF32>> ParseFusedActivation(const Graph& graph,
                                                                        const Node& node) {
  if (!node.HasAttr("tq_act")) return std::optional<FusedActivationF32>();
  const std::string act = node.GetString("tq_act", "");
  if (act != "relu" && act != "clip")
    return InvalidModel(graph.Where(&node) + "tq_act must be \"relu\" or \"clip\", got \"" + act +
                        "\"");
  const Attribute* lo = node.FindAttr("tq_act_min");
  const Attribute* hi = node.FindAttr("tq_act_max");
  if (!lo || !hi || lo->type != Attribute::Type::kFloat || hi->type != Attribute::Type::kFloat ||
      std::isnan(lo->f) || std::isnan(hi->f))
    return InvalidModel(graph.Where(&node) + "tq_act needs float tq_act_min and tq_act_max");
  return std::optional<FusedActivationF32>(FusedActivationF32{lo->f, hi->f});
}

// `kernel` unchanged when `node` has no tq_act attribute (or when `kernel` is an error); else the
// kernel wrapped with the clamp. Errors: those of ParseFusedActivation; Unsupported when output 0
// is not f32.
inline StatusOr<std::unique_ptr<KernelInstance>> WithFusedActivation(
    const Graph& graph, const Node& node, StatusOr<std::unique_ptr<KernelInstance>> kernel) {
  if (!kernel.ok() || !node.HasAttr("tq_act")) return kernel;
  TQ_ASSIGN_OR_RETURN(std::optional<FusedActivationF32> act, ParseFusedActivation(graph, node));
  if (!node.output(0) || node.output(0)->dtype() != DType::kF32)
    return Unsupported(graph.Where(&node) + "fused activation needs an f32 output");
  return std::unique_ptr<KernelInstance>(
      std::make_unique<FusedActivationKernel>(std::move(kernel).value(), *act));
}

// A PrepareFn that runs `kPrepare` and adds the clamp; register kernels that may carry a fused
// activation as {op, mode, PrepareWithFusedActivation<PrepareX>}.
template <PrepareFn kPrepare>
StatusOr<std::unique_ptr<KernelInstance>> PrepareWithFusedActivation(const Graph& graph,
                                                                     const Node& node) {
  return WithFusedActivation(graph, node, kPrepare(graph, node));
}

}  // namespace tinyq

#endif  // TINYQ_SRC_EXEC_FUSED_ACTIVATION_H_
