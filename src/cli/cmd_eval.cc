// tinyq eval MODEL --data DATA.npz [--card card.json] [--scale S --mean M --std D]
//   [--report R.json] [--json]
#include <cstdio>
#include <iostream>

#include "src/cli/cli.h"
#include "tinyq/report.h"

namespace tinyq::cli {

int EvalMain(const std::vector<std::string>& args) {
  po::options_description opts("options");
  opts.add_options()("model", po::value<std::string>()->required(), "ONNX model")(
      "data,d", po::value<std::string>()->required(), "dataset: .npz with x and y")(
      "card", po::value<std::string>(),
      "model card (card.json): preprocessing and metric; flags below override it")(
      "scale", po::value<float>(), "preprocess: input = ((x * scale) - mean) / std")(
      "mean", po::value<float>(), "preprocess mean")("std", po::value<float>(), "preprocess std")(
      "metric", po::value<std::string>(), "top1 (classifier) or auc (anomaly: reconstruction MSE)")(
      "limit", po::value<int64_t>()->default_value(0), "only the first N samples (0 = all)")(
      "threads", po::value<int>()->default_value(0), "worker threads (0 = all cores)")(
      "input-shape", po::value<std::vector<std::string>>()->composing(),
      "fix an input's shape: NAME=1,3,64,64")(
      "int8",
      "require the int8 executor (a quantized model, e.g. from tinyq quantize); quantized "
      "models always run on it");
  AddReportOptions(opts);
  po::positional_options_description pos;
  pos.add("model", 1);
  po::variables_map vm;
  if (int rc =
          ParseArgs("eval", "MODEL --data DATA.npz [--card card.json] [--report R.json] [--json]",
                    args, opts, pos, &vm);
      rc >= 0)
    return rc;
  EvalOptions eo;
  if (vm.count("card")) {
    auto card = ReadModelCard(vm["card"].as<std::string>());
    if (!card.ok()) return Fail(card.status());
    eo.preprocess = card->preprocess;
    eo.metric = card->metric;
  }
  if (vm.count("scale")) eo.preprocess.scale = vm["scale"].as<float>();
  if (vm.count("mean")) eo.preprocess.mean = vm["mean"].as<float>();
  if (vm.count("std")) eo.preprocess.std = vm["std"].as<float>();
  if (vm.count("metric")) eo.metric = vm["metric"].as<std::string>();
  if (eo.preprocess.std == 0.0f) return Fail(InvalidArgument("--std must be non-zero"));
  eo.limit = vm["limit"].as<int64_t>();
  eo.threads = vm["threads"].as<int>();
  eo.int8 = vm.count("int8") != 0;
  const std::string model_path = vm["model"].as<std::string>();
  const std::string data_path = vm["data"].as<std::string>();
  auto shapes = vm.count("input-shape") ? vm["input-shape"].as<std::vector<std::string>>()
                                        : std::vector<std::string>{};
  auto graph = LoadModel(model_path, shapes);
  if (!graph.ok()) return Fail(graph.status());
  auto data = ReadDataset(data_path);
  if (!data.ok()) return Fail(data.status());
  Progress progress("eval");
  eo.progress = [&](int64_t done, int64_t total) { progress.Update(done, total); };
  auto r = Evaluate(**graph, *data, data_path, eo);
  progress.Finish();
  if (!r.ok()) return Fail(r.status());
  char text[160];
  if (r->metric == "top1") {
    std::snprintf(text, sizeof(text), "top-1 %.2f%%  (loss %.4f, %lld samples)\n", r->value,
                  r->loss, static_cast<long long>(r->samples));
  } else {
    std::snprintf(text, sizeof(text), "AUC %.4f  (mean reconstruction MSE %.6f, %lld samples)\n",
                  r->value, r->loss, static_cast<long long>(r->samples));
  }
  return EmitReport(vm, EvalReportJson(*r, ReportModelOfFile(model_path), data_path), text);
}

}  // namespace tinyq::cli
