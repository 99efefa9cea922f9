// Tests of the int8 lookup-table unary kernels (src/exec/int8_lut.cc): every one of the 256 input
// codes against the op's math in double on the dequantized value (within 1 LSB), a bit-exact
// Relu case and prepare errors.
#include <algorithm>
#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/exec/int8_test_util.h"

namespace tinyq {
namespace {

using testing::AddS8Input;
using testing::AddS8Output;

struct LutCase {
  OpKind op;
  std::function<double(double)> f;
  float sx = 0.05f, sy = 0.02f;
  int32_t zx = 10, zy = -3;
  std::function<void(Graph&, Node*)> extra = nullptr;  // attributes / constant inputs
};

Node* BuildAllCodes(Graph& g, const LutCase& c) {
  g.set_source("t.onnx");
  Value* x = AddS8Input(g, "x", {256}, c.sx, c.zx);
  Value* y = AddS8Output(g, "y", {256}, c.sy, c.zy);
  Node* n = g.AddNode(c.op, "u", {x}, {y});
  if (c.extra) c.extra(g, n);
  return n;
}

Tensor AllCodes() {
  std::vector<int8_t> v(256);
  for (int i = 0; i < 256; ++i) v[static_cast<size_t>(i)] = static_cast<int8_t>(i - 128);
  return Tensor::FromVector<int8_t>({256}, v);
}

void ExpectMatchesReference(const LutCase& c) {
  Graph g;
  BuildAllCodes(g, c);
  const Tensor y = testing::RunInt8(g, {{"x", AllCodes()}}, "y");
  std::vector<int> want;
  for (int q = -128; q < 128; ++q)
    want.push_back(
        testing::QuantRef(c.f(testing::Deq(static_cast<int8_t>(q), c.sx, c.zx)), c.sy, c.zy));
  SCOPED_TRACE(OpKindName(c.op));
  testing::ExpectCodesNear(y, want, 1);
}

TEST(LutS8Test, ReluIsExactClampAtZeroPoint) {
  Graph g;
  g.set_source("t.onnx");
  Value* x = AddS8Input(g, "x", {4}, 0.1f, -10);
  Value* y = AddS8Output(g, "y", {4}, 0.1f, -10);
  g.AddNode(OpKind::kRelu, "u", {x}, {y});
  const Tensor out =
      testing::RunInt8(g, {{"x", Tensor::FromVector<int8_t>({4}, {-128, -10, -9, 127})}}, "y");
  testing::ExpectCodesNear(out, {-10, -10, -9, 127}, 0);
}

TEST(LutS8Test, SmoothActivationsMatchDoubleReference) {
  ExpectMatchesReference({OpKind::kSigmoid, [](double x) { return 1.0 / (1.0 + std::exp(-x)); },
                          0.05f, 1.0f / 256.0f, 10, -128});
  ExpectMatchesReference(
      {OpKind::kTanh, [](double x) { return std::tanh(x); }, 0.05f, 1.0f / 128.0f, 10, 0});
  ExpectMatchesReference(
      {OpKind::kHardSwish, [](double x) { return x * std::max(0.0, std::min(1.0, x / 6 + 0.5)); }});
  ExpectMatchesReference(
      {OpKind::kExp, [](double x) { return std::exp(x); }, 0.01f, 0.02f, 0, -128});
  ExpectMatchesReference({OpKind::kNeg, [](double x) { return -x; }, 0.02f, 0.02f, 10, -10});
  ExpectMatchesReference(
      {OpKind::kAbs, [](double x) { return std::fabs(x); }, 0.02f, 0.01f, 10, -128});
}

TEST(LutS8Test, AttributesAreHonoured) {
  ExpectMatchesReference({OpKind::kLeakyRelu, [](double x) { return x >= 0 ? x : 0.2 * x; }, 0.05f,
                          0.03f, 10, 0, [](Graph&, Node* n) { n->SetFloat("alpha", 0.2f); }});
  ExpectMatchesReference({OpKind::kHardSigmoid,
                          [](double x) { return std::max(0.0, std::min(1.0, 0.3 * x + 0.4)); },
                          0.05f, 0.005f, 10, -128,
                          [](Graph&, Node* n) {
                            n->SetFloat("alpha", 0.3f);
                            n->SetFloat("beta", 0.4f);
                          }});
}

TEST(LutS8Test, ClipUsesItsConstantBounds) {
  ExpectMatchesReference(
      {OpKind::kClip, [](double x) { return std::min(2.0, std::max(-1.0, x)); }, 0.05f, 0.02f, 10,
       -3,
       [](Graph& g, Node* n) {
         g.AddInput(n, g.AddConstant("lo", Tensor::FromVector<float>({}, {-1.0f})));
         g.AddInput(n, g.AddConstant("hi", Tensor::FromVector<float>({}, {2.0f})));
       }});
}

TEST(LutS8Test, UndefinedOnAllowedCodesIsRefused) {
  LutCase c{OpKind::kSqrt, nullptr};  // zero point 10: codes below 10 are negative reals
  Graph g;
  BuildAllCodes(g, c);
  const Status s = testing::PrepareInt8(g);
  EXPECT_EQ(s.code(), StatusCode::kInvalidModel);
  EXPECT_NE(s.message().find("t.onnx: node 'u' (Sqrt): the op is undefined (NaN)"),
            std::string::npos)
      << s.message();
}

TEST(LutS8Test, MissingOutputQuantParamsIsRefusedByDispatch) {
  Graph g;
  g.set_source("t.onnx");
  Value* x = AddS8Input(g, "x", {4}, 0.1f, 0);
  Value* y = g.AddValue("y", DType::kS8, {4});  // s8 without QuantParams: not in the region
  g.outputs().push_back(y);
  g.AddNode(OpKind::kSigmoid, "u", {x}, {y});
  const Status s = testing::PrepareInt8(g);
  EXPECT_FALSE(s.ok());
}

TEST(LutS8Test, NonPositiveInputScaleIsRefused) {
  Graph g;
  BuildAllCodes(g, {OpKind::kTanh, nullptr, -0.5f});
  const Status s = testing::PrepareInt8(g);
  EXPECT_EQ(s.code(), StatusCode::kInvalidModel);
  EXPECT_NE(s.message().find("input X 'x' has scale -0.5"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace tinyq
