// tinyq/quantize.h - post-training int8 quantization: calibrate, quantize_int8, accuracy recovery
// (bias correction, cross-layer equalization), per-layer error analysis and the --max-drop float
// fallback loop. `tinyq quantize` and `tinyq.quantize()` both call Quantize().
//
//   tinyq::QuantizeOptions o;
//   o.preprocess = card.preprocess;
//   TQ_ASSIGN_OR_RETURN(tinyq::QuantizeResult r, tinyq::Quantize(*graph, calib, "calib.npz", o));
//   TQ_RETURN_IF_ERROR(tinyq::SaveOnnx(*r.graph, "model.int8.onnx"));   // QDQ ONNX
//   std::cout << tinyq::QuantizeReportToText(r.report);
#ifndef TINYQ_QUANTIZE_H_
#define TINYQ_QUANTIZE_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tinyq/api.h"
#include "tinyq/quant.h"

namespace tinyq {

// Progress of a long stage: (stage name, done, total).
using StageProgress = std::function<void(const std::string&, int64_t, int64_t)>;

struct CalibrateOptions {
  Preprocess preprocess;
  ObserverOptions observer;
  int64_t limit = 0;  // the first `limit` samples (0 = all)
  int threads = 0;    // 0 = all cores
  StageProgress progress;
};

// Streams the dataset through the float model in batches and observes every float activation
// (graph inputs included): memory is flat in the number of samples. `graph` should be the
// optimized float graph that will be quantized (value names must match). InvalidArgument naming
// the tensor if a value is NaN/inf.
StatusOr<CalibrationTable> Calibrate(const Graph& graph, const Dataset& data,
                                     const std::string& data_path, const CalibrateOptions& options);

struct QuantizeOptions {
  Preprocess preprocess;
  std::string metric = "top1";                        // for --max-drop: "top1" | "auc"
  // The default clips each activation range at the 99.99th percentile of |x| on the calibration
  // data: with 1,000 samples the exact min/max is set by a few outliers (docs/quantization.md).
  CalibrationMethod method = CalibrationMethod::kPercentile;
  double percentile = 99.99;                          // kPercentile
  int64_t calib_limit = 1000;                         // calibration samples (0 = all)
  std::optional<CalibrationTable> table;              // precomputed ranges: skip calibration
  bool float_io = false;                              // keep f32 inputs/outputs
  bool reduce_range = false;                          // 7-bit weights [-63, 63] (x86 without VNNI)
  bool bias_correction = false;
  bool equalize = false;                              // cross-layer equalization before calibration
  // AdaRound (Nagel et al. 2020): learned rounding of every quantized Conv/Gemm's int8 weights
  // against the float layer's output on the calibration data (weights stay per-channel symmetric
  // int8 with the same scales; src/train/adaround.h).
  bool adaround = false;
  int adaround_iters = 1000;  // Adam steps per layer
  // The learned rounding is then checked on `val` (or the calibration samples) and undone unless
  // the model does better than with round-to-nearest (AdaRoundGuard). false skips the
  // check (`--no-adaround-check`, `adaround_check=False`).
  bool adaround_guard = true;
  // Configuration search: quantize with each candidate (calibration methods, then bias
  // correction, then AdaRound; docs/quantization.md) and keep the one with the best metric on
  // `val` (a split held out from the training data, never the test set). Needs `val`.
  bool search = false;
  std::vector<std::string> float_nodes;               // nodes the user keeps in float
  double max_drop = -1.0;                             // metric points (AUC x 100); < 0: off
  const Dataset* val = nullptr;  // validation set for max_drop / search / the AdaRound guard
  std::string val_path;
  int64_t analysis_samples = 256;                     // samples for the per-layer error table
  int threads = 0;
  StageProgress progress;
};

struct TensorQuantInfo {
  std::string name;
  std::string dtype;  // "int8" or "float32"
  Shape shape;
  float scale = 0.0f;  // int8 only
  int32_t zero_point = 0;
};

// One row of the per-layer error table: a quantized tensor against the float model's tensor of the
// same name, over `analysis_samples` calibration samples.
struct LayerError {
  std::string tensor;
  std::string node;
  std::string op;
  double sqnr_db = 0.0;  // 10 log10(sum f^2 / sum (f - q)^2); 999 when identical
  double cosine = 1.0;
  double max_abs_error = 0.0;
};

struct FallbackStep {
  std::string node;
  std::string op;
  double sqnr_db = 0.0;      // of its output before the fallback
  int64_t extra_bytes = 0;   // weight bytes added by keeping it in float
  double metric_after = 0.0; // validation metric after this step
};

// One layer re-rounded by AdaRound. Errors: the layer's reconstruction loss on the calibration
// rows, mean over rows of the sum over output channels of (int8-weight output - float output)^2.
struct AdaRoundLayerReport {
  std::string node;
  std::string op;
  int64_t rows = 0;             // calibration rows (Conv: sampled output positions)
  double error_nearest = 0.0;   // round-to-nearest
  double error_adaround = 0.0;  // learned rounding (== nearest when kept_nearest)
  int64_t changed = 0;          // weights rounded the other way than to nearest
  int64_t weights = 0;
  bool kept_nearest = false;  // AdaRound did not reduce the error; nearest kept
};

// The AdaRound guard: the whole int8 model with learned rounding against the same model rounded to
// nearest, both scored against the float model on the validation set (--val) or, without one, on
// the calibration samples. AdaRound is kept only when its metric is not lower and its fidelity is
// higher and, for a classifier, its top-1 or its agreement with the float model's class is
// strictly higher; otherwise every layer goes back to round-to-nearest.
struct AdaRoundGuard {
  std::string data;        // the data set's path
  int64_t samples = 0;
  std::string metric;      // "top1" (labels), "agreement" (top-1 of the float model), "auc", ""
  std::optional<double> metric_nearest;
  std::optional<double> metric_adaround;
  double fidelity_nearest = 0.0;   // output SQNR (dB) against the float model
  double fidelity_adaround = 0.0;
  std::optional<double> agreement_nearest;   // classifiers: % of samples given the float
  std::optional<double> agreement_adaround;  // model's class
  bool kept = false;               // false: reverted to round-to-nearest
};

// One configuration tried by the search, scored on the validation set.
struct SearchCandidate {
  std::string config;  // e.g. "mse+bias_correction+adaround"
  std::string method;
  bool bias_correction = false;
  bool adaround = false;
  // With AdaRound: whether its whole-model check kept the learned rounding (false: the candidate's
  // model is rounded to nearest, i.e. the same as without AdaRound).
  std::optional<bool> adaround_kept;
  std::optional<double> val_metric;  // top-1 % or AUC; none for an AUC on one-class data
  double val_fidelity = 0.0;         // output SQNR (dB) against the float model on val
  double seconds = 0.0;
  bool chosen = false;
};

struct QuantizeReport {
  std::string method;
  int64_t calib_samples = 0;
  std::vector<TensorQuantInfo> inputs;
  std::vector<TensorQuantInfo> outputs;
  int64_t int8_nodes = 0;
  std::vector<std::string> float_nodes;  // "node (Op): reason"
  std::vector<LayerError> layers;        // graph order
  std::vector<FallbackStep> fallbacks;
  int64_t float_weight_bytes = 0;
  int64_t quantized_weight_bytes = 0;
  std::optional<double> val_float;  // metric on the validation set (if given)
  std::optional<double> val_int8;
  std::vector<std::string> notes;   // pass notes (bias correction, equalization, ...)
  std::vector<AdaRoundLayerReport> adaround;  // with options.adaround, graph order
  std::optional<AdaRoundGuard> adaround_guard;  // with options.adaround
  std::vector<SearchCandidate> search;        // with options.search, in the order tried
  double seconds = 0.0;
};
// The "quantize" section of the report (tinyq/report.h: QuantizeReportJson); no wall-clock time.
std::string QuantizeReportToJson(const QuantizeReport& r);
std::string QuantizeReportToText(const QuantizeReport& r);  // summary + per-layer table

struct QuantizeResult {
  std::unique_ptr<Graph> graph;  // QOp form (docs/quantized_ir.md); SaveOnnx writes QDQ ONNX
  CalibrationTable table;
  QuantizeReport report;
};

// The whole post-training quantization pipeline on a float model.
StatusOr<QuantizeResult> Quantize(const Graph& model, const Dataset& calib,
                                  const std::string& calib_path, const QuantizeOptions& options);

// Float tensor -> the s8 input of a quantized graph input (q = clamp(round(x/s) + zp)), and an s8
// output -> float. Identity (a copy) for f32 values.
StatusOr<Tensor> QuantizeForInput(const Value& input, const Tensor& x);
StatusOr<Tensor> DequantizeOutput(const Value& output, const Tensor& q);

}  // namespace tinyq

#endif  // TINYQ_QUANTIZE_H_
