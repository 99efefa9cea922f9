#include <gtest/gtest.h>

#include "tinyq/ir.h"

namespace tinyq {
namespace {

// x -> Relu(a) -> Relu(b) -> y, built out of insertion order.
std::unique_ptr<Graph> Chain() {
  auto g = std::make_unique<Graph>();
  Value* x = g->AddValue("x", DType::kF32, {1, 4});
  Value* h = g->AddValue("h", DType::kF32, {1, 4});
  Value* y = g->AddValue("y", DType::kF32, {1, 4});
  g->AddNode(OpKind::kRelu, "b", {h}, {y});
  g->AddNode(OpKind::kRelu, "a", {x}, {h});
  g->inputs() = {x};
  g->outputs() = {y};
  return g;
}

TEST(GraphTest, TopoOrderFollowsDataNotInsertion) {
  auto g = Chain();
  auto order = g->TopoOrder();
  ASSERT_EQ(order.size(), 2u);
  EXPECT_EQ(order[0]->name(), "a");
  EXPECT_EQ(order[1]->name(), "b");
}

TEST(GraphTest, DuplicateValueNameIsRefused) {
  Graph g;
  EXPECT_NE(g.AddValue("x"), nullptr);
  EXPECT_EQ(g.AddValue("x"), nullptr);
  EXPECT_EQ(g.UniqueName("x"), "x_1");
}

TEST(GraphTest, ReplaceAllUsesRewiresNodesAndOutputs) {
  auto g = Chain();
  Value* h = g->FindValue("h");
  Value* x = g->FindValue("x");
  Node* a = g->FindNode("a");
  g->ReplaceAllUsesWith(h, x);
  g->RemoveNode(a);
  g->RemoveUnusedValues();
  EXPECT_EQ(g->FindValue("h"), nullptr);
  EXPECT_EQ(g->FindNode("b")->input(0), x);
  ASSERT_EQ(x->uses().size(), 1u);
  EXPECT_TRUE(Verify(*g).ok()) << Verify(*g).ToString();
}

TEST(GraphTest, CloneIsDeepAndVerifies) {
  auto g = Chain();
  g->AddConstant("w", Tensor::FromVector<float>({2}, {1.5f, -2.0f}));
  auto c = g->Clone();
  ASSERT_TRUE(Verify(*c).ok());
  EXPECT_EQ(PrintGraph(*c), PrintGraph(*g));
  EXPECT_NE(c->FindValue("x"), g->FindValue("x"));
  c->FindValue("w")->mutable_constant()->data<float>()[0] = 7.0f;
  EXPECT_EQ(g->FindValue("w")->constant()->data<float>()[0], 1.5f);
}

TEST(GraphTest, WhereNamesFileAndNode) {
  auto g = Chain();
  g->set_source("m.onnx");
  EXPECT_EQ(g->Where(g->FindNode("a")), "m.onnx: node 'a' (Relu): ");
}

TEST(OpKindTest, NamesRoundTrip) {
  for (int i = 0; i < static_cast<int>(OpKind::kCount); ++i) {
    OpKind op = static_cast<OpKind>(i);
    auto back = OpKindFromName(OpKindName(op));
    ASSERT_TRUE(back.has_value()) << OpKindName(op);
    EXPECT_EQ(*back, op);
  }
  EXPECT_FALSE(OpKindFromName("LSTM").has_value());
}

}  // namespace
}  // namespace tinyq
