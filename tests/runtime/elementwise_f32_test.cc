// Tests of the float32 elementwise kernels (src/runtime/tq_elementwise_f32.c): broadcast binary
// ops with a clamp, every unary activation against its definition, the BatchNormalization
// affine map (two roundings), and the quantize / dequantize borders (round half to even,
// saturation, NaN).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

extern "C" {
#include "src/runtime/tq_elementwise_f32.h"
}
#include "tests/runtime/f32_test_util.h"

namespace {

TEST(ElementwiseF32Test, BroadcastBinaryOpsWithClamp) {
  // [2,3] op [1,3] (row broadcast) as dims {1, 1, 2, 3}.
  const std::vector<float> a = {1, 2, 3, 4, 5, 6}, b = {2, -4, 0.5f};
  const tq_dims d = {1, 1, 2, 3};
  const tq_strides sa = {0, 0, 3, 1}, sb = {0, 0, 0, 1};
  std::vector<float> y(6);
  tq_binary_f32_params p = {TQ_BINARY_ADD_F32, {TQ_CLAMP_MAX, 0.0f, 5.0f}};
  ASSERT_EQ(tq_binary_f32_validate(&p, &d), TQ_OK);
  tq_binary_f32(&p, &d, a.data(), &sa, b.data(), &sb, y.data());
  EXPECT_EQ(y, (std::vector<float>{3, -2, 3.5f, 5, 1, 5}));
  p = {TQ_BINARY_SUB_F32, {0, 0.0f, 0.0f}};
  tq_binary_f32(&p, &d, a.data(), &sa, b.data(), &sb, y.data());
  EXPECT_EQ(y, (std::vector<float>{-1, 6, 2.5f, 2, 9, 5.5f}));
  p.op = TQ_BINARY_MUL_F32;
  tq_binary_f32(&p, &d, a.data(), &sa, b.data(), &sb, y.data());
  EXPECT_EQ(y, (std::vector<float>{2, -8, 1.5f, 8, -20, 3}));
  p.op = TQ_BINARY_DIV_F32;
  tq_binary_f32(&p, &d, a.data(), &sa, b.data(), &sb, y.data());
  EXPECT_EQ(y, (std::vector<float>{0.5f, -0.5f, 6, 2, -1.25f, 12}));
  p.op = 7;
  EXPECT_EQ(tq_binary_f32_validate(&p, &d), TQ_ARG_ERROR);
}

float Unary(int op, float x, float alpha = 0.0f, float beta = 0.0f,
            tq_clamp_f32 clamp = {0, 0.0f, 0.0f}) {
  const tq_unary_f32_params p = {op, alpha, beta, clamp};
  float y = 0.0f;
  tq_unary_f32(&p, &x, 1, &y);
  return y;
}

TEST(ElementwiseF32Test, UnaryActivationsFollowTheirDefinitions) {
  EXPECT_EQ(Unary(TQ_UNARY_RELU_F32, -2.0f), 0.0f);
  EXPECT_EQ(Unary(TQ_UNARY_RELU_F32, 1.5f), 1.5f);
  EXPECT_TRUE(std::isnan(Unary(TQ_UNARY_RELU_F32, std::nanf(""))));
  const tq_clamp_f32 relu6 = {TQ_CLAMP_MIN | TQ_CLAMP_MAX, 0.0f, 6.0f};
  EXPECT_EQ(Unary(TQ_UNARY_CLIP_F32, 7.0f, 0, 0, relu6), 6.0f);
  EXPECT_EQ(Unary(TQ_UNARY_CLIP_F32, -7.0f, 0, 0, relu6), 0.0f);
  const tq_clamp_f32 crossed = {TQ_CLAMP_MIN | TQ_CLAMP_MAX, 2.0f, 1.0f};  // ONNX: max wins
  EXPECT_EQ(Unary(TQ_UNARY_CLIP_F32, 0.0f, 0, 0, crossed), 1.0f);
  EXPECT_EQ(Unary(TQ_UNARY_LEAKY_RELU_F32, -2.0f, 0.1f), -0.2f);
  EXPECT_EQ(Unary(TQ_UNARY_LEAKY_RELU_F32, 2.0f, 0.1f), 2.0f);
  EXPECT_EQ(Unary(TQ_UNARY_HARD_SIGMOID_F32, 1.0f, 0.2f, 0.5f), 0.7f);
  EXPECT_EQ(Unary(TQ_UNARY_HARD_SIGMOID_F32, 5.0f, 0.2f, 0.5f), 1.0f);
  EXPECT_EQ(Unary(TQ_UNARY_HARD_SIGMOID_F32, -5.0f, 0.2f, 0.5f), 0.0f);
  EXPECT_EQ(Unary(TQ_UNARY_HARD_SWISH_F32, 3.0f, 1.0f / 6, 0.5f), 3.0f);
  EXPECT_EQ(Unary(TQ_UNARY_HARD_SWISH_F32, -3.0f, 1.0f / 6, 0.5f), -0.0f);
  EXPECT_NEAR(Unary(TQ_UNARY_HARD_SWISH_F32, 1.0f, 1.0f / 6, 0.5f), 2.0 / 3, 1e-7);
  for (float x : {-30.0f, -3.0f, -0.1f, 0.0f, 0.2f, 2.5f, 30.0f}) {
    EXPECT_NEAR(Unary(TQ_UNARY_SIGMOID_F32, x), 1.0 / (1.0 + std::exp(-double{x})), 3e-7) << x;
    EXPECT_NEAR(Unary(TQ_UNARY_TANH_F32, x), std::tanh(double{x}), 5e-7) << x;
    EXPECT_NEAR(Unary(TQ_UNARY_EXP_F32, x), std::exp(double{x}), 2e-7 * std::exp(double{x})) << x;
  }
  EXPECT_EQ(Unary(TQ_UNARY_NEG_F32, 2.0f), -2.0f);
  EXPECT_EQ(Unary(TQ_UNARY_ABS_F32, -2.5f), 2.5f);
  const tq_unary_f32_params bad = {10, 0, 0, {0, 0, 0}};
  EXPECT_EQ(tq_unary_f32_validate(&bad), TQ_ARG_ERROR);
}

TEST(ElementwiseF32Test, ChannelAffineRoundsTheProductThenTheSum) {
  std::mt19937 rng(4);
  const auto x = tinyq_test::RandomF32(rng, 2 * 3 * 5, -3.0f, 3.0f);
  const auto a = tinyq_test::RandomF32(rng, 3), b = tinyq_test::RandomF32(rng, 3);
  std::vector<float> y(x.size());
  tq_channel_affine_f32(x.data(), 2, 3, 5, a.data(), b.data(), y.data());  // [2, 3, 5]
  for (size_t i = 0; i < x.size(); ++i) {
    const size_t c = (i / 5) % 3;
    const float want = tinyq_test::Add32(tinyq_test::Mul32(x[i], a[c]), b[c]);
    ASSERT_TRUE(tinyq_test::SameBits(y[i], want)) << i;
  }
}

TEST(ElementwiseF32Test, QuantizeRoundsHalfToEvenAndSaturates) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  const std::vector<float> x = {0.25f,   0.75f, -0.25f, -0.75f, 1.0f,  100.0f,
                                -100.0f, nan,   inf,    -inf,   0.74f, 0.76f};
  std::vector<int8_t> q(x.size());
  tq_quantize_f32(x.data(), static_cast<int32_t>(x.size()), 0.5f, 3, q.data());
  // x / 0.5 = 0.5 -> 0, 1.5 -> 2, -0.5 -> 0, -1.5 -> -2; + 3.
  EXPECT_EQ(q, (std::vector<int8_t>{3, 5, 3, 1, 5, 127, -128, 3, 127, -128, 4, 5}));
  const std::vector<int8_t> s = {-128, 0, 3, 127};
  std::vector<float> d(s.size());
  tq_dequantize_s8(s.data(), 4, 0.5f, 3, d.data());
  EXPECT_EQ(d, (std::vector<float>{-65.5f, -1.5f, 0.0f, 62.0f}));
}

}  // namespace
