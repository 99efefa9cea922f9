// Tests of the shifted-plane helpers: Im2ColShiftedF32 against a direct im2col with zero padding
// (including an infinite neighbour that a masked, wrapped read must not turn into NaN).
#include "src/exec/shifted_plane_f32.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "src/exec/window_table.h"
#include "tests/exec/nn_test_util.h"

namespace tinyq {
namespace {

Plane2dF32 Geometry(int64_t h, int64_t w, int64_t kh, int64_t kw, int64_t dh, int64_t dw,
                    int64_t pt, int64_t pl, int64_t pb, int64_t pr) {
  ConvGeometry g;
  g.in = {h, w};
  g.kernel = {kh, kw};
  g.strides = {1, 1};
  g.dilations = {dh, dw};
  g.pad_begin = {pt, pl};
  g.pad_end = {pb, pr};
  g.output_padding = {0, 0};
  g.out = {h + pt + pb - (kh - 1) * dh, w + pl + pr - (kw - 1) * dw};
  return MakePlane2dF32(g);
}

// col[t][i] by definition: the input under tap t of output i, 0 in the padding.
std::vector<float> NaiveIm2Col(const Plane2dF32& g, const std::vector<float>& x) {
  std::vector<float> col;
  for (int64_t ky = 0; ky < g.kernel_h; ++ky)
    for (int64_t kx = 0; kx < g.kernel_w; ++kx)
      for (int64_t oy = 0; oy < g.out_h; ++oy)
        for (int64_t ox = 0; ox < g.out_w; ++ox) {
          const int64_t iy = oy - g.pad_top + ky * g.dilation_h;
          const int64_t ix = ox - g.pad_left + kx * g.dilation_w;
          const bool inside = iy >= 0 && iy < g.in_h && ix >= 0 && ix < g.in_w;
          col.push_back(inside ? x[static_cast<size_t>(iy * g.in_w + ix)] : 0.0f);
        }
  return col;
}

std::vector<float> Shifted(const Plane2dF32& g, const std::vector<float>& x) {
  const ShiftedPlaneF32 s = MakeShiftedPlaneF32(g);
  std::vector<float> col(static_cast<size_t>(g.kernel_h * g.kernel_w * g.out_h * g.out_w), 7.0f);
  Im2ColShiftedF32(s, x.data(), col.data());
  return col;
}

TEST(ShiftedPlaneF32Test, HandComputed3x3Pad1WithAnInfiniteNeighbour) {
  // x = [[1, 2, inf], [4, 5, 6]]: tap (1, 0) of output (1, 0) wraps onto the inf at (0, 2) and
  // must read the padding's 0, not NaN.
  const float inf = std::numeric_limits<float>::infinity();
  const Plane2dF32 g = Geometry(2, 3, 3, 3, 1, 1, 1, 1, 1, 1);
  ASSERT_TRUE(IsSameSizeStride1(g));
  const std::vector<float> x = {1, 2, inf, 4, 5, 6};
  const std::vector<float> col = Shifted(g, x);
  // Row of tap (1, 0): the left neighbour of each output.
  const std::vector<float> left(col.begin() + 3 * 6, col.begin() + 4 * 6);
  EXPECT_EQ(left, (std::vector<float>{0, 1, 2, 0, 4, 5}));
  EXPECT_EQ(col, NaiveIm2Col(g, x));
}

TEST(ShiftedPlaneF32Test, DilatedAsymmetricPaddingMatchesNaive) {
  const Plane2dF32 g = Geometry(7, 9, 3, 5, 2, 1, 1, 1, 3, 3);
  ASSERT_TRUE(IsSameSizeStride1(g));
  const std::vector<float> x = testing_nn::RandomVector(63, 11);
  EXPECT_EQ(Shifted(g, x), NaiveIm2Col(g, x));
}

TEST(ShiftedPlaneF32Test, KernelWiderThanThePlaneMatchesNaive) {
  const Plane2dF32 g = Geometry(3, 2, 5, 5, 1, 1, 2, 2, 2, 2);
  ASSERT_TRUE(IsSameSizeStride1(g));
  const std::vector<float> x = testing_nn::RandomVector(6, 12);
  EXPECT_EQ(Shifted(g, x), NaiveIm2Col(g, x));
}

TEST(ShiftedPlaneF32Test, OnlyStride1SameSizeQualifies) {
  EXPECT_FALSE(IsSameSizeStride1(Geometry(6, 6, 3, 3, 1, 1, 0, 0, 0, 0)));  // valid padding
  ConvGeometry g;
  g.in = {6, 6};
  g.kernel = {3, 3};
  g.strides = {2, 2};
  g.dilations = {1, 1};
  g.pad_begin = g.pad_end = {1, 1};
  g.output_padding = {0, 0};
  g.out = {3, 3};
  EXPECT_FALSE(IsSameSizeStride1(MakePlane2dF32(g)));
}

}  // namespace
}  // namespace tinyq
