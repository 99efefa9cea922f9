// tinyq budget MODEL|C_DIR --target BOARD [--flash N --ram N | --profile P.json]
//              [--rate 1/s --battery 220mAh@3V] [--report R.json] [--json]
// Exit code 1 when the model does not fit (the report says which limit and by how much).
#include <iostream>

#include "src/cli/cli.h"
#include "tinyq/report.h"
#include "tinyq/target.h"

namespace tinyq::cli {

int BudgetMain(const std::vector<std::string>& args) {
  BudgetRequest req;
  po::options_description opts("options");
  opts.add_options()("model", po::value<std::string>(&req.model)->required(),
                     "ONNX model (int8 QDQ, or float with --calib) or a generated C directory")(
      "target", po::value<std::string>(&req.target), "board id (see tinyq targets)")(
      "profile", po::value<std::string>(&req.profile), "JSON board profile instead of --target")(
      "flash", po::value<std::string>(&req.flash), "override the board's flash: 1M, 256K, bytes")(
      "ram", po::value<std::string>(&req.ram), "override the board's RAM: 256K, bytes")(
      "rate", po::value<std::string>(&req.rate), "inference rate for the battery estimate: 1/s")(
      "battery", po::value<std::string>(&req.battery), "battery for the estimate: 220mAh@3V")(
      "calib", po::value<std::string>(&req.calib),
      "float model: calibration data (.npz) to quantize")(
      "card", po::value<std::string>(&req.card), "float model: model card (preprocessing)")(
      "name", po::value<std::string>(&req.name), "C name of the model (default: model / found)")(
      "opt", po::value<std::string>(&req.opt)->default_value("-Os"), "-Os or -O2")(
      "keep", po::value<std::string>(&req.work_dir), "keep the builds (ELFs, harness) in DIR")(
      "timeout", po::value<int>(&req.timeout_s)->default_value(300), "qemu timeout, seconds");
  AddReportOptions(opts);
  po::positional_options_description pos;
  pos.add("model", 1);
  po::variables_map vm;
  if (int rc = ParseArgs("budget", "MODEL --target BOARD [--report R.json] [--json]", args, opts,
                         pos, &vm);
      rc >= 0) {
    return rc;
  }
  auto report = RunBudget(req);
  if (!report.ok()) return Fail(report.status());
  if (int rc = EmitReport(vm, BudgetReportJson(*report, ReportModelOfFile(req.model)),
                          BudgetToText(*report));
      rc != 0)
    return rc;
  return report->fits ? 0 : ExitCodeFor(StatusCode::kCheckFailed);
}

}  // namespace tinyq::cli
