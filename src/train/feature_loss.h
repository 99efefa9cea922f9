// src/train/feature_loss.h - feature-map (intermediate activation) MSE terms between a student and
// a teacher, bound to the slots of their TrainPrograms.
#ifndef TINYQ_SRC_TRAIN_FEATURE_LOSS_H_
#define TINYQ_SRC_TRAIN_FEATURE_LOSS_H_

#include <cstdint>
#include <vector>

#include "src/train/tape.h"
#include "tinyq/status.h"
#include "tinyq/train.h"

namespace tinyq::train {

// One FeatureLoss resolved against the two programs.
struct BoundFeatureLoss {
  int student_slot = -1;
  int teacher_slot = -1;
  int64_t channels = 0;          // student channels (dim 1; 1 for a rank-1 sample)
  int64_t spatial = 0;           // elements per channel
  int64_t teacher_channels = 0;  // teacher channels
  std::vector<int64_t> index;    // teacher channel of each student channel; empty = the same
  float weight = 1.0f;
  std::vector<float> grad;  // d(term)/d(student activation) of the last batch
};

// Resolves every loss against the programs created from `student` and `teacher`. Errors
// (InvalidArgument naming the model): a name that is not a float activation of its graph, a
// student activation that does not depend on a trained parameter, shapes that do not match (per
// sample, after the channel selection), channel indices out of range.
StatusOr<std::vector<BoundFeatureLoss>> BindFeatureLosses(const std::vector<FeatureLoss>& losses,
                                                          const TrainProgram& student,
                                                          const Graph& student_graph,
                                                          const TrainProgram& teacher,
                                                          const Graph& teacher_graph);

// The sum of the terms for the last Forward of both programs (`batch` samples); each term's
// gradient goes to its `grad` and a seed for it is appended to `seeds`.
double AddFeatureLosses(std::vector<BoundFeatureLoss>* losses, TrainProgram& student,
                        TrainProgram& teacher, int64_t batch, std::vector<GradSeed>* seeds);

}  // namespace tinyq::train

#endif  // TINYQ_SRC_TRAIN_FEATURE_LOSS_H_
