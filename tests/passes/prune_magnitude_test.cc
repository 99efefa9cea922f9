#include "passes/prune_magnitude.h"

#include <gtest/gtest.h>

#include <vector>

#include "passes/registry.h"
#include "tests/passes/pass_test_util.h"

namespace tinyq {
namespace {

using testing::GraphBuilder;

// x[1,4] -> fc1 (B [2,4] transB) -> fc2 (B [4,2] transB = 0) -> output.
struct TwoLayers {
  GraphBuilder b;
  TwoLayers(const std::vector<float>& w1, const std::vector<float>& w2) {
    Value* x = b.Input("x", {1, 4});
    Value* y = b.Out(OpKind::kGemm, "fc1",
                     {x, b.graph().AddConstant("w1", Tensor::FromVector<float>({2, 4}, w1))},
                     [](Node* n) { n->SetInt("transB", 1); });
    b.Output(b.Out(OpKind::kGemm, "fc2",
                   {y, b.graph().AddConstant("w2", Tensor::FromVector<float>({2, 2}, w2))}));
  }
  std::vector<float> W(const std::string& node) {
    return b.graph().FindNode(node)->input(1)->constant()->ToFloatVector();
  }
};

Status RunMagnitude(Graph& g, PruneMagnitudeOptions o) {
  PruneMagnitudePass pass(o);
  PassStats stats;
  return RunPass(g, pass, &stats);
}

TEST(PruneMagnitudeTest, PerLayerZeroesTheSmallestOfEachLayer) {
  TwoLayers t({0.1f, -5, 0.3f, 2, -0.2f, 4, 1, -0.05f}, {10, -20, 30, 0.5f});
  PruneMagnitudeOptions o;
  o.sparsity = 0.5;
  ASSERT_TRUE(RunMagnitude(t.b.graph(), o).ok());
  EXPECT_EQ(t.W("fc1"), (std::vector<float>{0, -5, 0, 2, 0, 4, 1, 0}));
  EXPECT_EQ(t.W("fc2"), (std::vector<float>{0, -20, 30, 0}));
}

TEST(PruneMagnitudeTest, GlobalThresholdTakesMoreFromSmallLayers) {
  TwoLayers t({0.1f, -5, 0.3f, 2, -0.2f, 4, 1, -0.05f}, {10, -20, 30, 0.5f});
  PruneMagnitudeOptions o;
  o.sparsity = 0.5;  // 6 of 12: |w| 0.05 0.1 0.2 0.3 0.5 1
  o.global = true;
  ASSERT_TRUE(RunMagnitude(t.b.graph(), o).ok());
  EXPECT_EQ(t.W("fc1"), (std::vector<float>{0, -5, 0, 2, 0, 4, 0, 0}));
  EXPECT_EQ(t.W("fc2"), (std::vector<float>{10, -20, 30, 0}));
  EXPECT_DOUBLE_EQ(WeightSparsity(t.b.graph()), 0.5);
}

TEST(PruneMagnitudeTest, TwoOfFourKeepsTheTwoLargestOfEveryRunOfFour) {
  TwoLayers t({0.1f, -5, 0.3f, 2, -0.2f, 4, 1, -0.05f}, {10, -20, 30, 0.5f});
  PruneMagnitudeOptions o;
  o.n = 2;
  o.m = 4;
  ASSERT_TRUE(RunMagnitude(t.b.graph(), o).ok());
  EXPECT_EQ(t.W("fc1"), (std::vector<float>{0, -5, 0, 2, 0, 4, 1, 0}));
  // fc2 output channels are columns of B [2,2] (runs of 2 < M: keep ceil(2*2/4) = 1 each).
  EXPECT_EQ(t.W("fc2"), (std::vector<float>{0, -20, 30, 0}));
}

TEST(PruneMagnitudeTest, ZeroSparsityChangesNoWeight) {
  TwoLayers t({0.1f, -5, 0.3f, 2, -0.2f, 4, 1, -0.05f}, {10, -20, 30, 0.5f});
  auto before = t.b.graph().Clone();
  PruneMagnitudeOptions o;
  o.sparsity = 0.0;
  ASSERT_TRUE(RunMagnitude(t.b.graph(), o).ok());
  testing::ExpectSameFunction(*before, t.b.graph(), 0.0f);
}

TEST(PruneMagnitudeTest, BadOptionsAreInvalidArgument) {
  TwoLayers t({1, 2, 3, 4, 5, 6, 7, 8}, {1, 2, 3, 4});
  PruneMagnitudeOptions o;
  o.sparsity = 1.0;
  EXPECT_EQ(RunMagnitude(t.b.graph(), o).code(), StatusCode::kInvalidArgument);
  o.sparsity = 0.5;
  o.n = 4;
  o.m = 2;
  EXPECT_EQ(RunMagnitude(t.b.graph(), o).code(), StatusCode::kInvalidArgument);
  EXPECT_NE(CreatePass("prune_magnitude"), nullptr);
}

}  // namespace
}  // namespace tinyq
