// src/train/loss.h - classification losses for distillation and their gradients.
#ifndef TINYQ_SRC_TRAIN_LOSS_H_
#define TINYQ_SRC_TRAIN_LOSS_H_

#include <cstdint>

namespace tinyq::train {

// Mean over the batch of
//   (1 - alpha) * CE(softmax(s), y) + alpha * T^2 * KL(softmax(t / T) || softmax(s / T))
// for student logits s [batch, classes], teacher logits t (nullptr: the CE term alone, alpha
// ignored) and labels y in [0, classes). Writes d(mean loss)/ds into `ds` [batch, classes]:
//   (1 - alpha) * (softmax(s) - onehot(y)) / batch + alpha * T * (softmax(s/T) - softmax(t/T)) /
//   batch
// Sums run in double; log-sum-exp subtracts the row max first.
double DistillLoss(const float* s, const float* t, const int64_t* y, int64_t batch, int64_t classes,
                   float temperature, float alpha, float* ds);

}  // namespace tinyq::train

#endif  // TINYQ_SRC_TRAIN_LOSS_H_
