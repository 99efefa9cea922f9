// src/train/batch.h - mini-batches from a dataset, and the teacher's logits.
#ifndef TINYQ_SRC_TRAIN_BATCH_H_
#define TINYQ_SRC_TRAIN_BATCH_H_

#include <cstdint>
#include <string>
#include <vector>

#include "tinyq/api.h"
#include "tinyq/data.h"
#include "tinyq/ir.h"

namespace tinyq::train {

// Writes the preprocessed samples x[index[i]] (i < count) as float into out
// [count, sample_size]: ((x * scale) - mean) / std. `sample_size` is x.numel() / x.dim(0).
void GatherSamples(const Tensor& x, const int64_t* index, int64_t count, const Preprocess& pre,
                   float* out);

// A permutation of [0, n) from a 64-bit Mersenne twister (Fisher-Yates, the same on every
// platform, unlike std::shuffle).
class Shuffler {
 public:
  explicit Shuffler(uint64_t seed);
  void Shuffle(std::vector<int64_t>* v);
  uint64_t Next();  // the next 64-bit value of the stream

 private:
  uint64_t state_[2];
};

// Augments the images of x [count, channels, height, width] in place: each is shifted by (dy, dx),
// both uniform in [-shift, shift] (content moves down/right for positive values; uncovered pixels
// become `fill`), then, with `flip`, mirrored horizontally with probability 1/2. Draws three values
// per image from `rng`.
void AugmentImages(float* x, int64_t count, int64_t channels, int64_t height, int64_t width,
                   int shift, bool flip, float fill, Shuffler* rng);

// The logits (graph output 0) of `teacher` on the first `count` samples of `data`, as
// [count, classes], on the float executor with 2 threads. With a non-empty `cache` path, an .npz
// there with `logits` of that shape and a `fingerprint` matching the teacher's weights, the
// samples and the preprocessing is read instead (`*hit` = true); otherwise the logits are computed
// and written to it (with the fingerprint).
StatusOr<Tensor> TeacherLogits(const Graph& teacher, const Dataset& data,
                               const std::string& data_path, int64_t count, const Preprocess& pre,
                               const std::string& cache, bool* hit);

}  // namespace tinyq::train

#endif  // TINYQ_SRC_TRAIN_BATCH_H_
