// Tests of SoftmaxF32 / LogSoftmaxF32 and their kernels (axis, tq_coerce_2d).
#include "src/exec/softmax_f32.h"

#include <gtest/gtest.h>

#include <cmath>

#include "tests/exec/nn_test_util.h"

namespace tinyq {
namespace {

using testing_nn::ExpectNear;
using testing_nn::OneNode;
using testing_nn::RandomTensor;
using testing_nn::Values;

TEST(SoftmaxF32Test, HandComputedAndStableForLargeInputs) {
  // softmax([0, ln 3]) = [1/4, 3/4]; shifting by 1000 must not overflow.
  const std::vector<float> x = {0.0f, std::log(3.0f), 1000.0f, 1000.0f + std::log(3.0f)};
  std::vector<float> out(4);
  SoftmaxF32(2, 2, 1, x.data(), out.data());
  ExpectNear(out, {0.25f, 0.75f, 0.25f, 0.75f});
  LogSoftmaxF32(2, 2, 1, x.data(), out.data());
  ExpectNear(out, {std::log(0.25f), std::log(0.75f), std::log(0.25f), std::log(0.75f)}, 1e-4f);
}

// Softmax of x [2, 3, 4] over the dims in [first, last] (flattened), by definition.
std::vector<float> NaiveSoftmax(const Tensor& x, int outer, int n, int inner) {
  std::vector<float> out(static_cast<size_t>(outer * n * inner));
  for (int o = 0; o < outer; ++o)
    for (int j = 0; j < inner; ++j) {
      double sum = 0;
      for (int i = 0; i < n; ++i) sum += std::exp(x.data<float>()[(o * n + i) * inner + j]);
      for (int i = 0; i < n; ++i)
        out[(o * n + i) * inner + j] =
            static_cast<float>(std::exp(x.data<float>()[(o * n + i) * inner + j]) / sum);
    }
  return out;
}

TEST(SoftmaxKernelTest, MiddleAxisMatchesNaive) {
  const Tensor x = RandomTensor({2, 3, 4}, 1);
  OneNode t(OpKind::kSoftmax, x, {});
  t.node->SetInt("axis", 1);
  ASSERT_TRUE(t.Prepare().ok());
  ExpectNear(Values(t.Eval()), NaiveSoftmax(x, 2, 3, 4));
}

TEST(SoftmaxKernelTest, DefaultAxisIsLast) {
  const Tensor x = RandomTensor({2, 3, 4}, 2);
  OneNode t(OpKind::kSoftmax, x, {});
  ASSERT_TRUE(t.Prepare().ok());
  ExpectNear(Values(t.Eval()), NaiveSoftmax(x, 6, 4, 1));
}

TEST(SoftmaxKernelTest, Coerce2dFlattensFromAxis) {
  // Opset < 13: default axis 1 and the softmax runs over all of dims 1.. together.
  const Tensor x = RandomTensor({2, 3, 4}, 3);
  OneNode t(OpKind::kSoftmax, x, {});
  t.node->SetInt("tq_coerce_2d", 1);
  ASSERT_TRUE(t.Prepare().ok());
  ExpectNear(Values(t.Eval()), NaiveSoftmax(x, 2, 12, 1));
}

TEST(SoftmaxKernelTest, LogSoftmaxNegativeAxis) {
  const Tensor x = RandomTensor({2, 3, 4}, 4);
  OneNode t(OpKind::kLogSoftmax, x, {});
  t.node->SetInt("axis", -2);
  ASSERT_TRUE(t.Prepare().ok());
  std::vector<float> want = NaiveSoftmax(x, 2, 3, 4);
  for (float& v : want) v = std::log(v);
  ExpectNear(Values(t.Eval()), want, 1e-5f);
}

TEST(SoftmaxKernelTest, AxisOutOfRangeIsRefused) {
  OneNode t(OpKind::kSoftmax, RandomTensor({2, 3}, 5), {});
  t.node->SetInt("axis", 2);
  EXPECT_EQ(t.Prepare().code(), StatusCode::kInvalidModel);
}

}  // namespace
}  // namespace tinyq
