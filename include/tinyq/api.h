// tinyq/api.h - the pipelines shared by the CLI and the Python package.
//
// Front ends parse arguments and print; everything they do goes through these functions, so the
// CLI and Python give the same numbers for the same inputs.
#ifndef TINYQ_API_H_
#define TINYQ_API_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "tinyq/data.h"
#include "tinyq/executor.h"
#include "tinyq/ir.h"
#include "tinyq/onnx.h"
#include "tinyq/status.h"

namespace tinyq {

// ---- inspect ---------------------------------------------------------------------------------
struct NodeSummary {
  std::string name;
  std::string op;
  std::vector<Shape> output_shapes;
  int64_t params = 0;
  int64_t macs = 0;
};
struct ValueSummary {
  std::string name;
  std::string dtype;
  Shape shape;
};
struct ModelSummary {
  std::string source;
  int64_t opset = 0;
  std::vector<ValueSummary> inputs;
  std::vector<ValueSummary> outputs;
  std::vector<NodeSummary> nodes;  // topological order
  int64_t total_params = 0;        // elements of all constant weights/biases
  int64_t total_macs = 0;
  int64_t weight_bytes = 0;        // bytes of those constants as stored
};
ModelSummary Summarize(const Graph& graph);
std::string SummaryToJson(const ModelSummary& s);   // pretty-printed JSON object
std::string SummaryToText(const ModelSummary& s);   // aligned table for terminals

// ---- execution ----------------------------------------------------------------------------------
// The graph the executors run: a clone of `graph` after the default float pipeline
// (fold_constants, eliminate_identity, fold_batch_norm, fuse_activation, eliminate_dead), as ONNX
// Runtime optimizes before running. Inputs and outputs keep their names and shapes.
StatusOr<std::unique_ptr<Graph>> OptimizeForInference(const Graph& graph);

// What an executor runs for a loaded model: a float graph is optimized (above) and runs on the
// float executor; a quantized graph (QOp form, docs/quantized_ir.md) runs as it is on the int8
// executor. `require_int8` (CLI --int8) on a float graph is FailedPrecondition.
struct RunnableGraph {
  std::unique_ptr<Graph> owned;  // the optimized clone (float graphs)
  const Graph* graph = nullptr;  // what to run (borrowed from the caller's graph when quantized)
  bool int8 = false;
};
StatusOr<RunnableGraph> PrepareRunnable(const Graph& graph, bool require_int8);

// ---- preprocessing and model cards ------------------------------------------------------------
// Model input = ((x * scale) - mean) / std, in float32, from the dataset's x of any numeric dtype.
struct Preprocess {
  float scale = 1.0f;
  float mean = 0.0f;
  float std = 1.0f;
};

// The machine-readable card next to each zoo model (benchmarks/zoo/<name>/card.json).
struct ModelCard {
  std::string name;
  std::string task = "classification";  // "classification" | "anomaly"
  std::string dataset;
  std::string split = "test";
  std::string input_name;
  Shape input_shape;
  Preprocess preprocess;
  std::string metric = "top1";  // "top1" | "auc"
  double float_metric = 0.0;
};
StatusOr<ModelCard> ReadModelCard(const std::string& path);

// ---- evaluation --------------------------------------------------------------------------------
struct EvalOptions {
  Preprocess preprocess;
  std::string metric = "top1";  // "top1" (needs labels) | "auc" (labels: 0 normal, 1 anomaly)
  int threads = 0;              // 0 = all cores
  int64_t limit = 0;            // evaluate the first `limit` samples (0 = all)
  bool int8 = false;            // use the int8 executor
  // Called with (samples done, total) during evaluation; may be empty.
  std::function<void(int64_t, int64_t)> progress;
};
struct EvalResult {
  std::string metric;          // "top1" or "auc"
  double value = 0.0;          // top-1 in percent, or AUC in [0,1]
  double loss = 0.0;           // mean cross-entropy (top1) or mean reconstruction MSE (auc)
  int64_t samples = 0;
  bool int8 = false;           // ran on the int8 executor (a quantized model)
  std::vector<int64_t> predictions;   // top1: argmax per sample
  std::vector<double> scores;         // auc: anomaly score per sample
};
// Runs the model over the dataset (x reshaped to the model input's per-sample shape) and scores it.
// Errors: InvalidArgument naming the data file when shapes/labels do not fit the model.
StatusOr<EvalResult> Evaluate(const Graph& graph, const Dataset& data, const std::string& data_path,
                              const EvalOptions& options);

// Converts a dataset x slice [begin, end) to the model input tensor (float32, preprocessed).
StatusOr<Tensor> PrepareInputBatch(const Graph& graph, const Tensor& x, int64_t begin, int64_t end,
                                   const Preprocess& pre, const std::string& data_path);

// Area under the ROC curve of `scores` for binary `labels` (1 = positive); ties count half.
double RocAuc(const std::vector<double>& scores, const std::vector<int64_t>& labels);

// Writes `contents` to `path` via a temp file + rename; IoError naming the path on failure.
Status WriteFileAtomic(const std::string& path, const std::string& contents);
// Several outputs of one run, all or none: each is written to a temp file next to its path, and
// they are renamed into place only when every one is written; IoError naming the path that failed.
Status WriteFilesAtomic(const std::vector<std::pair<std::string, std::string>>& files);

}  // namespace tinyq

#endif  // TINYQ_API_H_
