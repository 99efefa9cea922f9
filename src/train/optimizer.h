// src/train/optimizer.h - parameter updates from accumulated gradients.
//
//   sgd:  v = momentum * v + (g + wd * w);  w -= lr * v                 (PyTorch's SGD)
//   adam: g' = g + wd * w;  m = b1 m + (1-b1) g';  v = b2 v + (1-b2) g'^2;
//         w -= lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)    (b1 .9, b2 .999, eps 1e-8)
#ifndef TINYQ_SRC_TRAIN_OPTIMIZER_H_
#define TINYQ_SRC_TRAIN_OPTIMIZER_H_

#include <memory>
#include <string>
#include <vector>

#include "src/train/tape.h"
#include "tinyq/status.h"

namespace tinyq::train {

class Optimizer {
 public:
  virtual ~Optimizer() = default;
  // One update of every parameter of `program` with learning rate `lr`.
  virtual void Step(TrainProgram& program, float lr) = 0;
};

// "sgd" or "adam"; InvalidArgument for other names or a negative momentum / weight decay.
StatusOr<std::unique_ptr<Optimizer>> MakeOptimizer(const std::string& name, float momentum,
                                                   float weight_decay);

}  // namespace tinyq::train

#endif  // TINYQ_SRC_TRAIN_OPTIMIZER_H_
