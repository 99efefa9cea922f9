// Add, Sub and Mul gradients, with broadcasting and fan-out, against central differences.
#include "tests/train/grad_check.h"

namespace tinyq::train::testing {
namespace {

TEST(BinaryOpTest, AddBroadcastsAPerChannelConstant) {
  NetBuilder net({1, 2, 3, 3});
  net.Add(OpKind::kAdd, {net.Const({2, 1, 1}, 1)});
  net.Done();
  net.Add(OpKind::kMul, {net.Const({1, 2, 3, 3}, 2)});
  net.Done();
  CheckNet(net);
}

TEST(BinaryOpTest, SubWithConstantFirst) {
  NetBuilder net({1, 4});
  net.Bias(3);
  Value* x = net.cur;
  net.Add(OpKind::kSub, {net.Const({4}, 4), x}, /*chain=*/false);
  net.Done();
  CheckNet(net);
}

TEST(BinaryOpTest, FanOutGradientsSum) {
  // y = a * a with a = x + p: dL/dp = sum 2 a r, both uses add into da.
  NetBuilder net({1, 5});
  net.Bias(5);
  Value* a = net.cur;
  net.Add(OpKind::kMul, {a});
  net.Done();
  CheckNet(net);
}

TEST(BinaryOpTest, MulOfTwoActivationsWithBroadcast) {
  // Squeeze-excitation style: x [1,2,2,2] * s [1,2,1,1], both depending on parameters.
  NetBuilder net({1, 2, 2, 2});
  net.Bias(6);
  Value* x = net.cur;
  net.Add(OpKind::kGlobalAveragePool);
  net.Done();
  net.Add(OpKind::kMul, {net.Const({1, 2, 1, 1}, 7)});
  net.Done();
  Value* s = net.cur;
  net.Add(OpKind::kMul, {x, s}, /*chain=*/false);
  net.Done();
  CheckNet(net);
}

}  // namespace
}  // namespace tinyq::train::testing
