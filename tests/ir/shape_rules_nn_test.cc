// Tests of the nn shape rules (src/ir/shape_rules_nn.cc): exact output shapes and refusals.
#include <gtest/gtest.h>

#include <limits>

#include <string>
#include <vector>

#include "src/ir/shape_inference.h"

namespace tinyq {
namespace {

// One node whose inputs are plain values of the given shapes (nullopt-like: empty name = absent).
struct RuleCase {
  Graph graph;
  Node* node = nullptr;
  RuleCase(OpKind op, const std::vector<Shape>& inputs, DType dtype = DType::kF32,
           int outputs = 1) {
    graph.set_source("m.onnx");
    std::vector<Value*> ins;
    for (size_t i = 0; i < inputs.size(); ++i)
      ins.push_back(graph.AddValue("i" + std::to_string(i), dtype, inputs[i]));
    std::vector<Value*> outs;
    for (int i = 0; i < outputs; ++i) outs.push_back(graph.AddValue("o" + std::to_string(i)));
    node = graph.AddNode(op, "node", ins, outs);
  }
  Status Infer() { return InferNodeShapes(graph, *node); }
  const Shape& Out(int i = 0) { return node->output(i)->shape(); }
};

void ExpectError(RuleCase& c, StatusCode code, const std::string& text) {
  const Status s = c.Infer();
  EXPECT_EQ(s.code(), code) << s.ToString();
  EXPECT_NE(s.message().find(c.graph.Where(c.node)), std::string::npos) << s.message();
  EXPECT_NE(s.message().find(text), std::string::npos) << s.message();
}

TEST(ShapeRulesNnTest, ConvGroupsStridesAutoPad) {
  RuleCase c(OpKind::kConv, {{2, 8, 15, 15}, {16, 2, 3, 3}, {16}});
  c.node->SetInt("group", 4);
  c.node->SetInts("strides", {2, 2});
  c.node->SetString("auto_pad", "SAME_UPPER");
  ASSERT_TRUE(c.Infer().ok()) << c.Infer().ToString();
  EXPECT_EQ(c.Out(), (Shape{2, 16, 8, 8}));
  RuleCase d(OpKind::kConv, {{1, 3, 10}, {5, 3, 4}});
  d.node->SetInts("dilations", {2});
  ASSERT_TRUE(d.Infer().ok());
  EXPECT_EQ(d.Out(), (Shape{1, 5, 4}));
}

TEST(ShapeRulesNnTest, ConvChannelAndAttributeErrors) {
  RuleCase cin(OpKind::kConv, {{1, 8, 5, 5}, {4, 3, 3, 3}});
  cin.node->SetInt("group", 2);
  ExpectError(cin, StatusCode::kInvalidModel, "group = 2");
  RuleCase cout(OpKind::kConv, {{1, 4, 5, 5}, {3, 2, 3, 3}});
  cout.node->SetInt("group", 2);
  ExpectError(cout, StatusCode::kInvalidModel, "do not match");
  RuleCase ks(OpKind::kConv, {{1, 1, 5, 5}, {1, 1, 3, 3}});
  ks.node->SetInts("kernel_shape", {3, 2});
  ExpectError(ks, StatusCode::kInvalidModel, "kernel_shape");
  RuleCase pads(OpKind::kConv, {{1, 1, 5, 5}, {1, 1, 3, 3}});
  pads.node->SetInts("pads", {1, 1});
  ExpectError(pads, StatusCode::kInvalidModel, "pads");
  RuleCase bias(OpKind::kConv, {{1, 1, 5, 5}, {2, 1, 3, 3}, {3}});
  ExpectError(bias, StatusCode::kInvalidModel, "bias");
  RuleCase small(OpKind::kConv, {{1, 1, 2, 2}, {1, 1, 3, 3}});
  ExpectError(small, StatusCode::kInvalidModel, "not positive");
  RuleCase s8(OpKind::kConv, {{1, 1, 5, 5}, {1, 1, 3, 3}}, DType::kS8);
  ExpectError(s8, StatusCode::kUnsupported, "s8");
}

TEST(ShapeRulesNnTest, ConvTransposeChannelsAndOutputShape) {
  RuleCase c(OpKind::kConvTranspose, {{1, 4, 3, 3}, {4, 3, 3, 3}});
  c.node->SetInt("group", 2);
  c.node->SetInts("strides", {2, 2});
  c.node->SetInts("output_padding", {1, 1});
  ASSERT_TRUE(c.Infer().ok()) << c.Infer().ToString();
  EXPECT_EQ(c.Out(), (Shape{1, 6, 8, 8}));
  RuleCase o(OpKind::kConvTranspose, {{1, 1, 3, 3}, {1, 2, 3, 3}});
  o.node->SetInts("strides", {3, 2});
  o.node->SetInts("output_shape", {10, 8});
  ASSERT_TRUE(o.Infer().ok());
  EXPECT_EQ(o.Out(), (Shape{1, 2, 10, 8}));
  RuleCase bad(OpKind::kConvTranspose, {{1, 4, 3, 3}, {3, 3, 3, 3}});
  ExpectError(bad, StatusCode::kInvalidModel, "do not match");
}

TEST(ShapeRulesNnTest, GemmTransposesAndCBroadcast) {
  RuleCase c(OpKind::kGemm, {{4, 3}, {5, 4}, {5}});
  c.node->SetInt("transA", 1);
  c.node->SetInt("transB", 1);
  ASSERT_TRUE(c.Infer().ok()) << c.Infer().ToString();
  EXPECT_EQ(c.Out(), (Shape{3, 5}));
  RuleCase k(OpKind::kGemm, {{3, 4}, {5, 4}});
  ExpectError(k, StatusCode::kInvalidModel, "inner dimensions");
  RuleCase cc(OpKind::kGemm, {{3, 4}, {4, 5}, {3}});
  ExpectError(cc, StatusCode::kInvalidModel, "does not broadcast");
  RuleCase r(OpKind::kGemm, {{2, 3, 4}, {4, 5}});
  ExpectError(r, StatusCode::kInvalidModel, "2-D");
}

TEST(ShapeRulesNnTest, MatMulNumpySemantics) {
  RuleCase v(OpKind::kMatMul, {{4}, {4}});
  ASSERT_TRUE(v.Infer().ok());
  EXPECT_EQ(v.Out(), Shape{});
  RuleCase m(OpKind::kMatMul, {{3, 1, 2, 4}, {5, 4, 6}});
  ASSERT_TRUE(m.Infer().ok());
  EXPECT_EQ(m.Out(), (Shape{3, 5, 2, 6}));
  RuleCase mv(OpKind::kMatMul, {{2, 3, 4}, {4}});
  ASSERT_TRUE(mv.Infer().ok());
  EXPECT_EQ(mv.Out(), (Shape{2, 3}));
  RuleCase bad(OpKind::kMatMul, {{2, 3, 4}, {3, 4, 5}});
  ExpectError(bad, StatusCode::kInvalidModel, "do not broadcast");
}

TEST(ShapeRulesNnTest, PoolsCeilModeAndIndicesOutput) {
  RuleCase c(OpKind::kMaxPool, {{1, 3, 6, 6}}, DType::kF32, 2);
  c.node->SetInts("kernel_shape", {3, 3});
  c.node->SetInts("strides", {2, 2});
  c.node->SetInt("ceil_mode", 1);
  ASSERT_TRUE(c.Infer().ok()) << c.Infer().ToString();
  EXPECT_EQ(c.Out(), (Shape{1, 3, 3, 3}));
  EXPECT_EQ(c.Out(1), (Shape{1, 3, 3, 3}));
  EXPECT_EQ(c.node->output(1)->dtype(), DType::kS64);
  RuleCase a(OpKind::kAveragePool, {{1, 3, 6}});
  ExpectError(a, StatusCode::kInvalidModel, "kernel_shape");
  RuleCase g(OpKind::kGlobalMaxPool, {{2, 3, 4, 5, 6}});
  ASSERT_TRUE(g.Infer().ok());
  EXPECT_EQ(g.Out(), (Shape{2, 3, 1, 1, 1}));
}

TEST(ShapeRulesNnTest, NormalizationsCheckChannelVectors) {
  RuleCase bn(OpKind::kBatchNormalization, {{2, 3, 4}, {3}, {3}, {3}, {3}});
  ASSERT_TRUE(bn.Infer().ok());
  EXPECT_EQ(bn.Out(), (Shape{2, 3, 4}));
  RuleCase bad(OpKind::kBatchNormalization, {{2, 3, 4}, {3}, {4}, {3}, {3}});
  ExpectError(bad, StatusCode::kInvalidModel, "expected [3]");
  RuleCase train(OpKind::kBatchNormalization, {{2, 3}, {3}, {3}, {3}, {3}});
  train.node->SetInt("training_mode", 1);
  ExpectError(train, StatusCode::kUnsupported, "training_mode");
  RuleCase in(OpKind::kInstanceNormalization, {{1, 2, 3}, {2}, {2}});
  ASSERT_TRUE(in.Infer().ok());
  RuleCase in2(OpKind::kInstanceNormalization, {{1, 2}, {2}, {2}});
  ExpectError(in2, StatusCode::kInvalidModel, "rank >= 3");
}

TEST(ShapeRulesNnTest, SoftmaxAndReduce) {
  RuleCase s(OpKind::kLogSoftmax, {{2, 3}});
  s.node->SetInt("axis", -3);
  ExpectError(s, StatusCode::kInvalidModel, "axis -3");
  RuleCase r(OpKind::kReduceSum, {{2, 3, 4}});
  r.node->SetInts("axes", {1});
  r.node->SetInt("keepdims", 0);
  ASSERT_TRUE(r.Infer().ok());
  EXPECT_EQ(r.Out(), (Shape{2, 4}));
}

// Resize with constant scales or sizes.
struct ResizeCase : RuleCase {
  ResizeCase(const Shape& x, const std::vector<float>& scales, const std::vector<int64_t>& sizes)
      : RuleCase(OpKind::kResize, {x}) {
    graph.SetInput(node, 1, nullptr);
    graph.SetInput(
        node, 2,
        scales.empty()
            ? nullptr
            : graph.AddConstant("scales", Tensor::FromVector<float>(
                                              {static_cast<int64_t>(scales.size())}, scales)));
    if (!sizes.empty())
      graph.SetInput(node, 3,
                     graph.AddConstant("sizes", Tensor::FromVector<int64_t>(
                                                    {static_cast<int64_t>(sizes.size())}, sizes)));
  }
};

TEST(ShapeRulesNnTest, ResizeScalesFloorAndSizes) {
  ResizeCase s({1, 3, 5, 5}, {1, 1, 0.6f, 2.5f}, {});
  ASSERT_TRUE(s.Infer().ok()) << s.Infer().ToString();
  EXPECT_EQ(s.Out(), (Shape{1, 3, 3, 12}));
  ResizeCase z({1, 3, 5, 5}, {}, {1, 3, 7, 2});
  ASSERT_TRUE(z.Infer().ok());
  EXPECT_EQ(z.Out(), (Shape{1, 3, 7, 2}));
  ResizeCase n({1, 3, 5, 5}, {1, 1, 2}, {});
  ExpectError(n, StatusCode::kInvalidModel, "rank 4");
  ResizeCase cubic({1, 1, 2, 2}, {1, 1, 2, 2}, {});
  cubic.node->SetString("mode", "cubic");
  ExpectError(cubic, StatusCode::kUnsupported, "cubic");
  ResizeCase crop({1, 1, 2, 2}, {1, 1, 2, 2}, {});
  crop.node->SetString("coordinate_transformation_mode", "tf_crop_and_resize");
  ExpectError(crop, StatusCode::kUnsupported, "tf_crop_and_resize");
}

// Scales whose product does not fit an int64 (inf, 1e30) are refused before the float -> int cast,
// which would be undefined behaviour.
TEST(ShapeRulesNnTest, ResizeRefusesScalesBeyondTheDimensionLimit) {
  for (float big : {std::numeric_limits<float>::infinity(), 1e30f, 3e8f}) {
    ResizeCase r({1, 1, 8, 8}, {1, 1, big, 1}, {});
    ExpectError(r, StatusCode::kInvalidModel,
                "scales make output dimension 2 of input [1,1,8,8] larger than 2^31");
  }
}

}  // namespace
}  // namespace tinyq
