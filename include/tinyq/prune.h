// tinyq/prune.h - pruning that really shrinks the model: channel pruning with dependency groups,
// least-squares reconstruction of the next layers, a per-layer sensitivity scan, and unstructured
// magnitude / N:M pruning. `tinyq prune` and `tinyq.prune()` both call Prune().
//
//   tinyq::PruneOptions o;
//   o.preprocess = card.preprocess;
//   o.channel_ratio = 0.3;                 // or o.target_mac_reduction = 0.5
//   o.recover = "lsq";
//   TQ_ASSIGN_OR_RETURN(tinyq::PruneResult r, tinyq::Prune(*graph, calib, "calib.npz", o));
//   TQ_RETURN_IF_ERROR(tinyq::SaveOnnx(*r.graph, "model.pruned.onnx"));   // smaller shapes
//   std::cout << tinyq::PruneReportToText(r.report);
//
// The pruned graph keeps BatchNormalization nodes (sliced) and the input/output names and shapes;
// every later stage (quantize, export) sees the smaller shapes. docs/pruning.md has the details.
#ifndef TINYQ_PRUNE_H_
#define TINYQ_PRUNE_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tinyq/api.h"
#include "tinyq/quantize.h"
#include "tinyq/train.h"

namespace tinyq {

struct PruneOptions {
  Preprocess preprocess;
  std::string metric = "top1";  // for --val and --scan: "top1" | "auc"
  // ---- channel pruning (off when channel_ratio == 0, per_layer is empty and no MAC target)
  double channel_ratio = 0.0;               // fraction of each prunable group's channels, [0, 1)
  std::map<std::string, double> per_layer;  // Conv/Gemm node name -> ratio of its group
  bool global = false;                      // rank channels across groups (normalized scores)
  // > 0: the smallest uniform ratio (searched in steps of 1/64) removing at least this fraction
  // of the model's MACs; replaces channel_ratio.
  double target_mac_reduction = 0.0;
  std::string criterion = "l1";  // "l1" | "l2" | "bn" | "activation"
  // "none" | "lsq" | "distill" | "lsq+distill" (least squares first, then distillation from there)
  std::string recover = "none";
  double ridge = 1e-3;        // lsq: lambda = ridge * trace(A^T A) / columns
  int64_t calib_limit = 512;  // calibration samples for activation statistics and lsq
  int64_t positions = 16;     // lsq: sampled output positions per sample of a Conv layer
  // ---- recover "distill" / "lsq+distill": the pruned model is trained with knowledge distillation
  // from the unpruned one on `train` (x, labels y), after channel and magnitude pruning (weights
  // pruned to 0 stay 0). train_options.preprocess is replaced by `preprocess`. A feature loss on a
  // tensor whose channels were pruned compares the student with the teacher's kept channels.
  const Dataset* train = nullptr;
  std::string train_path;
  TrainOptions train_options;
  // ---- magnitude pruning (after channel pruning)
  double sparsity = 0.0;  // fraction of Conv/Gemm/MatMul weights set to 0; 0 = off
  bool magnitude_global = false;
  int nm_n = 0, nm_m = 0;  // N:M instead of `sparsity` (e.g. 2:4)
  // ---- evaluation
  bool scan = false;  // per-group sensitivity scan (needs val)
  std::vector<double> scan_ratios = {0.25, 0.5, 0.75};
  const Dataset* val = nullptr;  // validation set: metric before/after, scan
  std::string val_path;
  int64_t val_limit = 0;      // first N validation samples (0 = all)
  int64_t scan_limit = 1000;  // validation samples per scan point (0 = all)
  int threads = 0;
  StageProgress progress;
};

struct PrunedGroup {
  std::string name;                    // first producer
  std::vector<std::string> producers;  // Conv/Gemm nodes whose output channels these are
  int64_t channels_before = 0;
  int64_t channels_after = 0;
  std::string frozen_reason;  // non-empty: not prunable, and why
};

struct ReconstructedLayer {
  std::string node;
  int64_t rows = 0;           // sampled rows of the least-squares problem
  double error_before = 0.0;  // ||Y - X W||^2 / ||Y||^2 with the pruned weights as they were
  double error_after = 0.0;   // with the re-fitted weights
};

struct ScanRow {
  std::string group;
  int64_t channels = 0;
  std::vector<double> metric;  // one per PruneReport::scan_ratios
};

struct SparseLayerBytes {
  std::string node;
  double sparsity = 0.0;
  int64_t dense_bytes = 0;   // int8 weights, dense
  int64_t sparse_bytes = 0;  // tq_sparse encoding (src/runtime/tq_sparse.h)
};

struct PruneReport {
  std::string criterion;
  std::string recover;
  double channel_ratio = 0.0;
  int64_t macs_before = 0, macs_after = 0;
  int64_t params_before = 0, params_after = 0;
  int64_t onnx_bytes_before = 0, onnx_bytes_after = 0;
  std::vector<PrunedGroup> groups;
  std::vector<ReconstructedLayer> reconstructed;
  std::vector<double> scan_ratios;
  std::vector<ScanRow> scan;
  double weight_sparsity = 0.0;
  std::vector<SparseLayerBytes> sparse;
  int64_t int8_dense_bytes = 0, int8_sparse_bytes = 0;  // totals over `sparse`
  std::optional<TrainReport> distill;                   // recover "distill"
  std::optional<double> val_before, val_after;
  std::string metric;
  std::vector<std::string> notes;
  double seconds = 0.0;
};
// The "prune" section of the report (tinyq/report.h: PruneReportJson); no wall-clock time.
std::string PruneReportToJson(const PruneReport& r);
std::string PruneReportToText(const PruneReport& r);

struct PruneResult {
  std::unique_ptr<Graph> graph;  // float, BatchNormalization kept
  PruneReport report;
};

// Prunes a float model. Errors: InvalidArgument (ratios, criterion, data shapes, training
// options), Unsupported (an op the trainer cannot differentiate, with recover "distill"),
// FailedPrecondition (a quantized model; scan without val; recover "distill" without train).
StatusOr<PruneResult> Prune(const Graph& model, const Dataset& calib, const std::string& calib_path,
                            const PruneOptions& options);

// Least-squares reconstruction (He et al. 2017): for each node in `nodes` (Conv group 1 / Gemm
// of `pruned`), re-fits its weights and bias in closed form so that, fed the pruned graph's own
// input, it reproduces `original`'s output of the node of the same name (restricted to the kept
// output channels `out_keep[node]`, all when absent) on `batch` (preprocessed model inputs,
// [N, ...]). Ridge-regularized normal equations; Conv layers use im2col rows at `positions`
// sampled output positions per sample.
StatusOr<std::vector<ReconstructedLayer>> ReconstructLeastSquares(
    const Graph& original, Graph& pruned, const std::vector<std::string>& nodes,
    const std::map<std::string, std::vector<bool>>& out_keep, const Tensor& batch, double ridge,
    int64_t positions, int threads);

}  // namespace tinyq

#endif  // TINYQ_PRUNE_H_
