// tinyq/report.h - the shared report format ("tinyq.report" v1) and the CI gate over it.
//
// Every verb that measures a model writes the same envelope (docs/report_schema.md):
//   {"format": "tinyq.report", "version": 1, "verb": "...", "model": {...},
//    "metric": {"name", "higher_is_better", "float", "int8"},
//    "footprint": {"flash_bytes", "ram_bytes", "flash_limit_bytes", "ram_limit_bytes", ...}, ...}
// `tinyq check REPORT.json [--baseline BASE.json] [--max-accuracy-drop PT] ...` (CheckReport)
// compares one report with limits and a baseline and exits 1 on any regression.
#ifndef TINYQ_REPORT_H_
#define TINYQ_REPORT_H_

#include <optional>
#include <string>
#include <vector>

#include "tinyq/status.h"

namespace tinyq {

inline constexpr const char* kReportFormat = "tinyq.report";
inline constexpr int kReportVersion = 1;

// Limits of `tinyq check`; an unset limit is not checked. Drops are in points (top-1 percent
// points; AUC x 100, as `tinyq quantize --max-drop`); growths are percentages of the baseline.
struct CheckLimits {
  std::optional<double> max_accuracy_drop;
  std::optional<double> max_flash_growth_pct;
  std::optional<double> max_ram_growth_pct;
};

// One check: `value` compared with `limit` (value <= limit passes).
struct CheckResult {
  std::string name;     // e.g. "int8 accuracy drop vs float"
  double value = 0.0;
  double limit = 0.0;
  std::string unit;     // "pt", "%", "bytes"
  bool passed = false;
  std::string detail;   // the numbers behind the value, in words
};

struct CheckSummary {
  std::string report_path;
  std::string baseline_path;  // empty without a baseline
  std::string metric;         // metric name
  std::vector<CheckResult> checks;
  bool passed() const;
  int failures() const;
};

// Reads and validates `report_path` (and `baseline_path` unless empty), then runs every check the
// limits and the reports allow: int8 vs float drop, int8 vs the baseline's int8, flash and RAM
// growth against the baseline, and the board's flash and RAM limits when the report has them.
// InvalidArgument naming the file and field for a malformed report, Unsupported for a newer
// format version, InvalidArgument when nothing can be checked.
StatusOr<CheckSummary> CheckReport(const std::string& report_path, const std::string& baseline_path,
                                   const CheckLimits& limits);

// JUnit XML (one testcase per check) and a Markdown summary fit for a pull-request comment.
std::string CheckToJUnit(const CheckSummary& s);
std::string CheckToMarkdown(const CheckSummary& s);
// One line per check, as the CLI prints them.
std::string CheckToText(const CheckSummary& s);
// {"passed": bool, "failures": n, "checks": [...]}.
std::string CheckToJson(const CheckSummary& s);

}  // namespace tinyq

#endif  // TINYQ_REPORT_H_
