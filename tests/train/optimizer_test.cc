// SGD and Adam updates against hand-computed steps; the learning-rate schedule.
#include "src/train/optimizer.h"

#include <cmath>

#include "tests/train/grad_check.h"

namespace tinyq::train::testing {
namespace {

// A one-parameter program: y = x * w.
std::unique_ptr<TrainProgram> OneWeight(float w) {
  NetBuilder net({1, 1});
  net.Add(OpKind::kMul, {net.graph.AddConstant("w", Tensor::FromVector<float>({1}, {w}))});
  net.Done();
  net.Finish();
  return std::move(TrainProgram::Create(net.graph).value());
}

TEST(OptimizerTest, SgdMomentumAndWeightDecay) {
  auto p = OneWeight(1.0f);
  auto opt = MakeOptimizer("sgd", 0.9f, 0.1f);
  ASSERT_TRUE(opt.ok());
  (*p).ParamGrad(p->params()[0])[0] = 2.0f;
  (*opt)->Step(*p, 0.5f);  // v = 2 + .1 = 2.1; w = 1 - 1.05 = -0.05
  EXPECT_NEAR(p->ParamData(p->params()[0])[0], -0.05f, 1e-6f);
  (*opt)->Step(*p, 0.5f);  // v = .9 * 2.1 + 2 - .005 = 3.885; w = -.05 - 1.9425
  EXPECT_NEAR(p->ParamData(p->params()[0])[0], -1.9925f, 1e-6f);
}

TEST(OptimizerTest, AdamFirstStepMovesByLr) {
  // Bias-corrected m/sqrt(v) = g/|g| on the first step, so w moves by lr (minus eps effects).
  auto p = OneWeight(1.0f);
  auto opt = MakeOptimizer("adam", 0.0f, 0.0f);
  ASSERT_TRUE(opt.ok());
  p->ParamGrad(p->params()[0])[0] = -3.0f;
  (*opt)->Step(*p, 0.01f);
  EXPECT_NEAR(p->ParamData(p->params()[0])[0], 1.01f, 1e-6f);
}

TEST(OptimizerTest, SpansStepLikeAProgram) {
  // The same Adam update on a raw buffer (ParamSpan, as AdaRound uses it) and on a program.
  auto p = OneWeight(1.0f);
  auto a = MakeOptimizer("adam", 0.0f, 0.0f);
  auto b = MakeOptimizer("adam", 0.0f, 0.0f);
  ASSERT_TRUE(a.ok() && b.ok());
  float w = 1.0f, g = 0.0f;
  for (float grad : {-3.0f, 0.5f, 2.0f}) {
    p->ParamGrad(p->params()[0])[0] = grad;
    g = grad;
    (*a)->Step(*p, 0.01f);
    (*b)->Step({{&w, &g, 1}}, 0.01f);
    EXPECT_EQ(w, p->ParamData(p->params()[0])[0]);
  }
  EXPECT_NE(w, 1.0f);
}

TEST(OptimizerTest, UnknownNameIsInvalidArgument) {
  auto opt = MakeOptimizer("rmsprop", 0.0f, 0.0f);
  ASSERT_FALSE(opt.ok());
  EXPECT_EQ(opt.status().code(), StatusCode::kInvalidArgument);
}

TEST(ScheduleTest, WarmupRisesLinearlyThenCosineDecaysToZero) {
  // 10 steps, 4 of warm-up: 0.25, 0.5, 0.75, 1 of lr, then cosine over the remaining 6 steps.
  EXPECT_DOUBLE_EQ(ScheduledLearningRate("cosine", 2.0, 0, 10, 4), 0.5);
  EXPECT_DOUBLE_EQ(ScheduledLearningRate("cosine", 2.0, 3, 10, 4), 2.0);
  EXPECT_DOUBLE_EQ(ScheduledLearningRate("cosine", 2.0, 4, 10, 4), 2.0);    // cos(0)
  EXPECT_NEAR(ScheduledLearningRate("cosine", 2.0, 7, 10, 4), 1.0, 1e-12);  // cos(pi/2)
  EXPECT_NEAR(ScheduledLearningRate("cosine", 2.0, 9, 10, 4), 1.0 - std::cos(M_PI / 6), 1e-12);
  EXPECT_DOUBLE_EQ(ScheduledLearningRate("constant", 2.0, 1, 10, 4), 1.0);
  EXPECT_DOUBLE_EQ(ScheduledLearningRate("constant", 2.0, 9, 10, 4), 2.0);
  // Without warm-up the cosine starts at lr.
  EXPECT_DOUBLE_EQ(ScheduledLearningRate("cosine", 2.0, 0, 10, 0), 2.0);
}

}  // namespace
}  // namespace tinyq::train::testing
