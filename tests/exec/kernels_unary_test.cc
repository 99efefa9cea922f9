#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "tests/exec/run_node.h"
#include "tinyq/executor.h"

namespace tinyq {
namespace {

using testing::RunNode;
using testing::RunOptions;
using testing::Values;

const float kNan = std::numeric_limits<float>::quiet_NaN();
const float kInf = std::numeric_limits<float>::infinity();

std::vector<float> RunF32(OpKind op, const std::vector<float>& x, const RunOptions& opt = {}) {
  Tensor t = Tensor::FromVector<float>({static_cast<int64_t>(x.size())}, x);
  auto r = RunNode(op, {&t}, opt);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? Values<float>((*r)[0]) : std::vector<float>{};
}

TEST(SqrtF32Test, HandComputed) {
  EXPECT_EQ(RunF32(OpKind::kSqrt, {0, 1, 4, 9, 0.25f}), (std::vector<float>{0, 1, 2, 3, 0.5f}));
  EXPECT_TRUE(std::isnan(RunF32(OpKind::kSqrt, {-1})[0]));
}

TEST(ExpF32Test, HandComputed) {
  std::vector<float> y = RunF32(OpKind::kExp, {0, 1, -1, -200});
  EXPECT_EQ(y[0], 1.0f);
  EXPECT_NEAR(y[1], 2.7182818f, 1e-6);
  EXPECT_NEAR(y[2], 0.36787944f, 1e-7);
  EXPECT_EQ(y[3], 0.0f);
}

TEST(LogF32Test, HandComputed) {
  std::vector<float> y = RunF32(OpKind::kLog, {1, 2.7182818f, 0, 100});
  EXPECT_EQ(y[0], 0.0f);
  EXPECT_NEAR(y[1], 1.0f, 1e-6);
  EXPECT_EQ(y[2], -kInf);
  EXPECT_NEAR(y[3], 4.6051702f, 1e-6);
}

TEST(NegF32Test, HandComputed) {
  std::vector<float> y = RunF32(OpKind::kNeg, {1.5f, -2, 0});
  EXPECT_EQ(y[0], -1.5f);
  EXPECT_EQ(y[1], 2.0f);
  EXPECT_TRUE(std::signbit(y[2]));  // -0.0, as numpy
}

TEST(NegS32Test, WrapsAtMin) {
  const int32_t kMin = std::numeric_limits<int32_t>::min();
  Tensor x = Tensor::FromVector<int32_t>({3}, {5, -7, kMin});
  auto r = RunNode(OpKind::kNeg, {&x});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Values<int32_t>((*r)[0]), (std::vector<int32_t>{-5, 7, kMin}));
}

TEST(AbsS64Test, HandComputed) {
  const int64_t kMin = std::numeric_limits<int64_t>::min();
  Tensor x = Tensor::FromVector<int64_t>({4}, {5, -7, 0, kMin});
  auto r = RunNode(OpKind::kAbs, {&x});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Values<int64_t>((*r)[0]), (std::vector<int64_t>{5, 7, 0, kMin}));
}

TEST(AbsU8Test, IsIdentityAndNegU8IsUnsupported) {
  Tensor x = Tensor::FromVector<uint8_t>({2}, {0, 255});
  auto r = RunNode(OpKind::kAbs, {&x});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Values<uint8_t>((*r)[0]), (std::vector<uint8_t>{0, 255}));
  auto neg = RunNode(OpKind::kNeg, {&x});
  ASSERT_FALSE(neg.ok());
  EXPECT_EQ(neg.status().code(), StatusCode::kUnsupported);
}

TEST(AbsF32Test, HandComputed) {
  EXPECT_EQ(RunF32(OpKind::kAbs, {-1.5f, 2, -0.0f}), (std::vector<float>{1.5f, 2, 0}));
}

TEST(ReluF32Test, HandComputedAndNanPassesThrough) {
  std::vector<float> y = RunF32(OpKind::kRelu, {-1, 0, 2.5f, kNan});
  EXPECT_EQ(y[0], 0.0f);
  EXPECT_EQ(y[1], 0.0f);
  EXPECT_EQ(y[2], 2.5f);
  EXPECT_TRUE(std::isnan(y[3]));
}

TEST(LeakyReluF32Test, AlphaAttributeAndDefault) {
  RunOptions opt;
  opt.set_attrs = [](Node* n) { n->SetFloat("alpha", 0.5f); };
  EXPECT_EQ(RunF32(OpKind::kLeakyRelu, {-2, 3}, opt), (std::vector<float>{-1, 3}));
  // ONNX default alpha = 0.01.
  EXPECT_EQ(RunF32(OpKind::kLeakyRelu, {-100, 3}), (std::vector<float>{-100 * 0.01f, 3}));
}

TEST(SigmoidF32Test, MatchesNaiveFormulaAndSaturates) {
  std::vector<float> x;
  for (int i = -40; i <= 40; ++i) x.push_back(0.25f * static_cast<float>(i));
  std::vector<float> y = RunF32(OpKind::kSigmoid, x);
  for (size_t i = 0; i < x.size(); ++i)
    EXPECT_NEAR(y[i], 1.0 / (1.0 + std::exp(-static_cast<double>(x[i]))), 2e-7) << x[i];
  std::vector<float> ends = RunF32(OpKind::kSigmoid, {-1000, 1000, 0});
  EXPECT_EQ(ends, (std::vector<float>{0, 1, 0.5f}));
}

TEST(TanhF32Test, HandComputed) {
  std::vector<float> y = RunF32(OpKind::kTanh, {0, 0.5f, -20});
  EXPECT_EQ(y[0], 0.0f);
  EXPECT_NEAR(y[1], 0.46211716f, 1e-7);
  EXPECT_EQ(y[2], -1.0f);
}

TEST(HardSigmoidF32Test, AttributesAndDefaults) {
  RunOptions opt;
  opt.set_attrs = [](Node* n) {
    n->SetFloat("alpha", 0.5f);
    n->SetFloat("beta", 0.25f);
  };
  // 0.5x + 0.25 clamped to [0, 1].
  EXPECT_EQ(RunF32(OpKind::kHardSigmoid, {-1, 0, 1, 2}, opt),
            (std::vector<float>{0, 0.25f, 0.75f, 1}));
  // Defaults alpha 0.2, beta 0.5.
  EXPECT_EQ(RunF32(OpKind::kHardSigmoid, {-5, 0, 5}), (std::vector<float>{0, 0.5f, 1}));
}

TEST(HardSwishF32Test, HandComputed) {
  std::vector<float> y = RunF32(OpKind::kHardSwish, {-4, -3, 0, 1, 3, 4});
  EXPECT_EQ(y[0], 0.0f);
  EXPECT_EQ(y[1], 0.0f);
  EXPECT_EQ(y[2], 0.0f);
  EXPECT_FLOAT_EQ(y[3], 1.0f * (1.0f / 6.0f + 0.5f));
  EXPECT_EQ(y[4], 3.0f);
  EXPECT_EQ(y[5], 4.0f);
}

TEST(ClipF32Test, ConstantBounds) {
  Tensor x = Tensor::FromVector<float>({5}, {-3, -1, 0.5f, 2, kNan});
  Tensor lo = Tensor::FromVector<float>({}, {-1});
  Tensor hi = Tensor::FromVector<float>({1}, {1});
  RunOptions opt;
  opt.constant = {false, true, true};
  auto r = RunNode(OpKind::kClip, {&x, &lo, &hi}, opt);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  std::vector<float> y = Values<float>((*r)[0]);
  EXPECT_EQ(std::vector<float>(y.begin(), y.begin() + 4), (std::vector<float>{-1, -1, 0.5f, 1}));
  EXPECT_TRUE(std::isnan(y[4]));
}

TEST(ClipF32Test, OnlyMaxGivenAndNoBounds) {
  Tensor x = Tensor::FromVector<float>({3}, {-30, 0, 30});
  Tensor hi = Tensor::FromVector<float>({}, {6});
  RunOptions opt;
  opt.constant = {false, false, true};
  auto r = RunNode(OpKind::kClip, {&x, nullptr, &hi}, opt);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Values<float>((*r)[0]), (std::vector<float>{-30, 0, 6}));
  EXPECT_EQ(RunF32(OpKind::kClip, {-30, 30}), (std::vector<float>{-30, 30}));
}

TEST(ClipF32Test, NonConstantBoundsReadAtEvalThroughExecutor) {
  Graph g;
  g.set_source("t.onnx");
  Value* x = g.AddValue("x", DType::kF32, {4});
  Value* lo = g.AddValue("lo", DType::kF32, {});
  Value* hi = g.AddConstant("hi", Tensor::FromVector<float>({}, {2}));
  Value* y = g.AddValue("y");
  Node* n = g.AddNode(OpKind::kClip, "clip", {x, lo, hi}, {y});
  g.inputs() = {x, lo};
  g.outputs() = {y};
  ASSERT_TRUE(InferNodeShapes(g, *n).ok());
  auto exec = Executor::Create(g);
  ASSERT_TRUE(exec.ok()) << exec.status().ToString();
  for (float bound : {0.0f, -5.0f}) {
    TensorMap feeds;
    feeds.emplace("x", Tensor::FromVector<float>({4}, {-3, -1, 1, 3}));
    feeds.emplace("lo", Tensor::FromVector<float>({}, {bound}));
    auto out = (*exec)->Run(feeds);
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    std::vector<float> want =
        bound == 0.0f ? std::vector<float>{0, 0, 1, 2} : std::vector<float>{-3, -1, 1, 2};
    EXPECT_EQ(Values<float>(out->at("y")), want) << bound;
  }
}

TEST(ClipS8Test, IntegerBoundsAndDefaults) {
  Tensor x = Tensor::FromVector<int8_t>({4}, {-128, -3, 4, 127});
  Tensor lo = Tensor::FromVector<int8_t>({}, {-2});
  Tensor hi = Tensor::FromVector<int8_t>({}, {3});
  auto r = RunNode(OpKind::kClip, {&x, &lo, &hi});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Values<int8_t>((*r)[0]), (std::vector<int8_t>{-2, -2, 3, 3}));
  auto all = RunNode(OpKind::kClip, {&x});
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_EQ(Values<int8_t>((*all)[0]), (std::vector<int8_t>{-128, -3, 4, 127}));
}

TEST(ClipF32Test, NonScalarMinIsInvalidModel) {
  Tensor x(DType::kF32, {3}), lo(DType::kF32, {2});
  auto r = RunNode(OpKind::kClip, {&x, &lo});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidModel);
}

TEST(IdentityS64Test, CopiesAnyDtype) {
  Tensor x = Tensor::FromVector<int64_t>({2, 2}, {1, -2, 3, 1LL << 40});
  auto r = RunNode(OpKind::kIdentity, {&x});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ((*r)[0].shape(), (Shape{2, 2}));
  EXPECT_EQ(Values<int64_t>((*r)[0]), (std::vector<int64_t>{1, -2, 3, 1LL << 40}));
}

TEST(DropoutTest, InferenceCopiesAndMaskIsAllTrue) {
  Tensor x = Tensor::FromVector<float>({2, 2}, {1, 2, 3, 4});
  Tensor ratio = Tensor::FromVector<float>({}, {0.7f});
  RunOptions opt;
  opt.num_outputs = 2;
  auto r = RunNode(OpKind::kDropout, {&x, &ratio}, opt);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Values<float>((*r)[0]), (std::vector<float>{1, 2, 3, 4}));
  ASSERT_EQ((*r)[1].dtype(), DType::kBool);
  EXPECT_EQ(Values<bool>((*r)[1]), (std::vector<bool>{true, true, true, true}));
}

TEST(DropoutTest, ConstantTrainingModeIsUnsupported) {
  Tensor x(DType::kF32, {2});
  Tensor ratio = Tensor::FromVector<float>({}, {0.5f});
  Tensor training = testing::BoolTensor({}, {true});
  RunOptions opt;
  opt.constant = {false, true, true};
  auto r = RunNode(OpKind::kDropout, {&x, &ratio, &training}, opt);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnsupported);
  EXPECT_NE(r.status().message().find("node 'n' (Dropout)"), std::string::npos);
}

TEST(DropoutTest, TrainingModeWithZeroRatioIsIdentity) {
  Tensor x = Tensor::FromVector<float>({2}, {5, 6});
  Tensor ratio = Tensor::FromVector<float>({}, {0});
  Tensor training = testing::BoolTensor({}, {true});
  RunOptions opt;
  opt.constant = {false, true, true};
  auto r = RunNode(OpKind::kDropout, {&x, &ratio, &training}, opt);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Values<float>((*r)[0]), (std::vector<float>{5, 6}));
}

template <typename To, typename From>
std::vector<To> RunCast(int64_t onnx_to, const std::vector<From>& x) {
  Tensor t;
  if constexpr (std::is_same_v<From, bool>)
    t = testing::BoolTensor({static_cast<int64_t>(x.size())}, x);
  else
    t = Tensor::FromVector<From>({static_cast<int64_t>(x.size())}, x);
  RunOptions opt;
  opt.set_attrs = [onnx_to](Node* n) { n->SetInt("to", onnx_to); };
  auto r = RunNode(OpKind::kCast, {&t}, opt);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  if (!r.ok()) return {};
  EXPECT_EQ((*r)[0].dtype(), DTypeOf<To>::value);
  return Values<To>((*r)[0]);
}

TEST(CastTest, FloatToS32TruncatesSaturatesAndMapsNanToZero) {
  const int32_t kMax = std::numeric_limits<int32_t>::max();
  const int32_t kMin = std::numeric_limits<int32_t>::min();
  EXPECT_EQ((RunCast<int32_t, float>(6, {1.9f, -1.9f, kNan, 1e10f, -1e10f, kInf, -kInf})),
            (std::vector<int32_t>{1, -1, 0, kMax, kMin, kMax, kMin}));
}

TEST(CastTest, FloatToS64Saturates) {
  EXPECT_EQ((RunCast<int64_t, float>(7, {1e19f, -1e19f, -123.99f})),
            (std::vector<int64_t>{std::numeric_limits<int64_t>::max(),
                                  std::numeric_limits<int64_t>::min(), -123}));
}

TEST(CastTest, FloatToU8AndS8Saturate) {
  EXPECT_EQ((RunCast<uint8_t, float>(2, {-5, 300, 3.7f, -0.5f})),
            (std::vector<uint8_t>{0, 255, 3, 0}));
  EXPECT_EQ((RunCast<int8_t, float>(3, {-200, 200, -7.9f})), (std::vector<int8_t>{-128, 127, -7}));
}

TEST(CastTest, IntegerNarrowingWraps) {
  EXPECT_EQ((RunCast<int32_t, int64_t>(6, {(1LL << 32) + 5, -1})), (std::vector<int32_t>{5, -1}));
  EXPECT_EQ((RunCast<uint16_t, int32_t>(4, {70000, -1})), (std::vector<uint16_t>{4464, 65535}));
  EXPECT_EQ((RunCast<int16_t, int32_t>(5, {40000})), (std::vector<int16_t>{-25536}));
}

TEST(CastTest, ToAndFromBool) {
  EXPECT_EQ((RunCast<bool, float>(9, {0, -0.0f, kNan, 2})),
            (std::vector<bool>{false, false, true, true}));
  EXPECT_EQ((RunCast<float, bool>(1, {true, false})), (std::vector<float>{1, 0}));
  EXPECT_EQ((RunCast<int64_t, bool>(7, {true, false})), (std::vector<int64_t>{1, 0}));
}

TEST(CastTest, DoubleFloatRoundTrip) {
  std::vector<float> f = RunCast<float, double>(1, {0.1, 1e300, -1e300, 2.5});
  EXPECT_EQ(f, (std::vector<float>{0.1f, kInf, -kInf, 2.5f}));
  EXPECT_EQ((RunCast<double, float>(11, {0.1f})), (std::vector<double>{static_cast<double>(0.1f)}));
  EXPECT_EQ((RunCast<double, int32_t>(11, {-7})), (std::vector<double>{-7.0}));
}

// ---- negative cases ----

TEST(SqrtF32Test, IntegerInputIsUnsupportedNamingNode) {
  Tensor x(DType::kS32, {2});
  auto r = RunNode(OpKind::kSqrt, {&x});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnsupported);
  EXPECT_NE(r.status().message().find("t.onnx: node 'n' (Sqrt): "), std::string::npos);
}

TEST(NegF32Test, BoolInputIsUnsupported) {
  Tensor x(DType::kBool, {2});
  auto r = RunNode(OpKind::kNeg, {&x});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnsupported);
}

TEST(CastTest, Float16TargetIsUnsupported) {
  Tensor x(DType::kF32, {2});
  RunOptions opt;
  opt.set_attrs = [](Node* n) { n->SetInt("to", 10); };
  auto r = RunNode(OpKind::kCast, {&x}, opt);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnsupported);
}

TEST(ReluF32Test, PrepareRejectsOutputDtypeDifferentFromInput) {
  Graph g;
  Value* x = g.AddValue("x", DType::kF32, {2});
  Value* y = g.AddValue("y", DType::kS32, {2});
  Node* n = g.AddNode(OpKind::kRelu, "relu", {x}, {y});
  auto k = FindKernel(OpKind::kRelu, ExecMode::kFloat)->prepare(g, *n);
  ASSERT_FALSE(k.ok());
  EXPECT_EQ(k.status().code(), StatusCode::kInvalidModel);
}

}  // namespace
}  // namespace tinyq
