// Tests of BatchNormF32 / InstanceNormF32 and their kernels.
#include "src/exec/norm_f32.h"

#include <gtest/gtest.h>

#include <cmath>

#include "tests/exec/nn_test_util.h"

namespace tinyq {
namespace {

using testing_nn::ExpectNear;
using testing_nn::OneNode;
using testing_nn::RandomTensor;
using testing_nn::Values;

TEST(BatchNormF32Test, HandComputed) {
  // c0: (x - 1) / sqrt(4) * 2 + 1 = x; c1: (x - 0) / sqrt(1) * 1 - 1 = x - 1 (epsilon 0).
  const std::vector<float> x = {1, 3, 5, 7}, scale = {2, 1}, bias = {1, -1}, mean = {1, 0},
                           var = {4, 1};
  std::vector<float> out(4);
  BatchNormF32(1, 2, 2, x.data(), scale.data(), bias.data(), mean.data(), var.data(), 0.0f,
               out.data());
  ExpectNear(out, {1, 3, 4, 6});
}

TEST(BatchNormKernelTest, MatchesDefinitionOnRank4) {
  const Tensor x = RandomTensor({2, 3, 2, 2}, 1);
  const Tensor scale = RandomTensor({3}, 2), bias = RandomTensor({3}, 3),
               mean = RandomTensor({3}, 4);
  const Tensor var = Tensor::FromVector<float>({3}, {0.5f, 1.0f, 2.0f});
  OneNode t(OpKind::kBatchNormalization, x, {&scale, &bias, &mean, &var});
  t.node->SetFloat("epsilon", 1e-3f);
  ASSERT_TRUE(t.Prepare().ok());
  std::vector<float> want(24);
  for (int i = 0; i < 24; ++i) {
    const int c = (i / 4) % 3;
    want[i] = scale.data<float>()[c] * (x.data<float>()[i] - mean.data<float>()[c]) /
                  std::sqrt(var.data<float>()[c] + 1e-3f) +
              bias.data<float>()[c];
  }
  ExpectNear(Values(t.Eval()), want);
}

TEST(BatchNormKernelTest, UsedTrainingOutputIsUnsupported) {
  const Tensor x = RandomTensor({1, 2, 2}, 5);
  const Tensor v = Tensor::FromVector<float>({2}, {1, 1});
  OneNode t(OpKind::kBatchNormalization, x, {&v, &v, &v, &v}, /*num_outputs=*/2);
  t.graph.outputs().push_back(t.node->output(1));
  EXPECT_EQ(t.Prepare().code(), StatusCode::kUnsupported);
}

TEST(BatchNormKernelTest, WrongChannelCountIsRefused) {
  const Tensor x = RandomTensor({1, 3, 2}, 6);
  const Tensor v = Tensor::FromVector<float>({2}, {1, 1});
  OneNode t(OpKind::kBatchNormalization, x, {&v, &v, &v, &v});
  EXPECT_EQ(t.Prepare().code(), StatusCode::kInvalidModel);
}

TEST(InstanceNormF32Test, HandComputed) {
  // Plane [1, 3]: mean 2, var 1 -> [-1, 1] (epsilon 0), then * 3 + 0.5.
  const std::vector<float> x = {1, 3}, scale = {3}, bias = {0.5f};
  std::vector<float> out(2);
  InstanceNormF32(1, 1, 2, x.data(), scale.data(), bias.data(), 0.0f, out.data());
  ExpectNear(out, {-2.5f, 3.5f});
}

TEST(InstanceNormKernelTest, MatchesDefinition) {
  const Tensor x = RandomTensor({2, 2, 3, 3}, 7);
  const Tensor scale = RandomTensor({2}, 8), bias = RandomTensor({2}, 9);
  OneNode t(OpKind::kInstanceNormalization, x, {&scale, &bias});
  ASSERT_TRUE(t.Prepare().ok());
  std::vector<float> want(36);
  for (int p = 0; p < 4; ++p) {
    double mean = 0, var = 0;
    for (int i = 0; i < 9; ++i) mean += x.data<float>()[p * 9 + i] / 9.0;
    for (int i = 0; i < 9; ++i) var += std::pow(x.data<float>()[p * 9 + i] - mean, 2) / 9.0;
    for (int i = 0; i < 9; ++i)
      want[p * 9 + i] = static_cast<float>(
          scale.data<float>()[p % 2] * (x.data<float>()[p * 9 + i] - mean) / std::sqrt(var + 1e-5) +
          bias.data<float>()[p % 2]);
  }
  ExpectNear(Values(t.Eval()), want, 1e-5f);
}

}  // namespace
}  // namespace tinyq
