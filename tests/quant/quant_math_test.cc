#include "src/quant/quant_math.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>

namespace tinyq {
namespace quant {
namespace {

// ---- ChooseAsymmetricParams -------------------------------------------------------------------

TEST(ChooseAsymmetricParamsTest, MinusOneToThreeHandComputed) {
  // scale = 4/255. zero point from min: -128 - (-1)/(4/255) = -128 + 63.75 = -64.25 -> -64
  // (error from min 128 + 63.75 < error from max 127 + 191.25).
  auto p = ChooseAsymmetricParams(-1.0f, 3.0f);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_FLOAT_EQ(p->scale, 4.0f / 255.0f);
  EXPECT_EQ(p->zero_point, -64);
}

TEST(ChooseAsymmetricParamsTest, PositiveRangeIsExtendedToZero) {
  auto p = ChooseAsymmetricParams(0.5f, 2.0f);  // -> [0, 2]
  ASSERT_TRUE(p.ok());
  EXPECT_FLOAT_EQ(p->scale, 2.0f / 255.0f);
  EXPECT_EQ(p->zero_point, -128);
}

TEST(ChooseAsymmetricParamsTest, NegativeRangeIsExtendedToZero) {
  auto p = ChooseAsymmetricParams(-2.0f, -0.5f);  // -> [-2, 0]
  ASSERT_TRUE(p.ok());
  EXPECT_FLOAT_EQ(p->scale, 2.0f / 255.0f);
  EXPECT_EQ(p->zero_point, 127);
}

TEST(ChooseAsymmetricParamsTest, CustomIntegerRange) {
  auto p = ChooseAsymmetricParams(-1.0f, 1.0f, 0, 255);  // uint8-style grid
  ASSERT_TRUE(p.ok());
  EXPECT_FLOAT_EQ(p->scale, 2.0f / 255.0f);
  EXPECT_EQ(p->zero_point, 128);  // 127.5 rounds half away from zero
}

TEST(ChooseAsymmetricParamsTest, AllZeroRangeGivesUnitScale) {
  auto p = ChooseAsymmetricParams(0.0f, 0.0f);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->scale, 1.0f);
  EXPECT_EQ(p->zero_point, 0);
}

TEST(ChooseAsymmetricParamsTest, TinyRangeGetsMinimumScale) {
  auto p = ChooseAsymmetricParams(0.0f, 1e-12f);
  ASSERT_TRUE(p.ok());
  EXPECT_FLOAT_EQ(p->scale, kMinScale);
  EXPECT_EQ(p->zero_point, -128);
  auto n = ChooseAsymmetricParams(-1e-12f, 0.0f);
  ASSERT_TRUE(n.ok());
  EXPECT_FLOAT_EQ(n->scale, kMinScale);
}

TEST(ChooseAsymmetricParamsTest, RejectsBadRanges) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  EXPECT_EQ(ChooseAsymmetricParams(nan, 1.0f).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ChooseAsymmetricParams(0.0f, inf).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ChooseAsymmetricParams(2.0f, 1.0f).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ChooseAsymmetricParams(0.0f, 1.0f, 5, 5).status().code(), StatusCode::kInvalidArgument);
  auto huge = ChooseAsymmetricParams(-3e38f, 3e38f, 0, 1);  // scale 6e38 overflows a float
  EXPECT_EQ(huge.status().code(), StatusCode::kInvalidArgument);
}

TEST(ChooseAsymmetricParamsTest, RealZeroExactlyRepresentableOverRandomRanges) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> log_mag(-6.0, 6.0);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  for (int i = 0; i < 5000; ++i) {
    float a = static_cast<float>(std::pow(10.0, log_mag(rng)) * (unit(rng) < 0.5 ? -1 : 1));
    float b = static_cast<float>(std::pow(10.0, log_mag(rng)) * (unit(rng) < 0.5 ? -1 : 1));
    if (unit(rng) < 0.1) a = 0.0f;
    const float mn = std::min(a, b), mx = std::max(a, b);
    auto p = ChooseAsymmetricParams(mn, mx);
    ASSERT_TRUE(p.ok()) << mn << " " << mx;
    ASSERT_GE(p->zero_point, -128);
    ASSERT_LE(p->zero_point, 127);
    ASSERT_GT(p->scale, 0.0f);
    // Real 0 quantizes to the zero point and dequantizes back to exactly 0.
    const int8_t q0 = QuantizeValueS8(0.0f, p->scale, p->zero_point);
    ASSERT_EQ(q0, p->zero_point);
    ASSERT_EQ(DequantizeValueS8(q0, p->scale, p->zero_point), 0.0f);
    // The represented range covers [min(mn,0), max(mx,0)] to within half a step at each end.
    const double rmin = std::min<double>(mn, 0.0), rmax = std::max<double>(mx, 0.0);
    const double s = p->scale;
    ASSERT_NEAR(s, (rmax - rmin) / 255.0, 1e-6 * s);
    const double rep_min = s * (-128 - p->zero_point), rep_max = s * (127 - p->zero_point);
    ASSERT_LE(std::abs(rep_min - rmin), 0.5 * s * (1 + 1e-5)) << mn << " " << mx;
    ASSERT_LE(std::abs(rep_max - rmax), 0.5 * s * (1 + 1e-5)) << mn << " " << mx;
  }
}

// ---- Weights ----------------------------------------------------------------------------------

TEST(ChooseSymmetricWeightScalesTest, PerRowAndPerColumn) {
  Tensor w = Tensor::FromVector<float>({2, 3}, {1.0f, -2.0f, 0.5f, 0.0f, 0.0f, 0.0f});
  auto rows = ChooseSymmetricWeightScales(w, 0);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_FLOAT_EQ((*rows)[0], 2.0f / 127.0f);
  EXPECT_EQ((*rows)[1], kMinScale);  // all-zero channel
  for (int axis : {1, -1}) {
    auto cols = ChooseSymmetricWeightScales(w, axis);
    ASSERT_TRUE(cols.ok());
    ASSERT_EQ(cols->size(), 3u);
    EXPECT_FLOAT_EQ((*cols)[0], 1.0f / 127.0f);
    EXPECT_FLOAT_EQ((*cols)[1], 2.0f / 127.0f);
    EXPECT_FLOAT_EQ((*cols)[2], 0.5f / 127.0f);
  }
}

TEST(ChooseSymmetricWeightScalesTest, ConvOihwMiddleAxisLayout) {
  // [O=2, I=1, K=2]: channel 0 = {3, -4}, channel 1 = {0.5, 1}.
  Tensor w = Tensor::FromVector<float>({2, 1, 2}, {3.0f, -4.0f, 0.5f, 1.0f});
  auto s = ChooseSymmetricWeightScales(w, 0);
  ASSERT_TRUE(s.ok());
  EXPECT_FLOAT_EQ((*s)[0], 4.0f / 127.0f);
  EXPECT_FLOAT_EQ((*s)[1], 1.0f / 127.0f);
}

TEST(ChooseSymmetricWeightScalesTest, RejectsBadInput) {
  Tensor w = Tensor::FromVector<float>({2}, {1.0f, std::nanf("")});
  EXPECT_EQ(ChooseSymmetricWeightScales(w, 0).status().code(), StatusCode::kInvalidArgument);
  Tensor ok = Tensor::FromVector<float>({2}, {1.0f, 2.0f});
  EXPECT_EQ(ChooseSymmetricWeightScales(ok, 1).status().code(), StatusCode::kInvalidArgument);
  Tensor s8(DType::kS8, {2});
  EXPECT_EQ(ChooseSymmetricWeightScales(s8, 0).status().code(), StatusCode::kInvalidArgument);
}

TEST(QuantizeWeightsPerChannelS8Test, RoundsHalfAwayAndClampsTo127) {
  Tensor w = Tensor::FromVector<float>({2, 3}, {1.25f, -1.25f, 100.0f, -100.0f, 0.3f, 0.0f});
  auto q = QuantizeWeightsPerChannelS8(w, 0, {0.5f, 1.0f});
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  const int8_t* d = q->data<int8_t>();
  EXPECT_EQ(d[0], 3);     // 2.5 -> 3
  EXPECT_EQ(d[1], -3);    // -2.5 -> -3
  EXPECT_EQ(d[2], 127);   // 200 saturates
  EXPECT_EQ(d[3], -100);  // channel 1, scale 1
  EXPECT_EQ(d[4], 0);
  EXPECT_EQ(d[5], 0);
  auto sat = QuantizeWeightsPerChannelS8(w, 0, {0.01f});
  ASSERT_TRUE(sat.ok());
  EXPECT_EQ(sat->data<int8_t>()[3], -127);  // never -128 for weights
  EXPECT_FALSE(QuantizeWeightsPerChannelS8(w, 0, {1.0f, 1.0f, 1.0f}).ok());
  EXPECT_FALSE(QuantizeWeightsPerChannelS8(w, 0, {0.0f, 1.0f}).ok());
}

// ---- QuantizeMultiplier -----------------------------------------------------------------------

double Reconstruct(const QuantizedMultiplier& qm) {
  return static_cast<double>(qm.m0) * std::ldexp(1.0, qm.shift - 31);
}

TEST(QuantizeMultiplierTest, EdgeValues) {
  auto one = QuantizeMultiplier(1.0);  // 0.5 * 2^1
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->m0, 1 << 30);
  EXPECT_EQ(one->shift, 1);
  auto half = QuantizeMultiplier(0.5);
  ASSERT_TRUE(half.ok());
  EXPECT_EQ(half->m0, 1 << 30);
  EXPECT_EQ(half->shift, 0);
  auto p31 = QuantizeMultiplier(std::ldexp(1.0, -31));  // 0.5 * 2^-30
  ASSERT_TRUE(p31.ok());
  EXPECT_EQ(p31->m0, 1 << 30);
  EXPECT_EQ(p31->shift, -30);
  auto p32 = QuantizeMultiplier(std::ldexp(1.0, -32));  // shift -31: the last one kept
  ASSERT_TRUE(p32.ok());
  EXPECT_EQ(p32->m0, 1 << 30);
  EXPECT_EQ(p32->shift, -31);
  for (double tiny : {std::ldexp(1.0, -33), 1e-10, 1e-30}) {
    auto t = QuantizeMultiplier(tiny);
    ASSERT_TRUE(t.ok());
    EXPECT_EQ(t->m0, 0) << tiny;
    EXPECT_EQ(t->shift, 0) << tiny;
  }
  auto zero = QuantizeMultiplier(0.0);
  ASSERT_TRUE(zero.ok());
  EXPECT_EQ(zero->m0, 0);
  EXPECT_EQ(zero->shift, 0);
  auto big = QuantizeMultiplier(std::ldexp(1.0, 31));  // exponent 32 > 30: saturates
  ASSERT_TRUE(big.ok());
  EXPECT_EQ(big->m0, std::numeric_limits<int32_t>::max());
  EXPECT_EQ(big->shift, 30);
  auto top = QuantizeMultiplier(std::ldexp(1.0, 30) * 0.999);  // exponent 30: the largest kept
  ASSERT_TRUE(top.ok());
  EXPECT_EQ(top->shift, 30);
  EXPECT_NEAR(Reconstruct(*top), std::ldexp(1.0, 30) * 0.999, 1.0);
  auto sat = QuantizeMultiplier(std::ldexp(1.0, 30));  // 0.5 * 2^31: exponent 31 saturates
  ASSERT_TRUE(sat.ok());
  EXPECT_EQ(sat->m0, std::numeric_limits<int32_t>::max());
  EXPECT_EQ(sat->shift, 30);
  auto three = QuantizeMultiplier(3.0);  // 0.75 * 2^2
  ASSERT_TRUE(three.ok());
  EXPECT_EQ(three->m0, 3 << 29);
  EXPECT_EQ(three->shift, 2);
}

TEST(QuantizeMultiplierTest, RoundingUpToTwoPow31IsHalved) {
  // fraction 1 - 2^-40 rounds to 2^31 in Q31: must become {2^30, exponent + 1}.
  for (double real : {1.0 - std::ldexp(1.0, -40), 0.5 - std::ldexp(1.0, -45),
                      std::ldexp(1.0 - std::ldexp(1.0, -35), -10)}) {
    auto qm = QuantizeMultiplier(real);
    ASSERT_TRUE(qm.ok());
    EXPECT_EQ(qm->m0, 1 << 30) << real;
    EXPECT_EQ(Reconstruct(*qm), std::ldexp(1.0, std::ilogb(real) + 1)) << real;
  }
}

TEST(QuantizeMultiplierTest, LogSweepMatchesExactMath) {
  // 2^-32 <= real < 2^30 (frexp exponents -31..30): m0 in [2^30, 2^31) and
  // |m0 * 2^(shift-31) - real| <= real * 2^-31 (half a unit of the 31-bit mantissa).
  int checked = 0;
  for (double e = -32.0; e < 30.0; e += 0.0137) {
    const double real = std::pow(2.0, e);
    auto qm = QuantizeMultiplier(real);
    ASSERT_TRUE(qm.ok()) << real;
    ASSERT_GE(qm->m0, 1 << 30) << real;
    ASSERT_GE(qm->shift, -31);
    ASSERT_LE(qm->shift, 30);
    ASSERT_LE(std::abs(Reconstruct(*qm) - real), real * std::ldexp(1.0, -31)) << real;
    ++checked;
  }
  EXPECT_GT(checked, 4000);
}

// The requantization the runtime applies to (m0, shift), written here from its definition
// (gemmlowp / TFLM MultiplyByQuantizedMultiplier): saturating rounding doubling high multiply,
// then a rounding divide by 2^right, both rounding half away from zero.
int32_t ApplyMultiplier(int32_t x, const QuantizedMultiplier& qm) {
  const int left = qm.shift > 0 ? qm.shift : 0;
  const int right = qm.shift > 0 ? 0 : -qm.shift;
  const int64_t a = static_cast<int64_t>(x) * (int64_t{1} << left);  // callers keep it in int32
  const int64_t ab = a * qm.m0;
  const int64_t nudge = ab >= 0 ? (int64_t{1} << 30) : 1 - (int64_t{1} << 30);
  const int64_t high = (ab + nudge) / (int64_t{1} << 31);  // truncating division, as gemmlowp
  if (right == 0) return static_cast<int32_t>(high);
  const int64_t mask = (int64_t{1} << right) - 1;
  const int64_t rem = high & mask;
  const int64_t threshold = (mask >> 1) + (high < 0 ? 1 : 0);
  return static_cast<int32_t>((high >> right) + (rem > threshold ? 1 : 0));
}

TEST(QuantizeMultiplierTest, RuntimeRequantizationMatchesRealProduct) {
  // With the sign convention documented in quant_math.h, applying (m0, shift) to an int32
  // accumulator gives x * real to within 1 (two roundings).
  std::mt19937 rng(17);
  std::uniform_real_distribution<double> log2_real(-20.0, 4.0);
  std::uniform_int_distribution<int32_t> acc(-(1 << 20), 1 << 20);
  for (int i = 0; i < 20000; ++i) {
    const double real = std::pow(2.0, log2_real(rng));
    auto qm = QuantizeMultiplier(real);
    ASSERT_TRUE(qm.ok());
    const int32_t x = acc(rng);
    const double exact = static_cast<double>(x) * real;
    ASSERT_LE(std::abs(ApplyMultiplier(x, *qm) - exact), 1.0) << x << " * " << real;
  }
}

TEST(QuantizeMultiplierTest, RejectsNegativeAndNonFinite) {
  EXPECT_EQ(QuantizeMultiplier(-0.5).status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(QuantizeMultiplier(std::numeric_limits<double>::quiet_NaN()).ok());
  EXPECT_FALSE(QuantizeMultiplier(std::numeric_limits<double>::infinity()).ok());
}

TEST(QuantizeMultiplierSmallerThanOneTest, RightShiftsOnlyAndRejectsOutOfRange) {
  auto q = QuantizeMultiplierSmallerThanOne(0.25);  // 0.5 * 2^-1
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->m0, 1 << 30);
  EXPECT_EQ(q->shift, -1);
  for (double e = -30.0; e < -0.01; e += 0.1) {
    auto r = QuantizeMultiplierSmallerThanOne(std::pow(2.0, e));
    ASSERT_TRUE(r.ok());
    EXPECT_LE(r->shift, 0);
  }
  EXPECT_FALSE(QuantizeMultiplierSmallerThanOne(1.0).ok());
  EXPECT_FALSE(QuantizeMultiplierSmallerThanOne(0.0).ok());
  EXPECT_FALSE(QuantizeMultiplierSmallerThanOne(-0.1).ok());
}

// ---- Quantize / dequantize --------------------------------------------------------------------

TEST(QuantizeValueS8Test, RoundsHalfAwayFromZeroAndSaturates) {
  EXPECT_EQ(QuantizeValueS8(0.25f, 0.5f, 3), 4);   // 0.5 -> 1
  EXPECT_EQ(QuantizeValueS8(-0.25f, 0.5f, 3), 2);  // -0.5 -> -1
  EXPECT_EQ(QuantizeValueS8(0.75f, 0.5f, 0), 2);   // 1.5 -> 2
  EXPECT_EQ(QuantizeValueS8(1.25f, 0.5f, 0), 3);   // 2.5 -> 3 (not 2: no banker's rounding)
  EXPECT_EQ(QuantizeValueS8(1000.0f, 0.5f, 0), 127);
  EXPECT_EQ(QuantizeValueS8(-1000.0f, 0.5f, 0), -128);
  EXPECT_EQ(QuantizeValueS8(60.0f, 1.0f, 100), 127);  // saturates after adding the zero point
  EXPECT_EQ(QuantizeValueS8(std::numeric_limits<float>::infinity(), 1.0f, 0), 127);
  EXPECT_EQ(QuantizeValueS8(-std::numeric_limits<float>::infinity(), 1.0f, 0), -128);
  EXPECT_EQ(QuantizeValueS8(std::nanf(""), 1.0f, 0), -128);
  EXPECT_EQ(DequantizeValueS8(4, 0.5f, 3), 0.5f);
}

TEST(QuantizeTensorS8Test, RoundTripWithinHalfStep) {
  std::vector<float> v;
  for (int i = 0; i < 101; ++i) v.push_back(-1.0f + 0.04f * static_cast<float>(i));
  Tensor x = Tensor::FromVector<float>({101}, v);
  auto p = ChooseAsymmetricParams(-1.0f, 3.0f);
  ASSERT_TRUE(p.ok());
  auto q = QuantizeTensorS8(x, p->scale, p->zero_point);
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->dtype(), DType::kS8);
  auto back = DequantizeTensorS8(*q, p->scale, p->zero_point);
  ASSERT_TRUE(back.ok());
  for (int i = 0; i < 101; ++i) {
    EXPECT_NEAR(back->data<float>()[i], v[static_cast<size_t>(i)], 0.5 * p->scale * 1.0001);
  }
}

TEST(QuantizeTensorS8Test, RejectsBadInput) {
  Tensor x = Tensor::FromVector<float>({2}, {1.0f, std::nanf("")});
  EXPECT_EQ(QuantizeTensorS8(x, 1.0f, 0).status().code(), StatusCode::kInvalidArgument);
  Tensor ok = Tensor::FromVector<float>({1}, {1.0f});
  EXPECT_FALSE(QuantizeTensorS8(ok, 0.0f, 0).ok());
  EXPECT_FALSE(QuantizeTensorS8(ok, 1.0f, 128).ok());
  EXPECT_FALSE(QuantizeTensorS8(Tensor(DType::kS32, {1}), 1.0f, 0).ok());
  EXPECT_FALSE(DequantizeTensorS8(ok, 1.0f, 0).ok());  // f32 is not s8
  EXPECT_FALSE(DequantizeTensorS8(Tensor(DType::kS8, {1}), -1.0f, 0).ok());
}

// ---- Bias -------------------------------------------------------------------------------------

TEST(QuantizeBiasS32Test, PerChannelScalesRoundingAndSaturation) {
  // scales: 0.5*0.25 = 0.125, 0.5*0.5 = 0.25, 0.5*0.001, 0.5*0.25
  auto b = QuantizeBiasS32({1.0f, -0.5f, 1e30f, -0.1875f}, 0.5f, {0.25f, 0.5f, 0.001f, 0.25f});
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ(b->values[0], 8);
  EXPECT_EQ(b->values[1], -2);
  EXPECT_EQ(b->values[2], std::numeric_limits<int32_t>::max());
  EXPECT_EQ(b->values[3], -2);  // -1.5 -> -2
  EXPECT_EQ(b->num_saturated, 1);
  EXPECT_DOUBLE_EQ(b->scales[0], 0.125);
  auto neg = QuantizeBiasS32({-1e30f}, 1.0f, {1.0f});
  ASSERT_TRUE(neg.ok());
  EXPECT_EQ(neg->values[0], std::numeric_limits<int32_t>::min());
  EXPECT_EQ(neg->num_saturated, 1);
}

TEST(QuantizeBiasS32Test, RejectsBadInput) {
  EXPECT_FALSE(QuantizeBiasS32({1.0f, 2.0f}, 1.0f, {1.0f, 1.0f, 1.0f}).ok());
  EXPECT_FALSE(QuantizeBiasS32({std::nanf("")}, 1.0f, {1.0f}).ok());
  EXPECT_FALSE(QuantizeBiasS32({1.0f}, 0.0f, {1.0f}).ok());
  EXPECT_FALSE(QuantizeBiasS32({1.0f}, 1.0f, {-1.0f}).ok());
}

}  // namespace
}  // namespace quant
}  // namespace tinyq
