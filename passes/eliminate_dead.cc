// eliminate_dead: removes nodes none of whose outputs reach a graph output, then values nothing
// produces or reads (unused constants, dangling intermediates). Graph inputs are kept even when
// unused: they are the model's interface.
//
//   Before:  X -> Conv -> Y (output)         After:  X -> Conv -> Y
//            X -> Relu -> R (no reader)
//
// Math: none; the outputs are computed by exactly the same nodes.
//
// Liveness is a backward walk from the graph outputs over producers, so a node on a dead chain of
// any length (or a node whose outputs are read only by dead nodes) goes in one run.
#include "passes/eliminate_dead.h"

#include <string>
#include <unordered_set>
#include <vector>

namespace tinyq {

Status EliminateDeadPass::Run(Graph& graph, PassStats* stats) {
  std::unordered_set<const Node*> live;
  std::vector<const Node*> work;
  for (const Value* v : graph.outputs())
    if (v->producer() && live.insert(v->producer()).second) work.push_back(v->producer());
  while (!work.empty()) {
    const Node* n = work.back();
    work.pop_back();
    for (const Value* v : n->inputs())
      if (v && v->producer() && live.insert(v->producer()).second) work.push_back(v->producer());
  }
  std::vector<Node*> dead;
  for (const auto& n : graph.nodes())
    if (!live.count(n.get())) dead.push_back(n.get());
  for (Node* n : dead) graph.RemoveNode(n);
  const size_t values_before = graph.values().size();
  graph.RemoveUnusedValues();
  const size_t values_removed = values_before - graph.values().size();
  stats->nodes_removed += static_cast<int64_t>(dead.size());
  if (!dead.empty() || values_removed > 0)
    stats->notes.push_back(std::string(name()) + ": removed " + std::to_string(dead.size()) +
                           " nodes and " + std::to_string(values_removed) + " values");
  return Status::Ok();
}

}  // namespace tinyq
