// Tests of tq_max_pool2d_s8 / tq_avg_pool2d_s8 / tq_global_avg_pool_s8 (src/runtime/tq_pool.c).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

extern "C" {
#include "src/runtime/tq_pool.h"
}
#include "tests/runtime/runtime_test_util.h"

namespace {

struct PoolCase {
  int n, h, w, c, fh, fw, sh, sw, pt, pl, pb, pr;
};

int OutExtent(int in, int k, int s, int p0, int p1) { return (in + p0 + p1 - k) / s + 1; }

// Naive pooling; avg rounds with long double half-away-from-zero.
std::vector<int8_t> NaivePool(const PoolCase& c, const std::vector<int8_t>& x, bool avg,
                              bool include_pad, int zp, int lo, int hi, int oh, int ow) {
  std::vector<int8_t> y((size_t)c.n * oh * ow * c.c);
  for (int b = 0; b < c.n; ++b)
    for (int oy = 0; oy < oh; ++oy)
      for (int ox = 0; ox < ow; ++ox)
        for (int ch = 0; ch < c.c; ++ch) {
          int mx = -1000, cnt = 0;
          long sum = 0;
          for (int ky = 0; ky < c.fh; ++ky)
            for (int kx = 0; kx < c.fw; ++kx) {
              const int iy = oy * c.sh - c.pt + ky, ix = ox * c.sw - c.pl + kx;
              if (iy < 0 || iy >= c.h || ix < 0 || ix >= c.w) {
                if (include_pad) {
                  sum += zp;
                  ++cnt;
                }
                continue;
              }
              const int v = x[(((size_t)b * c.h + iy) * c.w + ix) * c.c + ch];
              mx = std::max(mx, v);
              sum += v;
              ++cnt;
            }
          const int v =
              avg ? (int)tinyq_test::RoundHalfAway((long double)sum / (long double)cnt) : mx;
          y[(((size_t)b * oh + oy) * ow + ox) * c.c + ch] = (int8_t)std::clamp(v, lo, hi);
        }
  return y;
}

void Check(const PoolCase& c, uint32_t seed, bool avg, bool include_pad, int zp, int lo, int hi) {
  std::mt19937 rng(seed);
  const int oh = OutExtent(c.h, c.fh, c.sh, c.pt, c.pb),
            ow = OutExtent(c.w, c.fw, c.sw, c.pl, c.pr);
  auto x = tinyq_test::RandomS8(rng, (size_t)c.n * c.h * c.w * c.c);
  tq_pool_params p = {{c.fh, c.fw}, {c.sh, c.sw}, {c.pt, c.pl}, include_pad ? 1 : 0, zp, {lo, hi}};
  tq_dims in = {c.n, c.h, c.w, c.c}, out = {c.n, oh, ow, c.c};
  ASSERT_EQ(tq_pool2d_s8_validate(&p, &in, &out), TQ_OK);
  std::vector<int8_t> y(out.n * out.h * out.w * out.c);
  if (avg) {
    tq_avg_pool2d_s8(&p, &in, x.data(), &out, y.data());
  } else {
    tq_max_pool2d_s8(&p, &in, x.data(), &out, y.data());
  }
  EXPECT_EQ(y, NaivePool(c, x, avg, include_pad, zp, lo, hi, oh, ow));
}

TEST(MaxPool2dS8Test, HandComputed2x2Stride2) {
  // 1x4x4x1 -> 2x2: maxima of each 2x2 block; clamp at 10 (ReLU6-like upper bound).
  const int8_t x[] = {1, -5, 3, 2, -7, 4, 0, 12, -1, -2, -3, -4, -128, -9, 5, 6};
  tq_pool_params p = {{2, 2}, {2, 2}, {0, 0}, 0, 0, {-128, 10}};
  tq_dims in = {1, 4, 4, 1}, out = {1, 2, 2, 1};
  int8_t y[4];
  tq_max_pool2d_s8(&p, &in, x, &out, y);
  EXPECT_EQ(std::vector<int8_t>(y, y + 4), (std::vector<int8_t>{4, 10, -1, 6}));
}

TEST(AvgPool2dS8Test, HandComputedRoundingAndPadding) {
  // x 1x2x2x1 = [[1,2],[3,-7]], 2x2 window, stride 1, pad 1 on all sides -> 3x3 output.
  // count_include_pad = 0: corner (0,0) sees only x00 = 1 -> 1; top middle (0,1) sees 1,2 ->
  // 1.5 -> 2; centre sees all: -1/4 -> 0; (1,2) sees 2,-7 -> -2.5 -> -3 (half away from zero);
  // (2,1) sees 3,-7 -> -2; (2,2) sees -7.
  const int8_t x[] = {1, 2, 3, -7};
  tq_pool_params p = {{2, 2}, {1, 1}, {1, 1}, 0, 0, {-128, 127}};
  tq_dims in = {1, 2, 2, 1}, out = {1, 3, 3, 1};
  ASSERT_EQ(tq_pool2d_s8_validate(&p, &in, &out), TQ_OK);
  int8_t y[9];
  tq_avg_pool2d_s8(&p, &in, x, &out, y);
  EXPECT_EQ(std::vector<int8_t>(y, y + 9), (std::vector<int8_t>{1, 2, 2, 2, 0, -3, 3, -2, -7}));
  // count_include_pad = 1 with zero point 4: corner (0,0) = (1 + 3*4)/4 = 3.25 -> 3;
  // (1,2) = (2 - 7 + 4 + 4)/4 = 0.75 -> 1; (2,2) = (-7 + 12)/4 = 1.25 -> 1.
  p.count_include_pad = 1;
  p.input_zero_point = 4;
  tq_avg_pool2d_s8(&p, &in, x, &out, y);
  EXPECT_EQ(y[0], 3);
  EXPECT_EQ(y[5], 1);
  EXPECT_EQ(y[8], 1);
}

TEST(Pool2dS8Test, SweepMatchesNaiveReference) {
  const PoolCase cases[] = {
      {1, 7, 7, 3, 3, 3, 2, 2, 1, 1, 1, 1},  {2, 8, 6, 5, 2, 2, 2, 2, 0, 0, 0, 0},
      {1, 5, 9, 4, 3, 2, 1, 3, 2, 1, 0, 1},  {1, 6, 6, 8, 6, 6, 1, 1, 0, 0, 0, 0},
      {1, 10, 3, 2, 4, 1, 3, 1, 3, 0, 2, 0},
  };
  uint32_t seed = 70;
  for (const auto& c : cases) {
    SCOPED_TRACE(::testing::Message() << "seed " << seed);
    Check(c, seed, false, false, 0, -128, 127);
    Check(c, seed, false, false, 0, -20, 50);
    Check(c, seed, true, false, 0, -128, 127);
    Check(c, seed, true, true, -37, -128, 127);
    Check(c, seed, true, true, 100, 0, 90);
    ++seed;
  }
}

TEST(GlobalAvgPoolS8Test, HandComputedAndRandom) {
  // 1x2x2x2: channel 0 = {1,2,3,5}, channel 1 = {-8,-8,-8,-7}; zp_in -2, zp_out 3;
  // multiplier s_in/(s_out*HW) with s_in = s_out: 1/4 = (2^30, -1).
  // ch0: sum(x+2) = 19 -> 19/4 = 4.75: SRDHM floor((19+1)/2) = 10 -> 10/2 = 5 -> +3 = 8.
  // ch1: sum(x+2) = -23 -> SRDHM floor(-22/2) = -11 -> -5.5 -> -6 -> +3 = -3.
  const int8_t x[] = {1, -8, 2, -8, 3, -8, 5, -7};
  tq_global_pool_params p = {-2, 3, 1 << 30, -1, {-128, 127}};
  tq_dims in = {1, 2, 2, 2}, out = {1, 1, 1, 2};
  ASSERT_EQ(tq_global_avg_pool_s8_validate(&p, &in, &out), TQ_OK);
  int8_t y[2];
  tq_global_avg_pool_s8(&p, &in, x, y);
  EXPECT_EQ(y[0], 8);
  EXPECT_EQ(y[1], -3);

  std::mt19937 rng(3);
  tq_dims big = {2, 7, 5, 6}, big_out = {2, 1, 1, 6};
  auto xs = tinyq_test::RandomS8(rng, 2 * 7 * 5 * 6);
  auto m = tinyq_test::QuantizeMultiplier(0.05 / (0.04 * 35));
  tq_global_pool_params q = {17, -9, m.first, m.second, {-128, 127}};
  ASSERT_EQ(tq_global_avg_pool_s8_validate(&q, &big, &big_out), TQ_OK);
  std::vector<int8_t> ys(12);
  tq_global_avg_pool_s8(&q, &big, xs.data(), ys.data());
  for (int b = 0; b < 2; ++b)
    for (int c = 0; c < 6; ++c) {
      int64_t acc = 0;
      for (int i = 0; i < 35; ++i) acc += xs[(b * 35 + i) * 6 + c] - 17;
      EXPECT_EQ(ys[b * 6 + c], tinyq_test::RefOutput(acc, m.first, m.second, -9, -128, 127));
      const double real = 0.05 * acc / 35 / 0.04 - 9;
      EXPECT_LE(std::fabs(ys[b * 6 + c] - std::clamp(real, -128.0, 127.0)), 1.0);
    }
}

TEST(Pool2dS8Test, ValidateRejectsBadArguments) {
  const tq_pool_params good = {{3, 3}, {2, 2}, {1, 1}, 0, 0, {-128, 127}};
  tq_dims in = {1, 8, 8, 4}, out = {1, 4, 4, 4};
  ASSERT_EQ(tq_pool2d_s8_validate(&good, &in, &out), TQ_OK);
  tq_pool_params p = good;
  p.padding.h = 3;  // padding must be smaller than the window
  EXPECT_EQ(tq_pool2d_s8_validate(&p, &in, &out), TQ_ARG_ERROR);
  p = good;
  p.filter.w = 0;
  EXPECT_EQ(tq_pool2d_s8_validate(&p, &in, &out), TQ_ARG_ERROR);
  p = good;
  p.count_include_pad = 2;
  EXPECT_EQ(tq_pool2d_s8_validate(&p, &in, &out), TQ_ARG_ERROR);
  tq_dims too_tall = {1, 6, 4, 4}, wrong_c = {1, 4, 4, 3};
  EXPECT_EQ(tq_pool2d_s8_validate(&good, &in, &too_tall), TQ_ARG_ERROR);
  EXPECT_EQ(tq_pool2d_s8_validate(&good, &in, &wrong_c), TQ_ARG_ERROR);
  tq_global_pool_params g = {0, 0, 1 << 30, 0, {-128, 127}};
  tq_dims gout = {1, 1, 1, 4}, gbad = {1, 2, 1, 4};
  EXPECT_EQ(tq_global_avg_pool_s8_validate(&g, &in, &gout), TQ_OK);
  EXPECT_EQ(tq_global_avg_pool_s8_validate(&g, &in, &gbad), TQ_ARG_ERROR);
  g.shift = 40;
  EXPECT_EQ(tq_global_avg_pool_s8_validate(&g, &in, &gout), TQ_ARG_ERROR);
}

}  // namespace
