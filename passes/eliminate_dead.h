// passes/eliminate_dead.h - see eliminate_dead.cc.
#ifndef TINYQ_PASSES_ELIMINATE_DEAD_H_
#define TINYQ_PASSES_ELIMINATE_DEAD_H_

#include "passes/pass.h"

namespace tinyq {

class EliminateDeadPass : public Pass {
 public:
  const char* name() const override { return "eliminate_dead"; }
  Status Run(Graph& graph, PassStats* stats) override;
};

}  // namespace tinyq

#endif  // TINYQ_PASSES_ELIMINATE_DEAD_H_
