// The pass table and RunPasses.
#include "passes/registry.h"

#include "passes/eliminate_dead.h"
#include "passes/eliminate_identity.h"
#include "passes/equalize_cross_layer.h"
#include "passes/fold_batch_norm.h"
#include "passes/fold_constants.h"
#include "passes/fuse_activation.h"
#include "passes/prune_channels.h"
#include "passes/prune_magnitude.h"

namespace tinyq {
namespace {

template <typename P>
std::unique_ptr<Pass> Make() {
  return std::make_unique<P>();
}

}  // namespace

const std::vector<PassRegistration>& PassTable() {
  static const std::vector<PassRegistration> table = {
      {"fold_constants", "evaluate nodes whose inputs are all constants", Make<FoldConstantsPass>},
      {"eliminate_identity", "remove Identity and inference Dropout nodes",
       Make<EliminateIdentityPass>},
      {"fold_batch_norm", "fold BatchNormalization into the preceding Conv/ConvTranspose/Gemm",
       Make<FoldBatchNormPass>},
      {"fuse_activation",
       "fuse Relu/Clip into the preceding Conv/ConvTranspose/Gemm/MatMul/Add as an output clamp",
       Make<FuseActivationPass>},
      {"equalize_cross_layer",
       "balance per-channel weight ranges of Conv/Gemm pairs (Nagel et al. 2019) before int8",
       Make<EqualizeCrossLayerPass>},
      {"prune_channels",
       "remove the 25% lowest-L1 output channels of every prunable Conv/Gemm group (changes the "
       "function; tinyq prune configures it)",
       Make<PruneChannelsPass>},
      {"prune_magnitude",
       "zero the 50% smallest-magnitude Conv/Gemm/MatMul weights of every layer (changes the "
       "function; tinyq prune configures it)",
       Make<PruneMagnitudePass>},
      {"eliminate_dead", "remove nodes and values that do not reach a graph output",
       Make<EliminateDeadPass>},
  };
  return table;
}

std::unique_ptr<Pass> CreatePass(const std::string& name) {
  for (const PassRegistration& r : PassTable())
    if (name == r.name) return r.create();
  return nullptr;
}

Status RunPass(Graph& graph, Pass& pass, PassStats* stats) {
  PassStats local;
  TQ_RETURN_IF_ERROR(pass.Run(graph, &local));
  Status verified = Verify(graph);
  if (!verified.ok())
    return Internal(graph.Where() + "pass " + pass.name() +
                    " left an invalid graph: " + verified.message());
  if (stats) stats->Add(local);
  return Status::Ok();
}

std::vector<PassInfo> ListPasses() {
  std::vector<PassInfo> out;
  for (const PassRegistration& r : PassTable()) out.push_back({r.name, r.help});
  return out;
}

Status RunPasses(Graph& graph, const std::vector<std::string>& names, PassStats* stats) {
  std::vector<std::unique_ptr<Pass>> passes;
  for (const std::string& name : names) {
    passes.push_back(CreatePass(name));
    if (!passes.back()) {
      std::string known;
      for (const PassRegistration& r : PassTable())
        known += std::string(known.empty() ? "" : ", ") + r.name;
      return InvalidArgument("unknown pass '" + name + "' (known: " + known + ")");
    }
  }
  TQ_RETURN_IF_ERROR(Verify(graph));
  for (auto& pass : passes) TQ_RETURN_IF_ERROR(RunPass(graph, *pass, stats));
  return Status::Ok();
}

std::vector<std::string> DefaultFloatPipeline() {
  return {"fold_constants", "eliminate_identity", "fold_batch_norm", "fuse_activation",
          "eliminate_dead"};
}

}  // namespace tinyq
