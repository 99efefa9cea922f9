// NodeRewritePass::Run (the fixed-point driver) and PassStats.
#include "passes/pass.h"

#include <string>

namespace tinyq {

void PassStats::Add(const PassStats& other) {
  nodes_removed += other.nodes_removed;
  nodes_added += other.nodes_added;
  nodes_rewritten += other.nodes_rewritten;
  notes.insert(notes.end(), other.notes.begin(), other.notes.end());
}

std::string PassStats::ToString() const {
  std::string s = std::to_string(nodes_rewritten) + " rewritten, " + std::to_string(nodes_removed) +
                  " removed, " + std::to_string(nodes_added) + " added\n";
  for (const std::string& n : notes) s += n + "\n";
  return s;
}

Status NodeRewritePass::Run(Graph& graph, PassStats* stats) {
  const int64_t limit = 4 * static_cast<int64_t>(graph.nodes().size()) + 16;
  for (int64_t rewrites = 0;; ++rewrites) {
    Node* match = nullptr;
    for (Node* node : graph.TopoOrder()) {
      if (Match(graph, *node)) {
        match = node;
        break;
      }
    }
    if (!match) return Status::Ok();
    if (rewrites >= limit)
      return Internal(graph.Where(match) + name() + " did not reach a fixed point after " +
                      std::to_string(rewrites) + " rewrites");
    const int64_t before = static_cast<int64_t>(graph.nodes().size());
    TQ_RETURN_IF_ERROR(Rewrite(graph, *match, stats));
    const int64_t after = static_cast<int64_t>(graph.nodes().size());
    if (after < before) stats->nodes_removed += before - after;
    if (after > before) stats->nodes_added += after - before;
    stats->nodes_rewritten += 1;
  }
}

}  // namespace tinyq
