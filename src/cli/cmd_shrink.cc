// tinyq shrink MODEL --data DATA.npz [--card card.json] [--target BOARD] -o OUTDIR [...]
#include <iostream>
#include <memory>

#include "src/cli/cli.h"
#include "tinyq/shrink.h"
#include "tinyq/target.h"

namespace tinyq::cli {

int ShrinkMain(const std::vector<std::string>& args) {
  po::options_description opts("options");
  opts.add_options()("model", po::value<std::string>()->required(), "float ONNX model")(
      "data", po::value<std::string>()->required(),
      "evaluation data: .npz with x and y (also the calibration data unless --calib)")(
      "calib", po::value<std::string>(), "calibration data (default: the first --calib-limit "
                                         "samples of --data)")(
      "card", po::value<std::string>(), "model card (card.json): preprocessing and metric")(
      "target", po::value<std::string>(), "board name (tinyq targets) or profile JSON")(
      "output,o", po::value<std::string>()->required(), "output directory (must not exist)")(
      "force", "replace an existing output directory")(
      "name", po::value<std::string>(), "C identifier of the generated code (default: model name)")(
      "flash", po::value<std::string>(), "override the board's flash (e.g. 256K, 1M)")(
      "ram", po::value<std::string>(), "override the board's RAM (e.g. 64K)")(
      "prune-channels", po::value<double>(),
      "remove this fraction of each prunable channel group before quantizing (e.g. 0.5)")(
      "criterion", po::value<std::string>()->default_value("l1"),
      "pruning criterion: l1 | l2 | bn | activation")(
      "distill", "recover the pruned model by distillation from the original (needs --train); "
                 "default: least-squares reconstruction")(
      "train", po::value<std::string>(), "training data for --distill (.npz with x, y)")(
      "epochs", po::value<int>()->default_value(3), "distillation epochs")(
      "bias-correction", "empirical bias correction")(
      "equalize", "cross-layer equalization")(
      "adaround", "learned rounding of the int8 weights (AdaRound) on the calibration data")(
      "adaround-iters", po::value<int>()->default_value(1000),
      "AdaRound optimizer steps per layer")(
      "max-drop", po::value<double>(),
      "fail (exit 1) when int8 loses more than PT points against float (AUC: x100)")(
      "eval-limit", po::value<int64_t>()->default_value(0), "evaluate the first N samples (0 = all)")(
      "threads", po::value<int>()->default_value(0), "worker threads (0 = all cores)")(
      "input-shape", po::value<std::vector<std::string>>()->composing(),
      "fix an input's shape: NAME=1,3,64,64")("json", "print report.json instead of the summary");
  AddCalibrationOptions(opts);
  po::positional_options_description pos;
  pos.add("model", 1);
  po::variables_map vm;
  if (int rc = ParseArgs("shrink",
                         "MODEL --data DATA.npz [--card card.json] [--target BOARD] -o OUTDIR "
                         "[--method M] [--adaround] [--max-drop PT]\n"
                         "[--prune-channels R [--distill --train T.npz]]\n"
                         "Runs [prune + recover] -> optimize -> calibrate -> quantize -> evaluate "
                         "float and int8 -> export ONNX and C -> [build and measure for the board] "
                         "and writes OUTDIR/report.{json,md,html}. Exit 1 when a gate (--max-drop, "
                         "the board's flash/RAM) fails.",
                         args, opts, pos, &vm);
      rc >= 0)
    return rc;
  ShrinkOptions o;
  o.model_path = vm["model"].as<std::string>();
  o.data_path = vm["data"].as<std::string>();
  o.out_dir = vm["output"].as<std::string>();
  if (vm.count("calib")) o.calib_path = vm["calib"].as<std::string>();
  if (vm.count("card")) o.card_path = vm["card"].as<std::string>();
  if (vm.count("target")) o.target = vm["target"].as<std::string>();
  if (vm.count("name")) o.name = vm["name"].as<std::string>();
  o.force = vm.count("force") != 0;
  for (const char* flag : {"flash", "ram"}) {
    if (!vm.count(flag)) continue;
    auto bytes = ParseByteSize(vm[flag].as<std::string>(), std::string("--") + flag);
    if (!bytes.ok()) return Fail(bytes.status());
    (std::string(flag) == "flash" ? o.flash_bytes : o.ram_bytes) = *bytes;
  }
  if ((vm.count("flash") || vm.count("ram")) && o.target.empty())
    return Fail(InvalidArgument("--flash/--ram override a board: give --target too"));
  if (vm.count("prune-channels")) o.prune_channels = vm["prune-channels"].as<double>();
  o.prune_criterion = vm["criterion"].as<std::string>();
  o.distill = vm.count("distill") != 0;
  if (vm.count("train")) o.train_path = vm["train"].as<std::string>();
  o.distill_epochs = vm["epochs"].as<int>();
  if (o.distill_epochs < 1) return Fail(InvalidArgument("--epochs must be >= 1"));
  if (Status s = ReadCalibrationOptions(vm, &o.quantize); !s.ok()) return Fail(s);
  o.quantize.bias_correction = vm.count("bias-correction") != 0;
  o.quantize.equalize = vm.count("equalize") != 0;
  o.quantize.adaround = vm.count("adaround") != 0;
  o.quantize.adaround_iters = vm["adaround-iters"].as<int>();
  if (o.quantize.adaround_iters < 1) return Fail(InvalidArgument("--adaround-iters must be >= 1"));
  if (vm.count("max-drop")) {
    o.max_drop = vm["max-drop"].as<double>();
    if (!(o.max_drop >= 0)) return Fail(InvalidArgument("--max-drop must be >= 0"));
  }
  o.eval_limit = vm["eval-limit"].as<int64_t>();
  if (o.eval_limit < 0) return Fail(InvalidArgument("--eval-limit must be >= 0"));
  o.threads = vm["threads"].as<int>();
  auto load = ParseInputShapes(vm.count("input-shape")
                                   ? vm["input-shape"].as<std::vector<std::string>>()
                                   : std::vector<std::string>{});
  if (!load.ok()) return Fail(load.status());
  o.load = *load;
  std::unique_ptr<Progress> bar;
  o.stage_begin = [&](const std::string& stage) {
    if (bar) bar->Finish();
    bar = std::make_unique<Progress>(stage);
  };
  o.progress = [&](const std::string&, int64_t d, int64_t t) {
    if (bar) bar->Update(d, t);
  };
  auto r = Shrink(o);
  if (bar) bar->Finish();
  if (!r.ok()) return Fail(r.status());
  std::cout << (vm.count("json") ? r->report_json : "\n" + r->summary);
  if (!vm.count("json")) std::cout << "wrote " << r->out_dir << "/report.{json,md,html}\n";
  return r->passed ? 0 : ExitCodeFor(StatusCode::kCheckFailed);
}

}  // namespace tinyq::cli
