#include "passes/prune_groups.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/passes/pass_test_util.h"

namespace tinyq {
namespace {

using testing::ExpectSameFunction;
using testing::GraphBuilder;

auto Pads1 = [](Node* n) { n->SetInts("pads", {1, 1, 1, 1}); };

// Sets output channel `c` (axis 0) of a constant to zero.
void ZeroChannel(Value* v, int64_t c) {
  Tensor& t = *v->mutable_constant();
  const int64_t per = t.numel() / t.dim(0);
  for (int64_t j = 0; j < per; ++j) t.data<float>()[c * per + j] = 0.0f;
}

std::vector<bool> Drop(int size, std::vector<int> drop) {
  std::vector<bool> keep(static_cast<size_t>(size), true);
  for (int d : drop) keep[static_cast<size_t>(d)] = false;
  return keep;
}

int GroupOf(const ChannelAnalysis& a, const std::string& producer) {
  for (size_t g = 0; g < a.groups.size(); ++g)
    for (const Node* p : a.groups[g].producers)
      if (p->name() == producer) return static_cast<int>(g);
  return -1;
}

const Shape& WeightShape(const Graph& g, const std::string& node, int input = 1) {
  return g.FindNode(node)->input(input)->shape();
}

// x -> conv1(8) -> relu -> conv2(5) -> output.
struct Chain {
  GraphBuilder b;
  Value *w1, *b1;
  Chain() {
    Value* x = b.Input("x", {1, 3, 6, 6});
    w1 = b.Const("w1", {8, 3, 3, 3});
    b1 = b.Const("b1", {8});
    Value* y = b.Out(OpKind::kConv, "conv1", {x, w1, b1}, Pads1);
    y = b.Out(OpKind::kRelu, "relu", {y});
    b.Output(b.Out(OpKind::kConv, "conv2", {y, b.Const("w2", {5, 8, 3, 3}), b.Const("b2", {5})}));
  }
};

TEST(PruneGroupsTest, ChainHasOnePrunableGroupAndTheOutputGroupIsFrozen) {
  Chain c;
  const ChannelAnalysis a = AnalyzeChannels(c.b.graph());
  ASSERT_EQ(a.groups.size(), 2u);
  const int g1 = GroupOf(a, "conv1"), g2 = GroupOf(a, "conv2");
  EXPECT_FALSE(a.groups[g1].frozen);
  EXPECT_TRUE(a.groups[g2].frozen);
  EXPECT_NE(a.groups[g2].frozen_reason.find("graph output"), std::string::npos);
  EXPECT_EQ(a.Prunable(), std::vector<int>{g1});
}

TEST(PruneGroupsTest, RemovingZeroChannelsOfAChainKeepsTheFunctionAndShrinksShapes) {
  Chain c;
  ZeroChannel(c.w1, 1);
  ZeroChannel(c.w1, 6);
  c.b1->mutable_constant()->data<float>()[1] = 0.0f;
  c.b1->mutable_constant()->data<float>()[6] = 0.0f;
  auto before = c.b.graph().Clone();
  const ChannelAnalysis a = AnalyzeChannels(c.b.graph());
  ASSERT_TRUE(RemoveChannels(c.b.graph(), a, {{GroupOf(a, "conv1"), Drop(8, {1, 6})}}).ok());
  ASSERT_TRUE(Verify(c.b.graph()).ok());
  EXPECT_EQ(WeightShape(c.b.graph(), "conv1"), (Shape{6, 3, 3, 3}));
  EXPECT_EQ(WeightShape(c.b.graph(), "conv1", 2), (Shape{6}));
  EXPECT_EQ(WeightShape(c.b.graph(), "conv2"), (Shape{5, 6, 3, 3}));
  EXPECT_EQ(c.b.graph().FindNode("relu")->output(0)->shape(), (Shape{1, 6, 6, 6}));
  ExpectSameFunction(*before, c.b.graph());
}

TEST(PruneGroupsTest, RemovingChannelsKeepsTheRightConsumerColumns) {
  Chain c;
  const Tensor w2 = *c.b.graph().FindNode("conv2")->input(1)->constant();
  const ChannelAnalysis a = AnalyzeChannels(c.b.graph());
  ASSERT_TRUE(RemoveChannels(c.b.graph(), a, {{GroupOf(a, "conv1"), Drop(8, {0, 7})}}).ok());
  const Tensor& w2p = *c.b.graph().FindNode("conv2")->input(1)->constant();
  // W2'[o, i'] == W2[o, i' + 1] for the kept inputs 1..6.
  for (int64_t o = 0; o < 5; ++o)
    for (int64_t i = 0; i < 6; ++i)
      for (int64_t k = 0; k < 9; ++k)
        EXPECT_EQ(w2p.data<float>()[(o * 6 + i) * 9 + k],
                  w2.data<float>()[(o * 8 + i + 1) * 9 + k]);
}

TEST(PruneGroupsTest, ResidualAddTiesItsProducersIntoOneGroup) {
  GraphBuilder b;
  Value* x = b.Input("x", {1, 2, 5, 5});
  Value* wa = b.Const("wa", {6, 2, 3, 3});
  Value* wb = b.Const("wb", {6, 2, 1, 1});
  Value* ya = b.Out(OpKind::kRelu, "ra", {b.Out(OpKind::kConv, "conv_a", {x, wa}, Pads1)});
  Value* yb = b.Out(OpKind::kConv, "conv_b", {x, wb});
  Value* s = b.Out(OpKind::kRelu, "rs", {b.Out(OpKind::kAdd, "add", {ya, yb})});
  b.Output(b.Out(OpKind::kConv, "conv_c", {s, b.Const("wc", {3, 6, 1, 1})}));
  const ChannelAnalysis a = AnalyzeChannels(b.graph());
  const int g = GroupOf(a, "conv_a");
  ASSERT_EQ(g, GroupOf(a, "conv_b"));
  EXPECT_EQ(a.groups[g].producers.size(), 2u);
  EXPECT_FALSE(a.groups[g].frozen);
  ZeroChannel(wa, 2);
  ZeroChannel(wb, 2);
  ZeroChannel(wa, 4);
  ZeroChannel(wb, 4);
  auto before = b.graph().Clone();
  ASSERT_TRUE(RemoveChannels(b.graph(), a, {{g, Drop(6, {2, 4})}}).ok());
  ASSERT_TRUE(Verify(b.graph()).ok());
  EXPECT_EQ(WeightShape(b.graph(), "conv_a"), (Shape{4, 2, 3, 3}));
  EXPECT_EQ(WeightShape(b.graph(), "conv_b"), (Shape{4, 2, 1, 1}));
  EXPECT_EQ(WeightShape(b.graph(), "conv_c"), (Shape{3, 4, 1, 1}));
  ExpectSameFunction(*before, b.graph());
}

TEST(PruneGroupsTest, ConcatMapsChannelOffsets) {
  GraphBuilder b;
  Value* x = b.Input("x", {1, 2, 4, 4});
  Value* wa = b.Const("wa", {4, 2, 1, 1});
  Value* wb = b.Const("wb", {3, 2, 1, 1});
  Value* ya = b.Out(OpKind::kConv, "conv_a", {x, wa});
  Value* yb = b.Out(OpKind::kConv, "conv_b", {x, wb});
  Value* cat = b.Out(OpKind::kConcat, "cat", {ya, yb}, [](Node* n) { n->SetInt("axis", 1); });
  b.Output(b.Out(OpKind::kConv, "conv_c", {cat, b.Const("wc", {2, 7, 1, 1})}));
  const Tensor wc = *b.graph().FindNode("conv_c")->input(1)->constant();
  const ChannelAnalysis a = AnalyzeChannels(b.graph());
  const int ga = GroupOf(a, "conv_a"), gb = GroupOf(a, "conv_b");
  ASSERT_NE(ga, gb);
  ZeroChannel(wa, 0);
  ZeroChannel(wb, 1);
  auto before = b.graph().Clone();
  ASSERT_TRUE(RemoveChannels(b.graph(), a, {{ga, Drop(4, {0})}, {gb, Drop(3, {1})}}).ok());
  ASSERT_TRUE(Verify(b.graph()).ok());
  EXPECT_EQ(b.graph().FindNode("cat")->output(0)->shape(), (Shape{1, 5, 4, 4}));
  const Tensor& wcp = *b.graph().FindNode("conv_c")->input(1)->constant();
  ASSERT_EQ(wcp.shape(), (Shape{2, 5, 1, 1}));
  const std::vector<int> kept = {1, 2, 3, 4, 6};  // concat channel 0 (a0) and 5 (b1) removed
  for (int o = 0; o < 2; ++o)
    for (int i = 0; i < 5; ++i)
      EXPECT_EQ(wcp.data<float>()[o * 5 + i], wc.data<float>()[o * 7 + kept[i]]);
  ExpectSameFunction(*before, b.graph());
}

TEST(PruneGroupsTest, DepthwiseConvFollowsItsProducerAndBatchNormIsSliced) {
  GraphBuilder b;
  Value* x = b.Input("x", {1, 3, 6, 6});
  Value* w1 = b.Const("w1", {6, 3, 1, 1});
  Value* y = b.Out(OpKind::kConv, "conv1", {x, w1});
  Value* mean = b.Const("mean", {6});
  Value* beta = b.Const("beta", {6});
  y = b.Out(OpKind::kBatchNormalization, "bn",
            {y, b.Const("gamma", {6}, 0.5f, 1.5f), beta, mean, b.Const("var", {6}, 0.5f, 2.0f)});
  Value* bdw = b.Const("bdw", {6});
  y = b.Out(OpKind::kConv, "dw", {y, b.Const("wdw", {6, 1, 3, 3}), bdw}, [](Node* n) {
    n->SetInt("group", 6);
    n->SetInts("pads", {1, 1, 1, 1});
  });
  y = b.Out(OpKind::kRelu, "relu", {y});
  y = b.Out(OpKind::kGlobalAveragePool, "gap", {y});
  y = b.Out(OpKind::kFlatten, "flat", {y});
  b.Output(b.Out(OpKind::kGemm, "fc", {y, b.Const("wfc", {4, 6}), b.Const("bfc", {4})},
                 [](Node* n) { n->SetInt("transB", 1); }));
  const ChannelAnalysis a = AnalyzeChannels(b.graph());
  ASSERT_EQ(a.Prunable().size(), 1u);  // conv1's group (the Gemm's is frozen)
  const int g = GroupOf(a, "conv1");
  // Channel 3 is exactly zero after bn and dw: zero weights, BN(0) = 0, zero dw bias.
  ZeroChannel(w1, 3);
  mean->mutable_constant()->data<float>()[3] = 0.0f;
  beta->mutable_constant()->data<float>()[3] = 0.0f;
  bdw->mutable_constant()->data<float>()[3] = 0.0f;
  auto before = b.graph().Clone();
  ASSERT_TRUE(RemoveChannels(b.graph(), a, {{g, Drop(6, {3})}}).ok());
  ASSERT_TRUE(Verify(b.graph()).ok());
  EXPECT_EQ(b.graph().FindNode("dw")->GetInt("group", 0), 5);
  EXPECT_EQ(WeightShape(b.graph(), "dw"), (Shape{5, 1, 3, 3}));
  for (int i = 1; i <= 4; ++i) EXPECT_EQ(WeightShape(b.graph(), "bn", i), (Shape{5}));
  EXPECT_EQ(WeightShape(b.graph(), "fc"), (Shape{4, 5}));
  ExpectSameFunction(*before, b.graph());
}

TEST(PruneGroupsTest, UnknownConsumerAndGraphOutputFreezeTheGroup) {
  GraphBuilder b;
  Value* x = b.Input("x", {1, 2, 4, 4});
  Value* y = b.Out(OpKind::kConv, "conv1", {x, b.Const("w1", {4, 2, 1, 1})});
  y = b.Out(OpKind::kSoftmax, "softmax", {y}, [](Node* n) { n->SetInt("axis", 1); });
  b.Output(y);
  const ChannelAnalysis a = AnalyzeChannels(b.graph());
  ASSERT_EQ(a.groups.size(), 1u);
  EXPECT_TRUE(a.groups[0].frozen);
  EXPECT_NE(a.groups[0].frozen_reason.find("softmax"), std::string::npos);
  Status s = RemoveChannels(b.graph(), a, {{0, Drop(4, {1})}});
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("cannot be pruned"), std::string::npos);
}

TEST(PruneGroupsTest, BadMasksAreRejected) {
  Chain c;
  const ChannelAnalysis a = AnalyzeChannels(c.b.graph());
  const int g = GroupOf(a, "conv1");
  EXPECT_EQ(RemoveChannels(c.b.graph(), a, {{g, std::vector<bool>(3, true)}}).code(),
            StatusCode::kInvalidArgument);
  Status none = RemoveChannels(c.b.graph(), a, {{g, std::vector<bool>(8, false)}});
  EXPECT_EQ(none.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(none.message().find("no channel"), std::string::npos);
  EXPECT_EQ(RemoveChannels(c.b.graph(), a, {{99, {}}}).code(), StatusCode::kInvalidArgument);
}

TEST(PruneGroupsTest, KeepingEveryChannelChangesNothing) {
  Chain c;
  auto before = c.b.graph().Clone();
  const ChannelAnalysis a = AnalyzeChannels(c.b.graph());
  ASSERT_TRUE(RemoveChannels(c.b.graph(), a, {{GroupOf(a, "conv1"), Drop(8, {})}}).ok());
  EXPECT_EQ(WeightShape(c.b.graph(), "conv1"), (Shape{8, 3, 3, 3}));
  ExpectSameFunction(*before, c.b.graph(), 0.0f);
}

TEST(PruneGroupsTest, SliceAxisKeepsTheMarkedIndices) {
  const Tensor t = Tensor::FromVector<float>({2, 3}, {0, 1, 2, 3, 4, 5});
  const Tensor s = SliceAxis(t, 1, {true, false, true});
  ASSERT_EQ(s.shape(), (Shape{2, 2}));
  EXPECT_EQ(s.ToFloatVector(), (std::vector<float>{0, 2, 3, 5}));
}

}  // namespace
}  // namespace tinyq
