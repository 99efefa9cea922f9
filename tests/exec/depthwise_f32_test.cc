// Tests of DepthwiseConv2dF32 against a hand-computed case and the direct definition of a
// depthwise convolution over strides, dilations, pads, multipliers and small/odd plane sizes.
#include "src/exec/depthwise_f32.h"

#include <gtest/gtest.h>

#include <limits>
#include <vector>

#include "src/exec/window_table.h"
#include "tests/exec/nn_test_util.h"

namespace tinyq {
namespace {

using testing_nn::ExpectNear;
using testing_nn::RandomVector;

struct DwCase {
  int64_t cin = 3, mult = 1, h = 7, w = 6, kh = 3, kw = 3;
  int64_t sh = 1, sw = 1, dh = 1, dw = 1, pt = 1, pl = 1, pb = 1, pr = 1;
};

ConvGeometry GeometryOf(const DwCase& c) {
  ConvGeometry g;
  g.in = {c.h, c.w};
  g.kernel = {c.kh, c.kw};
  g.strides = {c.sh, c.sw};
  g.dilations = {c.dh, c.dw};
  g.pad_begin = {c.pt, c.pl};
  g.pad_end = {c.pb, c.pr};
  g.output_padding = {0, 0};
  g.out = {(c.h + c.pt + c.pb - ((c.kh - 1) * c.dh + 1)) / c.sh + 1,
           (c.w + c.pl + c.pr - ((c.kw - 1) * c.dw + 1)) / c.sw + 1};
  return g;
}

// The ONNX definition: out[oc][y][x] = b[oc] + sum over the window of channel oc / mult, skipping
// padded positions.
std::vector<float> Naive(const DwCase& c, const ConvGeometry& g, const std::vector<float>& x,
                         const std::vector<float>& w, const std::vector<float>& b) {
  const int64_t oh = g.out[0], ow = g.out[1], cout = c.cin * c.mult;
  std::vector<float> out(static_cast<size_t>(cout * oh * ow));
  for (int64_t oc = 0; oc < cout; ++oc)
    for (int64_t y = 0; y < oh; ++y)
      for (int64_t xo = 0; xo < ow; ++xo) {
        double acc = b[static_cast<size_t>(oc)];
        for (int64_t i = 0; i < c.kh; ++i)
          for (int64_t j = 0; j < c.kw; ++j) {
            const int64_t iy = y * c.sh - c.pt + i * c.dh, ix = xo * c.sw - c.pl + j * c.dw;
            if (iy < 0 || iy >= c.h || ix < 0 || ix >= c.w) continue;
            acc += x[static_cast<size_t>(((oc / c.mult) * c.h + iy) * c.w + ix)] *
                   w[static_cast<size_t>((oc * c.kh + i) * c.kw + j)];
          }
        out[static_cast<size_t>((oc * oh + y) * ow + xo)] = static_cast<float>(acc);
      }
  return out;
}

std::vector<float> RunDepthwise(const DwCase& c, const ConvGeometry& g, const std::vector<float>& x,
                                const std::vector<float>& w, const float* bias,
                                float lo = -std::numeric_limits<float>::infinity(),
                                float hi = std::numeric_limits<float>::infinity()) {
  const int64_t cout = c.cin * c.mult;
  const DepthwisePlanF32 plan = MakeDepthwisePlanF32(MakePlane2dF32(g), cout, c.mult);
  // Scratch and output start as garbage: the kernel must overwrite everything it reads.
  std::vector<float> scratch(static_cast<size_t>(DepthwiseScratchSizeF32(plan)), 1e30f);
  std::vector<float> out(static_cast<size_t>(cout * g.OutSize()), 1e30f);
  DepthwiseConv2dF32(plan, x.data(), w.data(), bias, lo, hi, scratch.data(), out.data());
  return out;
}

void CheckAgainstNaive(const DwCase& c, uint32_t seed) {
  const ConvGeometry g = GeometryOf(c);
  const int64_t cout = c.cin * c.mult;
  const auto x = RandomVector(static_cast<size_t>(c.cin * c.h * c.w), seed);
  const auto w = RandomVector(static_cast<size_t>(cout * c.kh * c.kw), seed + 1);
  const auto b = RandomVector(static_cast<size_t>(cout), seed + 2);
  ExpectNear(RunDepthwise(c, g, x, w, b.data()), Naive(c, g, x, w, b), 1e-5f);
}

// One 3x3 channel 1..9 and a kernel that picks up the centre and its four neighbours (a plus
// sign), zero padding of 1: out[y][x] = x[y][x] + up + down + left + right + 0.5, clamped.
std::vector<float> PlusSign(float lo, float hi) {
  DwCase c;
  c.cin = 1, c.h = c.w = 3;
  const float bias = 0.5f;
  return RunDepthwise(c, GeometryOf(c), {1, 2, 3, 4, 5, 6, 7, 8, 9}, {0, 1, 0, 1, 1, 1, 0, 1, 0},
                      &bias, lo, hi);
}

TEST(DepthwiseConv2dF32Test, HandComputedCrossKernelWithPadding) {
  const float inf = std::numeric_limits<float>::infinity();
  ExpectNear(PlusSign(-inf, inf), {7.5f, 11.5f, 11.5f, 17.5f, 25.5f, 23.5f, 19.5f, 29.5f, 23.5f});
}

TEST(DepthwiseConv2dF32Test, FusedActivationClampsTheOutputs) {
  // Clamped to [10, 24]; lo > hi gives hi everywhere (ONNX Clip).
  ExpectNear(PlusSign(10.0f, 24.0f),
             {10.0f, 11.5f, 11.5f, 17.5f, 24.0f, 23.5f, 19.5f, 24.0f, 23.5f});
  ExpectNear(PlusSign(5.0f, 1.0f), std::vector<float>(9, 1.0f));
}

TEST(DepthwiseConv2dF32Test, NoBiasMeansZero) {
  DwCase c;
  c.cin = 1, c.h = c.w = 2, c.kh = c.kw = 1, c.pt = c.pl = c.pb = c.pr = 0;
  ExpectNear(RunDepthwise(c, GeometryOf(c), {1, 2, 3, 4}, {2}, nullptr), {2, 4, 6, 8});
}

TEST(DepthwiseConv2dF32Test, Stride1MatchesNaive) { CheckAgainstNaive(DwCase{}, 1); }

TEST(DepthwiseConv2dF32Test, NarrowPlaneLikeKeywordSpottingMatchesNaive) {
  DwCase c;
  c.cin = 10, c.h = 25, c.w = 5;
  CheckAgainstNaive(c, 2);
}

TEST(DepthwiseConv2dF32Test, Stride2OddSizesMatchesNaive) {
  DwCase c;
  c.cin = 5, c.h = 9, c.w = 11, c.sh = c.sw = 2;
  CheckAgainstNaive(c, 3);
}

TEST(DepthwiseConv2dF32Test, Stride2WideRowsEvenAndOddLeftPaddingMatchNaive) {
  // Rows of 20+ outputs (copied row by row, not through the index table); left padding 0, 2
  // and 1 put the first input column in either column phase.
  for (int64_t pl : {0, 1, 2}) {
    DwCase c;
    c.cin = 4, c.h = 9, c.w = 41, c.sh = c.sw = 2, c.pt = 1, c.pl = pl, c.pb = 1, c.pr = 2 - pl;
    CheckAgainstNaive(c, static_cast<uint32_t>(10 + pl));
  }
}

TEST(DepthwiseConv2dF32Test, MixedStridesDilationsAsymmetricPadsMatchesNaive) {
  DwCase c;
  c.h = 13, c.w = 10, c.kh = 3, c.kw = 5, c.sh = 1, c.sw = 3, c.dh = 2, c.dw = 2;
  c.pt = 0, c.pl = 3, c.pb = 2, c.pr = 1;
  CheckAgainstNaive(c, 4);
}

TEST(DepthwiseConv2dF32Test, MultiplierAndSingleInputChannelMatchNaive) {
  DwCase c;  // like the first layer of kws_dscnn: one input plane, 10x4 kernel, stride 2
  c.cin = 1, c.mult = 6, c.h = 49, c.w = 10, c.kh = 10, c.kw = 4, c.sh = c.sw = 2;
  c.pt = 4, c.pl = 1, c.pb = 5, c.pr = 1;
  CheckAgainstNaive(c, 5);
  DwCase d;
  d.cin = 3, d.mult = 2, d.h = d.w = 8, d.kh = d.kw = 5, d.pt = d.pl = d.pb = d.pr = 2;
  CheckAgainstNaive(d, 6);
}

TEST(DepthwiseConv2dF32Test, KernelLargerThanInputWithPaddingMatchesNaive) {
  DwCase c;
  c.h = 2, c.w = 1, c.kh = c.kw = 3, c.sh = 2, c.pt = c.pl = c.pb = c.pr = 2;
  CheckAgainstNaive(c, 7);
}

}  // namespace
}  // namespace tinyq
