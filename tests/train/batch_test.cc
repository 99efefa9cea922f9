// GatherSamples preprocessing, the Shuffler's permutations and image augmentation.
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

// Image [3, 3] with distinct values shifted by (dy, dx) (content moves down/right), optionally
// mirrored first, border = fill.
std::vector<float> Shifted(const std::vector<float>& img, int dy, int dx, bool mirror, float fill) {
  std::vector<float> out(9, fill);
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) {
      const int si = i - dy, sj = j - dx;
      if (si < 0 || si >= 3 || sj < 0 || sj >= 3) continue;
      out[static_cast<size_t>(i * 3 + j)] =
          img[static_cast<size_t>(si * 3 + (mirror ? 2 - sj : sj))];
    }
  return out;
}

// Which of the 9 shifts (x 2 mirrorings) `out` is: dy * 3 + dx + 4 (+ 9 when mirrored), or -1.
int WhichTransform(const std::vector<float>& img, const std::vector<float>& out, float fill) {
  for (int m = 0; m < 2; ++m)
    for (int dy = -1; dy <= 1; ++dy)
      for (int dx = -1; dx <= 1; ++dx)
        if (Shifted(img, dy, dx, m == 1, fill) == out) return m * 9 + dy * 3 + dx + 4;
  return -1;
}

TEST(AugmentImagesTest, EveryImageIsAShiftedOrMirroredCopyAndAllKindsOccur) {
  const std::vector<float> img = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  const int64_t count = 200;
  std::vector<float> x;
  for (int64_t n = 0; n < count; ++n) x.insert(x.end(), img.begin(), img.end());
  Shuffler rng(7);
  AugmentImages(x.data(), count, 1, 3, 3, 1, true, -0.5f, &rng);
  std::vector<int> seen(18, 0);
  for (int64_t n = 0; n < count; ++n) {
    const std::vector<float> out(x.begin() + n * 9, x.begin() + (n + 1) * 9);
    const int k = WhichTransform(img, out, -0.5f);
    ASSERT_GE(k, 0) << "image " << n << " is not a shift of the input";
    ++seen[static_cast<size_t>(k)];
  }
  for (int k = 0; k < 18; ++k) EXPECT_GT(seen[static_cast<size_t>(k)], 0) << "transform " << k;
}

TEST(AugmentImagesTest, NoShiftNoFlipIsIdentityAndSameSeedSameImages) {
  std::vector<float> x(2 * 2 * 9);
  std::iota(x.begin(), x.end(), 0.0f);
  const std::vector<float> original = x;
  Shuffler rng(1);
  AugmentImages(x.data(), 2, 2, 3, 3, 0, false, 0.0f, &rng);
  EXPECT_EQ(x, original);
  std::vector<float> a = original, b = original;
  Shuffler r1(3), r2(3);
  AugmentImages(a.data(), 2, 2, 3, 3, 1, true, 0.0f, &r1);
  AugmentImages(b.data(), 2, 2, 3, 3, 1, true, 0.0f, &r2);
  EXPECT_EQ(a, b);
}

}  // namespace
}  // namespace tinyq::train
