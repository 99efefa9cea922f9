// src/train/loss.h - classification losses for distillation and their gradients.
#ifndef TINYQ_SRC_TRAIN_LOSS_H_
#define TINYQ_SRC_TRAIN_LOSS_H_

#include <cstdint>

#include "tinyq/train.h"

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

// Feature-map loss: weight * sum (s - t')^2 / (batch * size) for student activations s
// [batch, channels, spatial] (size = channels * spatial per sample) and teacher activations t
// [batch, t_channels, spatial], t' = t restricted to the channels t_index[0..channels) (nullptr:
// t_channels == channels, all in order). Writes d(loss)/ds = 2 weight (s - t') / (batch * size)
// into `ds` and returns the loss.
double FeatureMseLoss(const float* s, const float* t, int64_t batch, int64_t channels,
                      int64_t spatial, int64_t t_channels, const int64_t* t_index, float weight,
                      float* ds);

// What the KD term can tell a student: over `n` rows of teacher logits [n, classes], the mean
// entropy (nats; at most ln(classes), reached by the uniform distribution) and the mean largest
// probability of softmax(t / T).
SoftLabelStats MeasureSoftLabels(const float* t, int64_t n, int64_t classes, double temperature);

}  // namespace tinyq::train

#endif  // TINYQ_SRC_TRAIN_LOSS_H_
