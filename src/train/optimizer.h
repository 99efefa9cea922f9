// src/train/optimizer.h - parameter updates from accumulated gradients.
//
//   sgd:  v = momentum * v + (g + wd * w);  w -= lr * v                 (PyTorch's SGD)
//   adam: g' = g + wd * w;  m = b1 m + (1-b1) g';  v = b2 v + (1-b2) g'^2;
//         w -= lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)    (b1 .9, b2 .999, eps 1e-8)
#ifndef TINYQ_SRC_TRAIN_OPTIMIZER_H_
#define TINYQ_SRC_TRAIN_OPTIMIZER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "src/train/tape.h"
#include "tinyq/status.h"

namespace tinyq::train {

// A parameter buffer and its gradient, for callers that compute gradients themselves (AdaRound's
// rounding variables, src/train/adaround.h). Both are borrowed for the duration of Step; the
// optimizer's state for a span is matched by its position in the list.
struct ParamSpan {
  float* data = nullptr;
  const float* grad = nullptr;
  size_t size = 0;
};

class Optimizer {
 public:
  virtual ~Optimizer() = default;
  // One update of every parameter of `program` with learning rate `lr`.
  void Step(TrainProgram& program, float lr);
  // One update of `params` (the same list, in the same order, at every step).
  virtual void Step(const std::vector<ParamSpan>& params, float lr) = 0;
};

// The learning rate of step `step` (from 0) of `total`: a linear warm-up over the first `warmup`
// steps, lr * (step + 1) / warmup, then `schedule` over the remaining steps r = total - warmup:
// "constant" lr, or "cosine" lr * (1 + cos(pi * (step - warmup) / r)) / 2.
double ScheduledLearningRate(const std::string& schedule, double lr, int64_t step, int64_t total,
                             int64_t warmup);

// "sgd" or "adam"; InvalidArgument for other names or a negative momentum / weight decay.
StatusOr<std::unique_ptr<Optimizer>> MakeOptimizer(const std::string& name, float momentum,
                                                   float weight_decay);

}  // namespace tinyq::train

#endif  // TINYQ_SRC_TRAIN_OPTIMIZER_H_
