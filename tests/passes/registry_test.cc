#include "passes/registry.h"

#include <gtest/gtest.h>

#include <set>

#include "tests/passes/pass_test_util.h"
#include "tinyq/passes.h"

namespace tinyq {
namespace {

using testing::CountOps;
using testing::ExpectSameFunction;
using testing::GraphBuilder;

TEST(PassRegistryTest, NamesAreUniqueVerbFirstAndMatchThePasses) {
  std::set<std::string> names;
  for (const PassInfo& info : ListPasses()) {
    EXPECT_TRUE(names.insert(info.name).second) << info.name;
    EXPECT_FALSE(info.help.empty()) << info.name;
    EXPECT_EQ(info.name.find_first_not_of("abcdefghijklmnopqrstuvwxyz_"), std::string::npos);
    auto pass = CreatePass(info.name);
    ASSERT_NE(pass, nullptr) << info.name;
    EXPECT_EQ(pass->name(), info.name);
  }
  for (const std::string& name : DefaultFloatPipeline()) EXPECT_TRUE(names.count(name)) << name;
  EXPECT_EQ(DefaultFloatPipeline(),
            (std::vector<std::string>{"fold_constants", "eliminate_identity", "fold_batch_norm",
                                      "fuse_activation", "eliminate_dead"}));
  EXPECT_EQ(CreatePass("no_such_pass"), nullptr);
}

TEST(PassRegistryTest, UnknownPassIsRejectedBeforeAnythingRuns) {
  GraphBuilder b;
  Value* x = b.Input("x", {2});
  b.Output(b.Out(OpKind::kRelu, "relu", {b.Out(OpKind::kIdentity, "id", {x})}));
  Status s = RunPasses(b.graph(), {"eliminate_identity", "fold_everything"});
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("unknown pass 'fold_everything'"), std::string::npos);
  EXPECT_NE(s.message().find("fold_batch_norm"), std::string::npos);  // lists the known ones
  EXPECT_EQ(CountOps(b.graph(), OpKind::kIdentity), 1);
}

// Leaves a node reading a value that nobody produces.
class BreakGraphPass : public Pass {
 public:
  const char* name() const override { return "break_graph"; }
  Status Run(Graph& graph, PassStats*) override {
    Value* orphan = graph.AddValue("orphan", DType::kF32, {2});
    graph.SetInput(graph.nodes()[0].get(), 0, orphan);
    return Status::Ok();
  }
};

TEST(PassRegistryTest, GraphFailingVerifyAfterAPassIsInternalNamingIt) {
  GraphBuilder b;
  b.Output(b.Out(OpKind::kRelu, "relu", {b.Input("x", {2})}));
  BreakGraphPass pass;
  Status s = RunPass(b.graph(), pass, nullptr);
  EXPECT_EQ(s.code(), StatusCode::kInternal);
  EXPECT_NE(s.message().find("pass break_graph left an invalid graph"), std::string::npos)
      << s.message();
}

TEST(PassRegistryTest, InvalidInputGraphIsReportedAsIs) {
  Graph g;
  Value* a = g.AddValue("a", DType::kF32, {1});
  Value* y = g.AddValue("y", DType::kF32, {1});
  g.AddNode(OpKind::kRelu, "relu", {a}, {y});  // `a` is neither input nor produced
  g.outputs() = {y};
  EXPECT_EQ(RunPasses(g, DefaultFloatPipeline()).code(), StatusCode::kInvalidModel);
}

// A small conv net with everything the float pipeline removes: BN after Conv, depthwise Conv
// and Gemm, Relu, ReLU6 (Clip), Identity, inference Dropout and a constant weight subgraph.
TEST(DefaultFloatPipelineTest, SmallConvNetLosesBnReluIdentityAndKeepsItsFunction) {
  GraphBuilder b(7);
  Value* x = b.Input("input", {1, 3, 8, 8});
  // Weight stored transposed and fixed up by a constant Transpose (fold_constants removes it).
  Value* w1t = b.Const("w1t", {3, 3, 3, 8});
  Value* w1 = b.Out(OpKind::kTranspose, "w1_fix", {w1t}, [](Node* n) {
    n->SetInts("perm", {3, 2, 1, 0});
  });
  Value* c1 = b.Out(OpKind::kConv, "conv1", {x, w1, b.Const("b1", {8})}, [](Node* n) {
    n->SetInts("pads", {1, 1, 1, 1});
  });
  auto bn = [&](const std::string& name, Value* v, int64_t c) {
    return b.Out(OpKind::kBatchNormalization, name,
                 {v, b.Const(name + "_g", {c}, 0.5f, 2.0f), b.Const(name + "_b", {c}),
                  b.Const(name + "_m", {c}), b.Const(name + "_v", {c}, 0.2f, 2.0f)});
  };
  Value* r1 = b.Out(OpKind::kRelu, "relu1", {bn("bn1", c1, 8)});
  Value* i1 = b.Out(OpKind::kIdentity, "id1", {r1});
  Value* c2 = b.Out(OpKind::kConv, "dw2", {i1, b.Const("w2", {8, 1, 3, 3})}, [](Node* n) {
    n->SetInt("group", 8);
    n->SetInts("strides", {2, 2});
    n->SetInts("pads", {1, 1, 1, 1});
  });
  Value* r2 = b.Out(OpKind::kClip, "relu6",
                    {bn("bn2", c2, 8), b.Scalar("zero", 0.0f), b.Scalar("six", 6.0f)});
  Value* d2 = b.Out(OpKind::kDropout, "drop", {r2, b.Scalar("ratio", 0.2f)});
  Value* p = b.Out(OpKind::kGlobalAveragePool, "gap", {d2});
  Value* f = b.Out(OpKind::kFlatten, "flatten", {p});
  Value* g1 = b.Out(OpKind::kGemm, "fc1", {f, b.Const("wf1", {6, 8}), b.Const("bf1", {6})},
                    [](Node* n) { n->SetInt("transB", 1); });
  Value* r3 = b.Out(OpKind::kRelu, "relu3", {bn("bn3", g1, 6)});
  Value* g2 = b.Out(OpKind::kGemm, "fc2", {r3, b.Const("wf2", {6, 4})});
  b.Output(b.Out(OpKind::kIdentity, "logits", {g2}));
  auto before = b.graph().Clone();

  PassStats stats;
  Status s = RunPasses(b.graph(), DefaultFloatPipeline(), &stats);
  ASSERT_TRUE(s.ok()) << s.ToString();
  const Graph& g = b.graph();
  for (OpKind op : {OpKind::kBatchNormalization, OpKind::kRelu, OpKind::kClip, OpKind::kIdentity,
                    OpKind::kDropout, OpKind::kTranspose})
    EXPECT_EQ(CountOps(g, op), 0) << OpKindName(op) << "\n" << PrintGraph(g);
  // conv1, dw2, gap, flatten, fc1, fc2.
  EXPECT_EQ(g.nodes().size(), 6u) << PrintGraph(g);
  EXPECT_EQ(g.FindNode("fc2")->output(0)->name(), "logits_out");
  EXPECT_EQ(g.FindNode("dw2")->GetFloat("tq_act_max", 0.0f), 6.0f);
  EXPECT_EQ(stats.nodes_removed, static_cast<int64_t>(before->nodes().size() - 6));
  EXPECT_TRUE(Verify(g).ok());
  ExpectSameFunction(*before, g);
}

}  // namespace
}  // namespace tinyq
