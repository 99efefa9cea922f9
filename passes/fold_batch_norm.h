// passes/fold_batch_norm.h - see fold_batch_norm.cc.
#ifndef TINYQ_PASSES_FOLD_BATCH_NORM_H_
#define TINYQ_PASSES_FOLD_BATCH_NORM_H_

#include "passes/pass.h"

namespace tinyq {

class FoldBatchNormPass : public NodeRewritePass {
 public:
  const char* name() const override { return "fold_batch_norm"; }

 protected:
  bool Match(const Graph& graph, const Node& node) const override;
  Status Rewrite(Graph& graph, Node& node, PassStats* stats) override;
};

}  // namespace tinyq

#endif  // TINYQ_PASSES_FOLD_BATCH_NORM_H_
