#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

#include "tests/exec/run_node.h"

namespace tinyq {
namespace {

using testing::RunNode;
using testing::RunOptions;
using testing::Values;

// Naive numpy broadcasting reference: for each output multi-index, the operand index drops the
// leading dims the operand lacks and uses 0 where the operand's dim is 1.
template <typename T, typename Op>
std::vector<T> NaiveBroadcast(const Shape& out, const Tensor& a, const Tensor& b, Op op) {
  const int64_t n = NumElements(out);
  std::vector<T> r(static_cast<size_t>(n));
  auto offset = [&out](const Shape& s, const std::vector<int64_t>& idx) {
    int64_t off = 0;
    const size_t lead = out.size() - s.size();
    for (size_t d = 0; d < s.size(); ++d) off = off * s[d] + (s[d] == 1 ? 0 : idx[lead + d]);
    return off;
  };
  std::vector<int64_t> idx(out.size(), 0);
  for (int64_t i = 0; i < n; ++i) {
    int64_t rem = i;
    for (size_t d = out.size(); d-- > 0;) {
      idx[d] = rem % out[d];
      rem /= out[d];
    }
    r[static_cast<size_t>(i)] =
        op(a.data<T>()[offset(a.shape(), idx)], b.data<T>()[offset(b.shape(), idx)]);
  }
  return r;
}

// Random f32 tensor with values in +-[0.5, 2] (never zero, so Div is defined).
Tensor RandomF32(const Shape& shape, std::mt19937* rng) {
  Tensor t(DType::kF32, shape);
  std::uniform_real_distribution<float> mag(0.5f, 2.0f);
  std::bernoulli_distribution neg(0.5);
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = neg(*rng) ? -mag(*rng) : mag(*rng);
  return t;
}

struct BroadcastCase {
  Shape a, b, out;
};

// Scalar, row, column, per-channel NCHW, rank mismatch, both-sided, empty and high-rank cases.
const BroadcastCase kCases[] = {
    {{2, 3, 4}, {2, 3, 4}, {2, 3, 4}},
    {{2, 3, 4}, {}, {2, 3, 4}},
    {{}, {2, 3, 4}, {2, 3, 4}},
    {{5, 8}, {8}, {5, 8}},
    {{5, 8}, {5, 1}, {5, 8}},
    {{2, 3, 4, 5}, {3, 1, 1}, {2, 3, 4, 5}},
    {{3, 1, 5}, {4, 1}, {3, 4, 5}},
    {{1, 3, 1, 5}, {2, 1, 4, 1}, {2, 3, 4, 5}},
    {{1}, {1}, {1}},
    {{0, 3}, {3}, {0, 3}},
    {{2, 1, 3, 1}, {1, 4, 1, 6}, {2, 4, 3, 6}},
    // 18 alternating dims collapse to nothing: exercises the odometer beyond its stack counter.
    {{2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1},
     {1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2},
     {2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2}},
};

template <typename Op>
void CheckAgainstNaive(OpKind op_kind, Op op) {
  std::mt19937 rng(1234);
  for (const BroadcastCase& c : kCases) {
    Tensor a = RandomF32(c.a, &rng), b = RandomF32(c.b, &rng);
    auto r = RunNode(op_kind, {&a, &b});
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    const Tensor& y = (*r)[0];
    ASSERT_EQ(y.shape(), c.out) << ShapeToString(c.a) << " vs " << ShapeToString(c.b);
    EXPECT_EQ(Values<float>(y), NaiveBroadcast<float>(c.out, a, b, op))
        << OpKindName(op_kind) << " " << ShapeToString(c.a) << " vs " << ShapeToString(c.b);
  }
}

TEST(AddF32Test, BroadcastsLikeNaiveReference) {
  CheckAgainstNaive(OpKind::kAdd, [](float x, float y) { return x + y; });
}
TEST(SubF32Test, BroadcastsLikeNaiveReference) {
  CheckAgainstNaive(OpKind::kSub, [](float x, float y) { return x - y; });
}
TEST(MulF32Test, BroadcastsLikeNaiveReference) {
  CheckAgainstNaive(OpKind::kMul, [](float x, float y) { return x * y; });
}
TEST(DivF32Test, BroadcastsLikeNaiveReference) {
  CheckAgainstNaive(OpKind::kDiv, [](float x, float y) { return x / y; });
}
TEST(MaxF32Test, BroadcastsLikeNaiveReference) {
  CheckAgainstNaive(OpKind::kMax, [](float x, float y) { return x > y ? x : y; });
}
TEST(MinF32Test, BroadcastsLikeNaiveReference) {
  CheckAgainstNaive(OpKind::kMin, [](float x, float y) { return x < y ? x : y; });
}

TEST(AddF32Test, HandComputedPerChannelBias) {
  // [1,2,2,2] + [2,1,1]: channel 0 gets +10, channel 1 gets +20.
  Tensor x = Tensor::FromVector<float>({1, 2, 2, 2}, {1, 2, 3, 4, 5, 6, 7, 8});
  Tensor bias = Tensor::FromVector<float>({2, 1, 1}, {10, 20});
  auto r = RunNode(OpKind::kAdd, {&x, &bias});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Values<float>((*r)[0]), (std::vector<float>{11, 12, 13, 14, 25, 26, 27, 28}));
}

TEST(SubF32Test, HandComputedColumnBroadcast) {
  Tensor a = Tensor::FromVector<float>({2, 3}, {1, 2, 3, 4, 5, 6});
  Tensor b = Tensor::FromVector<float>({2, 1}, {1, 4});
  auto r = RunNode(OpKind::kSub, {&a, &b});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Values<float>((*r)[0]), (std::vector<float>{0, 1, 2, 0, 1, 2}));
}

TEST(AddF64Test, HandComputedScalar) {
  Tensor a = Tensor::FromVector<double>({3}, {0.5, 1.5, -2.0});
  Tensor b = Tensor::FromVector<double>({}, {0.25});
  auto r = RunNode(OpKind::kAdd, {&a, &b});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Values<double>((*r)[0]), (std::vector<double>{0.75, 1.75, -1.75}));
}

TEST(DivS32Test, TruncatesTowardZeroAndDefinesEdgeCases) {
  const int32_t kMin = std::numeric_limits<int32_t>::min();
  Tensor a = Tensor::FromVector<int32_t>({7}, {7, -7, 7, -7, 5, kMin, 0});
  Tensor b = Tensor::FromVector<int32_t>({7}, {2, 2, -2, -2, 0, -1, 3});
  auto r = RunNode(OpKind::kDiv, {&a, &b});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  // Division by zero is defined as 0; INT_MIN / -1 wraps to INT_MIN.
  EXPECT_EQ(Values<int32_t>((*r)[0]), (std::vector<int32_t>{3, -3, -3, 3, 0, kMin, 0}));
}

TEST(DivS64Test, BroadcastScalarDivisor) {
  Tensor a = Tensor::FromVector<int64_t>({2, 2}, {10, -10, 9, 100});
  Tensor b = Tensor::FromVector<int64_t>({1}, {-3});
  auto r = RunNode(OpKind::kDiv, {&a, &b});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Values<int64_t>((*r)[0]), (std::vector<int64_t>{-3, 3, -3, -33}));
}

TEST(AddS32Test, OverflowWrapsAround) {
  const int32_t kMax = std::numeric_limits<int32_t>::max();
  Tensor a = Tensor::FromVector<int32_t>({2}, {kMax, -5});
  Tensor b = Tensor::FromVector<int32_t>({2}, {1, 3});
  auto r = RunNode(OpKind::kAdd, {&a, &b});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Values<int32_t>((*r)[0]),
            (std::vector<int32_t>{std::numeric_limits<int32_t>::min(), -2}));
}

TEST(AddU8Test, WrapsModulo256) {
  Tensor a = Tensor::FromVector<uint8_t>({3}, {250, 1, 0});
  Tensor b = Tensor::FromVector<uint8_t>({1}, {10});
  auto r = RunNode(OpKind::kAdd, {&a, &b});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Values<uint8_t>((*r)[0]), (std::vector<uint8_t>{4, 11, 10}));
}

TEST(MulU16Test, WrapsWithoutSignedIntOverflow) {
  // 65535 * 65535 overflows the int that u16 operands promote to; the kernel must wrap instead.
  Tensor a = Tensor::FromVector<uint16_t>({2}, {65535, 300});
  Tensor b = Tensor::FromVector<uint16_t>({2}, {65535, 300});
  auto r = RunNode(OpKind::kMul, {&a, &b});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Values<uint16_t>((*r)[0]), (std::vector<uint16_t>{1, 90000 - 65536}));
}

TEST(DivS8Test, MinOverMinusOneAndZeroDivisor) {
  Tensor a = Tensor::FromVector<int8_t>({3}, {-128, 7, -9});
  Tensor b = Tensor::FromVector<int8_t>({3}, {-1, 0, 2});
  auto r = RunNode(OpKind::kDiv, {&a, &b});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Values<int8_t>((*r)[0]), (std::vector<int8_t>{-128, 0, -4}));
}

TEST(MulS64Test, RowBroadcast) {
  Tensor a = Tensor::FromVector<int64_t>({2, 3}, {1, 2, 3, 4, 5, 6});
  Tensor b = Tensor::FromVector<int64_t>({3}, {10, -1, 0});
  auto r = RunNode(OpKind::kMul, {&a, &b});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Values<int64_t>((*r)[0]), (std::vector<int64_t>{10, -2, 0, 40, -5, 0}));
}

TEST(SubS32Test, RankMismatchBroadcast) {
  Tensor a = Tensor::FromVector<int32_t>({3}, {1, 2, 3});
  Tensor b = Tensor::FromVector<int32_t>({2, 1}, {10, 20});
  auto r = RunNode(OpKind::kSub, {&a, &b});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ((*r)[0].shape(), (Shape{2, 3}));
  EXPECT_EQ(Values<int32_t>((*r)[0]), (std::vector<int32_t>{-9, -8, -7, -19, -18, -17}));
}

TEST(MaxF32Test, VariadicThreeInputsBroadcastTogether) {
  // [2,1], [3], [] -> [2,3]; the first two never reach the full output shape on their own.
  Tensor a = Tensor::FromVector<float>({2, 1}, {1, 5});
  Tensor b = Tensor::FromVector<float>({3}, {0, 3, 6});
  Tensor c = Tensor::FromVector<float>({}, {2});
  auto r = RunNode(OpKind::kMax, {&a, &b, &c});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ((*r)[0].shape(), (Shape{2, 3}));
  EXPECT_EQ(Values<float>((*r)[0]), (std::vector<float>{2, 3, 6, 5, 5, 6}));
}

TEST(MinF32Test, VariadicFirstInputsBothBroadcastInInnerDim) {
  // [2,1] and [2,1] against [3]: the first fold step has neither operand moving along the inner
  // dim of the [2,3] output.
  Tensor a = Tensor::FromVector<float>({2, 1}, {4, -1});
  Tensor b = Tensor::FromVector<float>({2, 1}, {3, 0});
  Tensor c = Tensor::FromVector<float>({3}, {5, 2, -3});
  auto r = RunNode(OpKind::kMin, {&a, &b, &c});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Values<float>((*r)[0]), (std::vector<float>{3, 2, -3, -1, -1, -3}));
}

TEST(MaxF32Test, SingleInputIsCopied) {
  Tensor a = Tensor::FromVector<float>({3}, {1, -2, 3});
  auto r = RunNode(OpKind::kMax, {&a});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Values<float>((*r)[0]), (std::vector<float>{1, -2, 3}));
}

TEST(MaxF32Test, NanPropagatesFromEitherSide) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  Tensor a = Tensor::FromVector<float>({3}, {nan, 1, 2});
  Tensor b = Tensor::FromVector<float>({3}, {0, nan, 1});
  for (OpKind op : {OpKind::kMax, OpKind::kMin}) {
    auto r = RunNode(op, {&a, &b});
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    std::vector<float> y = Values<float>((*r)[0]);
    EXPECT_TRUE(std::isnan(y[0]));
    EXPECT_TRUE(std::isnan(y[1]));
    EXPECT_EQ(y[2], op == OpKind::kMax ? 2.0f : 1.0f);
  }
}

TEST(MinS64Test, HandComputed) {
  Tensor a = Tensor::FromVector<int64_t>({3}, {-5, 7, 0});
  Tensor b = Tensor::FromVector<int64_t>({3}, {4, 8, -1});
  auto r = RunNode(OpKind::kMin, {&a, &b});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Values<int64_t>((*r)[0]), (std::vector<int64_t>{-5, 7, -1}));
}

TEST(PowF32Test, HandComputedWithFloatExponent) {
  Tensor a = Tensor::FromVector<float>({4}, {2, 4, 2, 9});
  Tensor b = Tensor::FromVector<float>({4}, {3, 0.5f, -1, 0});
  auto r = RunNode(OpKind::kPow, {&a, &b});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Values<float>((*r)[0]), (std::vector<float>{8, 2, 0.5f, 1}));
}

TEST(PowF32Test, IntegerExponentBroadcastKeepsBaseDtype) {
  Tensor a = Tensor::FromVector<float>({2, 2}, {2, -3, 1.5f, 10});
  Tensor b = Tensor::FromVector<int64_t>({2}, {3, -2});
  auto r = RunNode(OpKind::kPow, {&a, &b});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ((*r)[0].dtype(), DType::kF32);
  std::vector<float> y = Values<float>((*r)[0]);
  EXPECT_EQ(y[0], 8.0f);
  EXPECT_FLOAT_EQ(y[1], 1.0f / 9.0f);
  EXPECT_EQ(y[2], 3.375f);
  EXPECT_FLOAT_EQ(y[3], 0.01f);
}

TEST(PowS32Test, IntegerBaseAndExponent) {
  Tensor a = Tensor::FromVector<int32_t>({5}, {2, -3, 5, 2, -1});
  Tensor b = Tensor::FromVector<int32_t>({5}, {10, 3, 0, -1, -3});
  auto r = RunNode(OpKind::kPow, {&a, &b});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  // Negative exponents give the truncated real result (2^-1 = 0.5 -> 0, (-1)^-3 = -1).
  EXPECT_EQ(Values<int32_t>((*r)[0]), (std::vector<int32_t>{1024, -27, 1, 0, -1}));
}

TEST(PowS64Test, FloatExponentTruncates) {
  Tensor a = Tensor::FromVector<int64_t>({3}, {4, 9, 10});
  Tensor b = Tensor::FromVector<float>({3}, {0.5f, 0.5f, -1});
  auto r = RunNode(OpKind::kPow, {&a, &b});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Values<int64_t>((*r)[0]), (std::vector<int64_t>{2, 3, 0}));
}

TEST(PReluF32Test, PerChannelSlopeNchw) {
  Tensor x = Tensor::FromVector<float>({1, 2, 1, 2}, {-1, 2, -3, 4});
  Tensor slope = Tensor::FromVector<float>({2, 1, 1}, {0.5f, 0.25f});
  auto r = RunNode(OpKind::kPRelu, {&x, &slope});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Values<float>((*r)[0]), (std::vector<float>{-0.5f, 2, -0.75f, 4}));
}

TEST(PReluF32Test, LastDimSlope) {
  Tensor x = Tensor::FromVector<float>({2, 3}, {-1, -2, -4, 1, 0, -8});
  Tensor slope = Tensor::FromVector<float>({3}, {1, 0.5f, 0});
  auto r = RunNode(OpKind::kPRelu, {&x, &slope}, {nullptr, {false, true}});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Values<float>((*r)[0]), (std::vector<float>{-1, -1, 0, 1, 0, 0}));
}

// ---- negative cases ----

TEST(AddF32Test, NonBroadcastableShapesAreInvalidModelNamingNode) {
  Tensor a(DType::kF32, {2, 3}), b(DType::kF32, {4});
  auto r = RunNode(OpKind::kAdd, {&a, &b});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidModel);
  EXPECT_NE(r.status().message().find("t.onnx: node 'n' (Add): "), std::string::npos)
      << r.status().message();
}

TEST(AddF32Test, MismatchedDtypesAreInvalidModel) {
  Tensor a(DType::kF32, {2}), b(DType::kS32, {2});
  auto r = RunNode(OpKind::kAdd, {&a, &b});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidModel);
}

TEST(AddBoolTest, UnsupportedDtypeIsUnsupportedNamingNode) {
  Tensor a(DType::kBool, {2}), b(DType::kBool, {2});
  auto r = RunNode(OpKind::kAdd, {&a, &b});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnsupported);
  EXPECT_NE(r.status().message().find("node 'n' (Add)"), std::string::npos);
}

TEST(PowF64Test, DoubleBaseIsUnsupported) {
  Tensor a(DType::kF64, {2}), b(DType::kF32, {2});
  auto r = RunNode(OpKind::kPow, {&a, &b});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnsupported);
}

TEST(PowF32Test, BoolExponentIsUnsupported) {
  Tensor a(DType::kF32, {2}), b(DType::kBool, {2});
  auto r = RunNode(OpKind::kPow, {&a, &b});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnsupported);
}

TEST(MulF32Test, PrepareRejectsOutputShapeInputsDoNotBroadcastTo) {
  // Bypasses shape inference: a pass that left a wrong output shape must not reach Eval.
  Graph g;
  g.set_source("t.onnx");
  Value* a = g.AddValue("a", DType::kF32, {2, 3});
  Value* b = g.AddValue("b", DType::kF32, {3});
  Value* y = g.AddValue("y", DType::kF32, {2, 4});
  Node* n = g.AddNode(OpKind::kMul, "mul", {a, b}, {y});
  auto k = FindKernel(OpKind::kMul, ExecMode::kFloat)->prepare(g, *n);
  ASSERT_FALSE(k.ok());
  EXPECT_EQ(k.status().code(), StatusCode::kInvalidModel);
  EXPECT_NE(k.status().message().find("node 'mul' (Mul)"), std::string::npos);
}

}  // namespace
}  // namespace tinyq
