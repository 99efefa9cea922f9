// src/train/distill.cc - the training loop behind `tinyq distill` / `tinyq train`.
//
// Per epoch: a fresh permutation (Shuffler seeded once from options.seed), mini-batches gathered
// and preprocessed one at a time (only one batch of activations lives at once), optionally
// augmented, forward, DistillLoss against the teacher logits (cached once, or computed on the
// batch when it is augmented or feature-map terms need the teacher's activations) plus the
// feature-map terms, backward, one optimizer step with the scheduled learning rate. After each
// epoch the validation set is scored and the best weights are kept. BatchNormalization runs in
// the mode of options.batch_norm while training and in its inference form for validation; its
// running statistics can be re-estimated before and after training (options.bn_recalibrate).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>

#include "src/train/batch.h"
#include "src/train/feature_loss.h"
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
  if (!(o.warmup >= 0.0f) || !std::isfinite(o.warmup))
    return InvalidArgument("warmup must be >= 0 epochs");
  if (o.batch_norm != "frozen" && o.batch_norm != "train")
    return InvalidArgument("unknown batch-norm mode '" + o.batch_norm + "' (frozen | train)");
  if (o.bn_recalibrate < 0) return InvalidArgument("bn-recalibrate must be >= 0 samples");
  if (o.augment_shift < 0) return InvalidArgument("augment shift must be >= 0 pixels");
  if (o.labels_only && !o.feature_losses.empty())
    return InvalidArgument("feature losses need a teacher (not labels only)");
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

// Runs `p` over the first `count` samples of `d`, `batch` at a time (un-augmented, in the
// program's current BatchNormalization mode), handing fn(first sample, samples, outputs) each
// batch's outputs [samples, OutputSampleSize()].
template <typename Fn>
void ForEachBatch(train::TrainProgram& p, const Dataset& d, int64_t count, int64_t batch,
                  const Preprocess& pre, Fn fn) {
  std::vector<float> x(static_cast<size_t>(batch * p.InputSampleSize()));
  std::vector<int64_t> idx(static_cast<size_t>(batch));
  for (int64_t b = 0; b < count; b += batch) {
    const int64_t cnt = std::min(batch, count - b);
    for (int64_t i = 0; i < cnt; ++i) idx[static_cast<size_t>(i)] = b + i;
    train::GatherSamples(d.x, idx.data(), cnt, pre, x.data());
    p.Forward(x.data(), cnt);
    fn(b, cnt, p.Output());
  }
}

// Re-estimates the BatchNormalization running statistics of `p` on the first `count` samples.
void RecalibrateBatchNorm(train::TrainProgram& p, const Dataset& d, int64_t count, int64_t batch,
                          const Preprocess& pre) {
  p.BeginBatchNormEstimate();
  ForEachBatch(p, d, count, batch, pre, [](int64_t, int64_t, const float*) {});
  p.SetBatchNormMode(train::BnMode::kRunning);
}

// Top-1 accuracy in percent of the program's current weights on `d` (BN in inference form).
double Top1(train::TrainProgram& p, const Dataset& d, const std::vector<int64_t>& y,
            const Preprocess& pre) {
  p.SetBatchNormMode(train::BnMode::kRunning);
  const int64_t n = static_cast<int64_t>(y.size()), classes = p.OutputSampleSize();
  int64_t correct = 0;
  ForEachBatch(p, d, n, 256, pre, [&](int64_t b, int64_t cnt, const float* out) {
    for (int64_t i = 0; i < cnt; ++i) {
      const float* row = out + i * classes;
      correct += std::max_element(row, row + classes) - row == y[static_cast<size_t>(b + i)];
    }
  });
  return n > 0 ? 100.0 * static_cast<double>(correct) / static_cast<double>(n) : 0.0;
}

constexpr int64_t kOnlineSoftLabelSamples = 4096;

// Where the teacher's logits come from: computed once for the whole set (cached), or by running
// the teacher program on each (augmented) batch, which also gives its activations.
struct Teacher {
  Tensor logits;  // [n, classes] when cached; online: of the first samples (RecordSoftLabels)
  std::unique_ptr<train::TrainProgram> program;  // online
  std::vector<train::BoundFeatureLoss> features;
};

StatusOr<Teacher> PrepareTeacher(const Graph* teacher, const train::TrainProgram& student,
                                 const Graph& student_graph, const Dataset& train,
                                 const std::string& train_path, int64_t n, bool kd,
                                 const TrainOptions& o, TrainReport* report) {
  Teacher t;
  const bool features = !o.feature_losses.empty();
  if (!kd && !features) return t;
  if (teacher == nullptr) return InvalidArgument("distillation needs a teacher (or labels only)");
  const int64_t classes = student.OutputSampleSize();
  const double t0 = Now();
  if (features || o.augment_shift > 0 || o.augment_flip) {
    report->teacher_online = true;
    TQ_ASSIGN_OR_RETURN(t.program, train::TrainProgram::Create(*teacher));
    if (t.program->InputSampleSize() != student.InputSampleSize())
      return InvalidArgument(teacher->Where() + "teacher and student inputs differ in size");
    if (kd && t.program->OutputSampleSize() != classes)
      return InvalidArgument(teacher->Where() + "teacher has " +
                             std::to_string(t.program->OutputSampleSize()) +
                             " outputs per sample, student " + std::to_string(classes));
    TQ_ASSIGN_OR_RETURN(t.features, train::BindFeatureLosses(o.feature_losses, student,
                                                             student_graph, *t.program, *teacher));
    if (kd) {  // soft labels of the first un-augmented samples, for RecordSoftLabels
      const int64_t m = std::min(n, kOnlineSoftLabelSamples);
      t.logits = Tensor(DType::kF32, {m, classes});
      ForEachBatch(*t.program, train, m, std::min<int64_t>(o.batch, m), o.preprocess,
                   [&](int64_t b, int64_t cnt, const float* out) {
                     std::copy_n(out, cnt * classes, t.logits.data<float>() + b * classes);
                   });
    }
    return t;
  }
  TQ_ASSIGN_OR_RETURN(t.logits, train::TeacherLogits(*teacher, train, train_path, n, o.preprocess,
                                                     o.teacher_cache, &report->teacher_cache_hit));
  report->teacher_seconds = Now() - t0;
  if (t.logits.dim(1) != classes)
    return InvalidArgument(teacher->Where() + "teacher has " + std::to_string(t.logits.dim(1)) +
                           " classes, student " + std::to_string(classes));
  return t;
}

std::string Fixed(double v, int digits) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.*f", digits, v);
  return buf;
}

std::string Shortest(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%g", v);
  return buf;
}

// Fills the soft-label fields of `r` from teacher logits [m, classes] and warns (r->warnings,
// o.warn) when the KD term's targets at the chosen T are nearly uniform.
void RecordSoftLabels(const Tensor& logits, const TrainOptions& o, TrainReport* r) {
  const int64_t m = logits.dim(0), classes = logits.dim(1);
  std::vector<double> temps = {1.0, 2.0, 4.0, 8.0};
  const double chosen = o.temperature;
  if (std::find(temps.begin(), temps.end(), chosen) == temps.end()) temps.push_back(chosen);
  std::sort(temps.begin(), temps.end());
  SoftLabelStats at;
  for (double temp : temps) {
    r->soft_labels.push_back(train::MeasureSoftLabels(logits.data<float>(), m, classes, temp));
    if (temp == chosen) at = r->soft_labels.back();
  }
  r->soft_label_samples = m;
  r->max_entropy = std::log(static_cast<double>(classes));
  r->soft_labels_near_uniform =
      classes > 1 && at.mean_entropy >= kNearUniformEntropyFraction * r->max_entropy;
  if (!r->soft_labels_near_uniform) return;
  std::string w = "the teacher's soft labels at temperature " + Shortest(chosen) +
                  " are nearly uniform: mean entropy " + Fixed(at.mean_entropy, 2) +
                  " of at most " + Fixed(r->max_entropy, 2) + " nats, mean top probability " +
                  Fixed(at.mean_top_probability, 2) + " (" + std::to_string(m) +
                  " training samples), so the KD term (alpha " + Fixed(o.alpha, 2) +
                  ") mostly pulls the student towards equal class scores. ";
  std::string lower;
  for (const SoftLabelStats& s : r->soft_labels)
    if (s.temperature < chosen)
      lower += (lower.empty() ? "" : ", ") + Fixed(s.mean_entropy, 2) +
               " at T=" + Shortest(s.temperature);
  if (!lower.empty())
    w += "A lower temperature keeps more of the teacher's ranking (mean entropy " + lower +
         "); choose the temperature and alpha on validation data.";
  else
    w += "Even at this temperature the teacher is this unsure (trained with label smoothing, "
         "or weak): lower alpha, or train on labels.";
  r->warnings.push_back(w);
  if (o.warn) o.warn(w);
}

// Masks of the exactly-zero parameter elements (options.keep_zeros).
std::vector<std::vector<bool>> ZeroMasks(train::TrainProgram& p) {
  std::vector<std::vector<bool>> masks;
  for (const train::Param& prm : p.params()) {
    const train::FloatVec& w = p.ParamData(prm);
    std::vector<bool> m(w.size());
    for (size_t i = 0; i < w.size(); ++i) m[i] = w[i] == 0.0f;
    masks.push_back(std::move(m));
  }
  return masks;
}

void ApplyZeroMasks(train::TrainProgram& p, const std::vector<std::vector<bool>>& masks) {
  for (size_t k = 0; k < masks.size(); ++k) {
    train::FloatVec& w = p.ParamData(p.params()[k]);
    for (size_t i = 0; i < w.size(); ++i)
      if (masks[k][i]) w[i] = 0.0f;
  }
}

}  // namespace

std::string TrainReport::ToJson() const {
  nlohmann::ordered_json j;
  j["best_epoch"] = best_epoch;
  j["best_val_top1"] = best_val_top1;
  j["teacher_val_top1"] = teacher_val_top1;
  j["samples_per_second"] = samples_per_second;
  j["train_cpu_seconds"] = train_cpu_seconds;
  j["teacher_seconds"] = teacher_seconds;
  j["teacher_cache_hit"] = teacher_cache_hit;
  j["teacher_online"] = teacher_online;
  j["trained_params"] = trained_params;
  if (!soft_labels.empty()) {
    nlohmann::ordered_json by_t = nlohmann::ordered_json::array();
    for (const SoftLabelStats& s : soft_labels)
      by_t.push_back({{"temperature", s.temperature},
                      {"mean_entropy", s.mean_entropy},
                      {"mean_top_probability", s.mean_top_probability}});
    j["teacher_soft_labels"] = {{"samples", soft_label_samples},
                                {"max_entropy", max_entropy},
                                {"near_uniform", soft_labels_near_uniform},
                                {"by_temperature", by_t}};
  }
  j["warnings"] = warnings;
  j["epochs"] = nlohmann::ordered_json::array();
  for (const EpochReport& e : epochs)
    j["epochs"].push_back({{"epoch", e.epoch},
                           {"train_loss", e.train_loss},
                           {"val_top1", e.val_top1},
                           {"seconds", e.seconds}});
  return j.dump(2);
}

std::string TrainReport::TeacherText() const {
  std::string s;
  if (teacher_val_top1 >= 0) s = "teacher val top1 " + Fixed(teacher_val_top1, 2) + "%\n";
  if (!soft_labels.empty()) {
    s += "teacher soft labels, mean entropy (of at most " + Fixed(max_entropy, 2) +
         " nats) and mean top probability:";
    for (const SoftLabelStats& t : soft_labels)
      s += " T=" + Shortest(t.temperature) + " " + Fixed(t.mean_entropy, 2) + " (" +
           Fixed(t.mean_top_probability, 2) + ")";
    s += "\n";
  }
  for (const std::string& w : warnings) s += "warning: " + w + "\n";
  return s;
}

StatusOr<TrainReport> Distill(Graph* student, const Graph* teacher, const Dataset& train,
                              const std::string& train_path, const Dataset* val,
                              const std::string& val_path, const TrainOptions& options) {
  TQ_RETURN_IF_ERROR(CheckOptions(options));
  const bool kd = !options.labels_only && options.alpha > 0.0f;
  TQ_ASSIGN_OR_RETURN(auto program, train::TrainProgram::Create(*student));
  const int64_t classes = program->OutputSampleSize();
  const int64_t sample = program->InputSampleSize();
  const Shape& image = program->InputSampleShape();  // [1, C, H, W] for images
  const bool augment = options.augment_shift > 0 || options.augment_flip;
  if (augment && image.size() != 4)
    return InvalidArgument(student->Where() + "augmentation needs an image input [N, C, H, W]");
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
  TQ_ASSIGN_OR_RETURN(Teacher teach, PrepareTeacher(teacher, *program, *student, train, train_path,
                                                    n, kd, options, &report));
  if (kd) RecordSoftLabels(teach.logits, options, &report);
  if (teacher != nullptr && val != nullptr && (kd || teach.program)) {
    std::unique_ptr<train::TrainProgram> own;
    if (!teach.program) {
      TQ_ASSIGN_OR_RETURN(own, train::TrainProgram::Create(*teacher));
    }
    train::TrainProgram& tp = teach.program ? *teach.program : *own;
    if (tp.OutputSampleSize() == classes)
      report.teacher_val_top1 = Top1(tp, *val, val_labels, options.preprocess);
  }
  TQ_ASSIGN_OR_RETURN(
      auto opt, train::MakeOptimizer(options.optimizer, options.momentum, options.weight_decay));
  train::Shuffler shuffler(options.seed);
  train::Shuffler augmenter(options.seed ^ 0xA5A5A5A5A5A5A5A5ull);
  const float fill = (0.0f - options.preprocess.mean) / options.preprocess.std;
  std::vector<int64_t> order(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) order[static_cast<size_t>(i)] = i;
  const int64_t bs = std::min(options.batch, n);
  std::vector<float> x(static_cast<size_t>(bs * sample)), t(static_cast<size_t>(bs * classes)),
      ds(t.size());
  std::vector<int64_t> y(static_cast<size_t>(bs));
  const int64_t steps_per_epoch = (n + bs - 1) / bs;
  const int64_t total_steps = steps_per_epoch * options.epochs;
  const int64_t warmup_steps = std::min<int64_t>(
      total_steps, std::llround(static_cast<double>(options.warmup) * steps_per_epoch));
  const auto zero_masks =
      options.keep_zeros ? ZeroMasks(*program) : std::vector<std::vector<bool>>();
  const bool recalibrate = options.bn_recalibrate > 0 && program->HasBatchNorm();
  const int64_t recal_n = std::min(options.bn_recalibrate, n);
  if (recalibrate) RecalibrateBatchNorm(*program, train, recal_n, bs, options.preprocess);
  const train::BnMode train_mode =
      options.batch_norm == "train" ? train::BnMode::kBatch : train::BnMode::kRunning;
  std::vector<train::FloatVec> best;
  std::vector<train::GradSeed> seeds;
  double train_seconds = 0.0, train_cpu_seconds = 0.0;
  int64_t step = 0;
  for (int epoch = 1; epoch <= options.epochs; ++epoch) {
    const double e0 = Now();
    const std::clock_t c0 = std::clock();  // CPU time of the process (all threads)
    shuffler.Shuffle(&order);
    program->SetBatchNormMode(train_mode);
    double loss_sum = 0.0;
    for (int64_t b = 0; b < n; b += bs) {
      const int64_t cnt = std::min(bs, n - b);
      const int64_t* idx = order.data() + b;
      train::GatherSamples(train.x, idx, cnt, options.preprocess, x.data());
      if (augment)
        train::AugmentImages(x.data(), cnt, image[1], image[2], image[3], options.augment_shift,
                             options.augment_flip, fill, &augmenter);
      if (teach.program) {
        teach.program->Forward(x.data(), cnt);
        if (kd) std::copy_n(teach.program->Output(), cnt * classes, t.data());
      }
      for (int64_t i = 0; i < cnt; ++i) {
        y[static_cast<size_t>(i)] = labels[static_cast<size_t>(idx[i])];
        if (kd && !teach.program)
          std::copy_n(teach.logits.data<float>() + idx[i] * classes, classes,
                      t.data() + i * classes);
      }
      program->Forward(x.data(), cnt);
      double loss = train::DistillLoss(program->Output(), kd ? t.data() : nullptr, y.data(), cnt,
                                       classes, options.temperature, options.alpha, ds.data());
      seeds.clear();
      if (!teach.features.empty())
        loss += train::AddFeatureLosses(&teach.features, *program, *teach.program, cnt, &seeds);
      loss_sum += cnt * loss;
      program->ZeroParamGrads();
      program->Backward(ds.data(), seeds);
      opt->Step(*program, static_cast<float>(train::ScheduledLearningRate(
                              options.schedule, options.lr, step, total_steps, warmup_steps)));
      if (!zero_masks.empty()) ApplyZeroMasks(*program, zero_masks);
      ++step;
      if (options.progress) options.progress(epoch, b + cnt, n, loss_sum / (b + cnt));
    }
    train_seconds += Now() - e0;
    train_cpu_seconds += static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC;
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
      best = program->SaveState();
    }
  }
  program->RestoreState(best);
  if (recalibrate) RecalibrateBatchNorm(*program, train, recal_n, bs, options.preprocess);
  report.samples_per_second =
      train_seconds > 0 ? static_cast<double>(n) * options.epochs / train_seconds : 0.0;
  report.train_cpu_seconds = train_cpu_seconds;
  TQ_RETURN_IF_ERROR(program->WriteBack(student));
  return report;
}

}  // namespace tinyq
