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
  run->calib_path = o.calib_path.empty() ? o.data_path : o.calib_path;
  if (!o.calib_path.empty()) {
    TQ_ASSIGN_OR_RETURN(run->calib_data, ReadDataset(o.calib_path));
    run->own_calib = true;
  }
  run->End();
  return Status::Ok();
}

// Channel pruning of the loaded model, recovered by least squares or by distillation from it.
Status PruneStage(ShrinkRun* run) {
  const ShrinkOptions& o = *run->options;
  if (o.prune_channels <= 0) return Status::Ok();
  if (o.distill && o.train_path.empty())
    return InvalidArgument("--distill needs --train TRAIN.npz (the data to distill on)");
  run->Begin("prune");
  PruneOptions po;
  po.preprocess = run->quantize.preprocess;
  po.metric = run->quantize.metric;
  po.channel_ratio = o.prune_channels;
  po.criterion = o.prune_criterion;
  po.recover = o.distill ? "none" : "lsq";
  po.threads = o.threads;
  po.progress = [&](const std::string& s, int64_t d, int64_t t) { run->Progress(s, d, t); };
  TQ_ASSIGN_OR_RETURN(PruneResult pruned, Prune(*run->model, run->calib(), run->calib_path, po));
  run->pruned = std::move(pruned.graph);
  run->prune_report = std::move(pruned.report);
  run->End();
  if (!o.distill) return Status::Ok();
  run->Begin("distill");
  TQ_ASSIGN_OR_RETURN(Dataset train, ReadDataset(o.train_path));
  TrainOptions to;
  to.epochs = o.distill_epochs;
  to.preprocess = run->quantize.preprocess;
  // One bar over all epochs (the callback counts samples within an epoch).
  to.progress = [&](int epoch, int64_t d, int64_t t, double) {
    run->Progress("distill", (epoch - 1) * t + d, to.epochs * t);
  };
  // No validation set: the evaluation data must not choose the epoch (the last one is kept).
  TQ_ASSIGN_OR_RETURN(run->train_report, Distill(run->pruned.get(), run->model.get(), train,
                                                 o.train_path, nullptr, "", to));
  run->End();
  return Status::Ok();
}

Status OptimizeStage(ShrinkRun* run) {
  run->Begin("optimize");
  TQ_ASSIGN_OR_RETURN(run->float_graph,
                      OptimizeForInference(run->pruned ? *run->pruned : *run->model));
  run->End();
  return Status::Ok();
}

Status QuantizeStage(ShrinkRun* run) {
  run->Begin("quantize");
  TQ_ASSIGN_OR_RETURN(run->quantized,
                      Quantize(*run->float_graph, run->calib(), run->calib_path, run->quantize));
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
  if (run->pruned) {
    run->Begin("evaluate unpruned");
    eo.progress = [&](int64_t d, int64_t t) { run->Progress("evaluate unpruned", d, t); };
    TQ_ASSIGN_OR_RETURN(run->original_eval, Evaluate(*run->model, run->data, o.data_path, eo));
    run->End();
  }
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
    // Against the model the user gave: pruning losses count too.
    const EvalResult& reference = run->pruned ? run->original_eval : run->float_eval;
    const double drop = (reference.value - run->int8_eval.value) * scale;
    if (drop > o.max_drop)
      run->failures.push_back("accuracy: int8 " + run->int8_eval.metric + " is " +
                              std::to_string(drop) + " pt below the float model (limit " +
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
  run->Begin("export C");
  ExportOptions eo;
  eo.name = run->name;
  eo.model_path = run->options->model_path;
  TQ_ASSIGN_OR_RETURN(run->c_export, ExportC(*run->quantized.graph, eo, run->dir + "/c"));
  run->files.push_back("c/");
  run->End();
  return Status::Ok();
}

// Cross-builds the generated C for the board, runs it in QEMU, and gates on flash and RAM.
Status BudgetStage(ShrinkRun* run) {
  const ShrinkOptions& o = *run->options;
  if (o.target.empty()) return Status::Ok();
  run->Begin("budget");
  TQ_ASSIGN_OR_RETURN(BoardProfile board, ResolveBoard(o.target));
  BudgetOptions bo;
  if (o.flash_bytes) bo.flash_override = *o.flash_bytes;
  if (o.ram_bytes) bo.ram_override = *o.ram_bytes;
  ModelFootprint fp = FootprintOf(run->c_export);
  fp.model = o.model_path;
  TQ_ASSIGN_OR_RETURN(run->budget, BudgetCDir(run->dir + "/c", run->name, fp, board, bo));
  for (const BudgetFailure& f : run->budget->failures)
    run->failures.push_back("budget: " + f.limit + " needs " + std::to_string(f.needed) +
                            " bytes, " + run->budget->board.name + " has " +
                            std::to_string(f.available) + " (over by " +
                            std::to_string(f.over_by) + ")");
  run->End();
  return Status::Ok();
}

}  // namespace

Status RunShrinkStages(ShrinkRun* run) {
  TQ_RETURN_IF_ERROR(LoadStage(run));
  TQ_RETURN_IF_ERROR(PruneStage(run));
  TQ_RETURN_IF_ERROR(OptimizeStage(run));
  TQ_RETURN_IF_ERROR(QuantizeStage(run));
  TQ_RETURN_IF_ERROR(EvaluateStage(run));
  TQ_RETURN_IF_ERROR(ExportStage(run));
  TQ_RETURN_IF_ERROR(BudgetStage(run));
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
