// src/api/report_envelope.h - the pieces every "tinyq.report" is built from
// (docs/report_schema.md), shared by the per-verb reports (verb_reports.cc) and `tinyq shrink`'s
// (shrink_report.cc).
#ifndef TINYQ_SRC_API_REPORT_ENVELOPE_H_
#define TINYQ_SRC_API_REPORT_ENVELOPE_H_

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "tinyq/report.h"
#include "tinyq/target.h"

namespace tinyq {

// Keys stay in insertion order: format, version, verb, tinyq_version, model, metric, footprint,
// then the verb's sections.
using ReportJson = nlohmann::ordered_json;

// {"format", "version", "verb", "tinyq_version", "model": {"path", "sha256" (when known)}}.
ReportJson ReportHead(const std::string& verb, const ReportModel& model);

// The "metric" section: values in the card's unit (top-1 percent, AUC 0..1); absent values are
// left out; `samples` 0 = not known (left out).
struct MetricValues {
  std::optional<double> float_value;   // the float model
  std::optional<double> int8_value;    // the int8 model
  std::optional<double> pruned_value;  // the pruned (float) model
  int64_t samples = 0;
};
ReportJson MetricSection(const std::string& name, const MetricValues& v);

// Adds the board figures of a budget to a "footprint" object: board, flash_bytes, ram_bytes,
// flash_limit_bytes, ram_limit_bytes, fits, instructions_per_inference.
void AddBudgetFootprint(const BudgetReport& b, ReportJson* footprint);

// A section writer's JSON text (an object) with its key order kept.
ReportJson SectionOf(const std::string& json);

}  // namespace tinyq

#endif  // TINYQ_SRC_API_REPORT_ENVELOPE_H_
