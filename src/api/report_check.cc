// CheckReport: `tinyq check`, the CI gate over "tinyq.report" files of any verb
// (docs/report_schema.md): runs the checks the reports have figures for, lists the others.
#include <cmath>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "src/data/file_io.h"
#include "tinyq/report.h"

namespace tinyq {
namespace {

using Json = nlohmann::json;

// The figures of one report that the checks read; a key is present when the report has it.
struct Gauges {
  std::string path;
  std::string verb;
  bool has_metric = false;
  std::string metric;
  bool higher_is_better = true;
  std::map<std::string, double> values;     // metric.float / int8 / pruned
  std::map<std::string, double> footprint;  // footprint.flash_bytes, ...

  // The value of the model the verb produced: int8, else pruned, else float ("" = none).
  std::string Result() const {
    for (const char* k : {"int8", "pruned", "float"})
      if (values.count(k)) return k;
    return "";
  }
  std::string Describe() const { return verb.empty() ? "the report" : "the " + verb + " report"; }
};

constexpr const char* kMetricValues[] = {"float", "int8", "pruned"};
constexpr const char* kFootprintFigures[] = {
    "flash_bytes",       "ram_bytes",   "flash_limit_bytes",       "ram_limit_bytes",
    "const_bytes",       "arena_bytes", "arena_lower_bound_bytes", "int8_weight_bytes",
    "float_weight_bytes"};

// Growth checks: the figures compared, best first, with the name each check gets.
struct Figure {
  const char* key;
  const char* label;
};
constexpr Figure kFlashFigures[] = {{"flash_bytes", "flash"},
                                    {"const_bytes", "C const data"},
                                    {"int8_weight_bytes", "int8 weights"}};
constexpr Figure kRamFigures[] = {{"ram_bytes", "RAM"}, {"arena_bytes", "arena"}};

Status FieldError(const std::string& path, const std::string& field, const std::string& what) {
  return InvalidArgument(path + ": " + field + ": " + what);
}

// Reads an optional number at obj[key] into (*out)[key]: finite, and >= 0 unless `signed_ok`.
Status ReadNumber(const std::string& path, const Json& obj, const std::string& section,
                  const char* key, bool signed_ok, std::map<std::string, double>* out) {
  if (!obj.contains(key) || obj.at(key).is_null()) return Status();
  const Json& v = obj.at(key);
  if (!v.is_number()) return FieldError(path, section + "." + key, "expected a number");
  const double d = v.get<double>();
  if (!std::isfinite(d) || (!signed_ok && d < 0))
    return FieldError(path, section + "." + key, "expected a finite non-negative number");
  (*out)[key] = d;
  return Status();
}

StatusOr<Gauges> ReadGauges(const ReportText& report) {
  const std::string& path = report.name;
  const Json j = Json::parse(report.json, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return InvalidArgument(path + ": not a JSON object");
  if (!j.contains("format") || j.at("format") != kReportFormat)
    return FieldError(path, "format",
                      std::string("expected \"") + kReportFormat +
                          "\" (a report written by a tinyq verb: --report, "
                          "--json, or tinyq shrink's report.json)");
  if (!j.contains("version") || !j.at("version").is_number_integer())
    return FieldError(path, "version", "expected an integer");
  const int version = j.at("version").get<int>();
  if (version > kReportVersion)
    return Unsupported(path + ": report format version " + std::to_string(version) +
                       " is newer than this tinyq (reads up to " + std::to_string(kReportVersion) +
                       ")");
  if (version < 1) return FieldError(path, "version", "expected >= 1");
  Gauges g;
  g.path = path;
  if (j.contains("verb")) {
    if (!j.at("verb").is_string()) return FieldError(path, "verb", "expected a string");
    g.verb = j.at("verb").get<std::string>();
  }
  if (j.contains("metric")) {
    const Json& m = j.at("metric");
    if (!m.is_object()) return FieldError(path, "metric", "expected an object");
    if (!m.contains("name") || !m.at("name").is_string())
      return FieldError(path, "metric.name", "expected a string");
    g.has_metric = true;
    g.metric = m.at("name").get<std::string>();
    if (m.contains("higher_is_better")) {
      if (!m.at("higher_is_better").is_boolean())
        return FieldError(path, "metric.higher_is_better", "expected true or false");
      g.higher_is_better = m.at("higher_is_better").get<bool>();
    }
    for (const char* k : kMetricValues)
      TQ_RETURN_IF_ERROR(ReadNumber(path, m, "metric", k, true, &g.values));
  }
  if (j.contains("footprint")) {
    const Json& f = j.at("footprint");
    if (!f.is_object()) return FieldError(path, "footprint", "expected an object");
    for (const char* k : kFootprintFigures)
      TQ_RETURN_IF_ERROR(ReadNumber(path, f, "footprint", k, false, &g.footprint));
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

void Skip(CheckSummary* s, std::string name, double limit, std::string unit, std::string why) {
  CheckResult c;
  c.name = std::move(name);
  c.limit = limit;
  c.unit = std::move(unit);
  c.skipped = true;
  c.detail = "not run: " + std::move(why);
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

// Drops are in points: percent metrics as they are, AUC (0..1) x 100, as `tinyq quantize
// --max-drop` counts them; the sign flips for a lower-is-better metric.
double DropSign(const Gauges& g) {
  return (g.higher_is_better ? 1.0 : -1.0) * (g.metric == "auc" ? 100.0 : 1.0);
}

std::string NoMetric(const Gauges& g) {
  return g.path + ": " + g.Describe() + " has no metric (the run measured none)";
}

// "<result> <metric> drop vs float": the model the verb produced against the float model.
void AddDropVsFloat(CheckSummary* s, const Gauges& cur, double limit) {
  if (!cur.has_metric) return Skip(s, "accuracy drop vs float", limit, "pt", NoMetric(cur));
  const std::string result = cur.Result();
  const std::string name =
      (result.empty() || result == "float" ? "" : result + " ") + cur.metric + " drop vs float";
  const std::string what = cur.path + ": " + cur.Describe();
  if (result.empty()) return Skip(s, name, limit, "pt", what + " has no metric value");
  if (cur.values.size() == 1)
    return Skip(s, name, limit, "pt", what + " measured one model (metric." + result + " only)");
  if (!cur.values.count("float")) return Skip(s, name, limit, "pt", what + " has no metric.float");
  const double f = cur.values.at("float"), r = cur.values.at(result);
  Add(s, name, DropSign(cur) * (f - r), limit, "pt",
      "float " + Fmt(f, 4) + ", " + result + " " + Fmt(r, 4));
}

// "<result> <metric> drop vs baseline": the same field of both reports.
Status AddDropVsBaseline(CheckSummary* s, const Gauges& cur, const Gauges& base, double limit) {
  if (!cur.has_metric) {
    Skip(s, "accuracy drop vs baseline", limit, "pt", NoMetric(cur));
    return Status();
  }
  if (base.has_metric && base.metric != cur.metric)
    return InvalidArgument(base.path + ": metric '" + base.metric + "' differs from " + cur.path +
                           "'s '" + cur.metric + "'");
  const std::string result = cur.Result();
  const std::string name = result + " " + cur.metric + " drop vs baseline";
  if (result.empty()) {
    Skip(s, "accuracy drop vs baseline", limit, "pt", cur.path + ": no metric value");
  } else if (!base.values.count(result)) {
    Skip(s, name, limit, "pt", base.path + ": the baseline has no metric." + result);
  } else {
    const double b = base.values.at(result), c = cur.values.at(result);
    Add(s, name, DropSign(cur) * (b - c), limit, "pt",
        "baseline " + Fmt(b, 4) + ", now " + Fmt(c, 4));
  }
  return Status();
}

// "<figure> growth vs baseline" on the first of `figures` that both reports have.
template <size_t N>
void AddGrowth(CheckSummary* s, const char* what, const Figure (&figures)[N], double limit,
               const Gauges& base, const Gauges& cur) {
  std::string keys;
  for (const Figure& f : figures) {
    keys += std::string(keys.empty() ? "" : ", ") + "footprint." + f.key;
    if (!base.footprint.count(f.key) || !cur.footprint.count(f.key)) continue;
    const double b = base.footprint.at(f.key), c = cur.footprint.at(f.key);
    std::string detail = Fmt(c, 0) + " bytes vs " + Fmt(b, 0) + " bytes";
    if (&f != &figures[0])
      detail += "; footprint." + std::string(figures[0].key) + " is not in both reports";
    Add(s, std::string(f.label) + " growth vs baseline", GrowthPct(b, c), limit, "%", detail);
    return;
  }
  Skip(s, std::string(what) + " growth vs baseline", limit, "%",
       "no figure in both reports (" + keys + ")");
}

// "<flash|RAM> fits the board" when the report has the figure and the board's limit.
void AddFits(CheckSummary* s, const Gauges& cur, const char* what, const char* key,
             const char* limit_key) {
  if (!cur.footprint.count(key) || !cur.footprint.count(limit_key)) return;
  const double v = cur.footprint.at(key), l = cur.footprint.at(limit_key);
  Add(s, std::string(what) + " fits the board", v, l, "bytes",
      Fmt(v, 0) + " of " + Fmt(l, 0) + " bytes");
}

}  // namespace

bool CheckSummary::passed() const { return failures() == 0; }

int CheckSummary::failures() const {
  int n = 0;
  for (const auto& c : checks) n += c.passed || c.skipped ? 0 : 1;
  return n;
}

int CheckSummary::skipped() const {
  int n = 0;
  for (const auto& c : checks) n += c.skipped ? 1 : 0;
  return n;
}

StatusOr<ReportText> ReadReportFile(const std::string& path) {
  TQ_ASSIGN_OR_RETURN(std::string json, data::ReadWholeFile(path));
  return ReportText{path, std::move(json)};
}

StatusOr<CheckSummary> CheckReports(const ReportText& report, const ReportText* baseline,
                                    const CheckLimits& limits) {
  TQ_RETURN_IF_ERROR(CheckLimitsValid(limits));
  TQ_ASSIGN_OR_RETURN(Gauges cur, ReadGauges(report));
  std::optional<Gauges> base;
  if (baseline) {
    TQ_ASSIGN_OR_RETURN(base, ReadGauges(*baseline));
  } else if (limits.max_flash_growth_pct || limits.max_ram_growth_pct) {
    return InvalidArgument("--max-flash-growth/--max-ram-growth need --baseline");
  }
  CheckSummary s;
  s.report_path = report.name;
  s.baseline_path = baseline ? baseline->name : "";
  s.metric = cur.metric;
  if (limits.max_accuracy_drop) {
    AddDropVsFloat(&s, cur, *limits.max_accuracy_drop);
    if (base) TQ_RETURN_IF_ERROR(AddDropVsBaseline(&s, cur, *base, *limits.max_accuracy_drop));
  }
  if (base && limits.max_flash_growth_pct)
    AddGrowth(&s, "flash", kFlashFigures, *limits.max_flash_growth_pct, *base, cur);
  if (base && limits.max_ram_growth_pct)
    AddGrowth(&s, "RAM", kRamFigures, *limits.max_ram_growth_pct, *base, cur);
  AddFits(&s, cur, "flash", "flash_bytes", "flash_limit_bytes");
  AddFits(&s, cur, "RAM", "ram_bytes", "ram_limit_bytes");
  if (s.skipped() == static_cast<int>(s.checks.size())) {
    std::string why;
    for (const auto& c : s.checks) why += "; " + c.name + ": " + c.detail;
    return InvalidArgument(report.name + ": nothing to check" + why +
                           " (give --max-accuracy-drop for a report with a metric, --baseline "
                           "with --max-flash-growth/--max-ram-growth, or a report with board "
                           "limits: tinyq budget, tinyq shrink --target)");
  }
  return s;
}

StatusOr<CheckSummary> CheckReport(const std::string& report_path, const std::string& baseline_path,
                                   const CheckLimits& limits) {
  TQ_ASSIGN_OR_RETURN(ReportText report, ReadReportFile(report_path));
  if (baseline_path.empty()) return CheckReports(report, nullptr, limits);
  TQ_ASSIGN_OR_RETURN(ReportText baseline, ReadReportFile(baseline_path));
  return CheckReports(report, &baseline, limits);
}

}  // namespace tinyq
