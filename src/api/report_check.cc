// CheckReport: `tinyq check`, the CI gate over "tinyq.report" files (docs/report_schema.md).
#include <cmath>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tinyq/report.h"

namespace tinyq {
namespace {

using Json = nlohmann::json;

// The fields of one report that the checks read.
struct Gauges {
  std::string path;
  std::string metric;
  bool higher_is_better = true;
  std::optional<double> float_metric;
  std::optional<double> int8_metric;
  std::optional<double> flash, ram, flash_limit, ram_limit;
};

Status FieldError(const std::string& path, const std::string& field, const std::string& what) {
  return InvalidArgument(path + ": " + field + ": " + what);
}

// Reads an optional non-negative (or any, if `signed_ok`) number at obj[key].
Status ReadNumber(const std::string& path, const Json& obj, const std::string& section,
                  const char* key, bool signed_ok, std::optional<double>* out) {
  if (!obj.contains(key) || obj.at(key).is_null()) return Status();
  const Json& v = obj.at(key);
  if (!v.is_number()) return FieldError(path, section + "." + key, "expected a number");
  const double d = v.get<double>();
  if (!std::isfinite(d) || (!signed_ok && d < 0))
    return FieldError(path, section + "." + key, "expected a finite non-negative number");
  *out = d;
  return Status();
}

StatusOr<Gauges> ReadGauges(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound(path + ": cannot open report");
  std::stringstream ss;
  ss << in.rdbuf();
  const Json j = Json::parse(ss.str(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return InvalidArgument(path + ": not a JSON object");
  if (!j.contains("format") || j.at("format") != kReportFormat)
    return FieldError(path, "format", std::string("expected \"") + kReportFormat +
                                          "\" (a report written by a tinyq verb with --report)");
  if (!j.contains("version") || !j.at("version").is_number_integer())
    return FieldError(path, "version", "expected an integer");
  const int version = j.at("version").get<int>();
  if (version > kReportVersion)
    return Unsupported(path + ": report format version " + std::to_string(version) +
                       " is newer than this tinyq (reads up to " +
                       std::to_string(kReportVersion) + ")");
  if (version < 1) return FieldError(path, "version", "expected >= 1");
  Gauges g;
  g.path = path;
  if (j.contains("metric")) {
    const Json& m = j.at("metric");
    if (!m.is_object()) return FieldError(path, "metric", "expected an object");
    if (!m.contains("name") || !m.at("name").is_string())
      return FieldError(path, "metric.name", "expected a string");
    g.metric = m.at("name").get<std::string>();
    if (m.contains("higher_is_better")) {
      if (!m.at("higher_is_better").is_boolean())
        return FieldError(path, "metric.higher_is_better", "expected true or false");
      g.higher_is_better = m.at("higher_is_better").get<bool>();
    }
    TQ_RETURN_IF_ERROR(ReadNumber(path, m, "metric", "float", true, &g.float_metric));
    TQ_RETURN_IF_ERROR(ReadNumber(path, m, "metric", "int8", true, &g.int8_metric));
  }
  if (j.contains("footprint")) {
    const Json& f = j.at("footprint");
    if (!f.is_object()) return FieldError(path, "footprint", "expected an object");
    TQ_RETURN_IF_ERROR(ReadNumber(path, f, "footprint", "flash_bytes", false, &g.flash));
    TQ_RETURN_IF_ERROR(ReadNumber(path, f, "footprint", "ram_bytes", false, &g.ram));
    TQ_RETURN_IF_ERROR(ReadNumber(path, f, "footprint", "flash_limit_bytes", false, &g.flash_limit));
    TQ_RETURN_IF_ERROR(ReadNumber(path, f, "footprint", "ram_limit_bytes", false, &g.ram_limit));
  }
  return g;
}

std::string Fmt(double v, int digits = 2) {
  std::ostringstream os;
  os.setf(std::ios::fixed);
  os.precision(digits);
  os << v;
  return os.str();
}

double GrowthPct(double base, double cur) {
  if (base == 0) return cur == 0 ? 0.0 : std::numeric_limits<double>::infinity();
  return 100.0 * (cur - base) / base;
}

void Add(CheckSummary* s, std::string name, double value, double limit, std::string unit,
         std::string detail) {
  CheckResult c;
  c.name = std::move(name);
  c.value = value;
  c.limit = limit;
  c.unit = std::move(unit);
  c.passed = value <= limit;
  c.detail = std::move(detail);
  s->checks.push_back(std::move(c));
}

Status CheckLimitsValid(const CheckLimits& l) {
  for (const auto& [flag, v] : {std::pair{"--max-accuracy-drop", l.max_accuracy_drop},
                                std::pair{"--max-flash-growth", l.max_flash_growth_pct},
                                std::pair{"--max-ram-growth", l.max_ram_growth_pct}}) {
    if (v && (!std::isfinite(*v) || *v < 0))
      return InvalidArgument(std::string(flag) + " must be a finite number >= 0");
  }
  return Status();
}

// Adds "<what> growth vs baseline" when both reports have the figure and the limit is set.
Status AddGrowth(CheckSummary* s, const char* what, const char* field,
                 const std::optional<double>& limit, const Gauges& base, const Gauges& cur,
                 std::optional<double> Gauges::*member) {
  if (!limit) return Status();
  const auto& b = base.*member;
  const auto& c = cur.*member;
  if (!b) return FieldError(base.path, std::string("footprint.") + field, "missing");
  if (!c) return FieldError(cur.path, std::string("footprint.") + field, "missing");
  Add(s, std::string(what) + " growth vs baseline", GrowthPct(*b, *c), *limit, "%",
      Fmt(*c, 0) + " bytes vs " + Fmt(*b, 0) + " bytes");
  return Status();
}

}  // namespace

bool CheckSummary::passed() const { return failures() == 0; }

int CheckSummary::failures() const {
  int n = 0;
  for (const auto& c : checks) n += c.passed ? 0 : 1;
  return n;
}

StatusOr<CheckSummary> CheckReport(const std::string& report_path, const std::string& baseline_path,
                                   const CheckLimits& limits) {
  TQ_RETURN_IF_ERROR(CheckLimitsValid(limits));
  TQ_ASSIGN_OR_RETURN(Gauges cur, ReadGauges(report_path));
  CheckSummary s;
  s.report_path = report_path;
  s.metric = cur.metric;
  // Drops are in points: percent metrics as they are, AUC (0..1) x 100, as `tinyq quantize
  // --max-drop` counts them.
  const double sign = (cur.higher_is_better ? 1.0 : -1.0) * (cur.metric == "auc" ? 100.0 : 1.0);
  const std::string unit = "pt";
  if (limits.max_accuracy_drop) {
    if (!cur.int8_metric) return FieldError(report_path, "metric.int8", "missing");
    if (cur.float_metric)
      Add(&s, "int8 " + cur.metric + " drop vs float", sign * (*cur.float_metric - *cur.int8_metric),
          *limits.max_accuracy_drop, unit,
          "float " + Fmt(*cur.float_metric, 4) + ", int8 " + Fmt(*cur.int8_metric, 4));
  }
  if (!baseline_path.empty()) {
    TQ_ASSIGN_OR_RETURN(Gauges base, ReadGauges(baseline_path));
    s.baseline_path = baseline_path;
    if (limits.max_accuracy_drop) {
      if (base.metric != cur.metric)
        return InvalidArgument(baseline_path + ": metric '" + base.metric + "' differs from " +
                               report_path + "'s '" + cur.metric + "'");
      if (!base.int8_metric) return FieldError(baseline_path, "metric.int8", "missing");
      Add(&s, "int8 " + cur.metric + " drop vs baseline",
          sign * (*base.int8_metric - *cur.int8_metric), *limits.max_accuracy_drop, unit,
          "baseline " + Fmt(*base.int8_metric, 4) + ", now " + Fmt(*cur.int8_metric, 4));
    }
    TQ_RETURN_IF_ERROR(AddGrowth(&s, "flash", "flash_bytes", limits.max_flash_growth_pct, base,
                                 cur, &Gauges::flash));
    TQ_RETURN_IF_ERROR(
        AddGrowth(&s, "RAM", "ram_bytes", limits.max_ram_growth_pct, base, cur, &Gauges::ram));
  } else if (limits.max_flash_growth_pct || limits.max_ram_growth_pct) {
    return InvalidArgument("--max-flash-growth/--max-ram-growth need --baseline");
  }
  if (cur.flash && cur.flash_limit)
    Add(&s, "flash fits the board", *cur.flash, *cur.flash_limit, "bytes",
        Fmt(*cur.flash, 0) + " of " + Fmt(*cur.flash_limit, 0) + " bytes");
  if (cur.ram && cur.ram_limit)
    Add(&s, "RAM fits the board", *cur.ram, *cur.ram_limit, "bytes",
        Fmt(*cur.ram, 0) + " of " + Fmt(*cur.ram_limit, 0) + " bytes");
  if (s.checks.empty())
    return InvalidArgument(report_path +
                           ": nothing to check (give --max-accuracy-drop, --baseline with "
                           "--max-flash-growth/--max-ram-growth, or a report with board limits)");
  return s;
}

}  // namespace tinyq
