// src/train/distill.cc - the training loop behind `tinyq distill` / `tinyq train`.
//
// Per epoch: a fresh permutation (Shuffler seeded once from options.seed), mini-batches gathered
// and preprocessed one at a time (only one batch of activations lives at once), forward,
// DistillLoss against the cached teacher logits, backward, one optimizer step with the scheduled
// learning rate. After each epoch the validation set is scored and the best weights are kept.
#include <chrono>
#include <cmath>
#include <nlohmann/json.hpp>

#include "src/train/batch.h"
#include "src/train/loss.h"
#include "src/train/optimizer.h"
#include "src/train/tape.h"
#include "tinyq/train.h"

namespace tinyq {
namespace {

double Now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

Status CheckOptions(const TrainOptions& o) {
  if (o.epochs < 1) return InvalidArgument("epochs must be >= 1");
  if (o.batch < 1) return InvalidArgument("batch must be >= 1");
  if (!(o.lr > 0.0f) || !std::isfinite(o.lr)) return InvalidArgument("lr must be > 0");
  if (!(o.temperature > 0.0f)) return InvalidArgument("temperature must be > 0");
  if (!(o.alpha >= 0.0f && o.alpha <= 1.0f)) return InvalidArgument("alpha must be in [0, 1]");
  if (o.schedule != "constant" && o.schedule != "cosine")
    return InvalidArgument("unknown schedule '" + o.schedule + "' (constant | cosine)");
  if (o.preprocess.std == 0.0f) return InvalidArgument("preprocess std must be non-zero");
  if (o.limit < 0) return InvalidArgument("limit must be >= 0");
  return Status::Ok();
}

// Labels as int64 with every value in [0, classes); InvalidArgument naming the file otherwise.
StatusOr<std::vector<int64_t>> CheckedLabels(const Dataset& d, const std::string& path,
                                             int64_t count, int64_t classes) {
  if (!d.has_labels) return InvalidArgument(path + ": training needs labels (y)");
  std::vector<int64_t> y = d.y.ToInt64Vector();
  if (static_cast<int64_t>(y.size()) < count)
    return InvalidArgument(path + ": fewer labels than samples");
  y.resize(static_cast<size_t>(count));
  for (int64_t v : y)
    if (v < 0 || v >= classes)
      return InvalidArgument(path + ": label " + std::to_string(v) + " outside [0, " +
                             std::to_string(classes) + ")");
  return y;
}

Status CheckSamples(const Dataset& d, const std::string& path, int64_t sample) {
  if (d.x.rank() < 1 || d.x.dim(0) < 1 || d.x.numel() / d.x.dim(0) != sample)
    return InvalidArgument(path + ": samples of x " + ShapeToString(d.x.shape()) +
                           " do not fit the model input (" + std::to_string(sample) +
                           " values per sample)");
  return Status::Ok();
}

// Top-1 accuracy in percent of the program's current weights on `d`.
double Top1(train::TrainProgram& p, const Dataset& d, const std::vector<int64_t>& y,
            const Preprocess& pre) {
  constexpr int64_t kChunk = 256;
  const int64_t n = static_cast<int64_t>(y.size()), classes = p.OutputSampleSize();
  std::vector<float> x(static_cast<size_t>(kChunk * p.InputSampleSize()));
  std::vector<int64_t> idx(static_cast<size_t>(kChunk));
  int64_t correct = 0;
  for (int64_t b = 0; b < n; b += kChunk) {
    const int64_t cnt = std::min(kChunk, n - b);
    for (int64_t i = 0; i < cnt; ++i) idx[static_cast<size_t>(i)] = b + i;
    train::GatherSamples(d.x, idx.data(), cnt, pre, x.data());
    p.Forward(x.data(), cnt);
    const float* out = p.Output();
    for (int64_t i = 0; i < cnt; ++i) {
      const float* row = out + i * classes;
      correct += std::max_element(row, row + classes) - row == y[static_cast<size_t>(b + i)];
    }
  }
  return n > 0 ? 100.0 * static_cast<double>(correct) / static_cast<double>(n) : 0.0;
}

}  // namespace

std::string TrainReport::ToJson() const {
  nlohmann::ordered_json j;
  j["best_epoch"] = best_epoch;
  j["best_val_top1"] = best_val_top1;
  j["samples_per_second"] = samples_per_second;
  j["teacher_seconds"] = teacher_seconds;
  j["teacher_cache_hit"] = teacher_cache_hit;
  j["trained_params"] = trained_params;
  j["epochs"] = nlohmann::ordered_json::array();
  for (const EpochReport& e : epochs)
    j["epochs"].push_back({{"epoch", e.epoch},
                           {"train_loss", e.train_loss},
                           {"val_top1", e.val_top1},
                           {"seconds", e.seconds}});
  return j.dump(2);
}

StatusOr<TrainReport> Distill(Graph* student, const Graph* teacher, const Dataset& train,
                              const std::string& train_path, const Dataset* val,
                              const std::string& val_path, const TrainOptions& options) {
  TQ_RETURN_IF_ERROR(CheckOptions(options));
  const bool kd = !options.labels_only && options.alpha > 0.0f;
  if (kd && teacher == nullptr)
    return InvalidArgument("distillation needs a teacher (or labels only)");
  TQ_ASSIGN_OR_RETURN(auto program, train::TrainProgram::Create(*student));
  const int64_t classes = program->OutputSampleSize();
  const int64_t sample = program->InputSampleSize();
  TQ_RETURN_IF_ERROR(CheckSamples(train, train_path, sample));
  int64_t n = train.x.dim(0);
  if (options.limit > 0) n = std::min(n, options.limit);
  TQ_ASSIGN_OR_RETURN(std::vector<int64_t> labels, CheckedLabels(train, train_path, n, classes));
  std::vector<int64_t> val_labels;
  if (val != nullptr) {
    TQ_RETURN_IF_ERROR(CheckSamples(*val, val_path, sample));
    TQ_ASSIGN_OR_RETURN(val_labels, CheckedLabels(*val, val_path, val->x.dim(0), classes));
  }
  TrainReport report;
  report.trained_params = program->NumParamElements();
  Tensor teacher_logits;
  if (kd) {
    const double t0 = Now();
    TQ_ASSIGN_OR_RETURN(teacher_logits,
                        train::TeacherLogits(*teacher, train, train_path, n, options.preprocess,
                                             options.teacher_cache, &report.teacher_cache_hit));
    report.teacher_seconds = Now() - t0;
    if (teacher_logits.dim(1) != classes)
      return InvalidArgument(teacher->Where() + "teacher has " +
                             std::to_string(teacher_logits.dim(1)) + " classes, student " +
                             std::to_string(classes));
  }
  TQ_ASSIGN_OR_RETURN(
      auto opt, train::MakeOptimizer(options.optimizer, options.momentum, options.weight_decay));
  train::Shuffler shuffler(options.seed);
  std::vector<int64_t> order(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) order[static_cast<size_t>(i)] = i;
  const int64_t bs = std::min(options.batch, n);
  std::vector<float> x(static_cast<size_t>(bs * sample)), t(static_cast<size_t>(bs * classes)),
      ds(t.size());
  std::vector<int64_t> y(static_cast<size_t>(bs));
  const int64_t steps_per_epoch = (n + bs - 1) / bs;
  const double total_steps = static_cast<double>(steps_per_epoch) * options.epochs;
  std::vector<train::FloatVec> best;
  double train_seconds = 0.0;
  int64_t step = 0;
  for (int epoch = 1; epoch <= options.epochs; ++epoch) {
    const double e0 = Now();
    shuffler.Shuffle(&order);
    double loss_sum = 0.0;
    for (int64_t b = 0; b < n; b += bs) {
      const int64_t cnt = std::min(bs, n - b);
      const int64_t* idx = order.data() + b;
      train::GatherSamples(train.x, idx, cnt, options.preprocess, x.data());
      for (int64_t i = 0; i < cnt; ++i) {
        y[static_cast<size_t>(i)] = labels[static_cast<size_t>(idx[i])];
        if (kd)
          std::copy_n(teacher_logits.data<float>() + idx[i] * classes, classes,
                      t.data() + i * classes);
      }
      program->Forward(x.data(), cnt);
      loss_sum +=
          cnt * train::DistillLoss(program->Output(), kd ? t.data() : nullptr, y.data(), cnt,
                                   classes, options.temperature, options.alpha, ds.data());
      program->ZeroParamGrads();
      program->Backward(ds.data());
      const double lr =
          options.schedule == "cosine"
              ? options.lr * 0.5 * (1.0 + std::cos(M_PI * static_cast<double>(step) / total_steps))
              : options.lr;
      opt->Step(*program, static_cast<float>(lr));
      ++step;
      if (options.progress) options.progress(epoch, b + cnt, n, loss_sum / (b + cnt));
    }
    train_seconds += Now() - e0;
    EpochReport er;
    er.epoch = epoch;
    er.train_loss = loss_sum / static_cast<double>(n);
    if (!std::isfinite(er.train_loss))
      return InvalidArgument("training diverged (loss is not finite) in epoch " +
                             std::to_string(epoch) + "; lower the learning rate");
    if (val != nullptr) er.val_top1 = Top1(*program, *val, val_labels, options.preprocess);
    er.seconds = Now() - e0;
    report.epochs.push_back(er);
    if (val == nullptr || er.val_top1 > report.best_val_top1) {
      report.best_epoch = epoch;
      report.best_val_top1 = er.val_top1;
      best.clear();
      for (const auto& p : program->params()) best.push_back(program->ParamData(p));
    }
  }
  for (size_t i = 0; i < best.size(); ++i) program->ParamData(program->params()[i]) = best[i];
  report.samples_per_second =
      train_seconds > 0 ? static_cast<double>(n) * options.epochs / train_seconds : 0.0;
  TQ_RETURN_IF_ERROR(program->WriteBack(student));
  return report;
}

}  // namespace tinyq
