// tinyq/shrink.h - the one-command pipeline behind `tinyq shrink` and `tinyq.shrink`.
//
//   load -> [prune channels + recover (LSQ or distillation)] -> optimize (fold BN, fuse) -> calibrate ->
//   quantize -> evaluate float and int8 -> export ONNX (float + QDQ) and C -> build and measure
//   for the board -> report.json ("tinyq.report" v1), report.md, report.html
//
// OUTDIR is assembled in a temporary sibling directory and renamed into place at the end, so a
// failed or interrupted run leaves nothing. An existing OUTDIR is an error unless `force`.
#ifndef TINYQ_SHRINK_H_
#define TINYQ_SHRINK_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "tinyq/onnx.h"
#include "tinyq/quantize.h"
#include "tinyq/status.h"

namespace tinyq {

struct ShrinkOptions {
  std::string model_path;
  LoadOptions load;        // input shapes for dynamic dimensions
  std::string data_path;   // evaluation set (x and labels; the card's metric)
  std::string calib_path;  // calibration set; empty: the first calib_limit samples of data_path
  std::string card_path;   // model card: preprocessing and metric
  std::string out_dir;
  std::string name;        // C identifier for the generated code; empty: from the model file name
  bool force = false;      // replace an existing out_dir
  QuantizeOptions quantize;  // method, bias correction, ... (progress is set by Shrink)
  // Channel pruning before quantization (0: off): the fraction of each prunable group's channels
  // removed (criterion as `tinyq prune --criterion`), recovered by least squares, or with
  // `distill` by knowledge distillation from the unpruned model on train_path.
  double prune_channels = 0.0;
  std::string prune_criterion = "l1";
  bool distill = false;
  std::string train_path;
  int distill_epochs = 3;
  double max_drop = -1.0;    // accuracy gate: int8 may lose at most this (metric points); < 0 off
  int64_t eval_limit = 0;    // evaluate the first N samples (0 = all)
  // Board: a built-in name or a profile JSON; empty: no budget stage. Overrides in bytes.
  std::string target;
  std::optional<int64_t> flash_bytes;
  std::optional<int64_t> ram_bytes;
  int threads = 0;
  // (stage, done, total) for long stages; stage_begin(name) when a stage starts.
  StageProgress progress;
  std::function<void(const std::string&)> stage_begin;
};

struct ShrinkResult {
  std::string out_dir;
  std::string report_json;  // the report.json written
  std::string summary;      // the summary table printed at the end
  bool passed = true;       // every gate (accuracy, budget) passed
  std::vector<std::string> failures;  // which gate failed and by how much
};

// Errors: those of each stage (naming the file and node), FailedPrecondition for an existing
// out_dir without `force`. A failed gate is not an error: passed=false, the outputs are written.
StatusOr<ShrinkResult> Shrink(const ShrinkOptions& options);

}  // namespace tinyq

#endif  // TINYQ_SHRINK_H_
