// QuantizeLinear / DequantizeLinear kernels (src/exec/kernels_qdq.cc). Expected values are worked
// out by hand from y = saturate(round_half_even(x / s) + zp) and y = (x - zp) * s.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "tests/exec/tensor_op_runner.h"

namespace tinyq {
namespace {

using F = std::vector<float>;
using U8 = std::vector<uint8_t>;
using S8 = std::vector<int8_t>;

Tensor Scalar(float v) { return Tensor::FromVector<float>({}, {v}); }

TEST(QuantizeLinearTest, SpecExampleDefaultsToU8AndSaturates) {
  // x [0,2,3,1000,-254,-1000], scale 2, zp 128 -> [128,129,130(1.5 rounds to 2),255,1,0].
  OneNodeRunner r;
  r.Add(OpKind::kQuantizeLinear,
        {r.Input(Tensor::FromVector<float>({6}, {0, 2, 3, 1000, -254, -1000})), r.Const(Scalar(2)),
         r.Const(Tensor::FromVector<uint8_t>({}, {128}))});
  auto out = r.Run();
  EXPECT_EQ(out[0].dtype(), DType::kU8);
  EXPECT_EQ(Values<uint8_t>(out[0]), (U8{128, 129, 130, 255, 1, 0}));
}

TEST(QuantizeLinearTest, NoZeroPointGivesU8WithZeroPointZero) {
  OneNodeRunner r;
  r.Add(OpKind::kQuantizeLinear,
        {r.Input(Tensor::FromVector<float>({3}, {-1, 0.4f, 300})), r.Const(Scalar(1))});
  auto out = r.Run();
  EXPECT_EQ(out[0].dtype(), DType::kU8);
  EXPECT_EQ(Values<uint8_t>(out[0]), (U8{0, 0, 255}));
}

TEST(QuantizeLinearTest, RoundsHalfToEvenIntoS8) {
  // x/s = 0.5, 1.5, 2.5, -0.5, -1.5, -2.5 -> 0, 2, 2, 0, -2, -2; then + zp -1.
  OneNodeRunner r;
  r.Add(OpKind::kQuantizeLinear,
        {r.Input(Tensor::FromVector<float>({6}, {1, 3, 5, -1, -3, -5})), r.Const(Scalar(2)),
         r.Const(Tensor::FromVector<int8_t>({}, {-1}))});
  auto out = r.Run();
  EXPECT_EQ(out[0].dtype(), DType::kS8);
  EXPECT_EQ(Values<int8_t>(out[0]), (S8{-1, 1, 1, -1, -3, -3}));
}

TEST(QuantizeLinearTest, PerAxisScalesAlongAxisOne) {
  // x [2,3], axis 1: scales [1,2,4], zps [0,1,-1].
  OneNodeRunner r;
  r.Add(OpKind::kQuantizeLinear,
        {r.Input(Tensor::FromVector<float>({2, 3}, {1, 2, 4, -3, 7, 1000})),
         r.Const(Tensor::FromVector<float>({3}, {1, 2, 4})),
         r.Const(Tensor::FromVector<int8_t>({3}, {0, 1, -1}))});
  auto out = r.Run();
  // Row 0: 1/1=1 -> 1; 2/2=1 -> 2; 4/4=1 -> 0. Row 1: -3 -> -3; 3.5 -> 4 (+1) = 5; 250 -> 127.
  EXPECT_EQ(Values<int8_t>(out[0]), (S8{1, 2, 0, -3, 5, 127}));
}

TEST(QuantizeLinearTest, OneElementVectorScaleIsPerTensor) {
  // A [1] scale (common in exported models) applies to the whole [2,3] tensor.
  OneNodeRunner r;
  r.Add(OpKind::kQuantizeLinear, {r.Input(Tensor::FromVector<float>({2, 3}, {0, 1, 2, 3, 4, 5})),
                                  r.Const(Tensor::FromVector<float>({1}, {0.5f})),
                                  r.Const(Tensor::FromVector<int8_t>({1}, {-3}))});
  EXPECT_EQ(Values<int8_t>(r.Run()[0]), (S8{-3, -1, 1, 3, 5, 7}));
}

TEST(QuantizeLinearTest, NanMapsToZeroPoint) {
  OneNodeRunner r;
  r.Add(OpKind::kQuantizeLinear,
        {r.Input(Tensor::FromVector<float>({1}, {std::nanf("")})), r.Const(Scalar(1)),
         r.Const(Tensor::FromVector<int8_t>({}, {7}))});
  EXPECT_EQ(Values<int8_t>(r.Run()[0]), (S8{7}));
}

TEST(QuantizeLinearTest, PerAxisScaleLengthMismatchIsInvalidModel) {
  OneNodeRunner r;
  r.Add(OpKind::kQuantizeLinear,
        {r.Input(Tensor(DType::kF32, {2, 3})), r.Const(Tensor::FromVector<float>({2}, {1, 2}))});
  Status s = r.Prepare();
  EXPECT_EQ(s.code(), StatusCode::kInvalidModel);
  EXPECT_EQ(s.message().rfind("test.onnx: node 'n' (QuantizeLinear): ", 0), 0u) << s.message();
}

TEST(QuantizeLinearTest, S16ZeroPointIsUnsupported) {
  OneNodeRunner r;
  r.Add(OpKind::kQuantizeLinear, {r.Input(Tensor(DType::kF32, {2})), r.Const(Scalar(1)),
                                  r.Const(Tensor::FromVector<int16_t>({}, {0}))});
  EXPECT_EQ(r.Prepare().code(), StatusCode::kUnsupported);
}

TEST(QuantizeLinearTest, ZeroScaleIsInvalidModel) {
  OneNodeRunner r;
  r.Add(OpKind::kQuantizeLinear, {r.Input(Tensor(DType::kF32, {2})), r.Const(Scalar(0))});
  EXPECT_EQ(r.Prepare().code(), StatusCode::kInvalidModel);
}

TEST(DequantizeLinearTest, SpecExampleU8) {
  // x [0,3,128,255], scale 2, zp 128 -> [-256,-250,0,254].
  OneNodeRunner r;
  r.Add(OpKind::kDequantizeLinear,
        {r.Input(Tensor::FromVector<uint8_t>({4}, {0, 3, 128, 255})), r.Const(Scalar(2)),
         r.Const(Tensor::FromVector<uint8_t>({}, {128}))});
  auto out = r.Run();
  EXPECT_EQ(out[0].dtype(), DType::kF32);
  EXPECT_EQ(Values<float>(out[0]), (F{-256, -250, 0, 254}));
}

TEST(DequantizeLinearTest, PerAxisS8OnAxisZero) {
  // x [2,2] axis 0: row scales [0.5, 4], zps [1, -2].
  OneNodeRunner r;
  r.Add(OpKind::kDequantizeLinear, {r.Input(Tensor::FromVector<int8_t>({2, 2}, {-128, 127, 0, -2})),
                                    r.Const(Tensor::FromVector<float>({2}, {0.5f, 4})),
                                    r.Const(Tensor::FromVector<int8_t>({2}, {1, -2}))})
      ->SetInt("axis", 0);
  EXPECT_EQ(Values<float>(r.Run()[0]), (F{-64.5f, 63, 8, 0}));
}

TEST(DequantizeLinearTest, S32WithoutZeroPoint) {
  OneNodeRunner r;
  r.Add(OpKind::kDequantizeLinear,
        {r.Input(Tensor::FromVector<int32_t>({3}, {-1000, 0, 70000})), r.Const(Scalar(0.25f))});
  EXPECT_EQ(Values<float>(r.Run()[0]), (F{-250, 0, 17500}));
}

TEST(DequantizeLinearTest, NonZeroS32ZeroPointIsInvalidModel) {
  OneNodeRunner r;
  r.Add(OpKind::kDequantizeLinear, {r.Input(Tensor(DType::kS32, {3})), r.Const(Scalar(1)),
                                    r.Const(Tensor::FromVector<int32_t>({}, {5}))});
  EXPECT_EQ(r.Prepare().code(), StatusCode::kInvalidModel);
}

}  // namespace
}  // namespace tinyq
