// Tests of tq_conv2d_s8 (src/runtime/tq_conv.c): hand-computed cases, naive-reference sweeps over
// groups/strides/dilations/padding, the two-pixel/three-channel blocking edges (odd pixel counts,
// channel remainders, 64-bit chunk boundaries, extreme values), kernel bias, bounds, validation.
#include <gtest/gtest.h>

#include <climits>
#include <random>
#include <vector>

extern "C" {
#include "src/runtime/tq_conv.h"
}
#include "tests/runtime/runtime_test_util.h"

namespace {

using tinyq_test::RefOutput;

struct ConvCase {
  int n, h, w, cin, cout, kh, kw, groups, sh, sw, dh, dw, pt, pl, pb, pr;
  int in_zp, out_zp, act_min, act_max;
  bool with_bias;
};

int OutExtent(int in, int k, int d, int s, int p0, int p1) {
  return (in + p0 + p1 - ((k - 1) * d + 1)) / s + 1;
}

// Naive TFLite ConvPerChannel in int64, written loop by loop from the formula.
std::vector<int8_t> NaiveConv(const ConvCase& c, const std::vector<int8_t>& x,
                              const std::vector<int8_t>& w, const std::vector<int32_t>& bias,
                              const std::vector<int32_t>& m0, const std::vector<int32_t>& sh,
                              int oh, int ow) {
  std::vector<int8_t> y((size_t)c.n * oh * ow * c.cout);
  const int cg = c.cin / c.groups, og = c.cout / c.groups;
  for (int b = 0; b < c.n; ++b)
    for (int oy = 0; oy < oh; ++oy)
      for (int ox = 0; ox < ow; ++ox)
        for (int oc = 0; oc < c.cout; ++oc) {
          int64_t acc = c.with_bias ? bias[oc] : 0;
          const int g = oc / og;
          for (int ky = 0; ky < c.kh; ++ky)
            for (int kx = 0; kx < c.kw; ++kx)
              for (int ci = 0; ci < cg; ++ci) {
                const int iy = oy * c.sh - c.pt + ky * c.dh, ix = ox * c.sw - c.pl + kx * c.dw;
                if (iy < 0 || iy >= c.h || ix < 0 || ix >= c.w) continue;
                const int64_t xv = x[(((size_t)b * c.h + iy) * c.w + ix) * c.cin + g * cg + ci];
                const int64_t wv = w[(((size_t)oc * c.kh + ky) * c.kw + kx) * cg + ci];
                acc += (xv - c.in_zp) * wv;
              }
          EXPECT_GE(acc, INT32_MIN);
          EXPECT_LE(acc, INT32_MAX);
          y[(((size_t)b * oh + oy) * ow + ox) * c.cout + oc] =
              RefOutput(acc, m0[oc], sh[oc], c.out_zp, c.act_min, c.act_max);
        }
  return y;
}

// Folds the kernel bias (tq_conv2d_s8_kernel_bias) and runs tq_conv2d_s8 with the separate and
// the packed quantization forms; both must give the same bytes.
std::vector<int8_t> RunConv(const ConvCase& c, const std::vector<int8_t>& x,
                            const std::vector<int8_t>& w, const std::vector<int32_t>& bias,
                            const std::vector<int32_t>& m0, const std::vector<int32_t>& sh, int oh,
                            int ow) {
  tq_conv_params p = {-c.in_zp,     c.out_zp, {c.sh, c.sw},          {c.pt, c.pl},
                      {c.dh, c.dw}, c.groups, {c.act_min, c.act_max}};
  tq_dims in = {c.n, c.h, c.w, c.cin}, f = {c.cout, c.kh, c.kw, c.cin / c.groups},
          out = {c.n, oh, ow, c.cout};
  EXPECT_EQ(tq_conv2d_s8_validate(&p, &in, &f, &out), TQ_OK);
  const int32_t* b = c.with_bias ? bias.data() : nullptr;
  EXPECT_LE(tq_conv2d_s8_acc_bound(&f, w.data(), b, p.input_offset), INT32_MAX);
  std::vector<int32_t> kbias(c.cout);
  tq_conv2d_s8_kernel_bias(&f, w.data(), b, p.input_offset, kbias.data());
  std::vector<int32_t> scratch(tq_conv2d_s8_get_buffer_size(&f) / 4);
  tq_context ctx = {scratch.data(), scratch.size() * 4};
  const tq_per_channel_quant_params q = {m0.data(), sh.data()};
  std::vector<int8_t> y((size_t)c.n * oh * ow * c.cout, 99);
  EXPECT_EQ(tq_conv2d_s8(&ctx, &p, &q, &in, x.data(), &f, w.data(), kbias.data(), &out, y.data()),
            TQ_OK);
  const auto words = tinyq_test::PackBiasShift(kbias.data(), sh, c.cout);
  const tq_per_channel_quant_params packed = {m0.data(), nullptr};
  std::vector<int8_t> y_packed(y.size(), 99);
  EXPECT_EQ(tq_conv2d_s8(&ctx, &p, &packed, &in, x.data(), &f, w.data(), words.data(), &out,
                         y_packed.data()),
            TQ_OK);
  EXPECT_EQ(y_packed, y) << "packed form differs";
  return y;
}

void CheckCase(const ConvCase& c, uint32_t seed, int w_lo = -127, int w_hi = 127) {
  std::mt19937 rng(seed);
  const int oh = OutExtent(c.h, c.kh, c.dh, c.sh, c.pt, c.pb);
  const int ow = OutExtent(c.w, c.kw, c.dw, c.sw, c.pl, c.pr);
  auto x = tinyq_test::RandomS8(rng, (size_t)c.n * c.h * c.w * c.cin);
  auto w = tinyq_test::RandomS8(rng, (size_t)c.cout * c.kh * c.kw * (c.cin / c.groups), w_lo, w_hi);
  auto bias = tinyq_test::RandomS32(rng, c.cout, -20000, 20000);
  std::vector<int32_t> m0, sh;
  tinyq_test::RandomMultipliers(rng, c.cout, 1e-4, 2e-2, &m0, &sh);
  EXPECT_EQ(RunConv(c, x, w, bias, m0, sh, oh, ow), NaiveConv(c, x, w, bias, m0, sh, oh, ow));
}

TEST(Conv2dS8Test, HandComputed2x2Valid) {
  // x (1x3x3x1), zp_in = 1 so x + input_offset = [[2,0,1],[-1,3,0],[1,1,4]].
  const std::vector<int8_t> x = {3, 1, 2, 0, 4, 1, 2, 2, 5};
  // Two 2x2 filters (OHWI): w0 = [[1,-1],[2,1]], w1 = -w0. bias = 2 for both.
  const std::vector<int8_t> w = {1, -1, 2, 1, -1, 1, -2, -1};
  const std::vector<int32_t> bias = {2, 2};
  // M = 0.5 = (2^30, 0); zp_out = -2.
  const std::vector<int32_t> m0 = {1 << 30, 1 << 30}, sh = {0, 0};
  // w0: (0,0): 2*1 + 0*-1 + -1*2 + 3*1 = 3   +2 = 5  -> 2.5 -> 3  -> 1
  //     (0,1): 0*1 + 1*-1 + 3*2 + 0*1 = 5    +2 = 7  -> 3.5 -> 4  -> 2
  //     (1,0): -1*1 + 3*-1 + 1*2 + 1*1 = -1  +2 = 1  -> 0.5 -> 1  -> -1
  //     (1,1): 3*1 + 0*-1 + 1*2 + 4*1 = 9    +2 = 11 -> 5.5 -> 6  -> 4
  // w1: sums -3, -5, 1, -9, +2 = -1, -3, 3, -7 -> -0.5 -> 0, -1.5 -> -1, 1.5 -> 2, -3.5 -> -3
  //     (SRDHM ties go toward +inf)                 -> -2, -3, 0, -5
  const std::vector<int8_t> want = {1, -2, 2, -3, -1, 0, 4, -5};
  tq_conv_params p = {-1, -2, {1, 1}, {0, 0}, {1, 1}, 1, {-128, 127}};
  tq_dims in = {1, 3, 3, 1}, f = {2, 2, 2, 1}, out = {1, 2, 2, 2};
  ASSERT_EQ(tq_conv2d_s8_validate(&p, &in, &f, &out), TQ_OK);
  // Kernel bias: bias + input_offset * sum(w) = 2 + (-1) * 3 = -1 and 2 + (-1) * (-3) = 5.
  std::vector<int32_t> kbias(2);
  tq_conv2d_s8_kernel_bias(&f, w.data(), bias.data(), p.input_offset, kbias.data());
  EXPECT_EQ(kbias, (std::vector<int32_t>{-1, 5}));
  int32_t scratch[4];
  tq_context ctx = {scratch, sizeof(scratch)};
  tq_per_channel_quant_params q = {m0.data(), sh.data()};
  std::vector<int8_t> y(8);
  ASSERT_EQ(tq_conv2d_s8(&ctx, &p, &q, &in, x.data(), &f, w.data(), kbias.data(), &out, y.data()),
            TQ_OK);
  EXPECT_EQ(y, want);
}

TEST(Conv2dS8Test, HandComputedPaddedCornerSkipsOutOfBoundTaps) {
  // 2x2 input, 3x3 all-ones filter, pad 1: output (0,0) sees x[0..1][0..1] only.
  // x = [[10,20],[30,40]], zp_in = 10 -> x+off = [[0,10],[20,30]]; sum = 60; bias 0; M = 1.0
  // ((2^30, 1)); zp_out 0. Every output window covers all four pixels -> 60 each, and
  // padded taps contribute nothing (they would be zp_in - zp_in = 0).
  const std::vector<int8_t> x = {10, 20, 30, 40};
  const std::vector<int8_t> w(9, 1);
  const std::vector<int32_t> m0 = {1 << 30}, sh = {1};
  tq_conv_params p = {-10, 0, {1, 1}, {1, 1}, {1, 1}, 1, {-128, 127}};
  tq_dims in = {1, 2, 2, 1}, f = {1, 3, 3, 1}, out = {1, 2, 2, 1};
  ASSERT_EQ(tq_conv2d_s8_validate(&p, &in, &f, &out), TQ_OK);
  // Kernel bias: 0 + input_offset * sum(w) = -10 * 9 = -90; a padded tap reads x = zp_in = 10.
  int32_t kbias = 0;
  tq_conv2d_s8_kernel_bias(&f, w.data(), nullptr, p.input_offset, &kbias);
  EXPECT_EQ(kbias, -90);
  int32_t scratch[9];
  tq_context ctx = {scratch, sizeof(scratch)};
  tq_per_channel_quant_params q = {m0.data(), sh.data()};
  std::vector<int8_t> y(4);
  ASSERT_EQ(tq_conv2d_s8(&ctx, &p, &q, &in, x.data(), &f, w.data(), &kbias, &out, y.data()), TQ_OK);
  EXPECT_EQ(y, (std::vector<int8_t>{60, 60, 60, 60}));
}

TEST(Conv2dS8Test, SweepMatchesNaiveReference) {
  // n,h,w,cin,cout,kh,kw,groups,sh,sw,dh,dw,pt,pl,pb,pr,in_zp,out_zp,act_min,act_max,bias
  const ConvCase cases[] = {
      {1, 7, 6, 3, 5, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, -3, 4, -128, 127, true},
      {2, 9, 8, 8, 12, 3, 3, 1, 2, 2, 1, 1, 1, 1, 1, 1, 17, -9, -128, 127, true},
      {1, 10, 11, 4, 8, 3, 3, 1, 1, 1, 2, 2, 2, 2, 2, 2, -128, 0, -128, 127, false},
      {1, 8, 8, 8, 8, 3, 3, 2, 1, 2, 1, 2, 1, 0, 1, 2, 0, 5, 0, 127, true},
      {1, 6, 7, 12, 6, 2, 3, 3, 2, 1, 1, 1, 0, 1, 1, 1, 127, -128, -128, 127, true},
      {1, 5, 5, 4, 4, 3, 3, 4, 1, 1, 1, 1, 1, 1, 1, 1, -1, 2, -20, 30, true},
      {1, 9, 9, 6, 7, 5, 1, 1, 2, 1, 1, 1, 2, 0, 2, 0, 3, 3, -128, 127, true},
      {1, 6, 6, 16, 9, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, -5, 7, -128, 127, true},
      {2, 7, 5, 13, 10, 1, 1, 1, 2, 2, 1, 1, 0, 0, 0, 0, 20, -1, -128, 127, false},
      {1, 4, 4, 8, 8, 1, 1, 2, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, -128, 127, true},
      {1, 4, 4, 3, 4, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 9, 0, -128, 127, true},
      {1, 12, 3, 2, 3, 4, 2, 1, 3, 1, 3, 1, 3, 1, 2, 0, -7, -7, -100, 100, true},
      {1, 1, 1, 5, 3, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, -128, 127, true},
      {1, 3, 3, 2, 4, 3, 3, 1, 1, 1, 1, 1, 2, 2, 2, 2, 4, 0, -128, 127, true},
  };
  uint32_t seed = 1;
  for (const auto& c : cases) {
    SCOPED_TRACE(::testing::Message() << "case seed " << seed);
    CheckCase(c, seed++);
  }
}

TEST(Conv2dS8Test, ExtremeValuesWithLargeKernelBiasMatchReference) {
  // Full-range weights/inputs and input_offset = 128 (zp -128) on a wide kernel: the kernel bias
  // carries input_offset * sum(w) ~ 128*127*K.
  ConvCase c = {1, 6, 6, 64, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, -128, 0, -128, 127, true};
  CheckCase(c, 99, -127, 127);
  ConvCase all_pos = {1, 5, 5, 32, 4, 3, 3, 1, 1, 1, 1, 1, 0, 0, 0, 0, -128, 0, -128, 127, true};
  CheckCase(all_pos, 100, 127, 127);
}

TEST(Conv2dS8Test, PixelPairsAndChannelBlocksCoverEveryRemainder) {
  // Odd and even pixel counts (an odd last pixel is paired with itself; a pair may span two
  // output rows), Cout % 3 = 0, 1, 2, and groups with 1, 2 or 4 output channels each.
  // n,h,w,cin,cout,kh,kw,groups,sh,sw,dh,dw,pt,pl,pb,pr,in_zp,out_zp,act_min,act_max,bias
  const ConvCase cases[] = {
      {1, 3, 3, 5, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 4, 0, -128, 127, true},
      {1, 3, 5, 5, 2, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, -9, 3, -128, 127, true},
      {2, 5, 3, 7, 4, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, -1, -128, 127, true},
      {1, 1, 1, 9, 5, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 60, 2, -128, 127, false},
      {1, 4, 7, 6, 6, 3, 1, 3, 2, 1, 1, 1, 1, 0, 1, 0, -60, 0, -128, 127, true},
      {1, 5, 5, 8, 4, 3, 3, 4, 1, 1, 1, 1, 1, 1, 1, 1, 11, 5, -128, 127, true},
      {3, 2, 2, 4, 16, 2, 2, 2, 1, 1, 1, 1, 1, 1, 0, 0, -3, -3, -50, 90, true},
  };
  uint32_t seed = 200;
  for (const auto& c : cases) {
    SCOPED_TRACE(::testing::Message() << "case seed " << seed);
    CheckCase(c, seed++);
  }
}

TEST(Conv2dS8Test, LongPatchesCrossTheExactChunkBoundaries) {
  // K = KH*KW*Cin/groups around the 256-tap chunks of the 64-bit pair sums: 255, 256, 257, 513,
  // 1152, with extreme inputs and weights so each chunk's pixel-0 sum is near its 2^22 limit.
  // n,h,w,cin,cout,kh,kw,groups,sh,sw,dh,dw,pt,pl,pb,pr,in_zp,out_zp,act_min,act_max,bias
  const ConvCase cases[] = {
      {1, 3, 2, 255, 4, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, -128, 0, -128, 127, true},
      {1, 2, 3, 256, 5, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 127, 0, -128, 127, true},
      {1, 3, 3, 257, 3, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, -128, 127, true},
      {1, 3, 3, 57, 7, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, -128, 9, -128, 127, true},
      {1, 4, 4, 128, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 100, 0, -128, 127, true},
  };
  uint32_t seed = 300;
  for (const auto& c : cases) {
    SCOPED_TRACE(::testing::Message() << "case seed " << seed);
    CheckCase(c, seed++);
    CheckCase(c, seed + 1000, 127, 127);
    CheckCase(c, seed + 2000, -127, -127);
  }
}

TEST(Conv2dS8Test, ExtremeInputsOfBothPixelsStayExact) {
  // Both pixels of every pair at -128 (the packed word's most negative corner) or 127, all
  // weights at -127 or 127: the 64-bit pair sums and their split must be exact.
  ConvCase c = {1, 4, 4, 300, 3, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, -128, 127, true};
  for (int xv : {-128, 127}) {
    for (int wv : {-127, 127}) {
      const std::vector<int8_t> x((size_t)c.h * c.w * c.cin, (int8_t)xv);
      const std::vector<int8_t> w((size_t)c.cout * c.cin, (int8_t)wv);
      const std::vector<int32_t> bias = {1, -2, 3};
      const std::vector<int32_t> m0 = {1 << 30, 1 << 30, 1 << 30}, sh = {-16, -17, -18};
      EXPECT_EQ(RunConv(c, x, w, bias, m0, sh, 4, 4), NaiveConv(c, x, w, bias, m0, sh, 4, 4))
          << "x " << xv << " w " << wv;
    }
  }
}

TEST(Conv2dS8Test, AccBoundIsExactWorstCase) {
  // Cout 2, K = 2*2*3 = 12. Channel 0 all 127: bound = 100 + (128+5)*127*12 = 202792.
  // Channel 1 all -1 with bias -7: 7 + 133*12 = 1603.
  std::vector<int8_t> w(24, 127);
  for (int i = 12; i < 24; ++i) w[i] = -1;
  const int32_t bias[] = {100, -7};
  tq_dims f = {2, 2, 2, 3};
  EXPECT_EQ(tq_conv2d_s8_acc_bound(&f, w.data(), bias, -5), 202792);
  EXPECT_EQ(tq_conv2d_s8_acc_bound(&f, w.data(), nullptr, -5), 133 * 127 * 12);
  // K = 3*3*16384 with full-range weights and zp -128 exceeds int32: prepare must refuse.
  tq_dims big = {1, 3, 3, 16384};
  std::vector<int8_t> wb((size_t)9 * 16384, -127);
  EXPECT_GT(tq_conv2d_s8_acc_bound(&big, wb.data(), nullptr, 128), (int64_t)INT32_MAX);
}

TEST(Conv2dS8Test, ValidateRejectsBadArguments) {
  const tq_conv_params good = {0, 0, {1, 1}, {1, 1}, {1, 1}, 1, {-128, 127}};
  tq_dims in = {1, 8, 8, 4}, f = {6, 3, 3, 4}, out = {1, 8, 8, 6};
  ASSERT_EQ(tq_conv2d_s8_validate(&good, &in, &f, &out), TQ_OK);
  auto expect_bad = [&](tq_conv_params p, tq_dims i, tq_dims fd, tq_dims o) {
    EXPECT_EQ(tq_conv2d_s8_validate(&p, &i, &fd, &o), TQ_ARG_ERROR);
  };
  tq_conv_params p = good;
  expect_bad(good, in, {6, 3, 3, 3}, out);  // filter Cin != input C
  expect_bad(good, in, f, {1, 8, 8, 5});    // output C != Cout
  expect_bad(good, in, f, {2, 8, 8, 6});    // batch mismatch
  // 10 output rows imply a bottom padding of 3 > max(pad_top 1, (KH-1)*dil 2).
  expect_bad(good, in, f, {1, 10, 8, 6});
  EXPECT_EQ(tq_conv2d_s8_validate(&good, &in, &f, &out), TQ_OK);
  expect_bad(good, {1, 0, 8, 4}, f, out);  // empty input
  p.groups = 3;
  expect_bad(p, in, f, out);  // groups does not divide Cin
  p = good;
  p.groups = 2;
  expect_bad(p, in, f, out);                      // filter must be [6,3,3,2] for 2 groups
  expect_bad(p, in, {5, 3, 3, 2}, {1, 8, 8, 5});  // 2 groups do not divide Cout 5
  p = good;
  p.stride.h = 0;
  expect_bad(p, in, f, out);
  p = good;
  p.dilation.w = 0;
  expect_bad(p, in, f, out);
  p = good;
  p.padding.h = 3;  // pad_top 3 allows a bottom pad up to 3 (12 rows) but not 4 (13 rows)
  tq_dims out12 = {1, 12, 8, 6};
  EXPECT_EQ(tq_conv2d_s8_validate(&p, &in, &f, &out12), TQ_OK);
  expect_bad(p, in, f, {1, 13, 8, 6});
  p = good;
  p.padding.w = -1;
  expect_bad(p, in, f, out);
  p = good;
  p.input_offset = 129;
  expect_bad(p, in, f, out);
  p = good;
  p.output_offset = 128;
  expect_bad(p, in, f, out);
  p = good;
  p.activation = {5, 4};
  expect_bad(p, in, f, out);
  EXPECT_EQ(tq_conv2d_s8_validate(nullptr, &in, &f, &out), TQ_ARG_ERROR);
}

TEST(Conv2dS8Test, MissingOrSmallScratchIsArgError) {
  tq_conv_params p = {0, 0, {1, 1}, {0, 0}, {1, 1}, 1, {-128, 127}};
  tq_dims in = {1, 2, 2, 3}, f = {2, 1, 1, 3}, out = {1, 2, 2, 2};
  const int8_t x[12] = {1, 2, 3, 4}, w[6] = {1, 2};
  const int32_t m0[2] = {1 << 30, 1 << 30}, sh[2] = {0, 0}, kbias[2] = {0, 0};
  tq_per_channel_quant_params q = {m0, sh};
  int8_t y[8];
  int32_t scratch[3];
  tq_context small = {scratch, 8};
  tq_context null_buf = {nullptr, 12};
  EXPECT_EQ(tq_conv2d_s8_get_buffer_size(&f), 3 * sizeof(int32_t));  // one packed patch
  EXPECT_EQ(tq_conv2d_s8(&small, &p, &q, &in, x, &f, w, kbias, &out, y), TQ_ARG_ERROR);
  EXPECT_EQ(tq_conv2d_s8(&null_buf, &p, &q, &in, x, &f, w, kbias, &out, y), TQ_ARG_ERROR);
  tq_context enough = {scratch, 12};
  EXPECT_EQ(tq_conv2d_s8(&enough, &p, &q, &in, x, &f, w, kbias, &out, y), TQ_OK);
}

}  // namespace
