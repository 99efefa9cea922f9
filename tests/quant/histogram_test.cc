#include "src/quant/histogram.h"

#include <gtest/gtest.h>

#include <numeric>
#include <random>
#include <vector>

namespace tinyq {
namespace quant {
namespace {

using Bins = std::vector<int64_t>;

TEST(GrowingHistogramTest, FirstBatchSetsSpanIncludingZero) {
  GrowingHistogram h(4);
  const float v[] = {1, 2, 3, 4};
  h.Add(v, 4);
  ASSERT_TRUE(h.has_span());
  EXPECT_EQ(h.lo(), 0.0);
  EXPECT_EQ(h.hi(), 4.0);
  EXPECT_EQ(h.bins(), (Bins{0, 1, 1, 2}));  // 4 == hi goes to the last bin
  EXPECT_EQ(h.data_min(), 1.0f);
  EXPECT_EQ(h.data_max(), 4.0f);
}

TEST(GrowingHistogramTest, GrowsUpwardByMergingPairs) {
  GrowingHistogram h(4);
  const float a[] = {1, 2, 3, 4};
  h.Add(a, 4);
  const float b[] = {6};
  h.Add(b, 1);
  // width 1 -> 2, pairs (0,1)=1, (2,3)=3 in the lower half; then 6 -> bin 3.
  EXPECT_EQ(h.lo(), 0.0);
  EXPECT_EQ(h.hi(), 8.0);
  EXPECT_EQ(h.bins(), (Bins{1, 3, 0, 1}));
  EXPECT_EQ(h.count(), 5);
}

TEST(GrowingHistogramTest, GrowsDownwardIntoUpperHalf) {
  GrowingHistogram h(4);
  const float a[] = {1, 2, 3, 4};
  h.Add(a, 4);
  const float b[] = {-3};
  h.Add(b, 1);
  // [0,4] -> [-4,4]: merged pairs go to the upper half, -3 -> bin 0.
  EXPECT_EQ(h.lo(), -4.0);
  EXPECT_EQ(h.hi(), 4.0);
  EXPECT_EQ(h.bins(), (Bins{1, 0, 1, 3}));
  EXPECT_EQ(h.data_min(), -3.0f);
}

TEST(GrowingHistogramTest, GrowsBothWaysInOneBatch) {
  GrowingHistogram h(4);
  const float a[] = {-1, 1};
  h.Add(a, 2);  // [-1,1], width 0.5: {1,0,0,1}
  EXPECT_EQ(h.bins(), (Bins{1, 0, 0, 1}));
  const float b[] = {-3, 5};
  h.Add(b, 2);
  // down: [-3,1] {0,0,1,1}; up: [-3,5] {0,2,0,0}; then -3 -> 0, 5 -> 3.
  EXPECT_EQ(h.lo(), -3.0);
  EXPECT_EQ(h.hi(), 5.0);
  EXPECT_EQ(h.bins(), (Bins{1, 2, 0, 1}));
}

TEST(GrowingHistogramTest, ManyDoublingsKeepEveryCount) {
  GrowingHistogram h(2048);
  std::mt19937 rng(3);
  int64_t total = 0;
  for (int batch = 0; batch < 30; ++batch) {
    std::normal_distribution<float> d(0.0f, static_cast<float>(1 << (batch / 3)));
    std::vector<float> v(1000);
    for (float& x : v) x = d(rng);
    h.Add(v.data(), static_cast<int64_t>(v.size()));
    total += static_cast<int64_t>(v.size());
    ASSERT_EQ(std::accumulate(h.bins().begin(), h.bins().end(), int64_t{0}), total);
    ASSERT_LE(h.lo(), h.data_min());
    ASSERT_GE(h.hi(), h.data_max());
  }
  // The span is at most twice the data span (plus the zero it must contain).
  EXPECT_LE(h.hi() - h.lo(), 2.0 * (h.data_max() - h.data_min()) * 1.0001);
}

TEST(GrowingHistogramTest, ZerosBeforeFirstNonZeroBatchArePending) {
  GrowingHistogram h(4);
  const float z[] = {0, 0, 0};
  h.Add(z, 3);
  EXPECT_FALSE(h.has_span());
  EXPECT_EQ(h.zero_count(), 3);
  EXPECT_EQ(h.count(), 3);
  const float v[] = {-2, 2};
  h.Add(v, 2);
  ASSERT_TRUE(h.has_span());
  EXPECT_EQ(h.zero_count(), 0);
  EXPECT_EQ(h.bins(), (Bins{1, 0, 3, 1}));  // 0 falls in bin 2 of [-2,2]
}

TEST(GrowingHistogramTest, SplitBatchesAgreeWithOneBatchAtCoarseResolution) {
  // Same data, one batch vs ten: the ten-batch histogram may be up to 2x coarser, so compare the
  // cumulative distribution at the coarser bin edges.
  std::mt19937 rng(5);
  std::normal_distribution<float> d(0.5f, 1.0f);
  std::vector<float> v(20000);
  for (float& x : v) x = d(rng);
  GrowingHistogram one(256), ten(256);
  one.Add(v.data(), static_cast<int64_t>(v.size()));
  for (int b = 0; b < 10; ++b) ten.Add(v.data() + b * 2000, 2000);
  EXPECT_EQ(one.data_min(), ten.data_min());
  EXPECT_EQ(one.data_max(), ten.data_max());
  auto cdf_at = [](const GrowingHistogram& h, double x) {
    double acc = 0;
    for (int i = 0; i < h.num_bins(); ++i) {
      const double lo = h.lo() + i * h.bin_width();
      if (lo + h.bin_width() <= x) acc += static_cast<double>(h.bins()[static_cast<size_t>(i)]);
    }
    return acc / static_cast<double>(h.count());
  };
  const double coarse = std::max(one.bin_width(), ten.bin_width());
  for (double x = -3.0; x <= 4.0; x += 0.25) {
    EXPECT_NEAR(cdf_at(one, x), cdf_at(ten, x), 0.4 * 2 * coarse + 0.01) << x;
  }
}

}  // namespace
}  // namespace quant
}  // namespace tinyq
