// prune_channels: structured pruning that really shrinks the model (Li et al. 2017, "Pruning
// Filters for Efficient ConvNets"; network slimming by BN gamma, Liu et al. 2017).
//
//   Before:  X -> Conv1 W1[16, C, 3, 3] -> BN(16) -> Relu -> Conv2 W2[32, 16, 3, 3] -> Y
//   After:   X -> Conv1 W1[ 8, C, 3, 3] -> BN( 8) -> Relu -> Conv2 W2[32,  8, 3, 3] -> Y
//
// Channel i of Conv1's output is removed by dropping W1[i], b1[i], the BN parameters [i] and
// W2[:, i]. The function changes only by the contribution of channel i to Y:
//   Y' = Y - W2[:, i] * relu(bn(conv1_i(X))),
// so removing channels whose W1[i] and b1[i] are zero (and whose BN maps 0 to 0) changes nothing.
// Channels that must go together (residual Add, Concat offsets, depthwise chains) are found by
// AnalyzeChannels (prune_groups.h); a group's channel score is the sum over its producers of the
// criterion. Per group, floor(ratio * C) channels with the lowest scores are removed (at least one
// kept); with `global`, scores are divided by their group's mean and ranked across groups.
// The graph outputs keep their shapes: groups reaching an output (the classifier) are frozen.
#include "passes/prune_channels.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <sstream>

#include "passes/graph_edit.h"

namespace tinyq {
namespace {

// Per output channel of `producer`: sum |w| (l2 = false) or sqrt(sum w^2) (l2 = true).
std::vector<double> WeightNorms(const Node& producer, bool l2) {
  const Tensor& w = *producer.input(1)->constant();
  const bool by_column = producer.op() == OpKind::kGemm && producer.GetInt("transB", 0) == 0;
  const int64_t rows = by_column ? w.dim(1) : w.dim(0);
  const int64_t per = w.numel() / rows;
  std::vector<double> s(static_cast<size_t>(rows), 0.0);
  const float* d = w.data<float>();
  for (int64_t e = 0; e < w.numel(); ++e) {
    const int64_t r = by_column ? e % rows : e / per;
    const double x = d[e];
    s[static_cast<size_t>(r)] += l2 ? x * x : std::fabs(x);
  }
  if (l2)
    for (double& x : s) x = std::sqrt(x);
  return s;
}

bool PassesChannels(OpKind op) {
  return op == OpKind::kBatchNormalization || op == OpKind::kRelu || op == OpKind::kClip ||
         op == OpKind::kLeakyRelu || op == OpKind::kHardSwish || op == OpKind::kSigmoid;
}

}  // namespace

const char* PruneCriterionName(PruneCriterion c) {
  switch (c) {
    case PruneCriterion::kL1:
      return "l1";
    case PruneCriterion::kL2:
      return "l2";
    case PruneCriterion::kBatchNorm:
      return "bn";
    case PruneCriterion::kActivation:
      return "activation";
  }
  return "?";
}

StatusOr<PruneCriterion> ParsePruneCriterion(const std::string& s) {
  for (PruneCriterion c : {PruneCriterion::kL1, PruneCriterion::kL2, PruneCriterion::kBatchNorm,
                           PruneCriterion::kActivation})
    if (s == PruneCriterionName(c)) return c;
  return InvalidArgument("unknown pruning criterion '" + s + "' (l1, l2, bn, activation)");
}

const Value* LandingValue(const Graph& graph, const Node& producer) {
  const Value* v = producer.output(0);
  while (const Node* next = SoleConsumer(graph, v)) {
    if (!PassesChannels(next->op()) || next->input(0) != v) break;
    v = next->output(0);
  }
  return v;
}

StatusOr<std::vector<double>> ScoreChannels(const Graph& graph, const ChannelGroup& group,
                                            const PruneChannelsOptions& options) {
  std::vector<double> total(static_cast<size_t>(group.size), 0.0);
  for (const Node* p : group.producers) {
    std::vector<double> s;
    const Node* bn = SoleConsumer(graph, p->output(0));
    switch (options.criterion) {
      case PruneCriterion::kL1:
        s = WeightNorms(*p, false);
        break;
      case PruneCriterion::kL2:
        s = WeightNorms(*p, true);
        break;
      case PruneCriterion::kBatchNorm:
        if (bn && bn->op() == OpKind::kBatchNormalization) {
          const Tensor& gamma = *bn->input(1)->constant();
          for (int64_t i = 0; i < gamma.numel(); ++i)
            s.push_back(std::fabs(double{gamma.data<float>()[i]}));
        } else {
          s = WeightNorms(*p, false);
        }
        break;
      case PruneCriterion::kActivation: {
        const Value* v = LandingValue(graph, *p);
        auto it = options.activation.find(v->name());
        if (it == options.activation.end())
          return InvalidArgument(graph.Where(p) + "no activation statistics for '" + v->name() +
                                 "'");
        s = it->second;
        break;
      }
    }
    if (s.size() != total.size()) return Internal(graph.Where(p) + "channel score size mismatch");
    for (size_t i = 0; i < s.size(); ++i) total[i] += s[i];
  }
  return total;
}

StatusOr<ChannelKeep> ChooseChannels(const Graph& graph, const ChannelAnalysis& analysis,
                                     const PruneChannelsOptions& options) {
  auto bad_ratio = [](double r) { return !(r >= 0.0 && r < 1.0); };
  if (bad_ratio(options.ratio))
    return InvalidArgument("pruning ratio " + std::to_string(options.ratio) + " not in [0, 1)");
  if (options.global && !options.per_layer.empty())
    return InvalidArgument("per-layer ratios and a global ratio exclude each other");
  std::map<int, double> ratio;
  for (int g : analysis.Prunable()) ratio[g] = options.ratio;
  for (const auto& [name, r] : options.per_layer) {
    if (bad_ratio(r))
      return InvalidArgument("pruning ratio " + std::to_string(r) + " for '" + name +
                             "' not in [0, 1)");
    int found = -1;
    for (int g = 0; g < static_cast<int>(analysis.groups.size()); ++g)
      for (const Node* p : analysis.groups[static_cast<size_t>(g)].producers)
        if (p->name() == name) found = g;
    if (found < 0)
      return InvalidArgument(graph.Where() + "no prunable Conv/Gemm named '" + name + "'");
    const ChannelGroup& group = analysis.groups[static_cast<size_t>(found)];
    if (group.frozen && r > 0)
      return InvalidArgument(graph.Where() + "'" + name + "' cannot be pruned: its channels " +
                             group.frozen_reason);
    if (!group.frozen) ratio[found] = r;
  }
  // (score, group, channel) of every prunable channel.
  struct Scored {
    double score;
    int group;
    int channel;
  };
  std::map<int, std::vector<double>> scores;
  for (const auto& [g, r] : ratio) {
    TQ_ASSIGN_OR_RETURN(scores[g],
                        ScoreChannels(graph, analysis.groups[static_cast<size_t>(g)], options));
  }
  ChannelKeep keep;
  for (const auto& [g, r] : ratio)
    keep[g] =
        std::vector<bool>(static_cast<size_t>(analysis.groups[static_cast<size_t>(g)].size), true);
  std::vector<Scored> order;
  for (auto& [g, s] : scores) {
    const double mean = std::accumulate(s.begin(), s.end(), 0.0) / std::max<size_t>(1, s.size());
    for (size_t i = 0; i < s.size(); ++i)
      order.push_back({options.global && mean > 0 ? s[i] / mean : s[i], g, static_cast<int>(i)});
  }
  // Ties broken by group then channel, so the choice is deterministic.
  std::sort(order.begin(), order.end(), [](const Scored& a, const Scored& b) {
    if (a.score != b.score) return a.score < b.score;
    if (a.group != b.group) return a.group < b.group;
    return a.channel < b.channel;
  });
  std::map<int, int64_t> budget;  // channels each group may still lose
  for (const auto& [g, r] : ratio) {
    const int size = analysis.groups[static_cast<size_t>(g)].size;
    budget[g] = options.global ? size - 1 : std::min<int64_t>(size - 1, std::floor(r * size));
  }
  int64_t global_budget = 0;
  if (options.global) {
    int64_t total = 0;
    for (const auto& [g, r] : ratio) total += analysis.groups[static_cast<size_t>(g)].size;
    global_budget = static_cast<int64_t>(std::floor(options.ratio * static_cast<double>(total)));
  }
  for (const Scored& s : order) {
    if (options.global && global_budget <= 0) break;
    if (budget[s.group] <= 0) continue;
    keep[s.group][static_cast<size_t>(s.channel)] = false;
    --budget[s.group];
    --global_budget;
  }
  return keep;
}

Status PruneChannelsPass::Run(Graph& graph, PassStats* stats) {
  const ChannelAnalysis analysis = AnalyzeChannels(graph);
  TQ_ASSIGN_OR_RETURN(ChannelKeep keep, ChooseChannels(graph, analysis, options_));
  for (const auto& [g, mask] : keep) {
    const ChannelGroup& group = analysis.groups[static_cast<size_t>(g)];
    const int64_t kept = std::count(mask.begin(), mask.end(), true);
    if (kept == group.size) continue;
    std::ostringstream os;
    os << "prune_channels: group '" << group.name() << "' (" << group.producers.size()
       << " producer" << (group.producers.size() > 1 ? "s" : "") << ") " << group.size << " -> "
       << kept << " channels";
    stats->notes.push_back(os.str());
    stats->nodes_rewritten += static_cast<int64_t>(group.producers.size());
  }
  return RemoveChannels(graph, analysis, keep);
}

}  // namespace tinyq
