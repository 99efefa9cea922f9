// tinyq check REPORT.json [--baseline BASE.json] [--max-accuracy-drop PT] [--max-flash-growth PCT]
//   [--max-ram-growth PCT] [--junit OUT.xml] [--markdown OUT.md] [--json]
#include <iostream>

#include "src/cli/cli.h"
#include "tinyq/report.h"

namespace tinyq::cli {

int CheckMain(const std::vector<std::string>& args) {
  po::options_description opts("options");
  opts.add_options()("report", po::value<std::string>()->required(),
                     "report JSON written by any tinyq verb (format tinyq.report)")(
      "baseline", po::value<std::string>(), "baseline report to compare against")(
      "max-accuracy-drop", po::value<double>(),
      "largest allowed metric drop of the verb's result (int8, else pruned), vs float and vs the "
      "baseline, in points (top1: percent points; auc: x100)")(
      "max-flash-growth", po::value<double>(),
      "largest allowed flash growth vs the baseline, percent (without flash in "
      "both: C const data, else int8 weights)")(
      "max-ram-growth", po::value<double>(),
      "largest allowed RAM growth vs the baseline, percent (without RAM in both: the arena)")(
      "junit", po::value<std::string>(), "write JUnit XML here")(
      "markdown", po::value<std::string>(), "write a Markdown summary here (pull-request comment)")(
      "json", "print the result as JSON");
  po::positional_options_description pos;
  pos.add("report", 1);
  po::variables_map vm;
  const int rc = ParseArgs(
      "check",
      "REPORT.json [--baseline BASE.json] [--max-accuracy-drop PT] "
      "[--max-flash-growth PCT] [--max-ram-growth PCT] [--junit OUT.xml] [--markdown OUT.md]\n"
      "Compares the report of any verb (docs/report_schema.md) with limits and a baseline; exit 1 "
      "on any regression. A report's board limits (footprint.flash_limit_bytes/ram_limit_bytes) "
      "are always checked; a requested check the reports have no figures for is listed as "
      "skipped.",
      args, opts, pos, &vm);
  if (rc >= 0) return rc;
  CheckLimits limits;
  if (vm.count("max-accuracy-drop"))
    limits.max_accuracy_drop = vm["max-accuracy-drop"].as<double>();
  if (vm.count("max-flash-growth"))
    limits.max_flash_growth_pct = vm["max-flash-growth"].as<double>();
  if (vm.count("max-ram-growth")) limits.max_ram_growth_pct = vm["max-ram-growth"].as<double>();
  const std::string baseline = vm.count("baseline") ? vm["baseline"].as<std::string>() : "";
  auto s = CheckReport(vm["report"].as<std::string>(), baseline, limits);
  if (!s.ok()) return Fail(s.status());
  if (vm.count("junit")) {
    if (Status w = WriteFileAtomic(vm["junit"].as<std::string>(), CheckToJUnit(*s)); !w.ok())
      return Fail(w);
  }
  if (vm.count("markdown")) {
    if (Status w = WriteFileAtomic(vm["markdown"].as<std::string>(), CheckToMarkdown(*s)); !w.ok())
      return Fail(w);
  }
  std::cout << (vm.count("json") ? CheckToJson(*s) + "\n" : CheckToText(*s));
  return s->passed() ? 0 : ExitCodeFor(StatusCode::kCheckFailed);
}

}  // namespace tinyq::cli
