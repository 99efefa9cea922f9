// Prune: the pipeline behind `tinyq prune` and tinyq.prune(): channel pruning with dependency
// groups (optionally to a MAC target), least-squares recovery, magnitude / N:M pruning, the
// sensitivity scan and the report.
#include <algorithm>
#include <chrono>

#include "passes/prune_magnitude.h"
#include "passes/quantize_int8.h"
#include "src/api/prune_internal.h"
#include "tinyq/passes.h"

namespace tinyq {
namespace {

int64_t TotalMacs(const Graph& g) {
  int64_t m = 0;
  for (const auto& n : g.nodes()) m += NodeMacs(*n);
  return m;
}

int64_t TotalParams(const Graph& g) {
  int64_t p = 0;
  for (const auto& v : g.values())
    if (v->is_constant() && v->dtype() == DType::kF32) p += v->constant()->numel();
  return p;
}

StatusOr<int64_t> OnnxBytes(const Graph& g) {
  TQ_ASSIGN_OR_RETURN(std::string bytes, SerializeOnnx(g));
  return static_cast<int64_t>(bytes.size());
}

// MACs of `graph` after pruning with `options` (on a clone).
StatusOr<int64_t> MacsAfter(const Graph& graph, const PruneChannelsOptions& options) {
  std::unique_ptr<Graph> g = graph.Clone();
  const ChannelAnalysis a = AnalyzeChannels(*g);
  TQ_ASSIGN_OR_RETURN(ChannelKeep keep, ChooseChannels(*g, a, options));
  TQ_RETURN_IF_ERROR(RemoveChannels(*g, a, keep));
  return TotalMacs(*g);
}

// Conv (group 1) / Gemm nodes of `pruned` that lost input channels.
std::vector<std::string> NodesWithFewerInputs(const Graph& original, const Graph& pruned) {
  std::vector<std::string> out;
  for (const Node* n : pruned.TopoOrder()) {
    if (n->op() != OpKind::kConv && n->op() != OpKind::kGemm) continue;
    if (n->op() == OpKind::kConv && n->GetInt("group", 1) != 1) continue;
    const Node* o = original.FindNode(n->name());
    if (!o || !n->input(0) || !o->input(0)) continue;
    const Shape& a = n->input(0)->shape();
    const Shape& b = o->input(0)->shape();
    if (a.size() >= 2 && b.size() >= 2 && a[1] != b[1]) out.push_back(n->name());
  }
  return out;
}

// For every value whose channels `keep` prunes: the indices of the channels it keeps.
std::map<std::string, std::vector<int64_t>> KeptChannels(const ChannelAnalysis& analysis,
                                                         const ChannelKeep& keep) {
  std::map<std::string, std::vector<int64_t>> out;
  for (const auto& [value, atoms] : analysis.channels) {
    std::vector<int64_t> kept;
    for (size_t i = 0; i < atoms.size(); ++i) {
      auto it = keep.find(atoms[i].group);
      if (it == keep.end() || it->second[static_cast<size_t>(atoms[i].index)])
        kept.push_back(static_cast<int64_t>(i));
    }
    if (kept.size() < atoms.size()) out[value->name()] = std::move(kept);
  }
  return out;
}

Status ChannelPruning(Graph& g, const Graph& original, const Tensor& calib_batch,
                      PruneChannelsOptions& co, const PruneOptions& o, PruneReport* report,
                      std::map<std::string, std::vector<int64_t>>* kept_channels) {
  if (co.criterion == PruneCriterion::kActivation) {
    TQ_ASSIGN_OR_RETURN(co.activation, ActivationChannelMeans(g, calib_batch, o.threads));
  }
  if (o.target_mac_reduction > 0) {
    if (!(o.target_mac_reduction < 1.0))
      return InvalidArgument("MAC reduction target must be in (0, 1)");
    const double before = static_cast<double>(TotalMacs(g));
    bool reached = false;
    for (int k = 1; k < 64 && !reached; ++k) {
      co.ratio = k / 64.0;
      TQ_ASSIGN_OR_RETURN(int64_t macs, MacsAfter(g, co));
      reached = 1.0 - static_cast<double>(macs) / before >= o.target_mac_reduction;
    }
    report->notes.push_back(std::string(reached ? "" : "MAC target not reached; ") +
                            "uniform channel ratio " + std::to_string(co.ratio));
  }
  report->channel_ratio = co.ratio;
  const ChannelAnalysis analysis = AnalyzeChannels(g);
  TQ_ASSIGN_OR_RETURN(ChannelKeep keep, ChooseChannels(g, analysis, co));
  std::map<std::string, std::vector<bool>> out_keep;
  for (size_t gi = 0; gi < analysis.groups.size(); ++gi) {
    const ChannelGroup& group = analysis.groups[gi];
    PrunedGroup pg;
    pg.name = group.name();
    for (const Node* p : group.producers) pg.producers.push_back(p->name());
    pg.channels_before = group.size;
    pg.channels_after = group.size;
    pg.frozen_reason = group.frozen_reason;
    auto it = keep.find(static_cast<int>(gi));
    if (it != keep.end()) {
      pg.channels_after = std::count(it->second.begin(), it->second.end(), true);
      for (const Node* p : group.producers) out_keep[p->name()] = it->second;
    }
    report->groups.push_back(pg);
  }
  *kept_channels = KeptChannels(analysis, keep);
  TQ_RETURN_IF_ERROR(RemoveChannels(g, analysis, keep));
  if (o.recover == "lsq" || o.recover == "lsq+distill") {
    TQ_ASSIGN_OR_RETURN(
        report->reconstructed,
        ReconstructLeastSquares(original, g, NodesWithFewerInputs(original, g), out_keep,
                                calib_batch, o.ridge, o.positions, o.threads));
  }
  return Status::Ok();
}

}  // namespace

StatusOr<double> ValidationMetric(const Graph& graph, const PruneOptions& o, int64_t limit) {
  EvalOptions eo;
  eo.preprocess = o.preprocess;
  eo.metric = o.metric;
  eo.threads = o.threads;
  eo.limit = limit;
  TQ_ASSIGN_OR_RETURN(EvalResult r, Evaluate(graph, *o.val, o.val_path, eo));
  return o.metric == "auc" ? r.value * 100.0 : r.value;
}

StatusOr<PruneResult> Prune(const Graph& model, const Dataset& calib, const std::string& calib_path,
                            const PruneOptions& o) {
  const auto start = std::chrono::steady_clock::now();
  if (IsQuantizedGraph(model))
    return FailedPrecondition(model.Where() + "prune needs a float model; this one is quantized");
  const bool distill = o.recover == "distill" || o.recover == "lsq+distill";
  if (o.recover != "none" && o.recover != "lsq" && !distill)
    return InvalidArgument("unknown recovery '" + o.recover +
                           "' (none, lsq, distill, lsq+distill)");
  if (distill && o.train == nullptr)
    return FailedPrecondition("--recover distill needs training data (--train TRAIN.npz)");
  if (o.scan && !o.val) return FailedPrecondition("the sensitivity scan needs a validation set");
  TQ_ASSIGN_OR_RETURN(PruneCriterion criterion, ParsePruneCriterion(o.criterion));
  PruneResult result;
  PruneReport& report = result.report;
  report.criterion = o.criterion;
  report.recover = o.recover;
  report.metric = o.metric;
  result.graph = model.Clone();
  Graph& g = *result.graph;
  TQ_RETURN_IF_ERROR(RunPasses(g, {"fold_constants", "eliminate_identity", "eliminate_dead"}));
  const std::unique_ptr<Graph> original = g.Clone();
  report.macs_before = TotalMacs(g);
  report.params_before = TotalParams(g);
  TQ_ASSIGN_OR_RETURN(report.onnx_bytes_before, OnnxBytes(model));

  if (calib.x.rank() < 1 || calib.x.dim(0) == 0)
    return InvalidArgument(calib_path + ": x holds no samples");
  const Value* in = g.inputs().at(0);
  const int64_t b = std::max<int64_t>(1, in->shape().empty() ? 1 : in->shape()[0]);
  int64_t n = calib.x.dim(0);
  if (o.calib_limit > 0) n = std::min(n, o.calib_limit);
  n -= n % b;
  if (n == 0) return InvalidArgument(calib_path + ": fewer calibration samples than the batch");
  TQ_ASSIGN_OR_RETURN(Tensor calib_batch,
                      PrepareInputBatch(g, calib.x, 0, n, o.preprocess, calib_path));

  PruneChannelsOptions co;
  co.ratio = o.channel_ratio;
  co.per_layer = o.per_layer;
  co.global = o.global;
  co.criterion = criterion;
  if (o.val) {
    TQ_ASSIGN_OR_RETURN(report.val_before, ValidationMetric(g, o, o.val_limit));
  }
  if (o.scan) {
    if (criterion == PruneCriterion::kActivation) {
      TQ_ASSIGN_OR_RETURN(co.activation, ActivationChannelMeans(g, calib_batch, o.threads));
    }
    report.scan_ratios = o.scan_ratios;
    TQ_ASSIGN_OR_RETURN(report.scan, SensitivityScan(g, co, o));
  }
  const bool channels = o.channel_ratio > 0 || !o.per_layer.empty() || o.target_mac_reduction > 0;
  std::map<std::string, std::vector<int64_t>> kept_channels;
  if (channels)
    TQ_RETURN_IF_ERROR(ChannelPruning(g, *original, calib_batch, co, o, &report, &kept_channels));
  if (o.sparsity > 0 || o.nm_n > 0 || o.nm_m > 0) {
    PruneMagnitudeOptions mo;
    mo.sparsity = o.sparsity;
    mo.global = o.magnitude_global;
    mo.n = o.nm_n;
    mo.m = o.nm_m;
    PruneMagnitudePass pass(mo);
    PassStats stats;
    TQ_RETURN_IF_ERROR(pass.Run(g, &stats));
  }
  if (distill) {
    TQ_ASSIGN_OR_RETURN(report.distill, DistillRecovery(*original, g, kept_channels, o));
  }
  TQ_RETURN_IF_ERROR(Verify(g));
  report.weight_sparsity = WeightSparsity(g);
  report.sparse = SparseWeightBytes(g);
  for (const SparseLayerBytes& s : report.sparse) {
    report.int8_dense_bytes += s.dense_bytes;
    report.int8_sparse_bytes += std::min(s.dense_bytes, s.sparse_bytes);
  }
  report.macs_after = TotalMacs(g);
  report.params_after = TotalParams(g);
  TQ_ASSIGN_OR_RETURN(report.onnx_bytes_after, OnnxBytes(g));
  if (o.val) {
    TQ_ASSIGN_OR_RETURN(report.val_after, ValidationMetric(g, o, o.val_limit));
  }
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace tinyq
