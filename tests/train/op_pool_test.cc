// MaxPool, AveragePool and GlobalAveragePool gradients against central differences.
#include "tests/train/grad_check.h"

namespace tinyq::train::testing {
namespace {

TEST(PoolOpTest, MaxPool2x2Stride2) {
  NetBuilder net({1, 2, 4, 4});
  net.Bias(1);
  Node* p = net.Add(OpKind::kMaxPool);
  p->SetInts("kernel_shape", {2, 2});
  p->SetInts("strides", {2, 2});
  net.Done();
  CheckNet(net);
}

TEST(PoolOpTest, MaxPoolOverlappingPadded) {
  NetBuilder net({1, 1, 5, 5});
  net.Bias(2);
  Node* p = net.Add(OpKind::kMaxPool);
  p->SetInts("kernel_shape", {3, 3});
  p->SetInts("strides", {2, 2});
  p->SetInts("pads", {1, 1, 1, 1});
  net.Done();
  CheckNet(net);
}

TEST(PoolOpTest, AveragePoolExcludingPad) {
  NetBuilder net({1, 2, 4, 4});
  net.Bias(3);
  Node* p = net.Add(OpKind::kAveragePool);
  p->SetInts("kernel_shape", {3, 3});
  p->SetInts("pads", {1, 1, 1, 1});
  net.Done();
  CheckNet(net);
}

TEST(PoolOpTest, AveragePoolIncludingPad) {
  NetBuilder net({1, 2, 4, 4});
  net.Bias(4);
  Node* p = net.Add(OpKind::kAveragePool);
  p->SetInts("kernel_shape", {3, 3});
  p->SetInts("strides", {2, 2});
  p->SetInts("pads", {1, 1, 1, 1});
  p->SetInt("count_include_pad", 1);
  net.Done();
  CheckNet(net);
}

TEST(PoolOpTest, GlobalAveragePool) {
  NetBuilder net({1, 3, 3, 2});
  net.Bias(5);
  net.Add(OpKind::kGlobalAveragePool);
  net.Done();
  CheckNet(net);
}

TEST(PoolOpTest, MaxPoolRoutesGradientToTheMaximum) {
  NetBuilder net({1, 1, 1, 4});
  net.Add(OpKind::kAdd, {net.graph.AddConstant(
                            "p", Tensor::FromVector<float>({1, 1, 1, 4}, {0.f, 0.f, 0.f, 0.f}))});
  net.Done();
  Node* p = net.Add(OpKind::kMaxPool);
  p->SetInts("kernel_shape", {1, 2});
  p->SetInts("strides", {1, 2});
  net.Done();
  net.Finish();
  auto prog = TrainProgram::Create(net.graph);
  ASSERT_TRUE(prog.ok());
  const std::vector<float> x = {1.f, 5.f, 7.f, 2.f}, r = {10.f, 20.f};
  (*prog)->Forward(x.data(), 1);
  (*prog)->ZeroParamGrads();
  (*prog)->Backward(r.data());
  EXPECT_EQ((*prog)->ParamGrad((*prog)->params()[0]), (FloatVec{0.f, 10.f, 20.f, 0.f}));
}

}  // namespace
}  // namespace tinyq::train::testing
