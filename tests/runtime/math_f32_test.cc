// Tests of the libm-free exp / sigmoid / tanh (src/runtime/tq_math_f32.h) against double
// precision over their whole float range: error bounds in ulp, special values, and the
// subnormal / overflow edges.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

extern "C" {
#include "src/runtime/tq_math_f32.h"
}

namespace {

// |got - want| in units of the last place of want (as a float).
double Ulps(float got, double want) {
  const double ulp = std::ldexp(1.0, std::ilogb(std::fabs(want)) - 23);
  return std::fabs(static_cast<double>(got) - want) / ulp;
}

TEST(MathF32Test, ExpWithinTwoUlpsOverTheNormalRange) {
  double worst = 0.0;
  for (float x = -87.0f; x < 88.7f; x += 0.00731f)
    worst = std::max(worst, Ulps(tq_exp_f32(x), std::exp(double{x})));
  EXPECT_LT(worst, 2.0);
  EXPECT_EQ(tq_exp_f32(0.0f), 1.0f);
}

TEST(MathF32Test, ExpEdges) {
  const float inf = std::numeric_limits<float>::infinity();
  EXPECT_EQ(tq_exp_f32(89.0f), inf);
  EXPECT_EQ(tq_exp_f32(inf), inf);
  EXPECT_EQ(tq_exp_f32(-inf), 0.0f);
  EXPECT_EQ(tq_exp_f32(-200.0f), 0.0f);
  EXPECT_TRUE(std::isnan(tq_exp_f32(std::nanf(""))));
  // Subnormal results: within one subnormal step (2^-149).
  for (float x : {-88.0f, -95.5f, -100.0f, -103.0f})
    EXPECT_NEAR(tq_exp_f32(x), std::exp(double{x}), std::ldexp(1.0, -149)) << x;
  EXPECT_GT(tq_exp_f32(88.72f), 3.0e38f);
}

TEST(MathF32Test, SigmoidAndTanhWithinAFewUlps) {
  double ws = 0.0, wt = 0.0;
  for (float x = -20.0f; x < 20.0f; x += 0.0007f) {
    ws = std::max(ws, Ulps(tq_sigmoid_f32(x), 1.0 / (1.0 + std::exp(-double{x}))));
    if (x != 0.0f) wt = std::max(wt, Ulps(tq_tanh_f32(x), std::tanh(double{x})));
  }
  EXPECT_LT(ws, 3.0);
  EXPECT_LT(wt, 5.0);
  EXPECT_EQ(tq_tanh_f32(0.0f), 0.0f);
  EXPECT_EQ(tq_tanh_f32(50.0f), 1.0f);
  EXPECT_EQ(tq_tanh_f32(-50.0f), -1.0f);
  EXPECT_EQ(tq_sigmoid_f32(-200.0f), 0.0f);
  EXPECT_EQ(tq_sigmoid_f32(200.0f), 1.0f);
}

}  // namespace
