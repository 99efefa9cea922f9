// Tests of the sliding-window offset tables.
#include "src/exec/window_table.h"

#include <gtest/gtest.h>

namespace tinyq {
namespace {

ConvGeometry Geometry1d(int64_t in, int64_t k, int64_t s, int64_t d, int64_t pb, int64_t pe,
                        int64_t out) {
  ConvGeometry g;
  g.in = {in};
  g.kernel = {k};
  g.strides = {s};
  g.dilations = {d};
  g.pad_begin = {pb};
  g.pad_end = {pe};
  g.output_padding = {0};
  g.out = {out};
  return g;
}

TEST(WindowTableTest, PaddedStridedWindowOffsets) {
  // in 4, k 2, s 2, pads (1, 1): windows start at -1, 1, 3.
  const ConvGeometry g = Geometry1d(4, 2, 2, 1, 1, 1, 3);
  EXPECT_EQ(BuildWindowOffsets(g), (std::vector<int32_t>{-1, 1, 3, 0, 2, -1}));
  EXPECT_EQ(CountTapsInsidePaddedInput(g), (std::vector<int32_t>{2, 2, 2}));
}

TEST(WindowTableTest, DilatedWindowOffsets2d) {
  // 3x3 input, 2x2 kernel with dilation 2 -> one window at the corners.
  ConvGeometry g;
  g.in = {3, 3};
  g.kernel = {2, 2};
  g.strides = {1, 1};
  g.dilations = {2, 2};
  g.pad_begin = g.pad_end = g.output_padding = {0, 0};
  g.out = {1, 1};
  EXPECT_EQ(BuildWindowOffsets(g), (std::vector<int32_t>{0, 2, 6, 8}));
}

TEST(WindowTableTest, TransposeScatterCropsPads) {
  // in 2, k 3, s 2, pad_begin 1: input i, tap k -> output 2i - 1 + k within [0, 3).
  const ConvGeometry g = Geometry1d(2, 3, 2, 1, 1, 1, 3);
  EXPECT_EQ(BuildTransposeScatterOffsets(g), (std::vector<int32_t>{-1, 1, 0, 2, 1, -1}));
}

TEST(WindowTableTest, CeilModeWindowBeyondPadCountsOnlyPaddedTaps) {
  // in 5, k 2, s 2, no pads, ceil output 3: last window covers 4 and 5 (5 is outside).
  const ConvGeometry g = Geometry1d(5, 2, 2, 1, 0, 0, 3);
  EXPECT_EQ(CountTapsInsidePaddedInput(g), (std::vector<int32_t>{2, 2, 1}));
}

}  // namespace
}  // namespace tinyq
