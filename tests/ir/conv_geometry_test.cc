// Tests of the shared Conv / pool / ConvTranspose window geometry.
#include "src/ir/conv_geometry.h"

#include <gtest/gtest.h>

namespace tinyq {
namespace {

struct GeometryCase {
  Graph graph;
  Node* node;
  explicit GeometryCase(OpKind op) {
    graph.set_source("g.onnx");
    node = graph.AddNode(op, "n", {}, {});
  }
};

TEST(ConvGeometryTest, ExplicitPadsStridesDilations) {
  GeometryCase c(OpKind::kConv);
  c.node->SetInts("pads", {1, 0, 2, 1});
  c.node->SetInts("strides", {2, 3});
  c.node->SetInts("dilations", {2, 1});
  auto g = ComputeConvGeometry(c.graph, *c.node, {1, 1, 10, 8}, {3, 2}, false);
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  // H: (10 + 3 - 5) / 2 + 1 = 5; W: (8 + 1 - 2) / 3 + 1 = 3.
  EXPECT_EQ(g->out, (std::vector<int64_t>{5, 3}));
  EXPECT_EQ(g->pad_begin, (std::vector<int64_t>{1, 0}));
  EXPECT_EQ(g->pad_end, (std::vector<int64_t>{2, 1}));
}

TEST(ConvGeometryTest, AutoPadSameUpperAndLowerSplitOddPadding) {
  for (const char* mode : {"SAME_UPPER", "SAME_LOWER"}) {
    GeometryCase c(OpKind::kConv);
    c.node->SetString("auto_pad", mode);
    c.node->SetInts("strides", {2});
    auto g = ComputeConvGeometry(c.graph, *c.node, {1, 1, 6}, {4}, false);
    ASSERT_TRUE(g.ok());
    // out = ceil(6 / 2) = 3, total pad = (3 - 1) * 2 + 4 - 6 = 2.
    EXPECT_EQ(g->out, (std::vector<int64_t>{3}));
    EXPECT_EQ(g->pad_begin[0] + g->pad_end[0], 2);
  }
  GeometryCase odd(OpKind::kConv);
  odd.node->SetString("auto_pad", "SAME_LOWER");
  auto g = ComputeConvGeometry(odd.graph, *odd.node, {1, 1, 5}, {2}, false);
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->pad_begin[0], 1);  // total 1: SAME_LOWER puts it first
  EXPECT_EQ(g->pad_end[0], 0);
}

TEST(ConvGeometryTest, ValidIgnoresPadsAndCeilModeDropsWindowInEndPad) {
  GeometryCase v(OpKind::kMaxPool);
  v.node->SetString("auto_pad", "VALID");
  v.node->SetInts("strides", {2});
  auto g = ComputeConvGeometry(v.graph, *v.node, {1, 1, 7}, {3}, true);
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->out, (std::vector<int64_t>{3}));
  GeometryCase ceil(OpKind::kMaxPool);
  ceil.node->SetInt("ceil_mode", 1);
  ceil.node->SetInts("strides", {2});
  ceil.node->SetInts("pads", {1, 1});
  // span = 4 + 2 - 2 = 4 -> ceil(4/2)+1 = 3, but window 2 starts at 4 >= 4 + 1? no: kept.
  auto k = ComputeConvGeometry(ceil.graph, *ceil.node, {1, 1, 4}, {2}, true);
  ASSERT_TRUE(k.ok());
  EXPECT_EQ(k->out, (std::vector<int64_t>{3}));
  // in 3, k 1, s 2, pad_end 1: span 3 -> ceil 2 + 1 = 3; window 2 starts at 4 >= 3 + 0: dropped.
  GeometryCase drop(OpKind::kMaxPool);
  drop.node->SetInt("ceil_mode", 1);
  drop.node->SetInts("strides", {2});
  drop.node->SetInts("pads", {0, 1});
  auto d = ComputeConvGeometry(drop.graph, *drop.node, {1, 1, 3}, {1}, true);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->out, (std::vector<int64_t>{2}));
}

TEST(ConvGeometryTest, ConvTransposeOutputShapeAndOutputPadding) {
  GeometryCase c(OpKind::kConvTranspose);
  c.node->SetInts("strides", {3, 2});
  c.node->SetInts("output_shape", {10, 8});
  auto g = ComputeConvTransposeGeometry(c.graph, *c.node, {1, 1, 3, 3}, {3, 3});
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  EXPECT_EQ(g->out, (std::vector<int64_t>{10, 8}));
  // Full sizes 3*2+3 = 9 and 2*2+3 = 7 -> total padding -1 each. The ONNX formula
  // (begin = total - total // 2, end = total // 2, floor division) gives begin 0, end -1: the
  // extra output row/column is appended at the end, as output_padding would.
  EXPECT_EQ(g->pad_begin, (std::vector<int64_t>{0, 0}));
  EXPECT_EQ(g->pad_end, (std::vector<int64_t>{-1, -1}));
  GeometryCase p(OpKind::kConvTranspose);
  p.node->SetInts("strides", {2});
  p.node->SetInts("output_padding", {1});
  p.node->SetInts("pads", {1, 1});
  auto q = ComputeConvTransposeGeometry(p.graph, *p.node, {1, 1, 4}, {3});
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->out, (std::vector<int64_t>{2 * 3 + 1 + 3 - 2}));
}

TEST(ConvGeometryTest, InvalidAttributesAreRefusedWithTheNodeName) {
  GeometryCase c(OpKind::kConv);
  c.node->SetInts("strides", {1});
  auto g = ComputeConvGeometry(c.graph, *c.node, {1, 1, 5, 5}, {3, 3}, false);
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.status().code(), StatusCode::kInvalidModel);
  EXPECT_NE(g.status().message().find("g.onnx: node 'n' (Conv): "), std::string::npos);
  GeometryCase big(OpKind::kConv);
  EXPECT_FALSE(ComputeConvGeometry(big.graph, *big.node, {1, 1, 2}, {3}, false).ok());
  GeometryCase bad(OpKind::kConv);
  bad.node->SetString("auto_pad", "SAME");
  EXPECT_FALSE(ComputeConvGeometry(bad.graph, *bad.node, {1, 1, 4}, {3}, false).ok());
  GeometryCase neg(OpKind::kConv);
  neg.node->SetInts("pads", {-1, 0});
  EXPECT_FALSE(ComputeConvGeometry(neg.graph, *neg.node, {1, 1, 4}, {3}, false).ok());
  GeometryCase op(OpKind::kConvTranspose);
  op.node->SetInts("output_padding", {2});
  EXPECT_FALSE(ComputeConvTransposeGeometry(op.graph, *op.node, {1, 1, 4}, {3}).ok());
}

}  // namespace
}  // namespace tinyq
