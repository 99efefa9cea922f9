// tinyq/report.h - the shared report format ("tinyq.report" v2) and the CI gate over it.
//
// Every verb that writes a report writes the same envelope (docs/report_schema.md):
//   {"format": "tinyq.report", "version": 2, "verb": "quantize", "tinyq_version": "0.1.0",
//    "model": {"path", "sha256"},
//    "metric": {"name", "higher_is_better", "float", "int8", "pruned", "samples"},
//    "footprint": {"flash_bytes", "ram_bytes", "flash_limit_bytes", ...},
//    "quantize": {...},      (the verb's own section(s))
//    "timing": {...}}        (wall-clock figures, apart from everything else)
// with metric and footprint only when the verb measured them.
// `tinyq check REPORT.json [--baseline BASE.json] [--max-accuracy-drop PT] ...` (CheckReport)
// compares one report with limits and a baseline, runs every check the two reports have the
// figures for, lists the requested checks that could not run, and exits 1 on any regression.
#ifndef TINYQ_REPORT_H_
#define TINYQ_REPORT_H_

#include <optional>
#include <string>
#include <vector>

#include "tinyq/status.h"

namespace tinyq {

inline constexpr const char* kReportFormat = "tinyq.report";
// 2: every verb writes the envelope; sections embedded in it lost their own "format"/"version";
// metric.pruned and footprint.const_bytes added. Readers accept 1 and 2 (same metric/footprint).
inline constexpr int kReportVersion = 2;

// The envelope's "model": the model file the verb read.
struct ReportModel {
  std::string path;    // as given; for an in-memory model (Python) the file it came from + how
  std::string sha256;  // hex of the file's bytes; empty when no file was read (written as absent)
};
// {path, sha256 of the file}; an empty sha256 when `path` is a directory or cannot be read.
ReportModel ReportModelOfFile(const std::string& path);

struct QuantizeReport;  // tinyq/quantize.h
struct PruneReport;     // tinyq/prune.h
struct TrainReport;     // tinyq/train.h
struct EvalResult;      // tinyq/api.h
struct ExportResult;    // tinyq/export.h
struct BudgetReport;    // tinyq/target.h

// Each verb's report as "tinyq.report" JSON (2-space indent, keys in the schema's order, no
// trailing newline). Everything but "timing" is the same bytes for the same inputs.
// `metric`: the card's metric name; `val_samples`: validation samples scored (0 = not known).
std::string QuantizeReportJson(const QuantizeReport& r, const ReportModel& model,
                               const std::string& metric, int64_t val_samples);
std::string PruneReportJson(const PruneReport& r, const ReportModel& model, int64_t val_samples);
// `verb`: "distill" or "train" (labels only); the metric is the kept epoch's validation top-1.
std::string DistillReportJson(const TrainReport& r, const std::string& verb,
                              const ReportModel& model, int64_t val_samples);
std::string EvalReportJson(const EvalResult& r, const ReportModel& model,
                           const std::string& data_path);
std::string ExportReportJson(const ExportResult& r, const ReportModel& model);
std::string BudgetReportJson(const BudgetReport& r, const ReportModel& model);

// Limits of `tinyq check`; an unset limit is not checked. Drops are in points (top-1 percent
// points; AUC x 100, as `tinyq quantize --max-drop`); growths are percentages of the baseline.
struct CheckLimits {
  std::optional<double> max_accuracy_drop;
  std::optional<double> max_flash_growth_pct;
  std::optional<double> max_ram_growth_pct;
};

// One check: `value` compared with `limit` (value <= limit passes), or a requested check that
// could not run because a report lacks the figures (`skipped`, `detail` says which).
struct CheckResult {
  std::string name;  // e.g. "int8 top1 drop vs float"
  double value = 0.0;
  double limit = 0.0;
  std::string unit;     // "pt", "%", "bytes"
  bool passed = false;  // false when skipped
  bool skipped = false;
  std::string detail;  // the numbers behind the value, or why it was skipped
};

struct CheckSummary {
  std::string report_path;
  std::string baseline_path;  // empty without a baseline
  std::string metric;         // metric name
  std::vector<CheckResult> checks;
  bool passed() const;  // no check failed (skipped ones do not fail)
  int failures() const;
  int skipped() const;
};

// A report to check: its JSON text and the name errors give it (a file path, or a label).
struct ReportText {
  std::string name;
  std::string json;
};
// Reads `path` (NotFound / IoError naming it).
StatusOr<ReportText> ReadReportFile(const std::string& path);

// Validates `report` (and `baseline` when given), then runs every check the limits ask for and
// the reports have the figures for:
//   --max-accuracy-drop: the verb's result (metric.int8, else .pruned) vs metric.float, and the
//     result vs the baseline's same field;
//   --max-flash-growth / --max-ram-growth (need a baseline): footprint.flash_bytes / ram_bytes,
//     else the closest figure both reports have (const_bytes, int8_weight_bytes / arena_bytes);
//   always: flash_bytes / ram_bytes against the board's *_limit_bytes when the report has them.
// A requested check without the figures is a skipped CheckResult saying what is missing.
// InvalidArgument naming the file and field for a malformed report, Unsupported for a newer
// format version, InvalidArgument when no check can run (the message says why).
StatusOr<CheckSummary> CheckReports(const ReportText& report, const ReportText* baseline,
                                    const CheckLimits& limits);
// CheckReports on files; `baseline_path` may be empty.
StatusOr<CheckSummary> CheckReport(const std::string& report_path, const std::string& baseline_path,
                                   const CheckLimits& limits);

// JUnit XML (one testcase per check) and a Markdown summary fit for a pull-request comment.
std::string CheckToJUnit(const CheckSummary& s);
std::string CheckToMarkdown(const CheckSummary& s);
// One line per check, as the CLI prints them.
std::string CheckToText(const CheckSummary& s);
// {"passed": bool, "failures": n, "skipped": n, "checks": [{..., "result": pass|fail|skip}]}.
std::string CheckToJson(const CheckSummary& s);

}  // namespace tinyq

#endif  // TINYQ_REPORT_H_
