#include "passes/eliminate_dead.h"

#include <gtest/gtest.h>

#include "passes/registry.h"
#include "tests/passes/pass_test_util.h"

namespace tinyq {
namespace {

using testing::ExpectPassKeepsGraph;
using testing::ExpectSameFunction;
using testing::GraphBuilder;

TEST(EliminateDeadTest, RemovesChainsThatReachNoOutput) {
  GraphBuilder b;
  Value* x = b.Input("x", {2, 2});
  Value* unused_input = b.Input("unused", {1});
  Value* dead1 = b.Out(OpKind::kMul, "dead_mul", {x, b.Const("dead_w", {2, 2})});
  b.Out(OpKind::kTanh, "dead_tanh", {dead1});
  b.Output(b.Out(OpKind::kSigmoid, "sig", {x}));
  auto before = b.graph().Clone();
  EliminateDeadPass pass;
  PassStats stats;
  ASSERT_TRUE(RunPass(b.graph(), pass, &stats).ok());
  const Graph& g = b.graph();
  ASSERT_EQ(g.nodes().size(), 1u);
  EXPECT_EQ(g.nodes()[0]->name(), "sig");
  EXPECT_EQ(stats.nodes_removed, 2);
  EXPECT_EQ(g.FindValue("dead_w"), nullptr);
  EXPECT_EQ(g.FindValue("dead_mul_out"), nullptr);
  EXPECT_EQ(g.FindValue("dead_tanh_out"), nullptr);
  EXPECT_EQ(g.FindValue("unused"), unused_input);  // graph inputs are the interface: kept
  EXPECT_TRUE(Verify(g).ok());
  ExpectSameFunction(*before, g);
}

TEST(EliminateDeadTest, DropsOrphanValuesButKeepsLiveNodes) {
  GraphBuilder b;
  Value* x = b.Input("x", {4});
  Node* d = b.Op(OpKind::kDropout, "drop", {x}, nullptr, /*outputs=*/2);  // mask unused
  b.Output(b.Out(OpKind::kRelu, "relu", {d->output(0)}));
  b.graph().AddConstant("orphan", Tensor::FromVector<float>({1}, {1.0f}));
  EliminateDeadPass pass;
  PassStats stats;
  ASSERT_TRUE(RunPass(b.graph(), pass, &stats).ok());
  EXPECT_EQ(b.graph().nodes().size(), 2u);
  EXPECT_EQ(b.graph().FindValue("orphan"), nullptr);
  EXPECT_NE(b.graph().FindValue("drop_out1"), nullptr);  // still produced by a live node
  EXPECT_EQ(stats.nodes_removed, 0);
}

TEST(EliminateDeadTest, LiveGraphIsUnchanged) {
  GraphBuilder b;
  Value* x = b.Input("x", {3});
  Value* r = b.Out(OpKind::kRelu, "relu", {x});
  b.Output(b.Out(OpKind::kAdd, "add", {r, b.Const("c", {3})}));
  EliminateDeadPass pass;
  PassStats stats;
  ExpectPassKeepsGraph(b.graph(), pass, &stats);
  EXPECT_TRUE(stats.notes.empty());
}

}  // namespace
}  // namespace tinyq
