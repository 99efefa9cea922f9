// Tests of ReduceF32 and the ReduceMean / ReduceMax / ReduceSum kernels.
#include "src/exec/reduce_f32.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "tests/exec/nn_test_util.h"

namespace tinyq {
namespace {

using testing_nn::ExpectNear;
using testing_nn::OneNode;
using testing_nn::RandomTensor;
using testing_nn::Values;

TEST(ReduceF32Test, HandComputedEachKind) {
  // x = [[1, 2, 3], [4, 5, 6]].
  const std::vector<float> x = {1, 2, 3, 4, 5, 6};
  std::vector<float> out(3);
  ReduceF32(MakeReduceParamsF32(ReduceKind::kSum, {2, 3}, {true, false}), x.data(), out.data());
  ExpectNear(out, {5, 7, 9});
  out.resize(2);
  ReduceF32(MakeReduceParamsF32(ReduceKind::kMean, {2, 3}, {false, true}), x.data(), out.data());
  ExpectNear(out, {2, 5});
  out.resize(1);
  ReduceF32(MakeReduceParamsF32(ReduceKind::kMax, {2, 3}, {true, true}), x.data(), out.data());
  ExpectNear(out, {6});
}

TEST(ReduceKernelTest, MeanOverAxes0And2MatchesNaive) {
  const Tensor x = RandomTensor({3, 4, 5}, 1);
  OneNode t(OpKind::kReduceMean, x, {});
  t.node->SetInts("axes", {0, -1});
  t.node->SetInt("keepdims", 0);
  ASSERT_TRUE(t.Prepare().ok());
  const Tensor y = t.Eval();
  ASSERT_EQ(y.shape(), (Shape{4}));
  std::vector<float> want(4, 0.0f);
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 4; ++j)
      for (int k = 0; k < 5; ++k) want[j] += x.data<float>()[(i * 4 + j) * 5 + k] / 15.0f;
  ExpectNear(Values(y), want);
}

TEST(ReduceKernelTest, MaxKeepdimsMiddleAxis) {
  const Tensor x = RandomTensor({2, 3, 2}, 2);
  OneNode t(OpKind::kReduceMax, x, {});
  t.node->SetInts("axes", {1});
  ASSERT_TRUE(t.Prepare().ok());
  const Tensor y = t.Eval();
  ASSERT_EQ(y.shape(), (Shape{2, 1, 2}));
  std::vector<float> want;
  for (int i = 0; i < 2; ++i)
    for (int k = 0; k < 2; ++k) {
      float m = x.data<float>()[i * 6 + k];
      for (int j = 1; j < 3; ++j) m = std::max(m, x.data<float>()[(i * 3 + j) * 2 + k]);
      want.push_back(m);
    }
  ExpectNear(Values(y), want);
}

TEST(ReduceKernelTest, NoAxesReducesAllUnlessNoop) {
  const Tensor x = Tensor::FromVector<float>({2, 2}, {1, 2, 3, 4});
  OneNode all(OpKind::kReduceSum, x, {});
  ASSERT_TRUE(all.Prepare().ok());
  const Tensor y = all.Eval();
  EXPECT_EQ(y.shape(), (Shape{1, 1}));
  ExpectNear(Values(y), {10});
  OneNode noop(OpKind::kReduceSum, x, {});
  noop.node->SetInt("noop_with_empty_axes", 1);
  ASSERT_TRUE(noop.Prepare().ok());
  ExpectNear(Values(noop.Eval()), {1, 2, 3, 4});
}

TEST(ReduceKernelTest, RepeatedAxisIsRefused) {
  OneNode t(OpKind::kReduceSum, RandomTensor({2, 3}, 3), {});
  t.node->SetInts("axes", {1, -1});
  EXPECT_EQ(t.Prepare().code(), StatusCode::kInvalidModel);
}

}  // namespace
}  // namespace tinyq
