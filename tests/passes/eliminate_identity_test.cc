#include "passes/eliminate_identity.h"

#include <gtest/gtest.h>

#include "passes/registry.h"
#include "tests/passes/pass_test_util.h"

namespace tinyq {
namespace {

using testing::CountOps;
using testing::ExpectPassKeepsGraph;
using testing::ExpectSameFunction;
using testing::GraphBuilder;
using testing::OutputNames;

TEST(EliminateIdentityTest, RemovesIdentityAndDropoutBetweenOps) {
  GraphBuilder b;
  Value* x = b.Input("x", {2, 3});
  Value* r = b.Out(OpKind::kRelu, "relu", {x});
  Value* i = b.Out(OpKind::kIdentity, "id", {r});
  Value* d = b.Out(OpKind::kDropout, "drop", {i, b.Scalar("ratio", 0.5f)});
  b.Output(b.Out(OpKind::kSigmoid, "sig", {d}));
  auto before = b.graph().Clone();
  EliminateIdentityPass pass;
  PassStats stats;
  ASSERT_TRUE(RunPass(b.graph(), pass, &stats).ok());
  const Graph& g = b.graph();
  EXPECT_EQ(CountOps(g, OpKind::kIdentity), 0);
  EXPECT_EQ(CountOps(g, OpKind::kDropout), 0);
  EXPECT_EQ(g.nodes().size(), 2u);
  EXPECT_EQ(g.FindNode("sig")->input(0), g.FindValue("relu_out"));
  EXPECT_EQ(stats.nodes_removed, 2);
  EXPECT_EQ(stats.nodes_rewritten, 2);
  EXPECT_EQ(g.FindValue("id_out"), nullptr);
  EXPECT_EQ(g.FindValue("ratio"), nullptr);  // the Dropout's ratio went with it
  EXPECT_TRUE(Verify(g).ok());
  ExpectSameFunction(*before, g);
}

TEST(EliminateIdentityTest, OutputNameKeptByRebindingTheProducer) {
  GraphBuilder b;
  Value* x = b.Input("x", {4});
  Value* r = b.Out(OpKind::kRelu, "relu", {x});
  Value* y = b.Out(OpKind::kIdentity, "id", {r});
  b.Output(y);
  b.Output(b.Out(OpKind::kTanh, "tanh", {r}));  // a second reader of the Identity's input
  auto before = b.graph().Clone();
  EliminateIdentityPass pass;
  PassStats stats;
  ASSERT_TRUE(RunPass(b.graph(), pass, &stats).ok());
  const Graph& g = b.graph();
  EXPECT_EQ(CountOps(g, OpKind::kIdentity), 0);
  EXPECT_EQ(OutputNames(g), OutputNames(*before));
  EXPECT_EQ(g.FindNode("relu")->output(0)->name(), "id_out");
  EXPECT_EQ(g.FindNode("tanh")->input(0)->name(), "id_out");
  EXPECT_EQ(g.FindValue("relu_out"), nullptr);
  EXPECT_TRUE(Verify(g).ok());
  ExpectSameFunction(*before, g);
}

TEST(EliminateIdentityTest, KeepsIdentityThatNamesAnOutputOfAnInput) {
  GraphBuilder b;
  Value* x = b.Input("x", {4});
  b.Output(b.Out(OpKind::kIdentity, "id", {x}));
  // x -> Relu -> r is output twice: once as itself, once renamed by Identity.
  Value* r = b.Out(OpKind::kRelu, "relu", {x});
  b.Output(r);
  b.Output(b.Out(OpKind::kIdentity, "id2", {r}));
  EliminateIdentityPass pass;
  PassStats stats;
  ExpectPassKeepsGraph(b.graph(), pass, &stats);
  EXPECT_EQ(stats.nodes_rewritten, 0);
  EXPECT_TRUE(Verify(b.graph()).ok());
}

TEST(EliminateIdentityTest, KeepsDropoutWhoseMaskIsRead) {
  GraphBuilder b;
  Value* x = b.Input("x", {4});
  Node* d = b.Op(OpKind::kDropout, "drop", {x}, nullptr, /*outputs=*/2);
  b.Output(b.Out(OpKind::kRelu, "relu", {d->output(0)}));
  b.Output(d->output(1));
  EliminateIdentityPass pass;
  ExpectPassKeepsGraph(b.graph(), pass);
}

TEST(EliminateIdentityTest, KeepsTrainingModeDropout) {
  GraphBuilder b;
  Value* x = b.Input("x", {4});
  Tensor on(DType::kBool, {});
  on.data<bool>()[0] = true;
  Value* training = b.graph().AddConstant("training", on);
  Value* d = b.Out(OpKind::kDropout, "drop", {x, b.Scalar("ratio", 0.0f), training});
  b.Output(b.Out(OpKind::kRelu, "relu", {d}));
  EliminateIdentityPass pass;
  ExpectPassKeepsGraph(b.graph(), pass);
}

}  // namespace
}  // namespace tinyq
