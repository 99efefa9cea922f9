// eliminate_identity: removes Identity and inference-mode Dropout nodes.
//
//   Before:  A -> Identity -> B -> Relu          After:  A -> Relu
//            A -> Dropout(ratio) -> B -> Relu            A -> Relu
//
// Math: Identity(x) = x; Dropout at inference (training_mode absent or a constant false) is x.
//
// Graph output names never change. When the removed node's output Y is a graph output, the node
// producing its input X is re-created to write Y directly (X's other readers then read Y, the same
// tensor). When that is impossible - X is a graph input, a constant, or itself a graph output - the
// node is kept: it is the only thing that gives the output its name (a copy costs little, and
// renaming an input or duplicating a constant would change the model's interface or size).
// A Dropout whose mask output is read is kept too.
#include "passes/eliminate_identity.h"

#include <algorithm>
#include <string>
#include <vector>

#include "passes/graph_edit.h"

namespace tinyq {
namespace {

bool IsInferenceDropout(const Graph& graph, const Node& node) {
  if (const Value* mask = node.output(1))
    if (!IsUnused(graph, mask)) return false;
  const Value* training = node.input(2);
  if (!training) return true;
  const Tensor* t = training->constant();
  if (!t || t->dtype() != DType::kBool || t->numel() != 1) return false;
  return !t->data<bool>()[0];
}

}  // namespace

bool EliminateIdentityPass::Match(const Graph& graph, const Node& node) const {
  if (node.op() != OpKind::kIdentity && node.op() != OpKind::kDropout) return false;
  if (node.op() == OpKind::kDropout && !IsInferenceDropout(graph, node)) return false;
  const Value* x = node.input(0);
  const Value* y = node.output(0);
  if (!x || !y || x->dtype() != y->dtype() || x->shape() != y->shape()) return false;
  if (!IsGraphOutput(graph, y)) return true;
  return x->producer() != nullptr && !IsGraphOutput(graph, x);
}

Status EliminateIdentityPass::Rewrite(Graph& graph, Node& node, PassStats* stats) {
  Value* x = node.input(0);
  Value* y = node.output(0);
  Value* mask = node.output(1);
  std::vector<Value*> params(node.inputs().begin() + 1, node.inputs().end());  // Dropout's
  stats->notes.push_back(std::string(name()) + ": removed '" + node.name() + "' (" +
                         OpKindName(node.op()) + ")");
  graph.RemoveNode(&node);
  if (mask) graph.RemoveValue(mask);
  if (IsGraphOutput(graph, y)) {
    graph.ReplaceAllUsesWith(x, y);  // node inputs only: x is not a graph output (Match)
    RebindOutput(graph, x->producer(), x, y);
    graph.RemoveValue(x);
  } else {
    graph.ReplaceAllUsesWith(y, x);
    graph.RemoveValue(y);
    RemoveIfUnused(graph, x);
  }
  for (size_t i = 0; i < params.size(); ++i)
    if (std::find(params.begin(), params.begin() + i, params[i]) == params.begin() + i)
      RemoveIfUnused(graph, params[i]);  // ratio, training_mode (each once)
  return Status::Ok();
}

}  // namespace tinyq
