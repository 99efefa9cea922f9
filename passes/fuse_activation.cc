// fuse_activation: turns a Relu or a constant Clip after Conv, ConvTranspose, Gemm, MatMul or Add
// into an output clamp of that node.
//
//   Before:  X -> Conv -> Z -> Relu -> Y          After:  X -> Conv[tq_act="relu",
//            X -> Gemm -> Z -> Clip(0, 6) -> Y                     tq_act_min=0, tq_act_max=inf] ->
//            Y
//                                                          X -> Gemm[tq_act="clip", 0, 6] -> Y
//
// Math: Relu(z) = min(max(z, 0), +inf); Clip(z, lo, hi) = min(max(z, lo), hi) (ONNX order: if
// lo > hi every element becomes hi). The producer's kernels apply exactly this clamp to their
// output (src/exec/fused_activation.h), so the result is bit-identical. The int8 kernels get the
// same clamp as their output range (TFLite: fused ReLU/ReLU6 become the activation min/max).
//
// Applies when Z is f32, has no reader but the activation and is not a graph output, the producer
// has no fused activation yet, and Clip's min/max are absent or single-element f32 constants (a
// Clip with a computed bound is left alone). Attributes (see docs/ir_ops.md): tq_act = "relu" or
// "clip" (string), tq_act_min, tq_act_max (floats; absent Clip bounds are -inf / +inf).
#include "passes/fuse_activation.h"

#include <limits>
#include <string>

#include "passes/graph_edit.h"

namespace tinyq {
namespace {

bool CanFuseInto(const Node& producer) {
  switch (producer.op()) {
    case OpKind::kConv:
    case OpKind::kConvTranspose:
    case OpKind::kGemm:
    case OpKind::kMatMul:
    case OpKind::kAdd:
      return !producer.HasAttr("tq_act");
    default:
      return false;
  }
}

// Clip bound input `i`: absent or a single-element f32 constant.
bool ConstantBound(const Node& clip, int i) {
  const Value* v = clip.input(i);
  if (!v) return true;
  const Tensor* t = v->constant();
  return t && t->dtype() == DType::kF32 && t->numel() == 1;
}

float Bound(const Node& clip, int i, float absent) {
  const Value* v = clip.input(i);
  return v ? v->constant()->data<float>()[0] : absent;
}

}  // namespace

bool FuseActivationPass::Match(const Graph& graph, const Node& node) const {
  if (node.op() != OpKind::kRelu && node.op() != OpKind::kClip) return false;
  if (node.op() == OpKind::kClip && (!ConstantBound(node, 1) || !ConstantBound(node, 2)))
    return false;
  const Value* z = node.input(0);
  const Value* y = node.output(0);
  if (!z || !y || !z->producer() || z->dtype() != DType::kF32 || y->dtype() != DType::kF32 ||
      y->shape() != z->shape())
    return false;
  if (SoleConsumer(graph, z) != &node) return false;
  const Node& producer = *z->producer();
  return CanFuseInto(producer) && producer.num_outputs() == 1;
}

Status FuseActivationPass::Rewrite(Graph& graph, Node& act, PassStats* stats) {
  constexpr float kInf = std::numeric_limits<float>::infinity();
  Value* z = act.input(0);
  Value* y = act.output(0);
  Node* p = z->producer();
  const bool relu = act.op() == OpKind::kRelu;
  p->SetString("tq_act", relu ? "relu" : "clip");
  p->SetFloat("tq_act_min", relu ? 0.0f : Bound(act, 1, -kInf));
  p->SetFloat("tq_act_max", relu ? kInf : Bound(act, 2, kInf));
  stats->notes.push_back(std::string(name()) + ": fused '" + act.name() + "' (" +
                         OpKindName(act.op()) + ") into '" + p->name() + "'");
  Value* lo = act.input(1);
  Value* hi = act.input(2);
  graph.RemoveNode(&act);
  RebindOutput(graph, p, z, y);
  graph.RemoveValue(z);
  RemoveIfUnused(graph, lo);
  if (hi != lo) RemoveIfUnused(graph, hi);
  return Status::Ok();
}

}  // namespace tinyq
