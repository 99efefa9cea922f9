// Tests of tq_rescale_s8 and tq_lut_s8 (src/runtime/tq_unary.c).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

extern "C" {
#include "src/runtime/tq_unary.h"
}
#include "tests/runtime/runtime_test_util.h"

namespace {

TEST(RescaleS8Test, HandComputed) {
  // (s_in, zp_in) = (0.5, 3) -> (s_out, zp_out) = (1.0, -1): multiplier 0.5 = (2^30, 0).
  // x = 8: (8-3)*0.5 = 2.5 -> 3 (SRDHM, ties toward +inf) -> 2;
  // x = -2: -5*0.5 = -2.5 -> -2 -> -3;  x = 127: 62 -> 61;  x = -128: -65.5 -> -65 -> -66.
  tq_rescale_params p = {3, -1, 1 << 30, 0, {-128, 127}};
  ASSERT_EQ(tq_rescale_s8_validate(&p, 4), TQ_OK);
  const int8_t x[] = {8, -2, 127, -128};
  int8_t y[4];
  tq_rescale_s8(&p, x, 4, y);
  EXPECT_EQ(std::vector<int8_t>(y, y + 4), (std::vector<int8_t>{2, -3, 61, -66}));
}

TEST(RescaleS8Test, AllInputsMatchReferenceAndFloat) {
  const double s_in = 0.0731, s_out = 0.0213;  // upscaling: saturates at the ends
  const int zi = -7, zo = 12;
  auto m = tinyq_test::QuantizeMultiplier(s_in / s_out);
  tq_rescale_params p = {zi, zo, m.first, m.second, {-128, 127}};
  ASSERT_EQ(tq_rescale_s8_validate(&p, 256), TQ_OK);
  std::vector<int8_t> x(256), y(256);
  for (int i = 0; i < 256; ++i) x[i] = (int8_t)(i - 128);
  tq_rescale_s8(&p, x.data(), 256, y.data());
  for (int i = 0; i < 256; ++i) {
    EXPECT_EQ(y[i], tinyq_test::RefOutput(x[i] - zi, m.first, m.second, zo, -128, 127));
    const double real = std::clamp(std::round(s_in * (x[i] - zi) / s_out) + zo, -128.0, 127.0);
    EXPECT_LE(std::fabs(y[i] - real), 1.0);
  }
  // In place gives the same result.
  tq_rescale_s8(&p, x.data(), 256, x.data());
  EXPECT_EQ(x, y);
}

TEST(LutS8Test, IndexIsValuePlus128) {
  // Table of a leaky-relu-like map built here: t[j] = q >= 0 ? q : q / 4 (q = j - 128).
  std::vector<int8_t> table(256);
  for (int j = 0; j < 256; ++j) {
    const int q = j - 128;
    table[j] = (int8_t)(q >= 0 ? q : -((-q) / 4));
  }
  const int8_t x[] = {-128, -5, 0, 7, 127};
  int8_t y[5];
  ASSERT_EQ(tq_lut_s8_validate(table.data(), 5), TQ_OK);
  tq_lut_s8(table.data(), x, 5, y);
  EXPECT_EQ(std::vector<int8_t>(y, y + 5), (std::vector<int8_t>{-32, -1, 0, 7, 127}));
}

TEST(UnaryS8Test, ValidateRejectsBadArguments) {
  tq_rescale_params p = {0, 0, 1 << 30, 0, {-128, 127}};
  EXPECT_EQ(tq_rescale_s8_validate(&p, -1), TQ_ARG_ERROR);
  p.multiplier = 5;
  EXPECT_EQ(tq_rescale_s8_validate(&p, 1), TQ_ARG_ERROR);
  p.multiplier = 1 << 30;
  p.input_zero_point = 128;
  EXPECT_EQ(tq_rescale_s8_validate(&p, 1), TQ_ARG_ERROR);
  EXPECT_EQ(tq_lut_s8_validate(nullptr, 1), TQ_ARG_ERROR);
  EXPECT_EQ(tq_rescale_s8_get_buffer_size(), 0u);
  EXPECT_EQ(tq_lut_s8_get_buffer_size(), 0u);
}

}  // namespace
