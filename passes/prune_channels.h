// passes/prune_channels.h - structured pruning: remove whole output channels of Conv/Gemm.
#ifndef TINYQ_PASSES_PRUNE_CHANNELS_H_
#define TINYQ_PASSES_PRUNE_CHANNELS_H_

#include <map>
#include <string>
#include <vector>

#include "passes/pass.h"
#include "passes/prune_groups.h"

namespace tinyq {

enum class PruneCriterion {
  kL1,          // sum |w| of the channel's weights, summed over the group's producers
  kL2,          // sqrt(sum w^2), likewise
  kBatchNorm,   // |gamma| of the BatchNormalization right after each producer (L1 where none)
  kActivation,  // mean |activation| on calibration data (PruneChannelsOptions::activation)
};
const char* PruneCriterionName(PruneCriterion c);
// "l1" | "l2" | "bn" | "activation"; InvalidArgument otherwise.
StatusOr<PruneCriterion> ParsePruneCriterion(const std::string& s);

struct PruneChannelsOptions {
  double ratio = 0.25;  // fraction of the channels of every prunable group removed, in [0, 1)
  // Producer node name -> ratio for the group of that node (overrides `ratio`).
  std::map<std::string, double> per_layer;
  // Rank the channels of all groups together (scores divided by their group's mean) and remove
  // the lowest `ratio` of all prunable channels; per_layer is not allowed with it.
  bool global = false;
  PruneCriterion criterion = PruneCriterion::kL1;
  // kActivation: value name -> mean |activation| per channel (dim 1), for the value each
  // producer's channels land in after its BatchNormalization / activation (see LandingValue).
  std::map<std::string, std::vector<double>> activation;
};

// The value where a producer's channels are scored by kActivation: its output, followed through
// single-consumer BatchNormalization and channel-wise activations (Relu, Clip, ...).
const Value* LandingValue(const Graph& graph, const Node& producer);

// Channel scores of one group (higher = more important).
StatusOr<std::vector<double>> ScoreChannels(const Graph& graph, const ChannelGroup& group,
                                            const PruneChannelsOptions& options);

// Which channels each prunable group keeps under `options` (at least one per group). Errors:
// InvalidArgument for a ratio outside [0, 1), an unknown or frozen per-layer node.
StatusOr<ChannelKeep> ChooseChannels(const Graph& graph, const ChannelAnalysis& analysis,
                                     const PruneChannelsOptions& options);

class PruneChannelsPass : public Pass {
 public:
  explicit PruneChannelsPass(PruneChannelsOptions options = {}) : options_(std::move(options)) {}
  const char* name() const override { return "prune_channels"; }
  Status Run(Graph& graph, PassStats* stats) override;

 private:
  PruneChannelsOptions options_;
};

}  // namespace tinyq

#endif  // TINYQ_PASSES_PRUNE_CHANNELS_H_
