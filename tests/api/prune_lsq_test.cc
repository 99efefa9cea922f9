#include <gtest/gtest.h>

#include <random>

#include "passes/prune_groups.h"
#include "tests/passes/pass_test_util.h"
#include "tinyq/prune.h"

namespace tinyq {
namespace {

using testing::GraphBuilder;

// x[1,3] -> fc1 (4 channels; channel 3 = channel 0 + channel 1) -> fc2 (2 outputs) -> y.
// Linear, so after removing channel 3 a re-fit fc2 (W2[:,0] += W2[:,3], W2[:,1] += W2[:,3])
// reproduces y exactly: the least-squares error must drop from clearly > 0 to ~0.
struct Redundant {
  GraphBuilder b;
  Redundant() {
    Value* x = b.Input("x", {1, 3});
    Value* w1 = b.Const("w1", {4, 3});
    float* w = w1->mutable_constant()->data<float>();
    for (int j = 0; j < 3; ++j) w[9 + j] = w[j] + w[3 + j];
    Value* h = b.Out(OpKind::kGemm, "fc1", {x, w1}, [](Node* n) { n->SetInt("transB", 1); });
    b.Output(b.Out(OpKind::kGemm, "fc2", {h, b.Const("w2", {2, 4}), b.Const("b2", {2})},
                   [](Node* n) { n->SetInt("transB", 1); }));
  }
};

Tensor RandomBatch(int64_t n, int64_t k, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(-1.0f, 1.0f);
  Tensor t(DType::kF32, {n, k});
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = d(rng);
  return t;
}

TEST(ReconstructLeastSquaresTest, RedundantChannelIsRecoveredExactly) {
  Redundant r;
  auto original = r.b.graph().Clone();
  const ChannelAnalysis a = AnalyzeChannels(r.b.graph());
  ASSERT_EQ(a.Prunable().size(), 1u);
  ASSERT_TRUE(RemoveChannels(r.b.graph(), a, {{a.Prunable()[0], {true, true, true, false}}}).ok());
  auto rec = ReconstructLeastSquares(*original, r.b.graph(), {"fc2"}, {}, RandomBatch(64, 3, 7),
                                     1e-9, 0, 1);
  ASSERT_TRUE(rec.ok()) << rec.status().ToString();
  ASSERT_EQ(rec->size(), 1u);
  EXPECT_EQ((*rec)[0].rows, 64);
  EXPECT_GT((*rec)[0].error_before, 1e-2);
  EXPECT_LT((*rec)[0].error_after, 1e-8);
  ASSERT_TRUE(Verify(r.b.graph()).ok());
  testing::ExpectSameFunction(*original, r.b.graph(), 1e-4f);
}

TEST(ReconstructLeastSquaresTest, UnknownNodeIsNotFound) {
  Redundant r;
  auto original = r.b.graph().Clone();
  auto rec = ReconstructLeastSquares(*original, r.b.graph(), {"nope"}, {}, RandomBatch(4, 3, 1),
                                     1e-3, 0, 1);
  EXPECT_EQ(rec.status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace tinyq
