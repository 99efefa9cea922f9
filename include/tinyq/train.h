// tinyq/train.h - training a float graph in place: knowledge distillation and label training.
//
// The student graph's float initializers (Conv/Gemm/MatMul weights and biases, the constant
// operands of Add/Mul, BatchNormalization scale and bias) are trained with reverse-mode autodiff
// over the IR (src/train). The teacher's logits are computed once with the float executor.
//
//   tinyq::TrainOptions o;
//   o.epochs = 5; o.temperature = 4; o.alpha = 0.7;
//   auto report = tinyq::Distill(student.get(), teacher.get(), train, "train.npz", &val,
//                                "val.npz", o);
//   TQ_RETURN_IF_ERROR(tinyq::SaveOnnx(*student, "student_kd.onnx"));
//
// Loss per sample: (1 - alpha) * CE(softmax(s), y) + alpha * T^2 * KL(softmax(t/T) ||
// softmax(s/T)), plus optional feature-map terms weight * mean((s_f - t_f)^2) between student and
// teacher activations. Determinism: a fixed seed gives byte-identical weights (a fixed shuffle and
// augmentation stream, a fixed split of each batch over two threads).
#ifndef TINYQ_TRAIN_H_
#define TINYQ_TRAIN_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "tinyq/api.h"
#include "tinyq/data.h"
#include "tinyq/ir.h"
#include "tinyq/status.h"

namespace tinyq {

// A feature-map loss term: weight * mean over the batch and the elements of (s - t)^2, s the
// student's activation `student`, t the teacher's activation `teacher` (values of the graphs).
struct FeatureLoss {
  std::string teacher;
  std::string student;
  float weight = 1.0f;
  // The teacher channels (dim 1) the student's channels correspond to, in order; empty: all, and
  // the per-sample shapes must be equal. `tinyq prune --recover distill` fills it with the kept
  // channels of a pruned tensor.
  std::vector<int64_t> teacher_channels;
};
// "TEACHER:STUDENT[:WEIGHT]" (value names without ':'); InvalidArgument otherwise.
StatusOr<FeatureLoss> ParseFeatureLoss(const std::string& spec);

struct TrainOptions {
  int epochs = 5;
  int64_t batch = 64;
  float lr = 0.01f;
  std::string optimizer = "adam";   // "sgd" (momentum) | "adam"
  float momentum = 0.9f;            // sgd
  float weight_decay = 0.0f;        // L2 added to the gradient
  std::string schedule = "cosine";  // "constant" | "cosine" (per step, to 0 at the end)
  // Epochs (may be fractional) of linear warm-up from lr / steps to lr before the schedule; the
  // cosine then decays over the remaining steps.
  float warmup = 0.0f;
  // BatchNormalization while training: "frozen" (running statistics fixed, the inference form) or
  // "train" (batch statistics, running statistics updated with the node's momentum).
  std::string batch_norm = "frozen";
  // > 0: re-estimate the BatchNormalization running statistics as the exact average over the
  // first N training samples (un-augmented) before the first epoch and again on the kept weights
  // at the end (needed after pruning, and after batch-statistics training).
  int64_t bn_recalibrate = 0;
  // Augmentation of image inputs [N, C, H, W] per sample and epoch: a random shift by up to
  // `augment_shift` pixels in each direction (the uncovered border filled with a raw 0 pixel,
  // preprocessed) and, with `augment_flip`, a horizontal flip with probability 1/2.
  int augment_shift = 0;
  bool augment_flip = false;
  std::vector<FeatureLoss> feature_losses;
  // Weights that are exactly 0 at the start stay 0 (fine-tuning a magnitude-pruned model).
  bool keep_zeros = false;
  float temperature = 4.0f;
  float alpha = 0.9f;        // weight of the KD term; 0 = labels only
  bool labels_only = false;  // ignore the teacher (same as alpha = 0, no teacher needed)
  uint64_t seed = 1;
  Preprocess preprocess;  // applied to the dataset x before the models
  int64_t limit = 0;      // train on the first `limit` samples (0 = all)
  // .npz of the teacher logits: read if its fingerprint (teacher weights, samples, preprocessing)
  // matches, else computed and written. Not used when the teacher runs on every batch
  // (augmentation or feature losses).
  std::string teacher_cache;
  // Called after each step: (epoch from 1, samples done in the epoch, samples per epoch, running
  // mean loss of the epoch). May be empty.
  std::function<void(int, int64_t, int64_t, double)> progress;
  // Called with each entry of TrainReport::warnings as soon as it is known (before the first
  // epoch), so a long run can be stopped early. May be empty.
  std::function<void(const std::string&)> warn;
};

// The teacher's softened distribution softmax(t / T) over the training samples at one T.
struct SoftLabelStats {
  double temperature = 0.0;
  double mean_entropy = 0.0;  // nats, at most ln(classes)
  double mean_top_probability = 0.0;
};

// A KD term whose soft labels are this close to uniform (mean entropy >= this fraction of
// ln(classes)) mostly pulls the student towards equal class scores: Distill warns.
constexpr double kNearUniformEntropyFraction = 0.9;

struct EpochReport {
  int epoch = 0;
  double train_loss = 0.0;  // mean loss over the epoch
  double val_top1 = -1.0;   // percent; -1 without validation data
  double seconds = 0.0;
};

struct TrainReport {
  std::vector<EpochReport> epochs;
  int best_epoch = 0;  // the epoch whose weights the student holds (last without val)
  double best_val_top1 = -1.0;
  // The teacher's top-1 on the validation data (percent): what the student is measured against;
  // -1 without a teacher or without validation data.
  double teacher_val_top1 = -1.0;
  double samples_per_second = 0.0;  // training steps only (forward + backward + update)
  double train_cpu_seconds = 0.0;   // process CPU time (all threads) of the training steps
  double teacher_seconds = 0.0;     // computing (or reading) the teacher logits
  bool teacher_cache_hit = false;
  bool teacher_online = false;  // the teacher ran on every (augmented) batch
  int64_t trained_params = 0;
  // With a KD term: the teacher's soft labels at T = 1, 2, 4, 8 and the chosen T (ascending),
  // measured on the training samples (all of them with cached logits, the first 4,096
  // un-augmented ones when the teacher runs on every batch); empty otherwise.
  std::vector<SoftLabelStats> soft_labels;
  int64_t soft_label_samples = 0;
  double max_entropy = 0.0;               // ln(classes)
  bool soft_labels_near_uniform = false;  // at the chosen T (kNearUniformEntropyFraction)
  std::vector<std::string> warnings;      // advice for the user, also passed to options.warn
  std::string ToJson() const;
  // "teacher val top1 ..." and "teacher soft labels ..." (a line each, when measured) and one
  // "warning: ..." line per warning.
  std::string TeacherText() const;
};

// Trains `student` in place on `train` (x and labels y) with knowledge distillation from
// `teacher` (may be nullptr when options.labels_only). `val` (may be nullptr) is scored each
// epoch and the best epoch's weights are kept. Errors: Unsupported naming the node for an op the
// trainer cannot differentiate; InvalidArgument naming the data file for missing labels or
// shapes that do not fit; the student is unchanged on error.
StatusOr<TrainReport> Distill(Graph* student, const Graph* teacher, const Dataset& train,
                              const std::string& train_path, const Dataset* val,
                              const std::string& val_path, const TrainOptions& options);

}  // namespace tinyq

#endif  // TINYQ_TRAIN_H_
