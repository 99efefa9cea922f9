// Conv gradients (weights, bias, input through a bias in front) against central differences.
#include "tests/train/grad_check.h"

namespace tinyq::train::testing {
namespace {

TEST(ConvOpTest, Stride2Pad1GradientsMatchFiniteDifferences) {
  NetBuilder net({1, 3, 5, 5});
  net.Bias(1);
  Node* c = net.Add(OpKind::kConv, {net.Const({4, 3, 3, 3}, 2), net.Const({4}, 3)});
  c->SetInts("strides", {2, 2});
  c->SetInts("pads", {1, 1, 1, 1});
  net.Done();
  CheckNet(net);
}

TEST(ConvOpTest, DilatedAsymmetricPadsWithoutBias) {
  NetBuilder net({1, 2, 6, 5});
  net.Bias(4);
  Node* c = net.Add(OpKind::kConv, {net.Const({3, 2, 2, 3}, 5)});
  c->SetInts("dilations", {2, 1});
  c->SetInts("pads", {0, 1, 1, 0});
  net.Done();
  CheckNet(net);
}

TEST(ConvOpTest, DepthwiseGradientsMatch) {
  NetBuilder net({1, 3, 5, 5});
  net.Bias(6);
  Node* c = net.Add(OpKind::kConv, {net.Const({3, 1, 3, 3}, 7), net.Const({3}, 8)});
  c->SetInt("group", 3);
  c->SetInts("pads", {1, 1, 1, 1});
  net.Done();
  CheckNet(net);
}

TEST(ConvOpTest, GroupedPointwiseGradientsMatch) {
  NetBuilder net({1, 4, 3, 3});
  net.Bias(9);
  Node* c = net.Add(OpKind::kConv, {net.Const({6, 2, 1, 1}, 10), net.Const({6}, 11)});
  c->SetInt("group", 2);
  net.Done();
  CheckNet(net);
}

TEST(ConvOpTest, PointwiseStride2AndDepthwiseMultiplier2GradientsMatch) {
  // A 1x1 stride-2 Conv (a ResNet shortcut: not the identity window), then a depthwise Conv with
  // two filters per channel (one-channel groups, but not the one-filter fast path).
  NetBuilder net({1, 2, 5, 5});
  net.Bias(20);
  Node* c = net.Add(OpKind::kConv, {net.Const({3, 2, 1, 1}, 21)});
  c->SetInts("strides", {2, 2});
  net.Done();
  Node* d = net.Add(OpKind::kConv, {net.Const({6, 1, 3, 3}, 22), net.Const({6}, 23)});
  d->SetInt("group", 3);
  d->SetInts("pads", {1, 1, 1, 1});
  net.Done();
  CheckNet(net);
}

TEST(ConvOpTest, OneDimensionalConvGradientsMatch) {
  NetBuilder net({1, 2, 7});
  net.Bias(12);
  Node* c = net.Add(OpKind::kConv, {net.Const({3, 2, 3}, 13), net.Const({3}, 14)});
  c->SetInts("strides", {2});
  net.Done();
  CheckNet(net);
}

TEST(ConvOpTest, HandComputedWeightGradient) {
  // y = conv(x, w) with a 1x1 kernel on one channel: dL/dw = sum_p x[p] * r[p].
  NetBuilder net({1, 1, 1, 2});
  net.Add(OpKind::kConv,
          {net.graph.AddConstant("w", Tensor::FromVector<float>({1, 1, 1, 1}, {2.0f}))});
  net.Done();
  net.Finish();
  auto p = TrainProgram::Create(net.graph);
  ASSERT_TRUE(p.ok());
  const std::vector<float> x = {1.0f, 3.0f}, r = {0.5f, -1.0f};
  (*p)->Forward(x.data(), 1);
  EXPECT_FLOAT_EQ((*p)->Output()[1], 6.0f);
  (*p)->ZeroParamGrads();
  (*p)->Backward(r.data());
  EXPECT_FLOAT_EQ((*p)->ParamGrad((*p)->params()[0])[0], 1.0f * 0.5f + 3.0f * -1.0f);
}

}  // namespace
}  // namespace tinyq::train::testing
