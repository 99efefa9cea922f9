#include "src/quant/lut.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <random>

namespace tinyq {
namespace quant {
namespace {

int8_t At(const LutS8& t, int q_in) { return t[static_cast<size_t>(q_in + 128)]; }

// Independent double reference: dequantize, apply f, round half away, saturate.
int RefEntry(const std::function<double(double)>& f, const LutQuant& q, int q_in) {
  const double x = static_cast<double>(q.in_scale) * (q_in - q.in_zero_point);
  double v = f(x) / static_cast<double>(q.out_scale);
  v = v < 0 ? -std::floor(-v + 0.5) : std::floor(v + 0.5);
  v += q.out_zero_point;
  return static_cast<int>(std::max(-128.0, std::min(127.0, v)));
}

TEST(BuildLutTest, IdentityWithEqualParamsIsIdentity) {
  LutQuant q{0.1f, 5, 0.1f, 5};
  auto t = BuildLut([](float x) { return x; }, q);  // a float(float) callable is accepted
  ASSERT_TRUE(t.ok());
  for (int i = -128; i < 128; ++i) EXPECT_EQ(At(*t, i), i) << i;
}

TEST(BuildLutTest, DoublingSaturates) {
  auto t = BuildLut([](double x) { return 2 * x; }, LutQuant{1.0f, 0, 1.0f, 0});
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(At(*t, -128), -128);
  EXPECT_EQ(At(*t, -70), -128);
  EXPECT_EQ(At(*t, 10), 20);
  EXPECT_EQ(At(*t, 100), 127);
  EXPECT_EQ(At(*t, 0), 0);
}

TEST(BuildLutTest, RejectsBadParamsAndNaN) {
  auto f = [](double x) { return x; };
  EXPECT_EQ(BuildLut(f, LutQuant{0.0f, 0, 1.0f, 0}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(BuildLut(f, LutQuant{1.0f, 200, 1.0f, 0}).ok());
  EXPECT_FALSE(BuildLut(f, LutQuant{1.0f, 0, std::nanf(""), 0}).ok());
  EXPECT_FALSE(BuildLut(f, LutQuant{1.0f, 0, 1.0f, -129}).ok());
  EXPECT_FALSE(BuildLut([](double x) { return std::log(x); }, LutQuant{1.0f, 0, 1.0f, 0}).ok());
  // +inf saturates instead of failing.
  auto inf = BuildLut([](double x) { return std::exp(1000 * x); }, LutQuant{1.0f, 0, 1.0f, 0});
  ASSERT_TRUE(inf.ok());
  EXPECT_EQ(At(*inf, 5), 127);
}

TEST(SigmoidLutTest, HandValuesWithTfliteOutputParams) {
  // TFLite sigmoid output: scale 1/256, zero point -128. sigmoid(0) = 0.5 -> 128 - 128 = 0.
  LutQuant q{0.1f, 0, 1.0f / 256.0f, -128};
  auto t = BuildSigmoidLut(q);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(At(*t, 0), 0);
  EXPECT_EQ(At(*t, 127), 127);    // sigmoid(12.7) * 256 = 255.99.. -> 256 -> saturates at 127
  EXPECT_EQ(At(*t, -128), -128);  // sigmoid(-12.8) ~ 2.8e-6 -> 0 -> -128
  // sigmoid(1) = 0.7310585786 -> *256 = 187.151 -> 187 - 128 = 59
  EXPECT_EQ(At(*t, 10), 59);
}

TEST(TanhLutTest, HandValues) {
  LutQuant q{0.05f, -3, 1.0f / 128.0f, 0};
  auto t = BuildTanhLut(q);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(At(*t, -3), 0);  // x = 0
  // x = 0.05 * 20 = 1 -> tanh 0.7615941560 * 128 = 97.48 -> 97
  EXPECT_EQ(At(*t, 17), 97);
  EXPECT_EQ(At(*t, -23), -97);
}

TEST(HardSwishLutTest, HandValues) {
  LutQuant q{1.0f, 0, 1.0f / 32.0f, 0};
  auto t = BuildHardSwishLut(q);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(At(*t, -3), 0);  // -3 * 0 = 0
  EXPECT_EQ(At(*t, -5), 0);
  EXPECT_EQ(At(*t, 3), 96);    // 3 * 1 = 3 -> 96
  EXPECT_EQ(At(*t, 1), 21);    // 1 * (1/6 + 1/2) = 0.6667 -> 21.33 -> 21
  EXPECT_EQ(At(*t, -1), -11);  // -1 * (1/3) = -0.3333 -> -10.67 -> -11
  EXPECT_EQ(At(*t, 10), 127);  // 10 -> 320 saturates
}

TEST(HardSigmoidLutTest, HandValuesWithOnnxDefaults) {
  LutQuant q{0.5f, 0, 1.0f / 256.0f, -128};
  auto t = BuildHardSigmoidLut(q);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(At(*t, 0), 0);       // 0.5 -> 128 - 128
  EXPECT_EQ(At(*t, -10), -128);  // 0.2 * -5 + 0.5 < 0 -> 0
  EXPECT_EQ(At(*t, 10), 127);    // 1.0 -> 256 - 128 = 128 saturates
  EXPECT_EQ(At(*t, 2), 51);      // 0.2 * 1 + 0.5 = 0.7 -> 179.2 -> 179 - 128
  auto custom = BuildHardSigmoidLut(q, 0.25, 0.25);
  ASSERT_TRUE(custom.ok());
  EXPECT_EQ(At(*custom, 2), 0);  // 0.25 * 1 + 0.25 = 0.5
}

TEST(LeakyReluLutTest, RoundsHalfAwayFromZero) {
  LutQuant q{1.0f, 0, 1.0f, 0};
  auto t = BuildLeakyReluLut(q, 0.25);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(At(*t, 5), 5);
  EXPECT_EQ(At(*t, -2), -1);   // -0.5 -> -1 (half away from zero, not to even)
  EXPECT_EQ(At(*t, -6), -2);   // -1.5 -> -2
  EXPECT_EQ(At(*t, -10), -3);  // -2.5 -> -3
}

TEST(LutTest, AllBuildersMatchDoubleReferenceOnRandomParams) {
  std::mt19937 rng(11);
  std::uniform_real_distribution<float> scale(0.002f, 0.2f);
  std::uniform_int_distribution<int> zp(-128, 127);
  const std::function<double(double)> sigmoid = [](double x) { return 1 / (1 + std::exp(-x)); };
  const std::function<double(double)> tanh_f = [](double x) { return std::tanh(x); };
  const std::function<double(double)> hsig = [](double x) {
    return std::max(0.0, std::min(1.0, 0.2 * x + 0.5));
  };
  const std::function<double(double)> hswish = [](double x) {
    return x * std::max(0.0, std::min(1.0, x / 6 + 0.5));
  };
  const std::function<double(double)> leaky = [](double x) { return x >= 0 ? x : 0.01 * x; };
  for (int trial = 0; trial < 50; ++trial) {
    LutQuant q{scale(rng), zp(rng), scale(rng), zp(rng)};
    const std::pair<StatusOr<LutS8>, const std::function<double(double)>*> cases[] = {
        {BuildSigmoidLut(q), &sigmoid},
        {BuildTanhLut(q), &tanh_f},
        {BuildHardSigmoidLut(q), &hsig},
        {BuildHardSwishLut(q), &hswish},
        {BuildLeakyReluLut(q), &leaky}};
    for (const auto& [table, f] : cases) {
      ASSERT_TRUE(table.ok());
      for (int i = -128; i < 128; ++i) ASSERT_EQ(At(*table, i), RefEntry(*f, q, i)) << trial;
    }
  }
}

}  // namespace
}  // namespace quant
}  // namespace tinyq
