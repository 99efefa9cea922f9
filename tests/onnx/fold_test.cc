// Tests of src/exec/fold.cc (InferShapesAndFold). They use the shape rules and float kernels of
// the nn/elementwise/tensor groups.
#include "src/exec/fold.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace tinyq {
namespace {

using ::testing::HasSubstr;

TEST(InferShapesAndFoldTest, ConstantArithmeticFoldsAndDeadConstantsGo) {
  Graph g;
  Value* x = g.AddValue("x", DType::kF32, {2});
  Value* a = g.AddConstant("a", Tensor::FromVector<float>({2}, {1.0f, 2.0f}));
  Value* b = g.AddConstant("b", Tensor::FromVector<float>({2}, {3.0f, 4.0f}));
  Value* s = g.AddValue("s");
  Value* y = g.AddValue("y");
  g.AddNode(OpKind::kAdd, "add", {a, b}, {s});
  g.AddNode(OpKind::kMul, "mul", {x, s}, {y});
  g.inputs() = {x};
  g.outputs() = {y};
  ASSERT_TRUE(InferShapesAndFold(g).ok()) << InferShapesAndFold(g).ToString();
  ASSERT_EQ(g.nodes().size(), 1u);
  EXPECT_EQ(g.nodes()[0]->name(), "mul");
  ASSERT_TRUE(s->is_constant());
  EXPECT_EQ(s->constant()->ToFloatVector(), (std::vector<float>{4.0f, 6.0f}));
  EXPECT_EQ(y->shape(), (Shape{2}));
  EXPECT_EQ(g.FindValue("a"), nullptr);
  EXPECT_EQ(g.FindValue("b"), nullptr);
}

TEST(InferShapesAndFoldTest, ShapeOfAGraphInputFoldsIntoAConstantOutput) {
  Graph g;
  Value* x = g.AddValue("x", DType::kF32, {3, 5, 7});
  Value* sh = g.AddValue("sh");
  Node* n = g.AddNode(OpKind::kShape, "shape", {x}, {sh});
  n->SetInt("start", -2);
  g.inputs() = {x};
  g.outputs() = {sh};
  Status st = InferShapesAndFold(g);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_TRUE(g.nodes().empty());
  ASSERT_EQ(g.outputs().size(), 1u);
  ASSERT_TRUE(g.outputs()[0]->is_constant());
  EXPECT_EQ(g.outputs()[0]->constant()->ToInt64Vector(), (std::vector<int64_t>{5, 7}));
  EXPECT_EQ(g.inputs().size(), 1u);  // the input stays, even with no use left
}

TEST(InferShapesAndFoldTest, HugeOutputIsInferredButNotFolded) {
  Graph g;
  const int64_t n = kMaxFoldElements + 1;
  // int64, so the limit is exact (2^24 + 1 is not a float).
  Value* start = g.AddConstant("start", Tensor::FromVector<int64_t>({}, {0}));
  Value* limit = g.AddConstant("limit", Tensor::FromVector<int64_t>({}, {n}));
  Value* delta = g.AddConstant("delta", Tensor::FromVector<int64_t>({}, {1}));
  Value* r = g.AddValue("r");
  g.AddNode(OpKind::kRange, "range", {start, limit, delta}, {r});
  g.outputs() = {r};
  Status st = InferShapesAndFold(g);
  ASSERT_TRUE(st.ok()) << st.ToString();
  ASSERT_EQ(g.nodes().size(), 1u);
  EXPECT_FALSE(r->is_constant());
  EXPECT_EQ(r->shape(), (Shape{n}));
}

TEST(InferShapesAndFoldTest, ShapeRuleErrorNamesTheNode) {
  Graph g;
  g.set_source("m.onnx");
  Value* a = g.AddConstant("a", Tensor::FromVector<float>({2}, {1.0f, 2.0f}));
  Value* b = g.AddConstant("b", Tensor::FromVector<float>({3}, {1.0f, 2.0f, 3.0f}));
  Value* y = g.AddValue("y");
  g.AddNode(OpKind::kAdd, "bad", {a, b}, {y});
  g.outputs() = {y};
  Status st = InferShapesAndFold(g);
  EXPECT_EQ(st.code(), StatusCode::kInvalidModel);
  EXPECT_THAT(st.message(), HasSubstr("m.onnx: node 'bad' (Add): "));
}

}  // namespace
}  // namespace tinyq
