#include "src/quant/range_search.h"

#include <gtest/gtest.h>

#include <algorithm>
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

TEST(PercentileRangeTest, MatchesSortedQuantilesWithinABin) {
  std::mt19937 rng(21);
  std::gamma_distribution<float> d(2.0f, 1.5f);  // skewed, so the two tails differ
  std::vector<float> v(50000);
  for (float& x : v) x = d(rng) - 2.0f;
  GrowingHistogram h(2048);
  h.Add(v.data(), static_cast<int64_t>(v.size()));
  std::vector<float> sorted = v;
  std::sort(sorted.begin(), sorted.end());
  for (double pct : {99.0, 99.9, 99.99}) {
    const size_t k = static_cast<size_t>(std::floor(v.size() * (100.0 - pct) / 200.0));
    const Range r = PercentileRange(h, pct);
    EXPECT_NEAR(r.min, sorted[k], 1.5 * h.bin_width()) << pct;
    EXPECT_NEAR(r.max, sorted[sorted.size() - 1 - k], 1.5 * h.bin_width()) << pct;
  }
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

// Empirical MSE of quantize-dequantize of the samples with the int8 grid of [lo, hi], written
// here from the definition (TFLite nudging) rather than through src/quant.
double EmpiricalMse(const std::vector<float>& v, double lo, double hi) {
  const double rmin = std::min(lo, 0.0), rmax = std::max(hi, 0.0);
  const double s = (rmax - rmin) / 255.0;
  const double zp = std::round(-128.0 - rmin / s);
  double sum = 0;
  for (float x : v) {
    const double q = std::max(-128.0, std::min(127.0, std::round(x / s) + zp));
    sum += (x - s * (q - zp)) * (x - s * (q - zp));
  }
  return sum / static_cast<double>(v.size());
}

TEST(MseRangeTest, CloseToBruteForceOptimumOnSamples) {
  std::mt19937 rng(4);
  std::lognormal_distribution<float> d(0.0f, 1.0f);
  std::vector<float> v(20000);
  for (float& x : v) x = d(rng) - 1.5f;  // asymmetric, long right tail
  GrowingHistogram h(2048);
  h.Add(v.data(), static_cast<int64_t>(v.size()));
  const Range r = MseRange(h);
  const double found = EmpiricalMse(v, r.min, r.max);
  double best = EmpiricalMse(v, h.data_min(), h.data_max());
  for (int i = 0; i <= 30; ++i) {
    for (int j = 1; j <= 60; ++j) {
      const double lo = h.data_min() * i / 30.0;
      const double hi = h.data_max() * j / 60.0;
      best = std::min(best, EmpiricalMse(v, lo, hi));
    }
  }
  EXPECT_LE(found, best * 1.03) << "[" << r.min << ", " << r.max << "]";
  EXPECT_LE(found, EmpiricalMse(v, h.data_min(), h.data_max()));
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
