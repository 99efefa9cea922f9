#include "passes/pass.h"

#include <gtest/gtest.h>

#include "passes/graph_edit.h"
#include "tests/passes/pass_test_util.h"

namespace tinyq {
namespace {

using testing::GraphBuilder;

// Relu(Relu(x)) -> Relu(x): removes the outer Relu of each pair, so a chain needs several rounds.
class CollapseReluPass : public NodeRewritePass {
 public:
  const char* name() const override { return "collapse_relu"; }

 protected:
  bool Match(const Graph& graph, const Node& node) const override {
    const Value* in = node.input(0);
    return node.op() == OpKind::kRelu && in->producer() && in->producer()->op() == OpKind::kRelu &&
           !IsGraphOutput(graph, node.output(0));
  }
  Status Rewrite(Graph& graph, Node& node, PassStats* stats) override {
    stats->notes.push_back("collapsed " + node.name());
    Value* in = node.input(0);
    Value* out = node.output(0);
    graph.RemoveNode(&node);
    graph.ReplaceAllUsesWith(out, in);
    graph.RemoveValue(out);
    return Status::Ok();
  }
};

// Matches every node and changes nothing: never reaches a fixed point.
class NoProgressPass : public NodeRewritePass {
 public:
  const char* name() const override { return "no_progress"; }

 protected:
  bool Match(const Graph&, const Node&) const override { return true; }
  Status Rewrite(Graph&, Node&, PassStats*) override { return Status::Ok(); }
};

TEST(NodeRewritePassTest, RewritesUntilNothingMatches) {
  GraphBuilder b;
  Value* v = b.Input("x", {3});
  for (int i = 0; i < 4; ++i) v = b.Out(OpKind::kRelu, "relu" + std::to_string(i), {v});
  b.Output(b.Out(OpKind::kNeg, "neg", {v}));
  CollapseReluPass pass;
  PassStats stats;
  ASSERT_TRUE(pass.Run(b.graph(), &stats).ok());
  EXPECT_EQ(testing::CountOps(b.graph(), OpKind::kRelu), 1);
  EXPECT_EQ(stats.nodes_rewritten, 3);
  EXPECT_EQ(stats.nodes_removed, 3);
  EXPECT_EQ(stats.nodes_added, 0);
  EXPECT_EQ(stats.notes.size(), 3u);
  EXPECT_TRUE(Verify(b.graph()).ok());
}

TEST(NodeRewritePassTest, NoProgressIsAnInternalErrorNamingThePass) {
  GraphBuilder b;
  b.Output(b.Out(OpKind::kRelu, "relu", {b.Input("x", {3})}));
  NoProgressPass pass;
  PassStats stats;
  Status s = pass.Run(b.graph(), &stats);
  EXPECT_EQ(s.code(), StatusCode::kInternal);
  EXPECT_NE(s.message().find("no_progress did not reach a fixed point"), std::string::npos)
      << s.message();
}

TEST(PassStatsTest, AddSumsCountersAndKeepsNotes) {
  PassStats a, b;
  a.nodes_removed = 2;
  a.notes = {"x: one"};
  b.nodes_removed = 1;
  b.nodes_added = 4;
  b.nodes_rewritten = 5;
  b.notes = {"y: two"};
  a.Add(b);
  EXPECT_EQ(a.nodes_removed, 3);
  EXPECT_EQ(a.nodes_added, 4);
  EXPECT_EQ(a.nodes_rewritten, 5);
  EXPECT_EQ(a.ToString(), "5 rewritten, 3 removed, 4 added\nx: one\ny: two\n");
}

}  // namespace
}  // namespace tinyq
