// Tests of the padded-plane helpers.
#include "src/exec/plane2d_f32.h"

#include <gtest/gtest.h>

#include "src/exec/window_table.h"

namespace tinyq {
namespace {

TEST(Plane2dF32Test, PadPlaneSurroundsTheInput) {
  Plane2dF32 g;
  g.in_h = 2, g.in_w = 2, g.pad_top = 1, g.pad_left = 0, g.padded_h = 4, g.padded_w = 3;
  const std::vector<float> x = {1, 2, 3, 4};
  std::vector<float> padded(12, 99.0f);
  PadPlane2dF32(g, x.data(), -5.0f, padded.data());
  EXPECT_EQ(padded, (std::vector<float>{-5, -5, -5, 1, 2, -5, 3, 4, -5, -5, -5, -5}));
}

TEST(Plane2dF32Test, CeilModeWindowsFitInsideThePaddedPlane) {
  // in 5x5, k 2, s 2, no pads, ceil-mode output 3x3: the last window needs 6 columns/rows.
  ConvGeometry g;
  g.in = {5, 5};
  g.kernel = {2, 2};
  g.strides = {2, 2};
  g.dilations = {1, 1};
  g.pad_begin = g.pad_end = g.output_padding = {0, 0};
  g.out = {3, 3};
  const Plane2dF32 q = MakePlane2dF32(g);
  EXPECT_EQ(q.padded_h, 6);
  EXPECT_EQ(q.padded_w, 6);
  g.pad_begin = {1, 2};
  g.pad_end = {1, 2};
  g.out = {3, 3};
  EXPECT_EQ(MakePlane2dF32(g).padded_w, 9);  // the explicit pads are larger than the windows need
}

}  // namespace
}  // namespace tinyq
