// Quantize: the post-training int8 pipeline shared by `tinyq quantize` and `tinyq.quantize()`.
//
//   optimize (fold BN, fuse activations) -> [equalize_cross_layer] -> calibrate -> quantize_int8
//   -> int8 executor check (nodes without an int8 kernel fall back to float) -> [AdaRound]
//   -> [bias correction] -> per-layer error analysis -> [--max-drop: float fallback of the most
//   sensitive layers]. With `search`, the whole pipeline runs once per candidate configuration
//   (src/api/quantize_search.cc).
#include "tinyq/quantize.h"

#include <algorithm>
#include <chrono>
#include <set>

#include "passes/quantize_int8.h"
#include "passes/registry.h"
#include "src/api/quantize_internal.h"

namespace tinyq {
namespace {

// The node named in an error message "...: node 'NAME' (Op): ...", or "".
std::string NodeInMessage(const std::string& msg) {
  const std::string key = "node '";
  const size_t a = msg.find(key);
  if (a == std::string::npos) return "";
  const size_t b = msg.find("' (", a + key.size());
  return b == std::string::npos ? "" : msg.substr(a + key.size(), b - a - key.size());
}

int64_t WeightBytes(const Graph& g) { return Summarize(g).weight_bytes; }

TensorQuantInfo InfoOf(const Value& v) {
  TensorQuantInfo t;
  t.name = v.name();
  // The report spells dtypes as numpy does ("int8", "float32"; include/tinyq/quantize.h).
  t.dtype = v.dtype() == DType::kS8    ? "int8"
            : v.dtype() == DType::kF32 ? "float32"
                                       : DTypeName(v.dtype());
  t.shape = v.shape();
  if (v.quant() && v.quant()->scale.size() == 1) {
    t.scale = v.quant()->scale[0];
    t.zero_point = v.quant()->zero_point[0];
  }
  return t;
}

// Scores the model with learned rounding and the one rounded to nearest against the float model
// on the validation set, or without one on the calibration samples (AdaRoundGuard). `val_ref`:
// the float model's outputs on o.val when the caller has them (else computed); `kept_outputs`
// (may be null) is set to the outputs of the model the guard keeps.
StatusOr<AdaRoundGuard> GuardAdaRound(const Graph& fg, const Graph& nearest, const Graph& learned,
                                      const Dataset& calib, const std::string& calib_path,
                                      const QuantizeOptions& o, const ModelOutputs* val_ref,
                                      std::optional<ModelOutputs>* kept_outputs) {
  const Dataset& data = o.val ? *o.val : calib;
  const std::string& path = o.val ? o.val_path : calib_path;
  const int64_t limit = o.val ? 0 : o.calib_limit;
  ModelOutputs computed;
  if (!o.val || !val_ref) {
    TQ_ASSIGN_OR_RETURN(computed, RunForScore(fg, data, path, o, limit));
  }
  const ModelOutputs& ref = o.val && val_ref ? *val_ref : computed;
  TQ_ASSIGN_OR_RETURN(ModelOutputs a, RunForScore(nearest, data, path, o, limit));
  TQ_ASSIGN_OR_RETURN(ModelOutputs b, RunForScore(learned, data, path, o, limit));
  // The calibration data's labels are not used: Python passes no labels, and the CLI must decide
  // as Python does.
  const ModelScore sa = ScoreAgainst(a, ref, o.val, o.metric);
  const ModelScore sb = ScoreAgainst(b, ref, o.val, o.metric);
  AdaRoundGuard g;
  g.data = path;
  g.samples = ref.samples;
  g.metric = !sa.metric                   ? ""
             : o.metric == "auc"          ? "auc"
             : o.val && o.val->has_labels ? "top1"
                                          : "agreement";
  g.metric_nearest = sa.metric;
  g.metric_adaround = sb.metric;
  g.fidelity_nearest = sa.fidelity;
  g.fidelity_adaround = sb.fidelity;
  g.agreement_nearest = sa.agreement;
  g.agreement_adaround = sb.agreement;
  g.kept = LearnedRoundingEarnsItsPlace(sb, sa);
  if (kept_outputs) *kept_outputs = std::move(g.kept ? b : a);
  return g;
}

}  // namespace

StatusOr<QuantizedGraph> BuildQuantizedGraph(const Graph& float_graph,
                                             const CalibrationTable& table,
                                             const QuantizeOptions& o,
                                             std::set<std::string> float_nodes,
                                             std::vector<std::string>* notes) {
  QuantizedGraph out;
  // Nodes whose int8 kernel refuses them (prepare errors) move to float until the graph prepares.
  for (int attempt = 0; attempt < 1000; ++attempt) {
    out.graph = float_graph.Clone();
    QuantizeInt8Options qo;
    qo.table = &table;
    qo.float_io = o.float_io;
    qo.weight_bits = o.reduce_range ? 7 : 8;
    qo.float_nodes = float_nodes;
    QuantizeInt8Pass pass(std::move(qo));
    PassStats stats;
    TQ_RETURN_IF_ERROR(RunPass(*out.graph, pass, &stats));
    ExecutorOptions eo;
    eo.int8 = true;
    auto exec = Executor::Create(*out.graph, eo);
    if (exec.ok()) {
      out.notes = stats.notes;
      for (const auto& n : out.graph->nodes())
        out.int8_nodes += n->output(0) && n->output(0)->dtype() == DType::kS8 &&
                          n->op() != OpKind::kQuantizeLinear;
      return out;
    }
    const std::string node = NodeInMessage(exec.status().message());
    if (node.empty() || float_nodes.count(node) || !float_graph.FindNode(node))
      return exec.status();
    float_nodes.insert(node);
    if (notes)
      notes->push_back("quantize: node '" + node +
                       "' falls back to float: " + exec.status().message());
  }
  return Internal("quantize: int8 fallback did not converge");
}

StatusOr<QuantizeResult> Quantize(const Graph& model, const Dataset& calib,
                                  const std::string& calib_path, const QuantizeOptions& o) {
  if (o.adaround && o.adaround_iters < 1)
    return InvalidArgument("--adaround-iters must be >= 1, got " +
                           std::to_string(o.adaround_iters));
  if (o.search) return QuantizeSearch(model, calib, calib_path, o);
  return QuantizeOnce(model, calib, calib_path, o, nullptr, nullptr);
}

StatusOr<QuantizeResult> QuantizeOnce(const Graph& model, const Dataset& calib,
                                      const std::string& calib_path, const QuantizeOptions& o,
                                      const ModelOutputs* val_ref,
                                      std::optional<ModelOutputs>* val_outputs) {
  const auto t0 = std::chrono::steady_clock::now();
  QuantizeResult result;
  QuantizeReport& rep = result.report;
  TQ_ASSIGN_OR_RETURN(std::unique_ptr<Graph> fg, OptimizeForInference(model));
  if (o.equalize) {
    PassStats st;
    TQ_RETURN_IF_ERROR(RunPasses(*fg, {"equalize_cross_layer"}, &st));
    rep.notes.insert(rep.notes.end(), st.notes.begin(), st.notes.end());
  }
  rep.method = CalibrationMethodName(o.method);
  if (o.table) {
    result.table = *o.table;
    rep.method = "table";
  } else {
    CalibrateOptions co;
    co.preprocess = o.preprocess;
    co.observer.method = o.method;
    co.observer.percentile = o.percentile;
    co.limit = o.calib_limit;
    co.threads = o.threads;
    co.progress = o.progress;
    TQ_ASSIGN_OR_RETURN(result.table, Calibrate(*fg, calib, calib_path, co));
  }
  rep.calib_samples = o.calib_limit > 0 ? std::min(o.calib_limit, calib.x.dim(0)) : calib.x.dim(0);

  std::set<std::string> float_nodes(o.float_nodes.begin(), o.float_nodes.end());
  for (const std::string& n : float_nodes)
    if (!fg->FindNode(n))
      return InvalidArgument(model.Where() + "--float-node '" + n + "': no such node");
  TQ_ASSIGN_OR_RETURN(QuantizedGraph qg,
                      BuildQuantizedGraph(*fg, result.table, o, float_nodes, &rep.notes));
  LearnedRounding learned;
  if (o.adaround) {
    std::unique_ptr<Graph> nearest = qg.graph->Clone();
    TQ_RETURN_IF_ERROR(
        AdaRoundGraph(*fg, *qg.graph, calib, calib_path, o, &rep.adaround, &learned));
    if (o.adaround_guard) {
      // The model the guard keeps is the final one unless bias correction or --max-drop change
      // it: then its validation outputs are the caller's too.
      const bool final_model = o.val && !o.bias_correction && o.max_drop < 0.0;
      TQ_ASSIGN_OR_RETURN(rep.adaround_guard,
                          GuardAdaRound(*fg, *nearest, *qg.graph, calib, calib_path, o, val_ref,
                                        final_model ? val_outputs : nullptr));
    }
    if (rep.adaround_guard && !rep.adaround_guard->kept) {
      qg.graph = std::move(nearest);
      learned.clear();
      rep.notes.push_back("adaround: not kept, the model with learned rounding is not better on " +
                          rep.adaround_guard->data + " than with round-to-nearest");
    }
  }
  if (o.bias_correction)
    TQ_RETURN_IF_ERROR(CorrectBias(*fg, *qg.graph, calib, calib_path, o, &rep.notes));

  TQ_ASSIGN_OR_RETURN(rep.layers, AnalyzeLayers(*fg, *qg.graph, calib, calib_path, o));

  if (o.max_drop >= 0.0) {
    if (!o.val) return InvalidArgument("--max-drop needs a validation set (--val)");
    const EvalOptions eo = ValEvalOptions(o, false);
    TQ_ASSIGN_OR_RETURN(EvalResult fr, Evaluate(*fg, *o.val, o.val_path, eo));
    const double scale = o.metric == "auc" ? 100.0 : 1.0;
    rep.val_float = fr.value;
    TQ_ASSIGN_OR_RETURN(EvalResult qr, Evaluate(*qg.graph, *o.val, o.val_path, eo));
    rep.val_int8 = qr.value;
    // Most sensitive first: lowest SQNR of a quantized node's output.
    std::vector<LayerError> order = rep.layers;
    std::stable_sort(order.begin(), order.end(), [](const LayerError& a, const LayerError& b) {
      return a.sqnr_db < b.sqnr_db;
    });
    // The best configuration seen (highest validation metric; fewest fallbacks on a tie) is kept
    // if the limit cannot be reached.
    QuantizedGraph best{qg.graph->Clone(), qg.notes, qg.int8_nodes};
    double best_metric = qr.value;
    size_t best_steps = 0;
    size_t next = 0;
    while ((fr.value - *rep.val_int8) * scale > o.max_drop && next < order.size()) {
      const LayerError& victim = order[next++];
      if (victim.node.empty() || float_nodes.count(victim.node)) continue;
      const int64_t before = WeightBytes(*qg.graph);
      float_nodes.insert(victim.node);
      TQ_ASSIGN_OR_RETURN(qg, BuildQuantizedGraph(*fg, result.table, o, float_nodes, &rep.notes));
      ApplyLearnedRounding(learned, *qg.graph);
      if (o.bias_correction)
        TQ_RETURN_IF_ERROR(CorrectBias(*fg, *qg.graph, calib, calib_path, o, &rep.notes));
      TQ_ASSIGN_OR_RETURN(qr, Evaluate(*qg.graph, *o.val, o.val_path, eo));
      rep.val_int8 = qr.value;
      rep.fallbacks.push_back(
          {victim.node, victim.op, victim.sqnr_db, WeightBytes(*qg.graph) - before, qr.value});
      if (qr.value > best_metric) {
        best = {qg.graph->Clone(), qg.notes, qg.int8_nodes};
        best_metric = qr.value;
        best_steps = rep.fallbacks.size();
      }
      if (o.progress) o.progress("max-drop", static_cast<int64_t>(next), 0);
    }
    if ((fr.value - *rep.val_int8) * scale > o.max_drop) {
      rep.notes.push_back(
          "max-drop: the limit was not reached with every candidate in float; kept "
          "the best configuration tried (" +
          std::to_string(best_steps) + " fallbacks, " + std::to_string(best.int8_nodes) +
          " int8 nodes)");
      qg = std::move(best);
      rep.val_int8 = best_metric;
      rep.fallbacks.resize(best_steps);
    }
    if (qg.int8_nodes == 0)
      rep.notes.push_back("max-drop: no node is left in int8; the model is float");
    TQ_ASSIGN_OR_RETURN(rep.layers, AnalyzeLayers(*fg, *qg.graph, calib, calib_path, o));
  }

  for (const Value* v : qg.graph->inputs()) rep.inputs.push_back(InfoOf(*v));
  for (const Value* v : qg.graph->outputs()) rep.outputs.push_back(InfoOf(*v));
  rep.int8_nodes = qg.int8_nodes;
  for (const std::string& n : qg.notes) rep.float_nodes.push_back(n);
  rep.float_weight_bytes = WeightBytes(*fg);
  rep.quantized_weight_bytes = WeightBytes(*qg.graph);
  result.graph = std::move(qg.graph);
  rep.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return result;
}

}  // namespace tinyq
