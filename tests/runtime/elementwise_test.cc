// Tests of tq_add_s8 / tq_mul_s8 (src/runtime/tq_elementwise.c): hand cases, broadcasting through
// strides, naive references, float sanity bound, validation.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

extern "C" {
#include "src/runtime/tq_elementwise.h"
}
#include "tests/runtime/runtime_test_util.h"

namespace {

using tinyq_test::QuantizeMultiplier;
using tinyq_test::RefRequantize;

// TFLite's Add prepare, in double.
tq_add_params MakeAdd(double s1, int z1, double s2, int z2, double so, int zo) {
  const double twice_max = 2 * std::max(s1, s2);
  const int left_shift = 20;
  auto m1 = QuantizeMultiplier(s1 / twice_max), m2 = QuantizeMultiplier(s2 / twice_max);
  auto mo = QuantizeMultiplier(twice_max / ((1 << left_shift) * so));
  return tq_add_params{-z1,        m1.first, m1.second, -z2, m2.first,   m2.second,
                       left_shift, mo.first, mo.second, zo,  {-128, 127}};
}

tq_mul_params MakeMul(double s1, int z1, double s2, int z2, double so, int zo) {
  auto m = QuantizeMultiplier(s1 * s2 / so);
  return tq_mul_params{-z1, -z2, m.first, m.second, zo, {-128, 127}};
}

int8_t RefAdd(const tq_add_params& p, int x1, int x2) {
  const int32_t a = RefRequantize((x1 + p.input1_offset) * (1 << p.left_shift), p.input1_multiplier,
                                  p.input1_shift);
  const int32_t b = RefRequantize((x2 + p.input2_offset) * (1 << p.left_shift), p.input2_multiplier,
                                  p.input2_shift);
  const int32_t v = RefRequantize(a + b, p.output_multiplier, p.output_shift) + p.output_offset;
  return (int8_t)std::clamp(v, p.activation.min, p.activation.max);
}

int8_t RefMul(const tq_mul_params& p, int x1, int x2) {
  const int32_t v = RefRequantize((x1 + p.input1_offset) * (x2 + p.input2_offset),
                                  p.output_multiplier, p.output_shift) +
                    p.output_offset;
  return (int8_t)std::clamp(v, p.activation.min, p.activation.max);
}

TEST(AddS8Test, HandComputedTiesAwayFromZero) {
  // s1 = 1, s2 = 0.5, s_out = 1, all zero points 0: twice_max = 2, input multipliers 0.5 and
  // 0.25, output multiplier 2^-19. x1 = 1, x2 = 3: a' = 2^20 * 0.5 = 524288, b' = 3 * 2^20 *
  // 0.25 = 786432, sum 1310720 * 2^-19 = 2.5 -> 3 (the final divide rounds half away from zero);
  // x1 = -1, x2 = -3 -> -2.5 -> -3; x1 = 3, x2 = 4 -> 3 + 2 = 5.
  tq_add_params p = MakeAdd(1.0, 0, 0.5, 0, 1.0, 0);
  EXPECT_EQ(p.input1_multiplier, 1 << 30);
  EXPECT_EQ(p.input1_shift, 0);
  EXPECT_EQ(p.input2_shift, -1);
  EXPECT_EQ(p.output_shift, -18);
  const int8_t x1[] = {1, -1, 3}, x2[] = {3, -3, 4};
  int8_t y[3];
  tq_dims d = {1, 1, 1, 3};
  tq_strides s = tq_dense_strides(&d);
  ASSERT_EQ(tq_add_s8_validate(&p, &d), TQ_OK);
  tq_add_s8(&p, &d, x1, &s, x2, &s, y);
  EXPECT_EQ(std::vector<int8_t>(y, y + 3), (std::vector<int8_t>{3, -3, 5}));
}

TEST(AddS8Test, RandomBroadcastsMatchReferenceAndFloat) {
  std::mt19937 rng(11);
  const double s1 = 0.037, s2 = 0.011, so = 0.05;
  const int z1 = -20, z2 = 31, zo = 4;
  tq_add_params p = MakeAdd(s1, z1, s2, z2, so, zo);
  tq_dims d = {2, 3, 4, 5};
  const int total = 2 * 3 * 4 * 5;
  auto x1 = tinyq_test::RandomS8(rng, total);
  auto x2 = tinyq_test::RandomS8(rng, total);
  struct Mode {
    tq_strides s2;
    const char* name;
  } modes[] = {{tq_dense_strides(&d), "dense"},
               {{0, 0, 0, 1}, "per-channel"},
               {{0, 0, 0, 0}, "scalar"},
               {{5, 0, 1, 0}, "broadcast h and c"}};
  for (const auto& m : modes) {
    SCOPED_TRACE(m.name);
    std::vector<int8_t> y(total);
    tq_strides dense = tq_dense_strides(&d);
    tq_add_s8(&p, &d, x1.data(), &dense, x2.data(), &m.s2, y.data());
    for (int n = 0; n < 2; ++n)
      for (int h = 0; h < 3; ++h)
        for (int w = 0; w < 4; ++w)
          for (int c = 0; c < 5; ++c) {
            const int i = ((n * 3 + h) * 4 + w) * 5 + c;
            const int a = x1[i], b = x2[n * m.s2.n + h * m.s2.h + w * m.s2.w + c * m.s2.c];
            ASSERT_EQ(y[i], RefAdd(p, a, b)) << i;
            const double real = (s1 * (a - z1) + s2 * (b - z2)) / so + zo;
            ASSERT_LE(std::fabs(y[i] - std::clamp(real, -128.0, 127.0)), 1.0) << i;
          }
  }
}

TEST(MulS8Test, HandComputed) {
  // s1 = 0.5 (zp 1), s2 = 0.25 (zp 0), s_out = 0.125 (zp 5): M = 1.0 = (2^30, 1).
  // x1 = 3, x2 = -2: (3-1) * (-2) = -4 -> -4 + 5 = 1.
  tq_mul_params p = MakeMul(0.5, 1, 0.25, 0, 0.125, 5);
  EXPECT_EQ(p.output_multiplier, 1 << 30);
  EXPECT_EQ(p.output_shift, 1);
  // s_out = 0.25 (zp 0): M = 0.5 = (2^30, 0): (4-1) * (-1) = -3 -> -1.5 -> -1 (SRDHM, ties +inf).
  tq_mul_params q = MakeMul(0.5, 1, 0.25, 0, 0.25, 0);
  const int8_t a[] = {3}, b[] = {-2}, c[] = {4}, e[] = {-1};
  int8_t y[1];
  tq_dims d = {1, 1, 1, 1};
  tq_strides s = tq_dense_strides(&d);
  ASSERT_EQ(tq_mul_s8_validate(&p, &d), TQ_OK);
  tq_mul_s8(&p, &d, a, &s, b, &s, y);
  EXPECT_EQ(y[0], 1);
  tq_mul_s8(&q, &d, c, &s, e, &s, y);
  EXPECT_EQ(y[0], -1);
}

TEST(MulS8Test, RandomPerChannelBroadcastMatchesReference) {
  std::mt19937 rng(12);
  tq_mul_params p = MakeMul(0.02, 5, 0.07, -100, 0.03, -3);
  p.activation = {-100, 100};
  tq_dims d = {1, 4, 4, 7};
  const int total = 4 * 4 * 7;
  auto x1 = tinyq_test::RandomS8(rng, total);
  auto x2 = tinyq_test::RandomS8(rng, 7);
  tq_strides s1 = tq_dense_strides(&d), s2 = {0, 0, 0, 1};
  std::vector<int8_t> y(total);
  tq_mul_s8(&p, &d, x1.data(), &s1, x2.data(), &s2, y.data());
  for (int i = 0; i < total; ++i) ASSERT_EQ(y[i], RefMul(p, x1[i], x2[i % 7])) << i;
}

TEST(ElementwiseS8Test, ValidateRejectsBadArguments) {
  tq_dims d = {1, 2, 2, 2};
  tq_add_params a = MakeAdd(0.1, 0, 0.2, 0, 0.3, 0);
  ASSERT_EQ(tq_add_s8_validate(&a, &d), TQ_OK);
  tq_add_params bad = a;
  bad.left_shift = 30;
  EXPECT_EQ(tq_add_s8_validate(&bad, &d), TQ_ARG_ERROR);
  bad = a;
  bad.input1_shift = 1;  // input multipliers must be < 1
  EXPECT_EQ(tq_add_s8_validate(&bad, &d), TQ_ARG_ERROR);
  bad = a;
  bad.output_multiplier = 12345;  // not normalized
  EXPECT_EQ(tq_add_s8_validate(&bad, &d), TQ_ARG_ERROR);
  bad = a;
  bad.input2_offset = -128;
  EXPECT_EQ(tq_add_s8_validate(&bad, &d), TQ_ARG_ERROR);
  tq_dims empty = {1, 0, 2, 2};
  EXPECT_EQ(tq_add_s8_validate(&a, &empty), TQ_ARG_ERROR);
  tq_mul_params m = MakeMul(0.1, 0, 0.2, 0, 0.3, 0);
  ASSERT_EQ(tq_mul_s8_validate(&m, &d), TQ_OK);
  m.output_offset = 130;
  EXPECT_EQ(tq_mul_s8_validate(&m, &d), TQ_ARG_ERROR);
  m.output_offset = 0;
  m.activation = {1, 0};
  EXPECT_EQ(tq_mul_s8_validate(&m, &d), TQ_ARG_ERROR);
  EXPECT_EQ(tq_add_s8_get_buffer_size(), 0u);
  EXPECT_EQ(tq_mul_s8_get_buffer_size(), 0u);
}

}  // namespace
