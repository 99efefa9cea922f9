// fold_constants: evaluates every node whose inputs are all constants and replaces it by constant
// values.
//
//   Before:  W(const) -> Transpose -> Wt ;  Conv(X, Wt)      After:  Conv(X, Wt(const))
//
// Math: none of its own; the node's float kernel computes the constant, so the folded graph
// computes bit for bit what the executor would have computed at run time.
//
// Walks the nodes once in topological order (a folded output is a constant for the nodes after
// it). A node is left alone when it has no present input (nothing to fold), when an output would
// exceed `max_output_elements` (folding must not blow up the model size), when it is a
// QuantizeLinear/DequantizeLinear (those carry the quantization of weights; folding a constant
// int8 weight back to float would undo quantize_int8), or when no float kernel exists or the
// kernel's prepare refuses the node (the executor will report it).
#include "passes/fold_constants.h"

#include <memory>
#include <string>
#include <vector>

#include "passes/graph_edit.h"
#include "src/exec/kernel.h"

namespace tinyq {
namespace {

bool Foldable(const Node& node, int64_t max_output_elements) {
  if (node.op() == OpKind::kQuantizeLinear || node.op() == OpKind::kDequantizeLinear) return false;
  bool any_input = false;
  for (const Value* v : node.inputs()) {
    if (!v) continue;
    if (!v->is_constant()) return false;
    any_input = true;
  }
  if (!any_input) return false;
  for (const Value* o : node.outputs())
    if (o && (!o->shape_known() || NumElements(o->shape()) > max_output_elements)) return false;
  return true;
}

}  // namespace

Status FoldConstantsPass::Run(Graph& graph, PassStats* stats) {
  int64_t folded = 0;
  for (Node* node : graph.TopoOrder()) {
    if (!Foldable(*node, max_output_elements_)) continue;
    const KernelRegistration* reg = FindKernel(node->op(), ExecMode::kFloat);
    if (!reg) continue;
    auto kernel = reg->prepare(graph, *node);
    if (!kernel.ok()) continue;
    std::vector<Tensor> results;
    results.reserve(node->outputs().size());
    KernelIO io;
    for (const Value* v : node->inputs()) io.inputs.push_back(v ? v->constant() : nullptr);
    for (const Value* o : node->outputs())
      results.emplace_back(o ? Tensor(o->dtype(), o->shape()) : Tensor());
    for (size_t i = 0; i < results.size(); ++i)
      io.outputs.push_back(node->outputs()[i] ? &results[i] : nullptr);
    (*kernel)->Eval(io);
    const std::vector<Value*> inputs = node->inputs();
    const std::vector<Value*> outputs = node->outputs();
    graph.RemoveNode(node);
    for (size_t i = 0; i < outputs.size(); ++i) {
      Value* o = outputs[i];
      if (!o) continue;
      if (o->uses().empty() && !IsGraphOutput(graph, o))
        graph.RemoveValue(o);  // e.g. an unused Dropout mask
      else
        o->set_constant(std::move(results[i]));
    }
    for (Value* v : inputs) RemoveIfUnused(graph, v);
    ++folded;
  }
  stats->nodes_removed += folded;
  if (folded > 0)
    stats->notes.push_back(std::string(name()) + ": folded " + std::to_string(folded) +
                           " nodes into constants");
  return Status::Ok();
}

}  // namespace tinyq
