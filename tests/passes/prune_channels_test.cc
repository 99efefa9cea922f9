#include "passes/prune_channels.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "passes/registry.h"
#include "tests/passes/pass_test_util.h"

namespace tinyq {
namespace {

using testing::ExpectSameFunction;
using testing::GraphBuilder;

// x[1,4] -> fc1 (Gemm, 4 outputs, weights W1 [4,4] transB) -> relu -> fc2 [3,4] -> output.
// Row o of W1 is given; the channel scores are hand-computed from it.
struct Mlp {
  GraphBuilder b;
  Mlp(const std::vector<float>& w1, bool bn = false, const std::vector<float>& gamma = {}) {
    Value* x = b.Input("x", {1, 4});
    Value* y = b.Out(OpKind::kGemm, "fc1",
                     {x, b.graph().AddConstant("w1", Tensor::FromVector<float>({4, 4}, w1))},
                     [](Node* n) { n->SetInt("transB", 1); });
    if (bn)
      y = b.Out(OpKind::kBatchNormalization, "bn",
                {y, b.graph().AddConstant("gamma", Tensor::FromVector<float>({4}, gamma)),
                 b.Const("beta", {4}), b.Const("mean", {4}), b.Const("var", {4}, 0.5f, 1.0f)});
    y = b.Out(OpKind::kRelu, "relu", {y});
    b.Output(b.Out(OpKind::kGemm, "fc2", {y, b.Const("w2", {3, 4})},
                   [](Node* n) { n->SetInt("transB", 1); }));
  }
};

// Channel 0: [3,0,0,0] (L1 3, L2 3); 1: [1,1,1,1] (L1 4, L2 2); 2: [2,2,2,2] (L1 8, L2 4);
// 3: [5,5,5,5] (L1 20, L2 10).
const std::vector<float> kW1 = {3, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 5, 5, 5, 5};

std::vector<bool> KeepOfOnlyGroup(const Graph& g, const PruneChannelsOptions& o) {
  const ChannelAnalysis a = AnalyzeChannels(g);
  auto keep = ChooseChannels(g, a, o);
  EXPECT_TRUE(keep.ok()) << keep.status().ToString();
  if (!keep.ok() || keep->size() != 1) return {};
  return keep->begin()->second;
}

TEST(PruneChannelsTest, L1AndL2RankChannelsByTheirNorms) {
  Mlp m(kW1);
  PruneChannelsOptions o;
  o.ratio = 0.25;  // floor(0.25 * 4) = 1 channel
  o.criterion = PruneCriterion::kL1;
  EXPECT_EQ(KeepOfOnlyGroup(m.b.graph(), o), (std::vector<bool>{false, true, true, true}));
  o.criterion = PruneCriterion::kL2;
  EXPECT_EQ(KeepOfOnlyGroup(m.b.graph(), o), (std::vector<bool>{true, false, true, true}));
  o.ratio = 0.5;
  EXPECT_EQ(KeepOfOnlyGroup(m.b.graph(), o), (std::vector<bool>{false, false, true, true}));
}

TEST(PruneChannelsTest, BatchNormCriterionUsesGamma) {
  Mlp m(kW1, true, {0.9f, -2.0f, 0.1f, 1.0f});
  PruneChannelsOptions o;
  o.ratio = 0.5;
  o.criterion = PruneCriterion::kBatchNorm;  // |gamma| 0.9, 2, 0.1, 1: channels 2 and 0 go
  EXPECT_EQ(KeepOfOnlyGroup(m.b.graph(), o), (std::vector<bool>{false, true, false, true}));
}

TEST(PruneChannelsTest, ActivationCriterionUsesTheStatisticsAfterTheActivation) {
  Mlp m(kW1);
  PruneChannelsOptions o;
  o.ratio = 0.25;
  o.criterion = PruneCriterion::kActivation;
  const Value* landing = LandingValue(m.b.graph(), *m.b.graph().FindNode("fc1"));
  EXPECT_EQ(landing->name(), "relu_out");
  o.activation["relu_out"] = {4.0, 3.0, 0.5, 9.0};
  EXPECT_EQ(KeepOfOnlyGroup(m.b.graph(), o), (std::vector<bool>{true, true, false, true}));
  o.activation.clear();
  const ChannelAnalysis a = AnalyzeChannels(m.b.graph());
  auto missing = ChooseChannels(m.b.graph(), a, o);
  EXPECT_EQ(missing.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(missing.status().message().find("relu_out"), std::string::npos);
}

TEST(PruneChannelsTest, GlobalRankingPrunesTheRelativelyWeakestChannels) {
  // Two groups: conv_a (channel L1 norms 1, 1, 1, 10 -> mean 3.25) and conv_b (10, 10, 10, 10).
  GraphBuilder b;
  Value* x = b.Input("x", {1, 1, 2, 2});
  auto conv = [&](const std::string& name, Value* in, std::vector<float> w) {
    return b.Out(OpKind::kConv, name,
                 {in, b.graph().AddConstant(
                          name + "_w", Tensor::FromVector<float>(
                                           {4, static_cast<int64_t>(w.size() / 4), 1, 1}, w))});
  };
  Value* ya = b.Out(OpKind::kRelu, "ra", {conv("conv_a", x, {1, 1, 1, 10})});
  std::vector<float> wb(16, 2.5f);
  Value* yb = b.Out(OpKind::kRelu, "rb", {conv("conv_b", ya, wb)});
  b.Output(b.Out(OpKind::kConv, "conv_c", {yb, b.Const("wc", {2, 4, 1, 1})}));
  const ChannelAnalysis a = AnalyzeChannels(b.graph());
  PruneChannelsOptions o;
  o.ratio = 3.0 / 8.0;  // 3 of the 8 prunable channels
  o.global = true;
  auto keep = ChooseChannels(b.graph(), a, o);
  ASSERT_TRUE(keep.ok()) << keep.status().ToString();
  int64_t removed_a = 0, removed_b = 0;
  for (const auto& [g, mask] : *keep) {
    const int64_t removed = std::count(mask.begin(), mask.end(), false);
    (a.groups[g].name() == "conv_a" ? removed_a : removed_b) += removed;
  }
  EXPECT_EQ(removed_a, 3);  // normalized scores 0.31 < 1.0 of every conv_b channel
  EXPECT_EQ(removed_b, 0);
}

TEST(PruneChannelsTest, PassShrinksTheGraphAndZeroRatioKeepsIt) {
  Mlp m(kW1);
  auto before = m.b.graph().Clone();
  PruneChannelsOptions zero;
  zero.ratio = 0.0;
  PruneChannelsPass keep_all(zero);
  PassStats stats;
  ASSERT_TRUE(RunPass(m.b.graph(), keep_all, &stats).ok());
  EXPECT_TRUE(stats.notes.empty());
  ExpectSameFunction(*before, m.b.graph(), 0.0f);

  PruneChannelsOptions half;
  half.ratio = 0.5;
  PruneChannelsPass pass(half);
  ASSERT_TRUE(RunPass(m.b.graph(), pass, &stats).ok());
  EXPECT_EQ(m.b.graph().FindNode("fc1")->input(1)->shape(), (Shape{2, 4}));
  EXPECT_EQ(m.b.graph().FindNode("fc2")->input(1)->shape(), (Shape{3, 2}));
  EXPECT_EQ(m.b.graph().outputs()[0]->shape(), (Shape{1, 3}));  // classifier outputs kept
  ASSERT_EQ(stats.notes.size(), 1u);
  EXPECT_NE(stats.notes[0].find("4 -> 2"), std::string::npos);
}

TEST(PruneChannelsTest, RegisteredPassRunsWithItsDefaults) {
  Mlp m(kW1);
  auto pass = CreatePass("prune_channels");
  ASSERT_NE(pass, nullptr);
  PassStats stats;
  ASSERT_TRUE(RunPass(m.b.graph(), *pass, &stats).ok());
  EXPECT_EQ(m.b.graph().FindNode("fc1")->input(1)->shape(), (Shape{3, 4}));  // 25% of 4
}

TEST(PruneChannelsTest, BadOptionsAreInvalidArgument) {
  Mlp m(kW1);
  const ChannelAnalysis a = AnalyzeChannels(m.b.graph());
  PruneChannelsOptions o;
  o.ratio = 1.0;
  EXPECT_EQ(ChooseChannels(m.b.graph(), a, o).status().code(), StatusCode::kInvalidArgument);
  o.ratio = 0.0;
  o.per_layer = {{"nope", 0.5}};
  auto unknown = ChooseChannels(m.b.graph(), a, o);
  EXPECT_EQ(unknown.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(unknown.status().message().find("'nope'"), std::string::npos);
  o.per_layer = {{"fc2", 0.5}};  // the classifier
  auto frozen = ChooseChannels(m.b.graph(), a, o);
  EXPECT_EQ(frozen.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(frozen.status().message().find("graph output"), std::string::npos);
  o.per_layer = {{"fc1", 0.5}};
  o.global = true;
  EXPECT_EQ(ChooseChannels(m.b.graph(), a, o).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParsePruneCriterion("l3").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParsePruneCriterion("bn").value(), PruneCriterion::kBatchNorm);
}

}  // namespace
}  // namespace tinyq
