// Tests of the pooling math and kernels: hand-computed windows, a direct-definition reference,
// and the refused MaxPool Indices output.
#include "src/exec/pool_f32.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <limits>

#include "tests/exec/nn_test_util.h"

namespace tinyq {
namespace {

using testing_nn::ExpectNear;
using testing_nn::OneNode;
using testing_nn::RandomTensor;
using testing_nn::Values;

// 2-D pooling by definition on [N*C, H, W]; `include_pad` counts taps inside the padded input.
std::vector<float> NaivePool2d(const Tensor& x, bool is_max, int64_t k, int64_t s, int64_t pb,
                               int64_t pe, int64_t oh, int64_t ow, bool include_pad) {
  const int64_t planes = x.dim(0) * x.dim(1), h = x.dim(2), w = x.dim(3);
  std::vector<float> out;
  for (int64_t c = 0; c < planes; ++c)
    for (int64_t y = 0; y < oh; ++y)
      for (int64_t xo = 0; xo < ow; ++xo) {
        float mx = -std::numeric_limits<float>::infinity();
        double sum = 0;
        int count = 0, padded = 0;
        for (int64_t i = 0; i < k; ++i)
          for (int64_t j = 0; j < k; ++j) {
            const int64_t iy = y * s - pb + i, ix = xo * s - pb + j;
            if (iy >= -pb && iy < h + pe && ix >= -pb && ix < w + pe) ++padded;
            if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
            const float v = x.data<float>()[(c * h + iy) * w + ix];
            mx = std::max(mx, v);
            sum += v;
            ++count;
          }
        out.push_back(is_max ? mx : static_cast<float>(sum / (include_pad ? padded : count)));
      }
  return out;
}

TEST(MaxPoolF32Test, HandComputed2x2Stride2) {
  const Tensor x = Tensor::FromVector<float>(
      {1, 1, 4, 4}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16});
  OneNode t(OpKind::kMaxPool, x, {});
  t.node->SetInts("kernel_shape", {2, 2});
  t.node->SetInts("strides", {2, 2});
  ASSERT_TRUE(t.Prepare().ok());
  const Tensor y = t.Eval();
  EXPECT_EQ(y.shape(), (Shape{1, 1, 2, 2}));
  ExpectNear(Values(y), {6, 8, 14, 16});
}

TEST(MaxPoolF32Test, CeilModePadsMatchNaive) {
  const Tensor x = RandomTensor({1, 2, 8, 8}, 1);
  OneNode t(OpKind::kMaxPool, x, {});
  t.node->SetInts("kernel_shape", {3, 3});
  t.node->SetInts("strides", {2, 2});
  t.node->SetInts("pads", {1, 1, 1, 1});
  t.node->SetInt("ceil_mode", 1);
  ASSERT_TRUE(t.Prepare().ok());
  const Tensor y = t.Eval();
  // (8 + 2 - 3) / 2 = 3.5 -> ceil 4 + 1 = 5; window 4 starts at 8 - 1 = 7 < 8 + 1: kept.
  ASSERT_EQ(y.shape(), (Shape{1, 2, 5, 5}));
  ExpectNear(Values(y), NaivePool2d(x, true, 3, 2, 1, 1, 5, 5, false));
}

TEST(AveragePoolF32Test, HandComputedExcludeAndIncludePad) {
  // 2x2 input, k 2, pads 1 at the start only -> 2x2 output; corner window sees one value.
  const Tensor x = Tensor::FromVector<float>({1, 1, 2, 2}, {1, 2, 3, 4});
  for (int include : {0, 1}) {
    OneNode t(OpKind::kAveragePool, x, {});
    t.node->SetInts("kernel_shape", {2, 2});
    t.node->SetInts("pads", {1, 1, 0, 0});
    t.node->SetInt("count_include_pad", include);
    ASSERT_TRUE(t.Prepare().ok());
    if (include)
      ExpectNear(Values(t.Eval()), {0.25f, 0.75f, 1.0f, 2.5f});
    else
      ExpectNear(Values(t.Eval()), {1.0f, 1.5f, 2.0f, 2.5f});
  }
}

TEST(AveragePoolF32Test, CountIncludePadStrideMatchesNaive) {
  const Tensor x = RandomTensor({2, 3, 7, 7}, 2);
  OneNode t(OpKind::kAveragePool, x, {});
  t.node->SetInts("kernel_shape", {3, 3});
  t.node->SetInts("strides", {2, 2});
  t.node->SetInts("pads", {1, 1, 1, 1});
  t.node->SetInt("count_include_pad", 1);
  ASSERT_TRUE(t.Prepare().ok());
  ExpectNear(Values(t.Eval()), NaivePool2d(x, false, 3, 2, 1, 1, 4, 4, true));
}

TEST(GlobalPoolF32Test, HandComputed) {
  const std::vector<float> x = {1, 2, 3, 4, -1, -2, -3, -4};
  std::vector<float> out(2);
  GlobalAveragePoolF32(2, 4, x.data(), out.data());
  ExpectNear(out, {2.5f, -2.5f});
  GlobalMaxPoolF32(2, 4, x.data(), out.data());
  ExpectNear(out, {4, -1});
}

TEST(GlobalPoolKernelTest, KeepsSpatialDimsAsOnes) {
  const Tensor x = RandomTensor({1, 3, 4, 5}, 3);
  OneNode t(OpKind::kGlobalAveragePool, x, {});
  ASSERT_TRUE(t.Prepare().ok());
  const Tensor y = t.Eval();
  EXPECT_EQ(y.shape(), (Shape{1, 3, 1, 1}));
  std::vector<float> want(3, 0.0f);
  for (int c = 0; c < 3; ++c) {
    for (int i = 0; i < 20; ++i) want[c] += x.data<float>()[c * 20 + i];
    want[c] /= 20.0f;
  }
  ExpectNear(Values(y), want);
}

TEST(MaxPoolKernelTest, UsedIndicesOutputIsUnsupported) {
  const Tensor x = RandomTensor({1, 1, 4, 4}, 4);
  OneNode t(OpKind::kMaxPool, x, {}, /*num_outputs=*/2);
  t.node->SetInts("kernel_shape", {2, 2});
  t.graph.outputs().push_back(t.node->output(1));
  const Status s = t.Prepare();
  EXPECT_EQ(s.code(), StatusCode::kUnsupported);
  EXPECT_NE(s.message().find("node 'n1' (MaxPool)"), std::string::npos) << s.message();
}

TEST(MaxPoolKernelTest, UnusedIndicesOutputIsAccepted) {
  const Tensor x = RandomTensor({1, 1, 4, 4}, 5);
  OneNode t(OpKind::kMaxPool, x, {}, /*num_outputs=*/2);
  t.node->SetInts("kernel_shape", {2, 2});
  EXPECT_TRUE(t.Prepare().ok());
}

TEST(PoolKernelTest, MissingKernelShapeIsRefused) {
  OneNode t(OpKind::kAveragePool, RandomTensor({1, 1, 4, 4}, 6), {});
  EXPECT_EQ(t.Prepare().code(), StatusCode::kInvalidModel);
}

}  // namespace
}  // namespace tinyq
