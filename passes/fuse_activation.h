// passes/fuse_activation.h - see fuse_activation.cc.
#ifndef TINYQ_PASSES_FUSE_ACTIVATION_H_
#define TINYQ_PASSES_FUSE_ACTIVATION_H_

#include "passes/pass.h"

namespace tinyq {

class FuseActivationPass : public NodeRewritePass {
 public:
  const char* name() const override { return "fuse_activation"; }

 protected:
  bool Match(const Graph& graph, const Node& node) const override;
  Status Rewrite(Graph& graph, Node& node, PassStats* stats) override;
};

}  // namespace tinyq

#endif  // TINYQ_PASSES_FUSE_ACTIVATION_H_
