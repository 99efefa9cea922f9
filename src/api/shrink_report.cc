// report.json (a "tinyq.report", docs/report_schema.md), report.md and the printed summary of
// `tinyq shrink`.
#include <cstdio>
#include <nlohmann/json.hpp>
#include <sstream>

#include "src/api/report_envelope.h"
#include "src/api/shrink_internal.h"

namespace tinyq {
namespace {

using Json = ReportJson;

std::string Fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.*f", digits, v);
  return buf;
}

std::string Kb(double bytes) { return Fixed(bytes / 1024.0, 1) + " KB"; }

// The metric as printed: top-1 "90.43 %", AUC "0.9803".
std::string MetricText(const EvalResult& e) {
  return e.metric == "auc" ? Fixed(e.value, 4) : Fixed(e.value, 2) + " %";
}

Json EvalJson(const EvalResult& e) {
  return {{"value", e.value}, {"loss", e.loss}, {"samples", e.samples}};
}

// A section writer's JSON without `keys`. Output files are byte-identical across runs and thread
// counts: wall-clock figures are left out (the terminal summary has the stage times).
Json Without(const std::string& json, std::initializer_list<const char*> keys) {
  Json j = SectionOf(json);
  for (const char* k : keys) j.erase(k);
  return j;
}

Json BuildReport(const ShrinkRun& run) {
  const ShrinkOptions& o = *run.options;
  Json j = ReportHead("shrink", ReportModelOfFile(o.model_path));
  j["model"]["name"] = run.name;
  const bool auc = run.int8_eval.metric == "auc";
  // "float" is the model the user gave (before pruning): the int8 drop includes pruning losses.
  const EvalResult& reference = run.pruned ? run.original_eval : run.float_eval;
  MetricValues mv{reference.value, run.int8_eval.value, std::nullopt, run.int8_eval.samples};
  if (run.pruned) mv.pruned_value = run.float_eval.value;
  j["metric"] = MetricSection(run.int8_eval.metric, mv);
  const auto& q = run.quantized.report;
  Json fp = {{"float_weight_bytes", q.float_weight_bytes},
             {"int8_weight_bytes", q.quantized_weight_bytes},
             {"const_bytes", run.c_export.weight_bytes},
             {"arena_bytes", run.c_export.arena_bytes},
             {"arena_lower_bound_bytes", run.c_export.lower_bound_bytes}};
  if (run.budget) AddBudgetFootprint(*run.budget, &fp);
  j["footprint"] = fp;
  j["data"] = {{"evaluation", o.data_path},
               {"calibration", o.calib_path.empty() ? o.data_path : o.calib_path}};
  Json eval = {{"float", EvalJson(reference)}, {"int8", EvalJson(run.int8_eval)}};
  if (run.pruned) eval["float_pruned"] = EvalJson(run.float_eval);
  if (!auc) {
    eval["agreement_percent"] = Agreement(run.float_eval, run.int8_eval);
    eval["confusion_int8"] = ConfusionMatrix(run.int8_eval, run.data);
  }
  j["evaluation"] = eval;
  j["gates"] = {{"passed", run.failures.empty()}, {"failures", run.failures}};
  if (o.max_drop >= 0) j["gates"]["max_drop_points"] = o.max_drop;
  j["stages"] = Json::array();
  for (const auto& s : run.stages) j["stages"].push_back(s.name);
  j["files"] = run.files;
  if (run.prune_report) j["prune"] = SectionOf(PruneReportToJson(*run.prune_report));
  if (run.train_report) {
    j["distill"] = Without(run.train_report->ToJson(),
                           {"samples_per_second", "train_cpu_seconds", "teacher_seconds"});
    for (auto& e : j["distill"]["epochs"]) e.erase("seconds");
  }
  j["quantize"] = SectionOf(QuantizeReportToJson(q));
  // The export's "files" are absolute paths of the temporary folder; "files" above are relative.
  j["export"] = Without(ExportResultToJson(run.c_export), {"files"});
  if (run.budget) j["budget"] = SectionOf(BudgetToJson(*run.budget));
  return j;
}

// The summary table; `timings` adds the output folder and the stage times (terminal only, never
// in output files, which are byte-identical between runs).
std::string Summary(const ShrinkRun& run, bool timings) {
  const auto& q = run.quantized.report;
  const EvalResult& f = run.pruned ? run.original_eval : run.float_eval;
  const EvalResult& i = run.int8_eval;
  const double scale = i.metric == "auc" ? 100.0 : 1.0;
  std::ostringstream os;
  os << "tinyq shrink: " << run.options->model_path;
  if (timings) os << " -> " << run.options->out_dir;  // files do not name where they live
  os << "\n\n";
  if (timings) {
    os << "  stage               seconds\n";
    for (const auto& s : run.stages) {
      std::string n = s.name;
      n.resize(20, ' ');
      os << "  " << n << Fixed(s.seconds, 1) << "\n";
    }
  }
  std::string m = i.metric + " (" + std::to_string(i.samples) + ")";
  m.resize(20, ' ');
  os << "\n                      float        int8         change\n";
  os << "  " << m << MetricText(f) << std::string(13 - MetricText(f).size(), ' ') << MetricText(i)
     << std::string(13 - MetricText(i).size(), ' ') << Fixed((i.value - f.value) * scale, 2)
     << " pt\n";
  const std::string fw = Kb(static_cast<double>(q.float_weight_bytes));
  const std::string iw = Kb(static_cast<double>(q.quantized_weight_bytes));
  os << "  weights             " << fw << std::string(13 - fw.size(), ' ') << iw
     << std::string(13 - iw.size(), ' ') << "x"
     << Fixed(static_cast<double>(q.float_weight_bytes) /
                  std::max<double>(1.0, static_cast<double>(q.quantized_weight_bytes)),
              2)
     << " smaller\n";
  if (run.pruned) {
    const auto& p = *run.prune_report;
    os << "  MACs                " << p.macs_before << " -> " << p.macs_after << " ("
       << Fixed(100.0 * static_cast<double>(p.macs_before - p.macs_after) /
                    std::max<double>(1.0, static_cast<double>(p.macs_before)),
                1)
       << " % removed by pruning; pruned float " << MetricText(run.float_eval) << ")\n";
  }
  os << "  arena               " << run.c_export.arena_bytes << " bytes (lower bound "
     << run.c_export.lower_bound_bytes << ")\n";
  if (run.budget) {
    const BudgetReport& b = *run.budget;
    os << "  flash on board      " << Kb(static_cast<double>(b.flash_total)) << " of "
       << Kb(static_cast<double>(b.board.flash_bytes)) << "  "
       << (b.flash_total <= b.board.flash_bytes ? "fits" : "DOES NOT FIT") << "\n";
    os << "  RAM on board        " << Kb(static_cast<double>(b.ram_total)) << " of "
       << Kb(static_cast<double>(b.board.ram_bytes)) << "  "
       << (b.ram_total <= b.board.ram_bytes ? "fits" : "DOES NOT FIT") << "  (" << b.board.name
       << ")\n";
    os << "  instructions        " << b.build.instructions << " per inference on "
       << b.build.run_core << " (QEMU), " << Fixed(b.macs_per_instruction, 3) << " MACs/instr\n";
  }
  const double agree = Agreement(f, i);
  if (agree >= 0) os << "  int8 agrees with float on " << Fixed(agree, 2) << " % of the samples\n";
  if (run.train_report)
    for (const std::string& w : run.train_report->warnings)
      os << "  distill warning: " << w << "\n";
  os << "\n";
  if (run.failures.empty()) {
    os << "result: PASS\n";
  } else {
    os << "result: FAIL\n";
    for (const auto& fail : run.failures) os << "  - " << fail << "\n";
  }
  return os.str();
}

std::string Markdown(const ShrinkRun& run, const std::string& summary) {
  std::ostringstream os;
  os << "# tinyq shrink report: " << run.name << "\n\n```\n" << summary << "```\n\n";
  os << "## Per-layer quantization error (calibration data)\n\n"
     << "| tensor | op | SQNR dB | cosine |\n|---|---|---|---|\n";
  for (const auto& l : run.quantized.report.layers)
    os << "| " << l.tensor << " | " << l.op << " | " << Fixed(l.sqnr_db, 1) << " | "
       << Fixed(l.cosine, 5) << " |\n";
  if (!run.quantized.report.float_nodes.empty()) {
    os << "\n## Layers kept in float\n\n";
    for (const auto& n : run.quantized.report.float_nodes) os << "- " << n << "\n";
  }
  os << "\n## Files\n\n";
  for (const auto& f : run.files) os << "- `" << f << "`\n";
  return os.str();
}

}  // namespace

Status WriteShrinkReports(ShrinkRun* run) {
  run->Begin("report");
  const std::string file_summary = Summary(*run, /*timings=*/false);
  const std::string md = Markdown(*run, file_summary);
  run->files.insert(run->files.end(), {"report.json", "report.md", "report.html"});
  run->End();
  run->summary = Summary(*run, /*timings=*/true);
  run->report_json = BuildReport(*run).dump(2) + "\n";
  TQ_RETURN_IF_ERROR(WriteFileAtomic(run->dir + "/report.json", run->report_json));
  TQ_RETURN_IF_ERROR(WriteFileAtomic(run->dir + "/report.md", md));
  return WriteFileAtomic(run->dir + "/report.html", ShrinkReportHtml(*run, file_summary));
}

}  // namespace tinyq
