// Tests of the int8 Add and Mul node kernels (src/exec/int8_binary.cc).
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/exec/int8_test_util.h"

namespace tinyq {
namespace {

using testing::AddS8Input;
using testing::AddS8Output;

struct BinCase {
  OpKind op;
  Shape a, b, y;
  float sa = 0.1f, sb = 0.2f, sy = 0.5f;
  int32_t za = 0, zb = 5, zy = -3;
};

Node* BuildBinary(Graph& g, const BinCase& c) {
  g.set_source("t.onnx");
  Value* a = AddS8Input(g, "a", c.a, c.sa, c.za);
  Value* b = AddS8Input(g, "b", c.b, c.sb, c.zb);
  Value* y = AddS8Output(g, "y", c.y, c.sy, c.zy);
  return g.AddNode(c.op, "op", {a, b}, {y});
}

// Numpy broadcasting reference in double of the dequantized inputs.
std::vector<int> Reference(const BinCase& c, const std::vector<int8_t>& a,
                           const std::vector<int8_t>& b, int lo = -128) {
  const size_t r = c.y.size();
  auto index = [&](const Shape& s, const std::vector<int64_t>& idx) {
    int64_t flat = 0;
    const size_t off = r - s.size();
    for (size_t d = 0; d < s.size(); ++d) flat = flat * s[d] + (s[d] == 1 ? 0 : idx[off + d]);
    return static_cast<size_t>(flat);
  };
  std::vector<int> out;
  std::vector<int64_t> idx(r, 0);
  for (int64_t i = 0; i < NumElements(c.y); ++i) {
    int64_t rem = i;
    for (size_t d = r; d-- > 0;) {
      idx[d] = rem % c.y[d];
      rem /= c.y[d];
    }
    const double x1 = testing::Deq(a[index(c.a, idx)], c.sa, c.za);
    const double x2 = testing::Deq(b[index(c.b, idx)], c.sb, c.zb);
    const double v = c.op == OpKind::kAdd ? x1 + x2 : x1 * x2;
    out.push_back(testing::QuantRef(v, c.sy, c.zy, lo));
  }
  return out;
}

void ExpectMatchesReference(const BinCase& c, uint32_t seed) {
  Graph g;
  BuildBinary(g, c);
  const auto a = testing::RandomS8(static_cast<size_t>(NumElements(c.a)), seed);
  const auto b = testing::RandomS8(static_cast<size_t>(NumElements(c.b)), seed + 1);
  const Tensor y = testing::RunInt8(
      g, {{"a", Tensor::FromVector<int8_t>(c.a, a)}, {"b", Tensor::FromVector<int8_t>(c.b, b)}},
      "y");
  testing::ExpectCodesNear(y, Reference(c, a, b), 1);
}

TEST(AddS8Test, HandComputed) {
  // a [10,-20]*0.1 = [1,-2]; b ([15,5]-5)*0.2 = [2,0]; sum [3,-2] / 0.5 - 3 = [3,-7].
  Graph g;
  BuildBinary(g, {OpKind::kAdd, {2}, {2}, {2}});
  const Tensor y = testing::RunInt8(g,
                                    {{"a", Tensor::FromVector<int8_t>({2}, {10, -20})},
                                     {"b", Tensor::FromVector<int8_t>({2}, {15, 5})}},
                                    "y");
  testing::ExpectCodesNear(y, {3, -7}, 0);
}

TEST(AddS8Test, Broadcast4dMatchesDoubleReference) {
  ExpectMatchesReference(
      {OpKind::kAdd, {2, 3, 4, 5}, {3, 1, 1}, {2, 3, 4, 5}, 0.05f, 0.02f, 0.07f, -10, 7, 4}, 1);
  ExpectMatchesReference({OpKind::kAdd, {1}, {2, 1, 6}, {2, 1, 6}, 0.3f, 0.01f, 0.2f, 20, -3, 0},
                         3);
}

TEST(AddS8Test, FusedReluClampsAtZeroPoint) {
  BinCase c{OpKind::kAdd, {4, 8}, {4, 8}, {4, 8}, 0.05f, 0.04f, 0.06f, 3, -9, -20};
  Graph g;
  Node* n = BuildBinary(g, c);
  n->SetString("tq_act", "relu");
  n->SetFloat("tq_act_min", 0.0f);
  n->SetFloat("tq_act_max", std::numeric_limits<float>::infinity());
  const auto a = testing::RandomS8(32, 5);
  const auto b = testing::RandomS8(32, 6);
  const Tensor y = testing::RunInt8(
      g, {{"a", Tensor::FromVector<int8_t>(c.a, a)}, {"b", Tensor::FromVector<int8_t>(c.b, b)}},
      "y");
  testing::ExpectCodesNear(y, Reference(c, a, b, c.zy), 1);
  for (int64_t i = 0; i < y.numel(); ++i) EXPECT_GE(y.data<int8_t>()[i], c.zy);
}

TEST(MulS8Test, HandComputed) {
  // a [10,-20]*0.1 = [1,-2]; b ([15,5]-5)*0.2 = [2,0]; product [2,0] / 0.25 + 1 = [9,1].
  Graph g;
  BinCase c{OpKind::kMul, {2}, {2}, {2}};
  c.sy = 0.25f;
  c.zy = 1;
  BuildBinary(g, c);
  const Tensor y = testing::RunInt8(g,
                                    {{"a", Tensor::FromVector<int8_t>({2}, {10, -20})},
                                     {"b", Tensor::FromVector<int8_t>({2}, {15, 5})}},
                                    "y");
  testing::ExpectCodesNear(y, {9, 1}, 0);
}

TEST(MulS8Test, BroadcastMatchesDoubleReference) {
  ExpectMatchesReference(
      {OpKind::kMul, {1, 4, 3, 3}, {1, 4, 1, 1}, {1, 4, 3, 3}, 0.05f, 0.02f, 0.08f, -10, 7, 4}, 7);
}

TEST(MulS8Test, FusedActivationIsRefused) {
  Graph g;
  Node* n = BuildBinary(g, {OpKind::kMul, {2}, {2}, {2}});
  n->SetString("tq_act", "relu");
  n->SetFloat("tq_act_min", 0.0f);
  n->SetFloat("tq_act_max", 1.0f);
  const Status s = testing::PrepareInt8(g);
  EXPECT_EQ(s.code(), StatusCode::kUnsupported);
  EXPECT_NE(s.message().find("t.onnx: node 'op' (Mul): a fused activation"), std::string::npos)
      << s.message();
}

TEST(AddS8Test, FiveDimensionsAreRefused) {
  Graph g;
  BuildBinary(g, {OpKind::kAdd, {1, 1, 1, 1, 2}, {2}, {1, 1, 1, 1, 2}});
  const Status s = testing::PrepareInt8(g);
  EXPECT_EQ(s.code(), StatusCode::kUnsupported);
  EXPECT_NE(s.message().find("up to 4-D"), std::string::npos) << s.message();
}

TEST(AddS8Test, InfiniteClipBoundsKeepFullRangeAndInvertedBoundsGiveHi) {
  // a + b in [-25.6, 25.4] + [-26.6, 24.4] with s_out 0.5: many outputs saturate at +-127/-128.
  BinCase c{OpKind::kAdd, {16}, {16}, {16}};
  const auto a = testing::RandomS8(16, 8);
  const auto b = testing::RandomS8(16, 9);
  const TensorMap feeds = {{"a", Tensor::FromVector<int8_t>(c.a, a)},
                           {"b", Tensor::FromVector<int8_t>(c.b, b)}};
  Graph g;
  Node* n = BuildBinary(g, c);
  n->SetString("tq_act", "clip");
  n->SetFloat("tq_act_min", -std::numeric_limits<float>::infinity());
  n->SetFloat("tq_act_max", std::numeric_limits<float>::infinity());
  testing::ExpectCodesNear(testing::RunInt8(g, feeds, "y"), Reference(c, a, b), 1);
  // lo 2 > hi 1: ONNX Clip gives hi everywhere, code 1 / 0.5 - 3 = -1.
  Graph g2;
  Node* n2 = BuildBinary(g2, c);
  n2->SetString("tq_act", "clip");
  n2->SetFloat("tq_act_min", 2.0f);
  n2->SetFloat("tq_act_max", 1.0f);
  testing::ExpectCodesNear(testing::RunInt8(g2, feeds, "y"), std::vector<int>(16, -1), 0);
}

TEST(AddS8Test, MalformedFusedActivationIsRefused) {
  Graph g;
  Node* n = BuildBinary(g, {OpKind::kAdd, {2}, {2}, {2}});
  n->SetString("tq_act", "gelu");
  const Status s = testing::PrepareInt8(g);
  EXPECT_EQ(s.code(), StatusCode::kInvalidModel);
  EXPECT_NE(s.message().find("tq_act must be"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace tinyq
