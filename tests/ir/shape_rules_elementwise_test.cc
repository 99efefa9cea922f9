#include <gtest/gtest.h>

#include "src/ir/shape_inference.h"
#include "tinyq/ir.h"

namespace tinyq {
namespace {

// One node of `op` over fresh graph inputs of the given dtypes/shapes; returns the inference
// status.
struct OneNode {
  Graph g;
  Node* node = nullptr;
  OneNode(OpKind op, const std::vector<std::pair<DType, Shape>>& ins, int outs = 1) {
    g.set_source("m.onnx");
    std::vector<Value*> in_values, out_values;
    for (size_t i = 0; i < ins.size(); ++i)
      in_values.push_back(g.AddValue("x" + std::to_string(i), ins[i].first, ins[i].second));
    for (int i = 0; i < outs; ++i) out_values.push_back(g.AddValue("y" + std::to_string(i)));
    node = g.AddNode(op, "node1", in_values, out_values);
  }
  Status Infer() { return InferNodeShapes(g, *node); }
  const Value& out(int i = 0) const { return *node->output(i); }
};

TEST(ElementwiseShapeRulesTest, AddBroadcastsPerChannelNchw) {
  OneNode n(OpKind::kAdd, {{DType::kF32, {2, 3, 4, 5}}, {DType::kF32, {3, 1, 1}}});
  ASSERT_TRUE(n.Infer().ok());
  EXPECT_EQ(n.out().shape(), (Shape{2, 3, 4, 5}));
  EXPECT_EQ(n.out().dtype(), DType::kF32);
}

TEST(ElementwiseShapeRulesTest, SubBroadcastsBothSidesAndRankMismatch) {
  OneNode n(OpKind::kSub, {{DType::kS64, {3, 1, 5}}, {DType::kS64, {4, 1}}});
  ASSERT_TRUE(n.Infer().ok());
  EXPECT_EQ(n.out().shape(), (Shape{3, 4, 5}));
  EXPECT_EQ(n.out().dtype(), DType::kS64);
}

TEST(ElementwiseShapeRulesTest, ScalarOperand) {
  OneNode n(OpKind::kMul, {{DType::kF32, {}}, {DType::kF32, {7}}});
  ASSERT_TRUE(n.Infer().ok());
  EXPECT_EQ(n.out().shape(), (Shape{7}));
}

TEST(ElementwiseShapeRulesTest, NonBroadcastableIsInvalidModelNamingNode) {
  OneNode n(OpKind::kDiv, {{DType::kF32, {2, 3}}, {DType::kF32, {2}}});
  Status s = n.Infer();
  EXPECT_EQ(s.code(), StatusCode::kInvalidModel);
  EXPECT_NE(s.message().find("m.onnx: node 'node1' (Div): "), std::string::npos) << s.message();
}

TEST(ElementwiseShapeRulesTest, MismatchedDtypesAreInvalidModel) {
  OneNode n(OpKind::kAdd, {{DType::kF32, {2}}, {DType::kS64, {2}}});
  Status s = n.Infer();
  EXPECT_EQ(s.code(), StatusCode::kInvalidModel);
  EXPECT_NE(s.message().find("dtype"), std::string::npos) << s.message();
}

TEST(ElementwiseShapeRulesTest, AddNeedsTwoInputs) {
  OneNode n(OpKind::kAdd, {{DType::kF32, {2}}});
  EXPECT_EQ(n.Infer().code(), StatusCode::kInvalidModel);
}

TEST(ElementwiseShapeRulesTest, MaxIsVariadic) {
  OneNode three(OpKind::kMax,
                {{DType::kF32, {2, 1}}, {DType::kF32, {3}}, {DType::kF32, {4, 1, 1}}});
  ASSERT_TRUE(three.Infer().ok());
  EXPECT_EQ(three.out().shape(), (Shape{4, 2, 3}));
  OneNode one(OpKind::kMin, {{DType::kS32, {5}}});
  ASSERT_TRUE(one.Infer().ok());
  EXPECT_EQ(one.out().shape(), (Shape{5}));
  EXPECT_EQ(one.out().dtype(), DType::kS32);
  OneNode bad(OpKind::kMax, {{DType::kF32, {2}}, {DType::kF32, {2}}, {DType::kF32, {3}}});
  EXPECT_EQ(bad.Infer().code(), StatusCode::kInvalidModel);
}

TEST(ElementwiseShapeRulesTest, PowKeepsBaseDtype) {
  OneNode n(OpKind::kPow, {{DType::kF32, {2, 3}}, {DType::kS64, {}}});
  ASSERT_TRUE(n.Infer().ok());
  EXPECT_EQ(n.out().dtype(), DType::kF32);
  EXPECT_EQ(n.out().shape(), (Shape{2, 3}));
}

TEST(ElementwiseShapeRulesTest, PReluSlopeBroadcastsOnlyToX) {
  OneNode ok(OpKind::kPRelu, {{DType::kF32, {1, 4, 5, 5}}, {DType::kF32, {4, 1, 1}}});
  ASSERT_TRUE(ok.Infer().ok());
  EXPECT_EQ(ok.out().shape(), (Shape{1, 4, 5, 5}));
  // Slope would widen the output: not allowed for PRelu.
  OneNode wide(OpKind::kPRelu, {{DType::kF32, {4, 1}}, {DType::kF32, {4, 3}}});
  EXPECT_EQ(wide.Infer().code(), StatusCode::kInvalidModel);
}

TEST(ElementwiseShapeRulesTest, UnaryKeepsShapeAndDtype) {
  for (OpKind op : {OpKind::kSqrt, OpKind::kRelu, OpKind::kSigmoid, OpKind::kHardSwish,
                    OpKind::kNeg, OpKind::kIdentity}) {
    OneNode n(op, {{DType::kS64, {2, 0, 3}}});
    ASSERT_TRUE(n.Infer().ok()) << OpKindName(op);
    EXPECT_EQ(n.out().shape(), (Shape{2, 0, 3}));
    EXPECT_EQ(n.out().dtype(), DType::kS64);
  }
  OneNode two(OpKind::kTanh, {{DType::kF32, {2}}, {DType::kF32, {2}}});
  EXPECT_EQ(two.Infer().code(), StatusCode::kInvalidModel);
}

TEST(ElementwiseShapeRulesTest, ClipBoundsMustBeSingleElementsOfXDtype) {
  OneNode ok(OpKind::kClip, {{DType::kF32, {3, 2}}, {DType::kF32, {}}, {DType::kF32, {1}}});
  ASSERT_TRUE(ok.Infer().ok());
  EXPECT_EQ(ok.out().shape(), (Shape{3, 2}));
  OneNode vec(OpKind::kClip, {{DType::kF32, {3}}, {DType::kF32, {3}}});
  EXPECT_EQ(vec.Infer().code(), StatusCode::kInvalidModel);
  OneNode dtype(OpKind::kClip, {{DType::kF32, {3}}, {DType::kF64, {}}});
  EXPECT_EQ(dtype.Infer().code(), StatusCode::kInvalidModel);
}

TEST(ElementwiseShapeRulesTest, DropoutMaskIsBool) {
  OneNode n(OpKind::kDropout, {{DType::kF32, {2, 3}}, {DType::kF32, {}}}, 2);
  ASSERT_TRUE(n.Infer().ok());
  EXPECT_EQ(n.out(0).shape(), (Shape{2, 3}));
  EXPECT_EQ(n.out(1).dtype(), DType::kBool);
  EXPECT_EQ(n.out(1).shape(), (Shape{2, 3}));
}

TEST(ElementwiseShapeRulesTest, CastMapsOnnxDtypeNumbers) {
  const std::pair<int64_t, DType> kMap[] = {{1, DType::kF32}, {2, DType::kU8},   {3, DType::kS8},
                                            {4, DType::kU16}, {5, DType::kS16},  {6, DType::kS32},
                                            {7, DType::kS64}, {9, DType::kBool}, {11, DType::kF64}};
  for (const auto& [onnx, dtype] : kMap) {
    OneNode n(OpKind::kCast, {{DType::kF32, {4}}});
    n.node->SetInt("to", onnx);
    ASSERT_TRUE(n.Infer().ok()) << onnx;
    EXPECT_EQ(n.out().dtype(), dtype) << onnx;
    EXPECT_EQ(n.out().shape(), (Shape{4}));
  }
}

TEST(ElementwiseShapeRulesTest, CastToFloat16IsUnsupportedAndMissingToIsInvalid) {
  OneNode f16(OpKind::kCast, {{DType::kF32, {4}}});
  f16.node->SetInt("to", 10);
  Status s = f16.Infer();
  EXPECT_EQ(s.code(), StatusCode::kUnsupported);
  EXPECT_NE(s.message().find("node 'node1' (Cast)"), std::string::npos) << s.message();
  OneNode none(OpKind::kCast, {{DType::kF32, {4}}});
  EXPECT_EQ(none.Infer().code(), StatusCode::kInvalidModel);
}

}  // namespace
}  // namespace tinyq
