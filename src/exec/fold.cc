// InferShapesAndFold: one pass in topological order. Inference and folding are interleaved
// because a folded value (e.g. Reshape's shape) is what makes the next node's shape static.
#include "src/exec/fold.h"

#include <algorithm>

#include "src/exec/kernel.h"
#include "src/ir/shape_inference.h"

namespace tinyq {
namespace {

// Shape-15 semantics: dims[start:end] with negative indices counted from the end and clamping.
Tensor ShapeOf(const Node& node) {
  const Shape& in = node.input(0)->shape();
  const int64_t rank = static_cast<int64_t>(in.size());
  auto clamp = [rank](int64_t i) {
    if (i < 0) i += rank;
    return std::min(std::max<int64_t>(i, 0), rank);
  };
  const int64_t start = clamp(node.GetInt("start", 0));
  const int64_t end = clamp(node.GetInt("end", rank));
  std::vector<int64_t> dims;
  for (int64_t i = start; i < end; ++i) dims.push_back(in[static_cast<size_t>(i)]);
  const int64_t n = static_cast<int64_t>(dims.size());
  return Tensor::FromVector<int64_t>({n}, dims);
}

bool Foldable(const Node& node) {
  for (const Value* o : node.outputs())
    if (o && NumElements(o->shape()) > kMaxFoldElements) return false;
  if (node.op() == OpKind::kShape) return node.input(0) != nullptr;
  for (const Value* v : node.inputs())
    if (v && !v->is_constant()) return false;
  return true;
}

// Evaluates `node` on its constant inputs; false if no kernel can run it.
bool Evaluate(const Graph& graph, const Node& node, std::vector<Tensor>* results) {
  if (node.op() == OpKind::kShape) {
    results->push_back(ShapeOf(node));
    return results->back().shape() == node.output(0)->shape();
  }
  const KernelRegistration* reg = FindKernel(node.op(), ExecMode::kFloat);
  if (!reg) return false;
  auto kernel = reg->prepare(graph, node);
  if (!kernel.ok()) return false;
  KernelIO io;
  for (const Value* v : node.inputs()) io.inputs.push_back(v ? v->constant() : nullptr);
  results->reserve(node.outputs().size());
  for (const Value* o : node.outputs())
    results->emplace_back(o ? Tensor(o->dtype(), o->shape()) : Tensor());
  for (size_t i = 0; i < results->size(); ++i)
    io.outputs.push_back(node.output(static_cast<int>(i)) ? &(*results)[i] : nullptr);
  (*kernel)->Eval(io);
  return true;
}

}  // namespace

Status InferShapesAndFold(Graph& graph) {
  for (Node* node : graph.TopoOrder()) {
    TQ_RETURN_IF_ERROR(InferNodeShapes(graph, *node));
    if (!Foldable(*node)) continue;
    std::vector<Tensor> results;
    if (!Evaluate(graph, *node, &results)) continue;
    std::vector<Value*> outputs = node->outputs();
    graph.RemoveNode(node);
    for (size_t i = 0; i < outputs.size(); ++i)
      if (outputs[i]) outputs[i]->set_constant(std::move(results[i]));
  }
  graph.RemoveUnusedValues();
  return Verify(graph);
}

}  // namespace tinyq
