// BatchNormalization (inference form) gradients against central differences.
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

}  // namespace
}  // namespace tinyq::train::testing
