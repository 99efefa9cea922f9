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
// softmax(s/T)). Determinism: a fixed seed gives byte-identical weights (one thread, a fixed
// shuffle).
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

struct TrainOptions {
  int epochs = 5;
  int64_t batch = 64;
  float lr = 0.01f;
  std::string optimizer = "adam";   // "sgd" (momentum) | "adam"
  float momentum = 0.9f;            // sgd
  float weight_decay = 0.0f;        // L2 added to the gradient
  std::string schedule = "cosine";  // "constant" | "cosine" (per step, to 0 at the end)
  float temperature = 4.0f;
  float alpha = 0.9f;        // weight of the KD term; 0 = labels only
  bool labels_only = false;  // ignore the teacher (same as alpha = 0, no teacher needed)
  uint64_t seed = 1;
  Preprocess preprocess;  // applied to the dataset x before the models
  int64_t limit = 0;      // train on the first `limit` samples (0 = all)
  // .npz of the teacher logits: read if its fingerprint (teacher weights, samples, preprocessing)
  // matches, else computed and written.
  std::string teacher_cache;
  // Called after each step: (epoch from 1, samples done in the epoch, samples per epoch, running
  // mean loss of the epoch). May be empty.
  std::function<void(int, int64_t, int64_t, double)> progress;
};

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
  double teacher_val_top1 = -1.0;
  double samples_per_second = 0.0;  // training steps only (forward + backward + update)
  double teacher_seconds = 0.0;     // computing (or reading) the teacher logits
  bool teacher_cache_hit = false;
  int64_t trained_params = 0;
  std::string ToJson() const;
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
