// tinyq quantize MODEL --calib DATA.npz -o OUT.onnx [...]   and   tinyq calibrate MODEL --calib
// DATA.npz -o TABLE.json [...]
#include <iostream>
#include <map>
#include <memory>

#include "src/cli/cli.h"
#include "tinyq/quantize.h"
#include "tinyq/report.h"

namespace tinyq::cli {
namespace {

void AddCommonOptions(po::options_description& opts) {
  opts.add_options()("model", po::value<std::string>()->required(), "float ONNX model")(
      "calib", po::value<std::string>()->required(),
      "calibration data: .npz with x (labels not needed)")(
      "card", po::value<std::string>(), "model card (card.json): preprocessing and metric")(
      "scale", po::value<float>(), "preprocess: input = ((x * scale) - mean) / std")(
      "mean", po::value<float>(), "preprocess mean")("std", po::value<float>(), "preprocess std")(
      "threads", po::value<int>()->default_value(0), "worker threads (0 = all cores)")(
      "input-shape", po::value<std::vector<std::string>>()->composing(),
      "fix an input's shape: NAME=1,3,64,64")("output,o", po::value<std::string>()->required(),
                                              "output file");
  AddCalibrationOptions(opts);
}

// Fills preprocessing, metric, method and calibration settings shared by both verbs.
Status ReadCommon(const po::variables_map& vm, QuantizeOptions* o) {
  if (vm.count("card")) {
    TQ_ASSIGN_OR_RETURN(ModelCard card, ReadModelCard(vm["card"].as<std::string>()));
    o->preprocess = card.preprocess;
    o->metric = card.metric;
  }
  if (vm.count("scale")) o->preprocess.scale = vm["scale"].as<float>();
  if (vm.count("mean")) o->preprocess.mean = vm["mean"].as<float>();
  if (vm.count("std")) o->preprocess.std = vm["std"].as<float>();
  if (o->preprocess.std == 0.0f) return InvalidArgument("--std must be non-zero");
  TQ_RETURN_IF_ERROR(ReadCalibrationOptions(vm, o));
  o->threads = vm["threads"].as<int>();
  return Status::Ok();
}

std::vector<std::string> Shapes(const po::variables_map& vm) {
  return vm.count("input-shape") ? vm["input-shape"].as<std::vector<std::string>>()
                                 : std::vector<std::string>{};
}

}  // namespace

int CalibrateMain(const std::vector<std::string>& args) {
  po::options_description opts("options");
  AddCommonOptions(opts);
  opts.add_options()("json", "print the calibration table as JSON");
  po::positional_options_description pos;
  pos.add("model", 1);
  po::variables_map vm;
  if (int rc = ParseArgs("calibrate", "MODEL --calib DATA.npz -o TABLE.json [--method M]", args,
                         opts, pos, &vm);
      rc >= 0)
    return rc;
  QuantizeOptions qo;
  if (Status s = ReadCommon(vm, &qo); !s.ok()) return Fail(s);
  auto graph = LoadModel(vm["model"].as<std::string>(), Shapes(vm));
  if (!graph.ok()) return Fail(graph.status());
  const std::string calib_path = vm["calib"].as<std::string>();
  auto calib = ReadDataset(calib_path);
  if (!calib.ok()) return Fail(calib.status());
  auto optimized = OptimizeForInference(**graph);
  if (!optimized.ok()) return Fail(optimized.status());
  CalibrateOptions co;
  co.preprocess = qo.preprocess;
  co.observer.method = qo.method;
  co.observer.percentile = qo.percentile;
  co.limit = qo.calib_limit;
  co.threads = qo.threads;
  Progress progress("calibrate");
  co.progress = [&](const std::string&, int64_t d, int64_t t) { progress.Update(d, t); };
  auto table = Calibrate(**optimized, *calib, calib_path, co);
  progress.Finish();
  if (!table.ok()) return Fail(table.status());
  const std::string out = vm["output"].as<std::string>();
  if (Status s = table->Save(out); !s.ok()) return Fail(s);
  std::cout << (vm.count("json")
                    ? table->ToJson() + "\n"
                    : std::to_string(table->size()) + " tensors calibrated -> " + out + "\n");
  return 0;
}

int QuantizeMain(const std::vector<std::string>& args) {
  po::options_description opts("options");
  AddCommonOptions(opts);
  opts.add_options()("calib-table", po::value<std::string>(),
                     "use the ranges of a saved calibration table (tinyq calibrate) instead of "
                     "calibrating")("save-calib", po::value<std::string>(),
                                    "also write the calibration table (JSON)")(
      "bias-correction", "empirical bias correction from the calibration data")(
      "equalize", "cross-layer equalization before calibration")(
      "float-io", "keep float32 graph inputs/outputs (default: int8 I/O)")(
      "reduce-range",
      "7-bit weights in [-63, 63]: for runtimes whose x86 int8 kernels saturate without VNNI "
      "(ONNX Runtime on AVX2); tinyq's own kernels never need it")(
      "float-node", po::value<std::vector<std::string>>()->composing(),
      "keep this node in float (repeatable)")(
      "adaround",
      "learned rounding of the int8 weights (AdaRound) against each float layer's "
      "output on the calibration data; kept only if the whole model then does better than "
      "with round-to-nearest on --val (or the calibration data)")("adaround-iters", po::value<int>()->default_value(1000),
                                        "AdaRound optimizer steps per layer")(
      "no-adaround-check",
      "keep the learned rounding even if the whole model is not better than with "
      "round-to-nearest (skips the check on --val or the calibration data)")(
      "search",
      "quantize with each candidate configuration (calibration methods, bias "
      "correction, AdaRound) and keep the best on --val (never use the test set)")(
      "max-drop", po::value<double>(),
      "move the most sensitive layers back to float until the validation metric drops by at most "
      "PT points (AUC: x100)")(
      "val", po::value<std::string>(),
      "validation set (.npz with x, y; held out from the training data) for --max-drop, "
      "--search or the --adaround check");
  AddReportOptions(opts);
  po::positional_options_description pos;
  pos.add("model", 1);
  po::variables_map vm;
  if (int rc = ParseArgs("quantize",
                         "MODEL --calib DATA.npz [--card card.json] [--method M] "
                         "[--bias-correction] [--equalize] "
                         "[--adaround [--adaround-iters N] [--val DATA.npz | --no-adaround-check]] "
                         "[--max-drop PT --val DATA.npz | --search --val DATA.npz] "
                         "-o OUT.onnx [--report R.json]",
                         args, opts, pos, &vm);
      rc >= 0)
    return rc;
  QuantizeOptions qo;
  if (Status s = ReadCommon(vm, &qo); !s.ok()) return Fail(s);
  qo.bias_correction = vm.count("bias-correction") != 0;
  qo.equalize = vm.count("equalize") != 0;
  qo.float_io = vm.count("float-io") != 0;
  qo.reduce_range = vm.count("reduce-range") != 0;
  if (vm.count("float-node")) qo.float_nodes = vm["float-node"].as<std::vector<std::string>>();
  qo.adaround = vm.count("adaround") != 0;
  qo.adaround_iters = vm["adaround-iters"].as<int>();
  qo.adaround_guard = !vm.count("no-adaround-check");
  if (vm.count("no-adaround-check") && !qo.adaround)
    return Fail(InvalidArgument("--no-adaround-check goes with --adaround"));
  if (qo.adaround_iters < 1) return Fail(InvalidArgument("--adaround-iters must be >= 1"));
  qo.search = vm.count("search") != 0;
  if (vm.count("max-drop") && qo.search)
    return Fail(InvalidArgument("--search and --max-drop cannot be combined"));
  if (qo.search && !vm["method"].defaulted())
    return Fail(InvalidArgument("--search chooses the calibration method itself; drop --method"));
  if (vm.count("max-drop") + vm.count("search") > 0 && !vm.count("val"))
    return Fail(InvalidArgument("--max-drop and --search need a validation set (--val)"));
  if (vm.count("val") && !vm.count("max-drop") && !vm.count("search") && !vm.count("adaround"))
    return Fail(InvalidArgument("--val goes with --max-drop, --search or --adaround"));
  const std::string model_path = vm["model"].as<std::string>();
  const std::string out = vm["output"].as<std::string>();
  auto graph = LoadModel(model_path, Shapes(vm));
  if (!graph.ok()) return Fail(graph.status());
  const std::string calib_path = vm["calib"].as<std::string>();
  auto calib = ReadDataset(calib_path);
  if (!calib.ok()) return Fail(calib.status());
  if (vm.count("calib-table")) {
    auto t = CalibrationTable::Load(vm["calib-table"].as<std::string>());
    if (!t.ok()) return Fail(t.status());
    qo.table = std::move(*t);
  }
  StatusOr<Dataset> val = InvalidArgument("");
  if (vm.count("val")) {
    if (vm.count("max-drop")) qo.max_drop = vm["max-drop"].as<double>();
    if (vm.count("max-drop") && qo.max_drop < 0)
      return Fail(InvalidArgument("--max-drop must be >= 0"));
    qo.val_path = vm["val"].as<std::string>();
    val = ReadDataset(qo.val_path);
    if (!val.ok()) return Fail(val.status());
    qo.val = &*val;
  }
  // One bar per stage (calibrate, adaround, bias-correction, search, ...), so each ETA is its own;
  // a stage that starts over (the search runs adaround per candidate) gets a fresh bar.
  std::map<std::string, std::pair<std::unique_ptr<Progress>, int64_t>> bars;
  Progress* shown = nullptr;
  qo.progress = [&](const std::string& s, int64_t d, int64_t t) {
    if (t <= 0) return;
    auto& [bar, last] = bars[s];
    if (!bar || d < last) {
      if (shown && shown == bar.get()) shown = nullptr;
      if (bar) bar->Finish();
      bar = std::make_unique<Progress>("quantize: " + s);
    }
    if (shown && shown != bar.get()) shown->Finish();
    shown = bar.get();
    last = d;
    bar->Update(d, t);
  };
  auto r = Quantize(**graph, *calib, calib_path, qo);
  if (shown) shown->Finish();
  if (!r.ok()) return Fail(r.status());
  if (vm.count("save-calib"))
    if (Status s = r->table.Save(vm["save-calib"].as<std::string>()); !s.ok()) return Fail(s);
  const int64_t val_samples = qo.val ? qo.val->x.dim(0) : 0;
  return SaveModelAndReport(
      vm, *r->graph, out,
      QuantizeReportJson(r->report, ReportModelOfFile(model_path), qo.metric, val_samples),
      QuantizeReportToText(r->report));
}

}  // namespace tinyq::cli
