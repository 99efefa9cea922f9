// Tests of the float32 pools (src/runtime/tq_pool_f32.c): hand-computed max and average windows
// at the borders (with and without counting the padding), a global average, and validate.
#include <gtest/gtest.h>

#include <vector>

extern "C" {
#include "src/runtime/tq_pool_f32.h"
}

namespace {

// x = 1..16 as a 4x4 image (one channel).
std::vector<float> Ramp16() {
  std::vector<float> x(16);
  for (int i = 0; i < 16; ++i) x[static_cast<size_t>(i)] = static_cast<float>(i + 1);
  return x;
}

TEST(PoolF32Test, MaxAndAverage3x3Stride2Pad1) {
  const auto x = Ramp16();
  const tq_dims in = {1, 4, 4, 1}, out = {1, 2, 2, 1};
  tq_pool_f32_params p = {{3, 3}, {2, 2}, {1, 1}, {0, 0}, 0};
  ASSERT_EQ(tq_pool2d_f32_validate(&p, &in, &out), TQ_OK);
  std::vector<float> y(4);
  tq_max_pool2d_f32(&p, &in, x.data(), &out, y.data());
  EXPECT_EQ(y, (std::vector<float>{6, 8, 14, 16}));
  // Windows rows/cols [-1, 1] and [1, 3]: (1+2+5+6)/4, (2+3+4+6+7+8)/6, (5+6+9+10+13+14)/6,
  // (6+7+8+10+11+12+14+15+16)/9.
  tq_avg_pool2d_f32(&p, &in, x.data(), &out, y.data());
  EXPECT_FLOAT_EQ(y[0], 14.0f / 4);
  EXPECT_FLOAT_EQ(y[1], 30.0f / 6);
  EXPECT_FLOAT_EQ(y[2], 57.0f / 6);
  EXPECT_FLOAT_EQ(y[3], 99.0f / 9);
}

TEST(PoolF32Test, CountIncludePadStopsAtThePaddedInput) {
  // x = [1..5] as one row, window 1x3, stride 2, left pad 1: windows [-1, 1], [1, 3], [3, 5].
  const std::vector<float> x = {1, 2, 3, 4, 5};
  const tq_dims in = {1, 1, 5, 1}, out = {1, 1, 3, 1};
  tq_pool_f32_params p = {{1, 3}, {1, 2}, {0, 1}, {0, 1}, 0};
  ASSERT_EQ(tq_pool2d_f32_validate(&p, &in, &out), TQ_OK);
  std::vector<float> y(3);
  tq_avg_pool2d_f32(&p, &in, x.data(), &out, y.data());
  EXPECT_EQ(y, (std::vector<float>{1.5f, 3.0f, 4.5f}));  // in-bound positions only
  p.count_include_pad = 1;  // padded input [-1, 6): every window counts 3
  tq_avg_pool2d_f32(&p, &in, x.data(), &out, y.data());
  EXPECT_EQ(y, (std::vector<float>{1.0f, 3.0f, 3.0f}));
  p.padding_end = {0, 0};  // (ceil_mode) padded input [-1, 5): the last window counts 2
  tq_avg_pool2d_f32(&p, &in, x.data(), &out, y.data());
  EXPECT_EQ(y, (std::vector<float>{1.0f, 3.0f, 4.5f}));
}

TEST(PoolF32Test, GlobalAverageOverTwoChannels) {
  std::vector<float> x(2 * 9);
  for (int i = 0; i < 9; ++i) {
    x[static_cast<size_t>(2 * i)] = static_cast<float>(i);
    x[static_cast<size_t>(2 * i + 1)] = -2.0f;
  }
  const tq_dims in = {1, 3, 3, 2}, out = {1, 1, 1, 2};
  const tq_pool_f32_params p = {{3, 3}, {1, 1}, {0, 0}, {0, 0}, 0};
  ASSERT_EQ(tq_pool2d_f32_validate(&p, &in, &out), TQ_OK);
  std::vector<float> y(2);
  tq_avg_pool2d_f32(&p, &in, x.data(), &out, y.data());
  EXPECT_FLOAT_EQ(y[0], 4.0f);
  EXPECT_FLOAT_EQ(y[1], -2.0f);
}

TEST(PoolF32Test, ValidateRejectsWindowsEntirelyInThePadding) {
  const tq_dims in = {1, 4, 4, 1}, out = {1, 2, 2, 1};
  const tq_pool_f32_params p = {{2, 2}, {2, 2}, {2, 0}, {0, 0}, 0};  // first row window [-2, -1]
  EXPECT_EQ(tq_pool2d_f32_validate(&p, &in, &out), TQ_ARG_ERROR);
  const tq_dims too_far = {1, 3, 2, 1};  // third output row starts at 4 > H - 1
  const tq_pool_f32_params q = {{2, 2}, {2, 2}, {0, 0}, {0, 0}, 0};
  EXPECT_EQ(tq_pool2d_f32_validate(&q, &in, &too_far), TQ_ARG_ERROR);
}

}  // namespace
