// src/api/shrink_internal.h - the state of one `tinyq shrink` run, shared by its stages
// (shrink_stages.cc) and its reports (shrink_report.cc, shrink_html.cc).
#ifndef TINYQ_SRC_API_SHRINK_INTERNAL_H_
#define TINYQ_SRC_API_SHRINK_INTERNAL_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tinyq/api.h"
#include "tinyq/export.h"
#include "tinyq/prune.h"
#include "tinyq/target.h"
#include "tinyq/train.h"
#include "tinyq/data.h"
#include "tinyq/quantize.h"
#include "tinyq/shrink.h"

namespace tinyq {

struct StageTime {
  std::string name;
  double seconds = 0.0;
};

struct ShrinkRun {
  const ShrinkOptions* options = nullptr;
  std::string name;  // C identifier
  std::string dir;   // the temporary output directory
  QuantizeOptions quantize;

  std::unique_ptr<Graph> model;        // as loaded
  std::unique_ptr<Graph> pruned;       // after pruning + recovery (float, BN kept); null: no pruning
  std::optional<PruneReport> prune_report;
  std::optional<TrainReport> train_report;
  EvalResult original_eval;            // the unpruned float model (when pruned)
  std::unique_ptr<Graph> float_graph;  // optimized float graph (what is quantized)
  QuantizeResult quantized;
  Dataset data;
  Dataset calib_data;       // read only when calibration data differs from `data`
  bool own_calib = false;
  std::string calib_path;
  const Dataset& calib() const { return own_calib ? calib_data : data; }
  EvalResult float_eval;
  EvalResult int8_eval;
  ExportResult c_export;
  std::optional<BudgetReport> budget;
  std::vector<std::string> files;  // written, relative to dir

  std::vector<StageTime> stages;
  double stage_start = 0.0;
  std::string report_json;
  std::string summary;
  std::vector<std::string> failures;  // gates that failed, in words

  void Begin(const std::string& stage);
  void End();
  void Progress(const std::string& what, int64_t done, int64_t total);
};

Status RunShrinkStages(ShrinkRun* run);
// report.json, report.md, report.html into run->dir; fills report_json and summary.
Status WriteShrinkReports(ShrinkRun* run);
// The HTML report with inline SVG plots (per-layer SQNR, confusion matrix).
std::string ShrinkReportHtml(const ShrinkRun& run, const std::string& summary);

// int8 vs float top-1 agreement in percent (predictions of both), or -1 without predictions.
double Agreement(const EvalResult& a, const EvalResult& b);
// Confusion matrix [true][predicted] of a top-1 evaluation; empty without labels.
std::vector<std::vector<int64_t>> ConfusionMatrix(const EvalResult& e, const Dataset& data);

}  // namespace tinyq

#endif  // TINYQ_SRC_API_SHRINK_INTERNAL_H_
