// The per-group sensitivity scan and the activation statistics of the prune pipeline.
#include <cmath>

#include "src/api/prune_internal.h"
#include "tinyq/executor.h"

namespace tinyq {

StatusOr<std::map<std::string, std::vector<double>>> ActivationChannelMeans(const Graph& graph,
                                                                            const Tensor& batch,
                                                                            int threads) {
  std::map<std::string, std::vector<double>> sums;
  int64_t samples = 0;
  auto observe = [&](const Value& v, const Tensor& t) {
    if (v.is_constant() || t.dtype() != DType::kF32 || t.rank() < 2) return;
    const int64_t n = t.dim(0), c = t.dim(1), inner = t.numel() / std::max<int64_t>(1, n * c);
    std::vector<double>& s = sums[v.name()];
    s.resize(static_cast<size_t>(c), 0.0);
    const float* d = t.data<float>();
    for (int64_t b = 0; b < n; ++b)
      for (int64_t ch = 0; ch < c; ++ch) {
        double acc = 0.0;
        const float* p = d + (b * c + ch) * inner;
        for (int64_t i = 0; i < inner; ++i) acc += std::fabs(p[i]);
        s[static_cast<size_t>(ch)] += acc / static_cast<double>(inner);
      }
  };
  ExecutorOptions eo;
  eo.threads = threads;
  TQ_ASSIGN_OR_RETURN(auto exec, Executor::Create(graph, eo));
  TensorMap feeds;
  feeds.emplace(graph.inputs().at(0)->name(), batch);
  TQ_RETURN_IF_ERROR(exec->RunBatch(feeds, observe).status());
  samples = batch.dim(0);
  for (auto& [name, s] : sums)
    for (double& x : s) x /= static_cast<double>(samples);
  return sums;
}

StatusOr<std::vector<ScanRow>> SensitivityScan(const Graph& graph,
                                               const PruneChannelsOptions& channels,
                                               const PruneOptions& o) {
  const ChannelAnalysis analysis = AnalyzeChannels(graph);
  const std::vector<int> prunable = analysis.Prunable();
  std::vector<ScanRow> rows;
  int64_t done = 0;
  const int64_t total = static_cast<int64_t>(prunable.size() * o.scan_ratios.size());
  for (int g : prunable) {
    const ChannelGroup& group = analysis.groups[static_cast<size_t>(g)];
    ScanRow row;
    row.group = group.name();
    row.channels = group.size;
    for (double r : o.scan_ratios) {
      PruneChannelsOptions co = channels;
      co.ratio = 0.0;
      co.global = false;
      co.per_layer = {{group.name(), r}};
      std::unique_ptr<Graph> g2 = graph.Clone();
      const ChannelAnalysis a2 = AnalyzeChannels(*g2);
      TQ_ASSIGN_OR_RETURN(ChannelKeep keep, ChooseChannels(*g2, a2, co));
      TQ_RETURN_IF_ERROR(RemoveChannels(*g2, a2, keep));
      TQ_ASSIGN_OR_RETURN(double m, ValidationMetric(*g2, o, o.scan_limit));
      row.metric.push_back(m);
      if (o.progress) o.progress("sensitivity scan", ++done, total);
    }
    rows.push_back(row);
  }
  return rows;
}

}  // namespace tinyq
