#include "src/quant/range_search.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

namespace tinyq {
namespace quant {
namespace {

GrowingHistogram Uniform(double lo, double hi, int n, int bins = 2048) {
  std::vector<float> v(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i)
    v[static_cast<size_t>(i)] = static_cast<float>(lo + (hi - lo) * (i + 0.5) / n);
  GrowingHistogram h(bins);
  h.Add(v.data(), n);
  return h;
}

TEST(HistogramQuantMseTest, UniformFullRangeIsStepSquaredOverTwelve) {
  GrowingHistogram h = Uniform(-1.0, 1.0, 200000);
  const double s = 2.0 / 255.0;
  EXPECT_NEAR(HistogramQuantMse(h, Range{-1.0f, 1.0f}), s * s / 12.0, 0.03 * s * s / 12.0);
}

TEST(HistogramQuantMseTest, ClippingErrorIsIntegratedExactly) {
  // Uniform [0,1] clipped at 0.5: integral_{0.5}^{1} (x - 0.5)^2 dx = 0.125 / 3; rounding error
  // in [0, 0.5] adds 0.5 * s^2 / 12 with s = 0.5/255.
  GrowingHistogram h = Uniform(0.0, 1.0, 100000);
  const double s = 0.5 / 255.0;
  const double expected = 0.125 / 3.0 + 0.5 * s * s / 12.0;
  EXPECT_NEAR(HistogramQuantMse(h, Range{0.0f, 0.5f}), expected, 1e-3 * expected);
}

TEST(HistogramQuantMseTest, EmptyAndAllZeroAreZero) {
  GrowingHistogram empty(256);
  EXPECT_EQ(HistogramQuantMse(empty, Range{-1.0f, 1.0f}), 0.0);
  GrowingHistogram zeros(256);
  const float z[] = {0, 0};
  zeros.Add(z, 2);
  EXPECT_EQ(HistogramQuantMse(zeros, Range{}), 0.0);
  EXPECT_EQ(PercentileRange(zeros, 99.0).max, 0.0f);
  EXPECT_EQ(EntropyRange(zeros).min, 0.0f);
  EXPECT_EQ(MseRange(zeros).max, 0.0f);
}

TEST(PercentileRangeTest, UniformClipsEachTail) {
  GrowingHistogram h = Uniform(0.0, 1.0, 100000);
  Range r = PercentileRange(h, 99.0);  // 0.5 % per tail
  EXPECT_NEAR(r.min, 0.005, 1e-3);
  EXPECT_NEAR(r.max, 0.995, 1e-3);
  Range full = PercentileRange(h, 100.0);
  EXPECT_EQ(full.min, h.data_min());
  EXPECT_EQ(full.max, h.data_max());
}

TEST(PercentileRangeTest, AsymmetricData) {
  GrowingHistogram h = Uniform(-1.0, 3.0, 400000);
  Range r = PercentileRange(h, 90.0);  // 5 % per tail = 0.2 in value
  EXPECT_NEAR(r.min, -0.8, 4.0 / 2048 + 1e-3);
  EXPECT_NEAR(r.max, 2.8, 4.0 / 2048 + 1e-3);
}

TEST(EntropyRangeTest, UniformKeepsNearlyFullRange) {
  GrowingHistogram h = Uniform(-1.0, 3.0, 200000);
  Range r = EntropyRange(h);
  EXPECT_NEAR(r.min, -1.0, 0.02 * 4.0);
  EXPECT_NEAR(r.max, 3.0, 0.02 * 4.0);
}

TEST(MseRangeTest, UniformKeepsNearlyFullRange) {
  GrowingHistogram h = Uniform(-1.0, 3.0, 200000);
  Range r = MseRange(h);
  EXPECT_NEAR(r.min, -1.0, 0.02 * 4.0);
  EXPECT_NEAR(r.max, 3.0, 0.02 * 4.0);
}

TEST(MseRangeTest, NeverWorseThanMinMaxByItsCriterion) {
  std::mt19937 rng(9);
  for (int trial = 0; trial < 5; ++trial) {
    std::lognormal_distribution<float> d(0.0f, 1.0f + trial * 0.3f);
    std::vector<float> v(20000);
    for (float& x : v) x = d(rng) - 1.0f;
    GrowingHistogram h(2048);
    h.Add(v.data(), static_cast<int64_t>(v.size()));
    const Range mm{h.data_min(), h.data_max()};
    const Range r = MseRange(h);
    EXPECT_LE(HistogramQuantMse(h, r), HistogramQuantMse(h, mm)) << trial;
    EXPECT_GE(r.min, h.data_min());
    EXPECT_LE(r.max, h.data_max());
  }
}

TEST(MseRangeTest, PositiveOnlyDataStartsAtZero) {
  // ReLU-like data: the window must contain 0, so min stays at the data minimum (0 here).
  GrowingHistogram h = Uniform(0.0, 2.0, 50000);
  Range r = MseRange(h);
  EXPECT_GE(r.min, 0.0f);
  EXPECT_LE(r.min, 0.01f);
}

}  // namespace
}  // namespace quant
}  // namespace tinyq
