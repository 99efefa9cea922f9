// Tests of ResizeF32 and the Resize kernel: hand-computed nearest/linear cases per coordinate
// mode, a bilinear direct-definition reference, and refused modes.
#include "src/exec/resize_f32.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "tests/exec/nn_test_util.h"

namespace tinyq {
namespace {

using testing_nn::ExpectNear;
using testing_nn::OneNode;
using testing_nn::RandomTensor;
using testing_nn::Values;

// Resize of x [1, 1, 1, W] to width `out` via the sizes input.
std::vector<float> Resize1d(const std::vector<float>& x, int64_t out, const std::string& mode,
                            const std::string& coord, const std::string& nearest) {
  const int64_t w = static_cast<int64_t>(x.size());
  const Tensor sizes = Tensor::FromVector<int64_t>({4}, {1, 1, 1, out});
  OneNode t(OpKind::kResize, Tensor::FromVector<float>({1, 1, 1, w}, x),
            {nullptr, nullptr, &sizes});
  t.node->SetString("mode", mode);
  t.node->SetString("coordinate_transformation_mode", coord);
  t.node->SetString("nearest_mode", nearest);
  const Status s = t.Prepare();
  EXPECT_TRUE(s.ok()) << s.ToString();
  if (!s.ok()) return {};
  return Values(t.Eval());
}

TEST(ResizeF32Test, NearestModesAtHalfwayPoints) {
  // asymmetric, 2 -> 4: source coordinates 0, 0.5, 1, 1.5.
  ExpectNear(Resize1d({10, 20}, 4, "nearest", "asymmetric", "round_prefer_floor"),
             {10, 10, 20, 20});
  ExpectNear(Resize1d({10, 20}, 4, "nearest", "asymmetric", "round_prefer_ceil"), {10, 20, 20, 20});
  ExpectNear(Resize1d({10, 20}, 4, "nearest", "asymmetric", "floor"), {10, 10, 20, 20});
  ExpectNear(Resize1d({10, 20}, 4, "nearest", "asymmetric", "ceil"), {10, 20, 20, 20});
}

TEST(ResizeF32Test, LinearCoordinateModes) {
  // half_pixel 2 -> 4: coordinates -0.25 (clamped), 0.25, 0.75, 1.25 (clamped).
  ExpectNear(Resize1d({1, 2}, 4, "linear", "half_pixel", "floor"), {1, 1.25f, 1.75f, 2});
  // align_corners 2 -> 3: coordinates 0, 0.5, 1.
  ExpectNear(Resize1d({1, 2}, 3, "linear", "align_corners", "floor"), {1, 1.5f, 2});
  // asymmetric 2 -> 4: coordinates 0, 0.5, 1, 1.5 (clamped to 1).
  ExpectNear(Resize1d({1, 2}, 4, "linear", "asymmetric", "floor"), {1, 1.5f, 2, 2});
  // pytorch_half_pixel to a single output: coordinate 0.
  ExpectNear(Resize1d({1, 2, 3}, 1, "linear", "pytorch_half_pixel", "floor"), {1});
  // tf_half_pixel_for_nearest 2 -> 4 nearest: coordinates 0.25, 0.75, 1.25, 1.75.
  ExpectNear(Resize1d({1, 2}, 4, "nearest", "tf_half_pixel_for_nearest", "round_prefer_floor"),
             {1, 2, 2, 2});
}

TEST(ResizeF32Test, BilinearHalfPixelMatchesNaive) {
  const Tensor x = RandomTensor({1, 2, 3, 4}, 1);
  const Tensor scales = Tensor::FromVector<float>({4}, {1, 1, 2.5f, 1.5f});
  OneNode t(OpKind::kResize, x, {nullptr, &scales});
  t.node->SetString("mode", "linear");
  ASSERT_TRUE(t.Prepare().ok()) << t.Prepare().ToString();
  const Tensor y = t.Eval();
  ASSERT_EQ(y.shape(), (Shape{1, 2, 7, 6}));
  std::vector<float> want;
  auto coord = [](int64_t j, double scale, int64_t in) {
    return std::min(std::max((j + 0.5) / scale - 0.5, 0.0), static_cast<double>(in - 1));
  };
  for (int c = 0; c < 2; ++c)
    for (int64_t i = 0; i < 7; ++i)
      for (int64_t j = 0; j < 6; ++j) {
        const double sy = coord(i, 2.5, 3), sx = coord(j, 1.5, 4);
        const int64_t y0 = static_cast<int64_t>(sy), x0 = static_cast<int64_t>(sx);
        const int64_t y1 = std::min<int64_t>(y0 + 1, 2), x1 = std::min<int64_t>(x0 + 1, 3);
        const double fy = sy - y0, fx = sx - x0;
        auto at = [&](int64_t r, int64_t q) { return x.data<float>()[(c * 3 + r) * 4 + q]; };
        want.push_back(static_cast<float>((1 - fy) * ((1 - fx) * at(y0, x0) + fx * at(y0, x1)) +
                                          fy * ((1 - fx) * at(y1, x0) + fx * at(y1, x1))));
      }
  ExpectNear(Values(y), want, 1e-5f);
}

TEST(ResizeKernelTest, CubicAndCropAndResizeAreUnsupported) {
  const Tensor scales = Tensor::FromVector<float>({4}, {1, 1, 2, 2});
  OneNode cubic(OpKind::kResize, RandomTensor({1, 1, 2, 2}, 2), {nullptr, &scales});
  cubic.node->SetString("mode", "cubic");
  const Status s = cubic.Prepare();
  EXPECT_EQ(s.code(), StatusCode::kUnsupported);
  EXPECT_NE(s.message().find("node 'n1' (Resize)"), std::string::npos) << s.message();
  OneNode crop(OpKind::kResize, RandomTensor({1, 1, 2, 2}, 3), {nullptr, &scales});
  crop.node->SetString("coordinate_transformation_mode", "tf_crop_and_resize");
  EXPECT_EQ(crop.Prepare().code(), StatusCode::kUnsupported);
}

TEST(ResizeKernelTest, ScalesAndSizesTogetherAreRefused) {
  const Tensor scales = Tensor::FromVector<float>({4}, {1, 1, 2, 2});
  const Tensor sizes = Tensor::FromVector<int64_t>({4}, {1, 1, 4, 4});
  OneNode t(OpKind::kResize, RandomTensor({1, 1, 2, 2}, 4), {nullptr, &scales, &sizes});
  EXPECT_EQ(t.Prepare().code(), StatusCode::kInvalidModel);
}

}  // namespace
}  // namespace tinyq
