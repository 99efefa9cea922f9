// passes/eliminate_identity.h - see eliminate_identity.cc.
#ifndef TINYQ_PASSES_ELIMINATE_IDENTITY_H_
#define TINYQ_PASSES_ELIMINATE_IDENTITY_H_

#include "passes/pass.h"

namespace tinyq {

class EliminateIdentityPass : public NodeRewritePass {
 public:
  const char* name() const override { return "eliminate_identity"; }

 protected:
  bool Match(const Graph& graph, const Node& node) const override;
  Status Rewrite(Graph& graph, Node& node, PassStats* stats) override;
};

}  // namespace tinyq

#endif  // TINYQ_PASSES_ELIMINATE_IDENTITY_H_
