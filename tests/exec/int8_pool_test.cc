// Tests of the int8 pooling node kernels (src/exec/int8_pool.cc).
#include <algorithm>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/exec/int8_test_util.h"

namespace tinyq {
namespace {

using testing::AddS8Input;
using testing::AddS8Output;

struct PoolCase {
  OpKind op = OpKind::kMaxPool;
  Shape x = {1, 2, 5, 6};
  std::vector<int64_t> kernel = {3, 3}, strides = {1, 1}, pads = {0, 0, 0, 0};
  bool include_pad = false;
  float sx = 0.1f, sy = 0.1f;
  int32_t zx = 4, zy = 4;
};

Shape OutShape(const PoolCase& c) {
  if (c.op == OpKind::kGlobalAveragePool || c.op == OpKind::kGlobalMaxPool)
    return {c.x[0], c.x[1], 1, 1};
  Shape y = {c.x[0], c.x[1]};
  for (size_t d = 0; d < 2; ++d)
    y.push_back((c.x[2 + d] + c.pads[d] + c.pads[2 + d] - c.kernel[d]) / c.strides[d] + 1);
  return y;
}

Node* BuildPool(Graph& g, const PoolCase& c) {
  g.set_source("t.onnx");
  Value* x = AddS8Input(g, "x", c.x, c.sx, c.zx);
  Value* y = AddS8Output(g, "y", OutShape(c), c.sy, c.zy);
  Node* n = g.AddNode(c.op, "pool", {x}, {y});
  if (c.op == OpKind::kMaxPool || c.op == OpKind::kAveragePool) {
    n->SetInts("kernel_shape", c.kernel);
    n->SetInts("strides", c.strides);
    n->SetInts("pads", c.pads);
    if (c.include_pad) n->SetInt("count_include_pad", 1);
  }
  return n;
}

// Naive NCHW pooling in double of the dequantized values (global pools: one window).
std::vector<int> Reference(const PoolCase& c, const std::vector<int8_t>& x) {
  const bool global = c.op == OpKind::kGlobalAveragePool || c.op == OpKind::kGlobalMaxPool;
  const bool is_max = c.op == OpKind::kMaxPool || c.op == OpKind::kGlobalMaxPool;
  const int64_t h = c.x[2], w = c.x[3];
  const int64_t kh = global ? h : c.kernel[0], kw = global ? w : c.kernel[1];
  const int64_t sh = global ? 1 : c.strides[0], sw = global ? 1 : c.strides[1];
  const int64_t pt = global ? 0 : c.pads[0], pl = global ? 0 : c.pads[1];
  const Shape ys = OutShape(c);
  std::vector<int> out;
  for (int64_t nc = 0; nc < c.x[0] * c.x[1]; ++nc)
    for (int64_t oy = 0; oy < ys[2]; ++oy)
      for (int64_t ox = 0; ox < ys[3]; ++ox) {
        double acc = is_max ? -1e300 : 0.0;
        int64_t count = 0;
        for (int64_t ky = 0; ky < kh; ++ky)
          for (int64_t kx = 0; kx < kw; ++kx) {
            const int64_t iy = oy * sh - pt + ky, ix = ox * sw - pl + kx;
            if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
            const double v =
                testing::Deq(x[static_cast<size_t>((nc * h + iy) * w + ix)], c.sx, c.zx);
            acc = is_max ? std::max(acc, v) : acc + v;
            ++count;
          }
        if (!is_max) acc /= static_cast<double>(c.include_pad ? kh * kw : count);
        out.push_back(testing::QuantRef(acc, c.sy, c.zy));
      }
  return out;
}

void ExpectMatchesReference(const PoolCase& c, int tol, uint32_t seed) {
  Graph g;
  BuildPool(g, c);
  const auto x = testing::RandomS8(static_cast<size_t>(NumElements(c.x)), seed);
  const Tensor y = testing::RunInt8(g, {{"x", Tensor::FromVector<int8_t>(c.x, x)}}, "y");
  ASSERT_EQ(y.shape(), OutShape(c));
  testing::ExpectCodesNear(y, Reference(c, x), tol);
}

TEST(MaxPoolS8Test, HandComputed2x2Stride2) {
  PoolCase c;
  c.x = {1, 1, 2, 4};
  c.kernel = {2, 2};
  c.strides = {2, 2};
  Graph g;
  BuildPool(g, c);
  const Tensor y = testing::RunInt8(
      g, {{"x", Tensor::FromVector<int8_t>(c.x, {1, -5, 7, 100, 3, 2, -128, 99})}}, "y");
  testing::ExpectCodesNear(y, {3, 100}, 0);
}

TEST(MaxPoolS8Test, Pad1Stride2IsExact) {
  PoolCase c;
  c.strides = {2, 2};
  c.pads = {1, 1, 1, 1};
  ExpectMatchesReference(c, 0, 1);
}

TEST(AveragePoolS8Test, Pad1MatchesDoubleReference) {
  PoolCase c;
  c.op = OpKind::kAveragePool;
  c.pads = {1, 1, 1, 1};
  ExpectMatchesReference(c, 1, 2);
}

TEST(AveragePoolS8Test, CountIncludePadMatchesDoubleReference) {
  PoolCase c;
  c.op = OpKind::kAveragePool;
  c.pads = {1, 1, 1, 1};
  c.strides = {2, 2};
  c.include_pad = true;
  ExpectMatchesReference(c, 1, 3);
}

TEST(GlobalAveragePoolS8Test, OwnOutputParamsMatchDoubleReference) {
  PoolCase c;
  c.op = OpKind::kGlobalAveragePool;
  c.x = {2, 3, 4, 5};
  c.sy = 0.03f;
  c.zy = -11;
  ExpectMatchesReference(c, 1, 4);
}

TEST(GlobalMaxPoolS8Test, IsExact) {
  PoolCase c;
  c.op = OpKind::kGlobalMaxPool;
  c.x = {2, 3, 4, 5};
  ExpectMatchesReference(c, 0, 5);
}

TEST(MaxPoolS8Test, DifferentOutputParamsAreRefused) {
  PoolCase c;
  c.sy = 0.2f;
  Graph g;
  BuildPool(g, c);
  const Status s = testing::PrepareInt8(g);
  EXPECT_EQ(s.code(), StatusCode::kInvalidModel);
  EXPECT_NE(s.message().find("t.onnx: node 'pool' (MaxPool): output params"), std::string::npos)
      << s.message();
}

TEST(MaxPoolS8Test, DilationIsRefused) {
  PoolCase c;
  c.x = {1, 1, 7, 7};
  Graph g;
  Node* n = BuildPool(g, c);
  n->SetInts("dilations", {2, 2});
  g.FindValue("y")->set_shape({1, 1, 3, 3});
  const Status s = testing::PrepareInt8(g);
  EXPECT_EQ(s.code(), StatusCode::kUnsupported);
  EXPECT_NE(s.message().find("dilations"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace tinyq
