#include "passes/fold_constants.h"

#include <gtest/gtest.h>

#include "passes/registry.h"
#include "tests/passes/pass_test_util.h"

namespace tinyq {
namespace {

using testing::CountOps;
using testing::ExpectPassKeepsGraph;
using testing::ExpectSameFunction;
using testing::GraphBuilder;

TEST(FoldConstantsTest, FoldsAChainOfConstantNodes) {
  GraphBuilder b;
  Value* x = b.Input("x", {2, 3});
  Value* c1 = b.Const("c1", {2, 3});
  Value* c2 = b.Const("c2", {3});
  Value* sum = b.Out(OpKind::kAdd, "const_add", {c1, c2});
  Value* t = b.Out(OpKind::kTanh, "const_tanh", {sum});
  b.Output(b.Out(OpKind::kMul, "mul", {x, t}));
  auto before = b.graph().Clone();
  FoldConstantsPass pass;
  PassStats stats;
  ASSERT_TRUE(RunPass(b.graph(), pass, &stats).ok());
  const Graph& g = b.graph();
  ASSERT_EQ(g.nodes().size(), 1u);
  const Value* folded = g.FindNode("mul")->input(1);
  ASSERT_TRUE(folded->is_constant());
  EXPECT_EQ(folded->name(), "const_tanh_out");
  // Hand check of one element: tanh(c1[0][1] + c2[1]).
  const float want = std::tanh(before->FindValue("c1")->constant()->data<float>()[1] +
                               before->FindValue("c2")->constant()->data<float>()[1]);
  EXPECT_FLOAT_EQ(folded->constant()->data<float>()[1], want);
  EXPECT_EQ(stats.nodes_removed, 2);
  EXPECT_EQ(g.FindValue("c1"), nullptr);  // inputs of folded nodes are dropped when unused
  EXPECT_EQ(g.FindValue("const_add_out"), nullptr);
  EXPECT_TRUE(Verify(g).ok());
  ExpectSameFunction(*before, g);
}

TEST(FoldConstantsTest, GraphOutputBecomesAConstant) {
  GraphBuilder b;
  Value* x = b.Input("x", {2});
  b.Output(b.Out(OpKind::kRelu, "relu", {x}));
  b.Output(b.Out(OpKind::kNeg, "neg", {b.Const("c", {2})}));
  auto before = b.graph().Clone();
  FoldConstantsPass pass;
  PassStats stats;
  ASSERT_TRUE(RunPass(b.graph(), pass, &stats).ok());
  EXPECT_EQ(b.graph().nodes().size(), 1u);
  EXPECT_TRUE(b.graph().FindValue("neg_out")->is_constant());
  EXPECT_EQ(testing::OutputNames(b.graph()), testing::OutputNames(*before));
  ExpectSameFunction(*before, b.graph());
}

TEST(FoldConstantsTest, NodesWithComputedInputsAreUnchanged) {
  GraphBuilder b;
  Value* x = b.Input("x", {2, 3});
  b.Output(b.Out(OpKind::kAdd, "add", {x, b.Const("c", {3})}));
  FoldConstantsPass pass;
  PassStats stats;
  ExpectPassKeepsGraph(b.graph(), pass, &stats);
  EXPECT_EQ(stats.nodes_removed, 0);
}

TEST(FoldConstantsTest, OutputsAboveTheLimitAreNotFolded) {
  GraphBuilder b;
  Value* x = b.Input("x", {4, 4});
  Value* big = b.Out(OpKind::kAdd, "big", {b.Const("c1", {4, 1}), b.Const("c2", {1, 4})});
  Value* small = b.Out(OpKind::kNeg, "small", {b.Const("c3", {4})});
  b.Output(b.Out(OpKind::kAdd, "a1", {x, big}));
  b.Output(b.Out(OpKind::kAdd, "a2", {x, small}));
  FoldConstantsPass pass(/*max_output_elements=*/8);
  PassStats stats;
  ASSERT_TRUE(RunPass(b.graph(), pass, &stats).ok());
  EXPECT_NE(b.graph().FindNode("big"), nullptr);  // 16 elements > 8
  EXPECT_EQ(b.graph().FindNode("small"), nullptr);
  EXPECT_EQ(stats.nodes_removed, 1);
}

TEST(FoldConstantsTest, DequantizeLinearOfConstantWeightsIsKept) {
  GraphBuilder b;
  Value* x = b.Input("x", {3});
  Value* q = b.graph().AddConstant("wq", Tensor::FromVector<int8_t>({3}, {-5, 0, 7}));
  Value* w = b.Out(
      OpKind::kDequantizeLinear, "dq",
      {q, b.Scalar("s", 0.5f), b.graph().AddConstant("zp", Tensor::FromVector<int8_t>({}, {0}))});
  b.Output(b.Out(OpKind::kMul, "mul", {x, w}));
  FoldConstantsPass pass;
  PassStats stats;
  ASSERT_TRUE(RunPass(b.graph(), pass, &stats).ok());
  EXPECT_EQ(CountOps(b.graph(), OpKind::kDequantizeLinear), 1);
}

}  // namespace
}  // namespace tinyq
