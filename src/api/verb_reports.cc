// The "tinyq.report" envelope of every verb (docs/report_schema.md): the shared head, the metric
// and footprint the verb measured, its own section as today's writers render it, and "timing"
// (wall-clock figures, the only part that differs between two identical runs).
//
//   verb      metric                               footprint                         sections
//   quantize  float, int8 (with --max-drop --val)  float/int8_weight_bytes            quantize
//   prune     float, pruned (with --val)           -                                 prune
//   distill   float: the kept epoch (with --val)   -                                 distill
//   eval      float or int8 (the executor used)    -                                 eval
//   export    -                                    const, arena, arena lower bound   export
//   budget    -                                    flash, RAM, board limits, fits    budget
#include <filesystem>

#include "src/api/report_envelope.h"
#include "src/codegen/sha256.h"
#include "tinyq/api.h"
#include "tinyq/export.h"
#include "tinyq/prune.h"
#include "tinyq/quantize.h"
#include "tinyq/train.h"

namespace tinyq {

ReportModel ReportModelOfFile(const std::string& path) {
  ReportModel m{path, ""};
  std::error_code ec;
  if (std::filesystem::is_regular_file(path, ec)) {
    StatusOr<std::string> sha = codegen::Sha256OfFile(path);
    if (sha.ok()) m.sha256 = *sha;
  }
  return m;
}

ReportJson ReportHead(const std::string& verb, const ReportModel& model) {
  ReportJson j;
  j["format"] = kReportFormat;
  j["version"] = kReportVersion;
  j["verb"] = verb;
  j["tinyq_version"] = TINYQ_VERSION;
  j["model"] = {{"path", model.path}};
  if (!model.sha256.empty()) j["model"]["sha256"] = model.sha256;
  return j;
}

ReportJson MetricSection(const std::string& name, const MetricValues& v) {
  ReportJson m = {{"name", name}, {"higher_is_better", true}};
  if (v.float_value) m["float"] = *v.float_value;
  if (v.int8_value) m["int8"] = *v.int8_value;
  if (v.pruned_value) m["pruned"] = *v.pruned_value;
  if (v.samples > 0) m["samples"] = v.samples;
  return m;
}

void AddBudgetFootprint(const BudgetReport& b, ReportJson* fp) {
  (*fp)["board"] = b.board.id;
  (*fp)["flash_bytes"] = b.flash_total;
  (*fp)["ram_bytes"] = b.ram_total;
  (*fp)["flash_limit_bytes"] = b.board.flash_bytes;
  (*fp)["ram_limit_bytes"] = b.board.ram_bytes;
  (*fp)["fits"] = b.fits;
  (*fp)["instructions_per_inference"] = b.build.instructions;
}

ReportJson SectionOf(const std::string& json) { return ReportJson::parse(json); }

std::string QuantizeReportJson(const QuantizeReport& r, const ReportModel& model,
                               const std::string& metric, int64_t val_samples) {
  ReportJson j = ReportHead("quantize", model);
  if (r.val_float && r.val_int8)
    j["metric"] = MetricSection(metric, {r.val_float, r.val_int8, std::nullopt, val_samples});
  j["footprint"] = {{"float_weight_bytes", r.float_weight_bytes},
                    {"int8_weight_bytes", r.quantized_weight_bytes}};
  j["quantize"] = SectionOf(QuantizeReportToJson(r));
  j["timing"] = {{"seconds", r.seconds}};
  return j.dump(2);
}

std::string PruneReportJson(const PruneReport& r, const ReportModel& model, int64_t val_samples) {
  ReportJson j = ReportHead("prune", model);
  if (r.val_before) {
    // The prune section counts in points (AUC x 100, as --max-drop); the metric in card units.
    const double unit = r.metric == "auc" ? 0.01 : 1.0;
    MetricValues v;
    v.float_value = *r.val_before * unit;
    if (r.val_after) v.pruned_value = *r.val_after * unit;
    v.samples = val_samples;
    j["metric"] = MetricSection(r.metric, v);
  }
  j["prune"] = SectionOf(PruneReportToJson(r));
  j["timing"] = {{"seconds", r.seconds}};
  return j.dump(2);
}

std::string DistillReportJson(const TrainReport& r, const std::string& verb,
                              const ReportModel& model, int64_t val_samples) {
  ReportJson j = ReportHead(verb, model);
  if (r.best_val_top1 >= 0) {
    MetricValues v;
    v.float_value = r.best_val_top1;
    v.samples = val_samples;
    j["metric"] = MetricSection("top1", v);
  }
  ReportJson section = SectionOf(r.ToJson());
  ReportJson timing = {{"samples_per_second", section["samples_per_second"]},
                       {"teacher_seconds", section["teacher_seconds"]},
                       {"epoch_seconds", ReportJson::array()}};
  for (const char* k : {"samples_per_second", "teacher_seconds"}) section.erase(k);
  for (auto& e : section["epochs"]) {
    timing["epoch_seconds"].push_back(e["seconds"]);
    e.erase("seconds");
  }
  j["distill"] = section;
  j["timing"] = timing;
  return j.dump(2);
}

std::string EvalReportJson(const EvalResult& r, const ReportModel& model,
                           const std::string& data_path) {
  ReportJson j = ReportHead("eval", model);
  MetricValues v;
  (r.int8 ? v.int8_value : v.float_value) = r.value;
  v.samples = r.samples;
  j["metric"] = MetricSection(r.metric, v);
  j["eval"] = {{"data", data_path},  {"executor", r.int8 ? "int8" : "float"},
               {"metric", r.metric}, {"value", r.value},
               {"loss", r.loss},     {"samples", r.samples}};
  return j.dump(2);
}

std::string ExportReportJson(const ExportResult& r, const ReportModel& model) {
  ReportJson j = ReportHead("export", model);
  j["footprint"] = {{"const_bytes", r.weight_bytes},
                    {"arena_bytes", r.arena_bytes},
                    {"arena_lower_bound_bytes", r.lower_bound_bytes}};
  j["export"] = SectionOf(ExportResultToJson(r));
  return j.dump(2);
}

std::string BudgetReportJson(const BudgetReport& r, const ReportModel& model) {
  ReportJson j = ReportHead("budget", model);
  ReportJson fp = ReportJson::object();
  AddBudgetFootprint(r, &fp);
  if (r.model.exported_weight_bytes > 0) fp["const_bytes"] = r.model.exported_weight_bytes;
  fp["arena_bytes"] = r.build.arena_bytes;
  if (r.model.lower_bound_bytes > 0) fp["arena_lower_bound_bytes"] = r.model.lower_bound_bytes;
  j["footprint"] = fp;
  j["budget"] = SectionOf(BudgetToJson(r));
  return j.dump(2);
}

}  // namespace tinyq
