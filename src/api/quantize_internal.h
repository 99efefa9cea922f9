// src/api/quantize_internal.h - the pieces of the quantize pipeline (src/api/quantize*.cc).
#ifndef TINYQ_SRC_API_QUANTIZE_INTERNAL_H_
#define TINYQ_SRC_API_QUANTIZE_INTERNAL_H_

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "tinyq/quantize.h"

namespace tinyq {

// "node#i" for output i of its producer ("" for graph inputs/constants). quantize_int8 keeps node
// names, so the key matches a float tensor with its int8 counterpart.
inline std::string NodeOutputKey(const Value& v) {
  const Node* p = v.producer();
  if (!p) return "";
  for (int i = 0; i < p->num_outputs(); ++i)
    if (p->output(i) == &v) return p->name() + "#" + std::to_string(i);
  return "";
}

// Evaluation settings of the validation set (--max-drop, --search) from the quantize options.
inline EvalOptions ValEvalOptions(const QuantizeOptions& o, bool int8) {
  EvalOptions eo;
  eo.preprocess = o.preprocess;
  eo.metric = o.metric;
  eo.threads = o.threads;
  eo.int8 = int8;
  return eo;
}

struct QuantizedGraph {
  std::unique_ptr<Graph> graph;
  std::vector<std::string> notes;  // nodes left in float and why
  int64_t int8_nodes = 0;
};

// quantize_int8 on a clone of `float_graph`, then an int8 executor is prepared; a node the int8
// kernels refuse is moved to float (noted) and the graph rebuilt, until it prepares.
StatusOr<QuantizedGraph> BuildQuantizedGraph(const Graph& float_graph,
                                             const CalibrationTable& table,
                                             const QuantizeOptions& o,
                                             std::set<std::string> float_nodes,
                                             std::vector<std::string>* notes);

// Runs the first `limit` samples of `data` through the float graph and the quantized graph, batch
// by batch: for each batch, `on_float` sees every float tensor, then `on_int8` every tensor of the
// int8 run (int8 tensors already dequantized to f32). A null visitor skips that executor.
using TensorVisitor = std::function<void(const Value&, const Tensor&)>;
Status StreamFloatAndInt8(const Graph& float_graph, const Graph& int8_graph, const Dataset& data,
                          const std::string& data_path, const QuantizeOptions& o, int64_t limit,
                          const TensorVisitor& on_float, const TensorVisitor& on_int8);

// Empirical bias correction: for every quantized Conv/Gemm, the per-channel mean output error
// (float - int8) over the calibration samples is added to its int32 bias.
Status CorrectBias(const Graph& float_graph, Graph& int8_graph, const Dataset& calib,
                   const std::string& calib_path, const QuantizeOptions& o,
                   std::vector<std::string>* notes);

// AdaRound (src/api/quantize_adaround.cc): re-rounds the int8 weights of every quantized 2-D Conv
// and Gemm of `int8_graph` in graph order; one report row per layer; `learned` receives each
// layer's int8 weights (to re-apply after a rebuild, ApplyLearnedRounding).
using LearnedRounding = std::map<std::string, std::vector<int8_t>>;
Status AdaRoundGraph(const Graph& float_graph, Graph& int8_graph, const Dataset& calib,
                     const std::string& calib_path, const QuantizeOptions& o,
                     std::vector<AdaRoundLayerReport>* report, LearnedRounding* learned);
// Writes the learned weights into the nodes of `int8_graph` that are still quantized.
void ApplyLearnedRounding(const LearnedRounding& learned, Graph& int8_graph);

// A model's outputs on (the first `limit` samples of, 0 = all) a data set, dequantized to float,
// and with metric "auc" its per-sample anomaly scores (mean squared reconstruction error against
// the preprocessed input). src/api/quantize_score.cc.
struct ModelOutputs {
  std::vector<float> out;
  std::vector<double> scores;
  int64_t samples = 0;
};
StatusOr<ModelOutputs> RunForScore(const Graph& graph, const Dataset& data, const std::string& path,
                                   const QuantizeOptions& o, int64_t limit);

// A quantized model scored against its float model: the metric (top-1 % against the labels of
// `labels`, or against the float model's class when it is null or has none; AUC when the labels
// hold both classes, else none) and the fidelity, the output SQNR in dB
// 10 log10(sum f^2 / sum (f - q)^2).
struct ModelScore {
  std::optional<double> metric;
  double fidelity = 0.0;
  std::vector<bool> correct;        // top-1: per sample
  std::optional<double> agreement;  // top-1: % of samples whose class is the float model's
};
ModelScore ScoreAgainst(const ModelOutputs& got, const ModelOutputs& ref, const Dataset* labels,
                        const std::string& metric);
// The search's rule: `a` beats `b` when its top-1 is better by a significant margin (McNemar's
// test at 95 % on the samples the two classify differently), or the difference is not significant
// and its fidelity is higher (AUC: higher AUC, or equal and higher fidelity).
bool SignificantlyBetter(const ModelScore& a, const ModelScore& b);
// The AdaRound guard's rule: the learned rounding is kept over round-to-nearest only when its
// metric is not lower AND its fidelity is higher AND, for a classifier, its top-1 or its agreement
// with the float model's class is strictly higher (a tie on both is no evidence for it).
bool LearnedRoundingEarnsItsPlace(const ModelScore& learned, const ModelScore& nearest);

// Quantize without options.search. For a caller that scores the result on o.val (the search):
// `val_ref` (may be null) is the float model's outputs on o.val, used instead of running it
// again (the AdaRound guard's reference; it must be what RunForScore gives for this pipeline's
// float graph, so not with o.equalize); `val_outputs` (may be null) receives the result's own
// outputs on o.val when the pipeline has already computed them (else it stays empty).
StatusOr<QuantizeResult> QuantizeOnce(const Graph& model, const Dataset& calib,
                                      const std::string& calib_path, const QuantizeOptions& o,
                                      const ModelOutputs* val_ref,
                                      std::optional<ModelOutputs>* val_outputs);

// Quantize with options.search (src/api/quantize_search.cc): every candidate configuration
// quantized and scored on options.val, the best one returned with the search table in its report.
StatusOr<QuantizeResult> QuantizeSearch(const Graph& model, const Dataset& calib,
                                        const std::string& calib_path, const QuantizeOptions& o);

// SQNR / cosine of every int8 tensor against the float tensor of the same node output.
StatusOr<std::vector<LayerError>> AnalyzeLayers(const Graph& float_graph, const Graph& int8_graph,
                                                const Dataset& calib, const std::string& calib_path,
                                                const QuantizeOptions& o);

}  // namespace tinyq

#endif  // TINYQ_SRC_API_QUANTIZE_INTERNAL_H_
