// Tests of the int8 Softmax node kernel (src/exec/int8_softmax.cc): softmax in double of the
// dequantized inputs along the axis (within 1 LSB of the fixed 1/256 output scale), axis and
// opset handling, prepare errors.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/exec/int8_test_util.h"

namespace tinyq {
namespace {

using testing::AddS8Input;
using testing::AddS8Output;

Node* BuildSoftmax(Graph& g, const Shape& s, float sx, int32_t zx) {
  g.set_source("t.onnx");
  Value* x = AddS8Input(g, "x", s, sx, zx);
  Value* y = AddS8Output(g, "y", s, 1.0f / 256.0f, -128);
  return g.AddNode(OpKind::kSoftmax, "sm", {x}, {y});
}

// Softmax over [outer, len, inner] along len, quantized to scale 1/256, zero point -128.
std::vector<int> Reference(const std::vector<int8_t>& x, int64_t outer, int64_t len, int64_t inner,
                           float sx, int32_t zx) {
  std::vector<int> out(x.size());
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      auto at = [&](int64_t l) { return static_cast<size_t>((o * len + l) * inner + i); };
      double m = -1e300, sum = 0.0;
      for (int64_t l = 0; l < len; ++l) m = std::max(m, testing::Deq(x[at(l)], sx, zx));
      for (int64_t l = 0; l < len; ++l) sum += std::exp(testing::Deq(x[at(l)], sx, zx) - m);
      for (int64_t l = 0; l < len; ++l)
        out[at(l)] = testing::QuantRef(std::exp(testing::Deq(x[at(l)], sx, zx) - m) / sum,
                                       1.0f / 256.0f, -128);
    }
  return out;
}

void ExpectMatches(const Shape& s, int64_t outer, int64_t len, int64_t inner, uint32_t seed,
                   int64_t opset, const int64_t* axis) {
  Graph g;
  g.set_opset(opset);
  Node* n = BuildSoftmax(g, s, 0.06f, 5);
  if (axis) n->SetInt("axis", *axis);
  const auto x = testing::RandomS8(static_cast<size_t>(NumElements(s)), seed);
  const Tensor y = testing::RunInt8(g, {{"x", Tensor::FromVector<int8_t>(s, x)}}, "y");
  testing::ExpectCodesNear(y, Reference(x, outer, len, inner, 0.06f, 5), 1);
}

TEST(SoftmaxS8Test, HandComputedEqualInputsGiveUniformRow) {
  // Four equal values: 1/4 each = 64 steps of 1/256 -> code -64.
  Graph g;
  BuildSoftmax(g, {1, 4}, 0.1f, 0);
  const Tensor y =
      testing::RunInt8(g, {{"x", Tensor::FromVector<int8_t>({1, 4}, {7, 7, 7, 7})}}, "y");
  testing::ExpectCodesNear(y, {-64, -64, -64, -64}, 0);
}

TEST(SoftmaxS8Test, LastAxisMatchesDoubleReference) {
  ExpectMatches({3, 10}, 3, 10, 1, 1, 13, nullptr);
}

TEST(SoftmaxS8Test, MiddleAxisMatchesDoubleReference) {
  const int64_t axis = 1;
  ExpectMatches({2, 5, 3}, 2, 5, 3, 2, 13, &axis);
}

TEST(SoftmaxS8Test, Opset11CoercesTo2d) {
  const int64_t axis = 1;
  ExpectMatches({2, 3, 4}, 2, 12, 1, 3, 11, &axis);
}

TEST(SoftmaxS8Test, OtherOutputParamsAreRefused) {
  Graph g;
  BuildSoftmax(g, {1, 4}, 0.1f, 0);
  g.FindValue("y")->set_quant(testing::ActParams(1.0f / 255.0f, -128));
  const Status s = testing::PrepareInt8(g);
  EXPECT_EQ(s.code(), StatusCode::kInvalidModel);
  EXPECT_NE(s.message().find("t.onnx: node 'sm' (Softmax): int8 Softmax output params must be"),
            std::string::npos)
      << s.message();
}

TEST(SoftmaxS8Test, RowsAboveRuntimeLimitAreRefused) {
  Graph g;
  BuildSoftmax(g, {1, 3000}, 0.1f, 0);
  const Status s = testing::PrepareInt8(g);
  EXPECT_EQ(s.code(), StatusCode::kUnsupported);
  EXPECT_NE(s.message().find("2047"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace tinyq
