// BatchNormalization: inference-form and training-form (batch statistics) gradients against
// central differences, the training forward against a direct computation, and the running
// statistics (momentum update, exact re-estimation, write-back).
#include <cmath>

#include "tests/train/grad_check.h"

namespace tinyq::train::testing {
namespace {

TEST(BatchNormOpTest, ScaleBiasAndInputGradientsMatch) {
  NetBuilder net({1, 3, 2, 2});
  net.Bias(1);
  Node* bn = net.Add(
      OpKind::kBatchNormalization,
      {net.Const({3}, 2), net.Const({3}, 3), net.Const({3}, 4), net.Const({3}, 5, 0.5f, 2.0f)});
  bn->SetFloat("epsilon", 1e-3f);
  net.Done();
  CheckNet(net);
}

TEST(BatchNormOpTest, MeanAndVarAreNotTrained) {
  NetBuilder net({1, 2});
  net.Add(OpKind::kBatchNormalization,
          {net.Const({2}, 2), net.Const({2}, 3), net.Const({2}, 4), net.Const({2}, 5, 0.5f, 2.0f)});
  net.Done();
  net.Finish();
  auto p = TrainProgram::Create(net.graph);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ((*p)->params().size(), 2u);  // scale and B
  EXPECT_EQ((*p)->NumParamElements(), 4);
}

// x -> (* trained per-element factor) -> (+ trained per-element bias) -> BN -> Relu -> Gemm.
// The factor's gradient is sum_n dx_n * x_n and the bias's sum_n dx_n: two different sample
// weightings of the BN input gradient, so a wrong batch term in dx shows in at least one of them.
std::unique_ptr<Graph> TrainingFormNet() {
  NetBuilder net({1, 3, 2, 2});
  net.Add(OpKind::kMul, {net.Const({1, 3, 2, 2}, 11, 0.5f, 1.5f)});
  net.Done();
  net.Bias(12);
  Node* bn = net.Add(
      OpKind::kBatchNormalization,
      {net.Const({3}, 13), net.Const({3}, 14), net.Const({3}, 15), net.Const({3}, 16, 0.5f, 2.0f)});
  bn->SetFloat("epsilon", 1e-3f);
  net.Done();
  net.Add(OpKind::kRelu);
  net.Done();
  net.Add(OpKind::kFlatten);
  net.last->SetInt("axis", 1);
  net.Done();
  Node* fc = net.Add(OpKind::kGemm, {net.Const({4, 12}, 17)});
  fc->SetInt("transB", 1);
  net.Done();
  net.Finish();
  return net.graph.Clone();
}

TEST(BatchNormOpTest, TrainingFormGradientsMatchFiniteDifferences) {
  const std::unique_ptr<Graph> g = TrainingFormNet();
  ASSERT_TRUE(Verify(*g).ok());
  for (int64_t batch : {3, 5}) {
    auto created = TrainProgram::Create(*g);
    ASSERT_TRUE(created.ok()) << created.status().ToString();
    TrainProgram& p = **created;
    p.SetBatchNormMode(BnMode::kBatch);
    ExpectProgramGradientsMatch(p, batch, 1e-3f, 2e-2);
  }
}

TEST(BatchNormOpTest, TrainingFormNormalizesWithBatchStatisticsAndUpdatesRunning) {
  // x [4, 2] through BN with scale 1, bias 0, running mean 0, var 1, momentum 0.9.
  NetBuilder net({1, 2});
  Node* bn = net.Add(OpKind::kBatchNormalization,
                     {net.graph.AddConstant("scale", Tensor::FromVector<float>({2}, {1.f, 2.f})),
                      net.graph.AddConstant("bias", Tensor::FromVector<float>({2}, {0.f, 1.f})),
                      net.graph.AddConstant("rmean", Tensor::FromVector<float>({2}, {0.f, 0.f})),
                      net.graph.AddConstant("rvar", Tensor::FromVector<float>({2}, {1.f, 1.f}))});
  bn->SetFloat("epsilon", 0.0f);
  bn->SetFloat("momentum", 0.9f);
  net.Done();
  net.Finish();
  auto created = TrainProgram::Create(net.graph);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  TrainProgram& p = **created;
  // Channel 0: 1, 2, 3, 6 (mean 3, biased var 3.5, unbiased 14/3); channel 1: 4, 4, 6, 6 (mean
  // 5, biased var 1, unbiased 4/3).
  const std::vector<float> x = {1, 4, 2, 4, 3, 6, 6, 6};
  p.SetBatchNormMode(BnMode::kBatch);
  p.Forward(x.data(), 4);
  const float* y = p.Output();
  const double s0 = std::sqrt(3.5);
  EXPECT_NEAR(y[0], (1 - 3) / s0, 1e-5);
  EXPECT_NEAR(y[6], (6 - 3) / s0, 1e-5);
  EXPECT_NEAR(y[1], 2.0 * (4 - 5) / 1.0 + 1.0, 1e-5);
  EXPECT_NEAR(y[7], 2.0 * (6 - 5) / 1.0 + 1.0, 1e-5);
  // Running statistics: 0.9 * old + 0.1 * batch (unbiased variance), written back to the graph.
  const std::unique_ptr<Graph> out = net.graph.Clone();
  ASSERT_TRUE(p.WriteBack(out.get()).ok());
  const float* rm = out->FindValue("rmean")->constant()->data<float>();
  const float* rv = out->FindValue("rvar")->constant()->data<float>();
  EXPECT_NEAR(rm[0], 0.1 * 3.0, 1e-6);
  EXPECT_NEAR(rm[1], 0.1 * 5.0, 1e-6);
  EXPECT_NEAR(rv[0], 0.9 + 0.1 * 14.0 / 3.0, 1e-6);
  EXPECT_NEAR(rv[1], 0.9 + 0.1 * 4.0 / 3.0, 1e-6);
  // The inference form uses the running statistics and leaves them alone.
  p.SetBatchNormMode(BnMode::kRunning);
  p.Forward(x.data(), 4);
  EXPECT_NEAR(p.Output()[0], (1 - rm[0]) / std::sqrt(rv[0]), 1e-5);
  const std::unique_ptr<Graph> again = net.graph.Clone();
  ASSERT_TRUE(p.WriteBack(again.get()).ok());
  EXPECT_EQ(again->FindValue("rmean")->constant()->data<float>()[0], rm[0]);
}

TEST(BatchNormOpTest, EstimateModeAveragesBatchStatisticsExactly) {
  NetBuilder net({1, 1});
  net.Add(OpKind::kBatchNormalization,
          {net.graph.AddConstant("scale", Tensor::FromVector<float>({1}, {1.f})),
           net.graph.AddConstant("bias", Tensor::FromVector<float>({1}, {0.f})),
           net.graph.AddConstant("rmean", Tensor::FromVector<float>({1}, {100.f})),
           net.graph.AddConstant("rvar", Tensor::FromVector<float>({1}, {100.f}))});
  net.Done();
  net.Finish();
  auto created = TrainProgram::Create(net.graph);
  ASSERT_TRUE(created.ok());
  TrainProgram& p = **created;
  const std::vector<float> a = {0, 2}, b = {4, 8};  // means 1 and 6, unbiased vars 2 and 8
  p.BeginBatchNormEstimate();
  p.Forward(a.data(), 2);
  p.Forward(b.data(), 2);
  const std::unique_ptr<Graph> out = net.graph.Clone();
  ASSERT_TRUE(p.WriteBack(out.get()).ok());
  EXPECT_NEAR(out->FindValue("rmean")->constant()->data<float>()[0], 3.5, 1e-6);  // not 100
  EXPECT_NEAR(out->FindValue("rvar")->constant()->data<float>()[0], 5.0, 1e-6);
}

TEST(BatchNormOpTest, SaveAndRestoreStateCoverRunningStatistics) {
  const std::unique_ptr<Graph> g = TrainingFormNet();
  auto created = TrainProgram::Create(*g);
  ASSERT_TRUE(created.ok());
  TrainProgram& p = **created;
  const std::vector<FloatVec> saved = p.SaveState();
  const std::vector<float> x = RandomVector(3 * 12, 7);
  p.SetBatchNormMode(BnMode::kBatch);
  p.Forward(x.data(), 3);  // moves the running statistics
  EXPECT_NE(p.SaveState(), saved);
  p.RestoreState(saved);
  EXPECT_EQ(p.SaveState(), saved);
}

}  // namespace
}  // namespace tinyq::train::testing
