// Relu, LeakyRelu, Clip and Softmax gradients against central differences.
#include "tests/train/grad_check.h"

namespace tinyq::train::testing {
namespace {

TEST(ActivationOpTest, ReluThenLinear) {
  NetBuilder net({1, 6});
  net.Bias(1);
  net.Add(OpKind::kRelu);
  net.Done();
  net.Add(OpKind::kMul, {net.Const({6}, 2)});
  net.Done();
  CheckNet(net);
}

TEST(ActivationOpTest, LeakyReluAlpha) {
  NetBuilder net({1, 6});
  net.Bias(3);
  net.Add(OpKind::kLeakyRelu)->SetFloat("alpha", 0.2f);
  net.Done();
  CheckNet(net);
}

TEST(ActivationOpTest, ClipWithConstantBounds) {
  NetBuilder net({1, 8});
  net.Bias(4);
  net.Add(OpKind::kClip, {net.graph.AddConstant("lo", Tensor::FromVector<float>({}, {-0.5f})),
                          net.graph.AddConstant("hi", Tensor::FromVector<float>({}, {0.7f}))});
  net.Done();
  CheckNet(net);
}

TEST(ActivationOpTest, SoftmaxLastAxis) {
  NetBuilder net({1, 2, 5});
  net.Bias(5);
  net.Add(OpKind::kSoftmax)->SetInt("axis", -1);
  net.Done();
  CheckNet(net);
}

TEST(ActivationOpTest, ReluHandComputedInputGradient) {
  // y = relu(x + p) with p = [-1, 1], x = [0.5, 0.5]: dL/dp = r * [x + p > 0] = [0, r1].
  NetBuilder net({1, 2});
  net.Add(OpKind::kAdd, {net.graph.AddConstant("p", Tensor::FromVector<float>({2}, {-1.f, 1.f}))});
  net.Done();
  net.Add(OpKind::kRelu);
  net.Done();
  net.Finish();
  auto p = TrainProgram::Create(net.graph);
  ASSERT_TRUE(p.ok());
  const std::vector<float> x = {0.5f, 0.5f}, r = {3.0f, 4.0f};
  (*p)->Forward(x.data(), 1);
  EXPECT_FLOAT_EQ((*p)->Output()[0], 0.0f);
  EXPECT_FLOAT_EQ((*p)->Output()[1], 1.5f);
  (*p)->ZeroParamGrads();
  (*p)->Backward(r.data());
  EXPECT_FLOAT_EQ((*p)->ParamGrad((*p)->params()[0])[0], 0.0f);
  EXPECT_FLOAT_EQ((*p)->ParamGrad((*p)->params()[0])[1], 4.0f);
}

}  // namespace
}  // namespace tinyq::train::testing
