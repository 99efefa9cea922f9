// passes/pass.h - the Pass interface and the NodeRewritePass base.
//
// A pass transforms a Graph in place and reports what it changed in PassStats. Configuration goes
// in through the constructor (never a global), so one pass object is one fixed behaviour.
//
// Contract: a pass leaves a graph that passes Verify (RunPasses checks it and reports a failure as
// Internal), keeps the names, dtypes and shapes of the graph inputs and outputs, and keeps the
// float function the graph computes (up to float rounding) unless its help says otherwise.
#ifndef TINYQ_PASSES_PASS_H_
#define TINYQ_PASSES_PASS_H_

#include "tinyq/ir.h"
#include "tinyq/passes.h"
#include "tinyq/status.h"

namespace tinyq {

class Pass {
 public:
  virtual ~Pass() = default;
  // The registry name, verb-first snake_case ("fold_batch_norm").
  virtual const char* name() const = 0;
  // Transforms `graph`; `stats` is never null. Errors are Status values naming the node.
  virtual Status Run(Graph& graph, PassStats* stats) = 0;
};

// A pass made of local rewrites: Match(node) decides, without touching the graph, whether the
// pattern rooted at `node` applies; Rewrite(node) performs it. Run walks the nodes in topological
// order and rewrites the first match, then starts over on the new graph, until no node matches
// (a fixed point). Rewrite may remove and add nodes freely (any Node* of the previous walk may be
// dangling afterwards, hence the restart). Every Rewrite must make progress: Run returns Internal
// after more rewrites than 4 * nodes + 16 (an oscillating pass).
class NodeRewritePass : public Pass {
 public:
  Status Run(Graph& graph, PassStats* stats) final;

 protected:
  // Must not mutate anything; true if Rewrite(graph, node) applies and will succeed.
  virtual bool Match(const Graph& graph, const Node& node) const = 0;
  // Applies the rewrite rooted at `node`. Counters (removed/added by node count difference,
  // rewritten +1 per call) are kept by Run; a Rewrite may add notes to `stats`.
  virtual Status Rewrite(Graph& graph, Node& node, PassStats* stats) = 0;
};

}  // namespace tinyq

#endif  // TINYQ_PASSES_PASS_H_
