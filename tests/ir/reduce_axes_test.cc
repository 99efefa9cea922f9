// Tests of ResolveReduceAxes.
#include "src/ir/reduce_axes.h"

#include <gtest/gtest.h>

namespace tinyq {
namespace {

TEST(ReduceAxesTest, AttributeAxesWithAndWithoutKeepdims) {
  Graph g;
  Node* n = g.AddNode(OpKind::kReduceMean, "r", {}, {});
  n->SetInts("axes", {-1, 1});
  auto r = ResolveReduceAxes(g, *n, {2, 3, 4});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->reduced, (std::vector<bool>{false, true, true}));
  EXPECT_EQ(r->out_shape, (Shape{2, 1, 1}));
  n->SetInt("keepdims", 0);
  EXPECT_EQ(ResolveReduceAxes(g, *n, {2, 3, 4})->out_shape, (Shape{2}));
}

TEST(ReduceAxesTest, ConstantAxesInputAndEmptyAxes) {
  Graph g;
  Value* x = g.AddValue("x", DType::kF32, {2, 3});
  Value* axes = g.AddConstant("axes", Tensor::FromVector<int64_t>({1}, {0}));
  Node* n = g.AddNode(OpKind::kReduceSum, "r", {x, axes}, {});
  EXPECT_EQ(ResolveReduceAxes(g, *n, {2, 3})->out_shape, (Shape{1, 3}));
  Node* all = g.AddNode(OpKind::kReduceSum, "all", {x}, {});
  EXPECT_EQ(ResolveReduceAxes(g, *all, {2, 3})->out_shape, (Shape{1, 1}));
  all->SetInt("noop_with_empty_axes", 1);
  EXPECT_EQ(ResolveReduceAxes(g, *all, {2, 3})->out_shape, (Shape{2, 3}));
}

TEST(ReduceAxesTest, BadAxesAreRefused) {
  Graph g;
  Node* n = g.AddNode(OpKind::kReduceMax, "r", {}, {});
  n->SetInts("axes", {3});
  EXPECT_EQ(ResolveReduceAxes(g, *n, {2, 3}).status().code(), StatusCode::kInvalidModel);
  n->SetInts("axes", {0, -2});
  EXPECT_EQ(ResolveReduceAxes(g, *n, {2, 3}).status().code(), StatusCode::kInvalidModel);
  Value* x = g.AddValue("x", DType::kF32, {2});
  Value* dyn = g.AddValue("axes", DType::kS64, {1});
  Node* m = g.AddNode(OpKind::kReduceSum, "m", {x, dyn}, {});
  EXPECT_EQ(ResolveReduceAxes(g, *m, {2}).status().code(), StatusCode::kUnsupported);
}

}  // namespace
}  // namespace tinyq
