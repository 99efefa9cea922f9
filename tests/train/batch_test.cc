// GatherSamples preprocessing and the Shuffler's permutations.
#include "src/train/batch.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>

namespace tinyq::train {
namespace {

TEST(GatherSamplesTest, PicksRowsAndPreprocessesUint8) {
  const Tensor x = Tensor::FromVector<uint8_t>({3, 2}, {0, 255, 51, 102, 10, 20});
  Preprocess pre;
  pre.scale = 1.0f / 255.0f;
  pre.mean = 0.2f;
  pre.std = 0.5f;
  const int64_t idx[2] = {2, 1};
  float out[4];
  GatherSamples(x, idx, 2, pre, out);
  EXPECT_NEAR(out[0], (10 / 255.0f - 0.2f) / 0.5f, 1e-6f);
  EXPECT_NEAR(out[2], (51 / 255.0f - 0.2f) / 0.5f, 1e-6f);  // = 0
  EXPECT_NEAR(out[3], (102 / 255.0f - 0.2f) / 0.5f, 1e-6f);
}

TEST(ShufflerTest, PermutationsAreReproducibleAndComplete) {
  std::vector<int64_t> a(50), b(50);
  std::iota(a.begin(), a.end(), 0);
  b = a;
  Shuffler s1(42), s2(42), s3(43);
  s1.Shuffle(&a);
  s2.Shuffle(&b);
  EXPECT_EQ(a, b);
  std::vector<int64_t> c(50);
  std::iota(c.begin(), c.end(), 0);
  s3.Shuffle(&c);
  EXPECT_NE(a, c);
  std::vector<int64_t> sorted = a;
  std::sort(sorted.begin(), sorted.end());
  for (int64_t i = 0; i < 50; ++i) EXPECT_EQ(sorted[static_cast<size_t>(i)], i);
  EXPECT_NE(a, sorted);
}

}  // namespace
}  // namespace tinyq::train
