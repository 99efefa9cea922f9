// tinyq/passes.h - run graph passes by name.
//
// Every pass is listed in one explicit table (passes/registry.cc) under a verb-first snake_case
// name that the CLI and the Python package also use. RunPasses runs them in the given order and
// checks Verify(graph) after each one.
//
//   tinyq::PassStats stats;
//   TQ_RETURN_IF_ERROR(tinyq::RunPasses(graph, tinyq::DefaultFloatPipeline(), &stats));
//   std::cout << stats.ToString();   // "fold_batch_norm: 3 rewritten, 3 removed\n..."
#ifndef TINYQ_PASSES_H_
#define TINYQ_PASSES_H_

#include <cstdint>
#include <string>
#include <vector>

#include "tinyq/ir.h"
#include "tinyq/status.h"

namespace tinyq {

// What a pass (or a sequence of passes) changed. Counters add up over passes.
struct PassStats {
  int64_t nodes_removed = 0;
  int64_t nodes_added = 0;
  int64_t nodes_rewritten = 0;  // nodes whose attributes/inputs/outputs a pass changed
  // Free-form lines, each starting with the pass name ("fold_batch_norm: 'bn1' into 'conv1'").
  std::vector<std::string> notes;

  void Add(const PassStats& other);
  std::string ToString() const;  // one summary line plus the notes
};

struct PassInfo {
  std::string name;  // e.g. "fold_batch_norm"
  std::string help;  // one line
};

// Every registered pass, in table order.
std::vector<PassInfo> ListPasses();

// Runs the named passes in order on `graph` (each with its default configuration). The graph must
// pass Verify first (else that InvalidModel error is returned). Errors: InvalidArgument naming an
// unknown pass (before anything runs); a pass's own error; Internal naming the pass if the graph
// fails Verify after it (a bug in the pass). On error the graph may be partially transformed.
// `stats` (optional) accumulates the counters of all passes.
Status RunPasses(Graph& graph, const std::vector<std::string>& names, PassStats* stats = nullptr);

// fold_constants, eliminate_identity, fold_batch_norm, fuse_activation, eliminate_dead.
std::vector<std::string> DefaultFloatPipeline();

}  // namespace tinyq

#endif  // TINYQ_PASSES_H_
