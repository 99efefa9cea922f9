#include "passes/graph_edit.h"

#include <gtest/gtest.h>

#include "tests/passes/pass_test_util.h"

namespace tinyq {
namespace {

using testing::GraphBuilder;

TEST(GraphEditTest, RebindOutputKeepsOpNameInputsAndAttributes) {
  GraphBuilder b;
  Value* x = b.Input("x", {2, 3});
  Value* c = b.Const("c", {3});
  Node* add = b.Op(OpKind::kAdd, "add", {x, c});
  add->SetString("note", "kept");
  Value* z = add->output(0);
  Value* y = b.graph().AddValue("y", DType::kF32, {2, 3});
  b.Output(y);
  Node* fresh = RebindOutput(b.graph(), add, z, y);
  EXPECT_EQ(fresh->op(), OpKind::kAdd);
  EXPECT_EQ(fresh->name(), "add");
  EXPECT_EQ(fresh->inputs(), (std::vector<Value*>{x, c}));
  EXPECT_EQ(fresh->output(0), y);
  EXPECT_EQ(fresh->GetString("note", ""), "kept");
  EXPECT_EQ(y->producer(), fresh);
  EXPECT_EQ(z->producer(), nullptr);
  ASSERT_EQ(x->uses().size(), 1u);
  EXPECT_EQ(x->uses()[0].node, fresh);
  RemoveIfUnused(b.graph(), z);
  EXPECT_EQ(b.graph().FindValue("add_out"), nullptr);
  EXPECT_TRUE(Verify(b.graph()).ok());
}

TEST(GraphEditTest, SoleConsumerNeedsOneUseAndNoGraphOutput) {
  GraphBuilder b;
  Value* x = b.Input("x", {2});
  Value* r = b.Out(OpKind::kRelu, "relu", {x});
  Node* neg = b.Op(OpKind::kNeg, "neg", {r});
  b.Output(neg->output(0));
  EXPECT_EQ(SoleConsumer(b.graph(), r), neg);
  b.Output(r);
  EXPECT_EQ(SoleConsumer(b.graph(), r), nullptr);               // also a graph output
  EXPECT_EQ(SoleConsumer(b.graph(), neg->output(0)), nullptr);  // no reader
  b.Op(OpKind::kNeg, "neg2", {x});
  b.Op(OpKind::kNeg, "neg3", {x});
  EXPECT_EQ(SoleConsumer(b.graph(), x), nullptr);  // three readers
}

TEST(GraphEditTest, RemoveIfUnusedKeepsInputsOutputsAndReadValues) {
  GraphBuilder b;
  Value* x = b.Input("x", {2});
  Value* used = b.Const("used", {2});
  Value* orphan = b.Const("orphan", {2});
  b.Output(b.Out(OpKind::kAdd, "add", {x, used}));
  RemoveIfUnused(b.graph(), x);
  RemoveIfUnused(b.graph(), used);
  RemoveIfUnused(b.graph(), b.graph().outputs()[0]);
  RemoveIfUnused(b.graph(), nullptr);
  EXPECT_NE(b.graph().FindValue("x"), nullptr);
  EXPECT_NE(b.graph().FindValue("used"), nullptr);
  EXPECT_NE(b.graph().FindValue("add_out"), nullptr);
  RemoveIfUnused(b.graph(), orphan);
  EXPECT_EQ(b.graph().FindValue("orphan"), nullptr);
}

}  // namespace
}  // namespace tinyq
