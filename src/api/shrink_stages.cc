// The stages of `tinyq shrink` (see tinyq/shrink.h), each timed and reported.
#include <filesystem>

#include "src/api/shrink_internal.h"
#include "tinyq/onnx.h"

namespace tinyq {
namespace {

Status LoadStage(ShrinkRun* run) {
  const ShrinkOptions& o = *run->options;
  run->Begin("load");
  TQ_ASSIGN_OR_RETURN(run->model, LoadOnnx(o.model_path, o.load));
  TQ_ASSIGN_OR_RETURN(run->data, ReadDataset(o.data_path));
  if (!run->data.has_labels)
    return InvalidArgument(o.data_path + ": evaluation data needs labels (y) for the card's metric");
  TQ_ASSIGN_OR_RETURN(run->float_graph, OptimizeForInference(*run->model));
  run->End();
  return Status::Ok();
}

Status QuantizeStage(ShrinkRun* run) {
  const ShrinkOptions& o = *run->options;
  run->Begin("quantize");
  const std::string calib_path = o.calib_path.empty() ? o.data_path : o.calib_path;
  Dataset calib_storage;
  const Dataset* calib = &run->data;
  if (!o.calib_path.empty()) {
    TQ_ASSIGN_OR_RETURN(calib_storage, ReadDataset(o.calib_path));
    calib = &calib_storage;
  }
  TQ_ASSIGN_OR_RETURN(run->quantized, Quantize(*run->float_graph, *calib, calib_path, run->quantize));
  run->End();
  return Status::Ok();
}

Status EvaluateStage(ShrinkRun* run) {
  const ShrinkOptions& o = *run->options;
  EvalOptions eo;
  eo.preprocess = run->quantize.preprocess;
  eo.metric = run->quantize.metric;
  eo.threads = o.threads;
  eo.limit = o.eval_limit;
  run->Begin("evaluate float");
  eo.progress = [&](int64_t d, int64_t t) { run->Progress("evaluate float", d, t); };
  TQ_ASSIGN_OR_RETURN(run->float_eval, Evaluate(*run->float_graph, run->data, o.data_path, eo));
  run->End();
  run->Begin("evaluate int8");
  eo.int8 = true;
  eo.progress = [&](int64_t d, int64_t t) { run->Progress("evaluate int8", d, t); };
  TQ_ASSIGN_OR_RETURN(run->int8_eval, Evaluate(*run->quantized.graph, run->data, o.data_path, eo));
  run->End();
  if (o.max_drop >= 0) {
    const double scale = run->int8_eval.metric == "auc" ? 100.0 : 1.0;
    const double drop = (run->float_eval.value - run->int8_eval.value) * scale;
    if (drop > o.max_drop)
      run->failures.push_back("accuracy: int8 " + run->int8_eval.metric + " is " +
                              std::to_string(drop) + " pt below float (limit " +
                              std::to_string(o.max_drop) + " pt)");
  }
  return Status::Ok();
}

Status ExportStage(ShrinkRun* run) {
  run->Begin("export ONNX");
  const std::string float_name = run->name + "_float.onnx";
  const std::string int8_name = run->name + "_int8.onnx";
  TQ_RETURN_IF_ERROR(SaveOnnx(*run->float_graph, run->dir + "/" + float_name));
  TQ_RETURN_IF_ERROR(SaveOnnx(*run->quantized.graph, run->dir + "/" + int8_name));
  TQ_RETURN_IF_ERROR(run->quantized.table.Save(run->dir + "/calibration.json"));
  run->files.insert(run->files.end(), {float_name, int8_name, "calibration.json"});
  run->End();
  return Status::Ok();
}

}  // namespace

Status RunShrinkStages(ShrinkRun* run) {
  TQ_RETURN_IF_ERROR(LoadStage(run));
  TQ_RETURN_IF_ERROR(QuantizeStage(run));
  TQ_RETURN_IF_ERROR(EvaluateStage(run));
  TQ_RETURN_IF_ERROR(ExportStage(run));
  return Status::Ok();
}

double Agreement(const EvalResult& a, const EvalResult& b) {
  if (a.predictions.empty() || a.predictions.size() != b.predictions.size()) return -1.0;
  int64_t same = 0;
  for (size_t i = 0; i < a.predictions.size(); ++i) same += a.predictions[i] == b.predictions[i];
  return 100.0 * static_cast<double>(same) / static_cast<double>(a.predictions.size());
}

std::vector<std::vector<int64_t>> ConfusionMatrix(const EvalResult& e, const Dataset& data) {
  if (e.predictions.empty() || !data.has_labels) return {};
  const int64_t* y = data.y.data<int64_t>();
  int64_t classes = 0;
  for (size_t i = 0; i < e.predictions.size(); ++i)
    classes = std::max({classes, e.predictions[i] + 1, y[i] + 1});
  std::vector<std::vector<int64_t>> m(classes, std::vector<int64_t>(classes, 0));
  for (size_t i = 0; i < e.predictions.size(); ++i) ++m[y[i]][e.predictions[i]];
  return m;
}

}  // namespace tinyq
