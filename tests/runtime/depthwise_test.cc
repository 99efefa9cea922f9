// Tests of tq_depthwise_conv2d_s8 (src/runtime/tq_depthwise.c): hand-computed case, naive
// reference sweeps (multiplier, stride, dilation, padding), bounds and validation.
#include <gtest/gtest.h>

#include <climits>
#include <random>
#include <vector>

extern "C" {
#include "src/runtime/tq_depthwise.h"
}
#include "tests/runtime/runtime_test_util.h"

namespace {

struct DwCase {
  int n, h, w, c, mult, kh, kw, sh, sw, dh, dw, pt, pl, pb, pr, in_zp, out_zp, act_min, act_max;
  bool with_bias;
};

int OutExtent(int in, int k, int d, int s, int p0, int p1) {
  return (in + p0 + p1 - ((k - 1) * d + 1)) / s + 1;
}

std::vector<int8_t> NaiveDw(const DwCase& c, const std::vector<int8_t>& x,
                            const std::vector<int8_t>& w, const std::vector<int32_t>& bias,
                            const std::vector<int32_t>& m0, const std::vector<int32_t>& sh, int oh,
                            int ow) {
  const int oc_n = c.c * c.mult;
  std::vector<int8_t> y((size_t)c.n * oh * ow * oc_n);
  for (int b = 0; b < c.n; ++b)
    for (int oy = 0; oy < oh; ++oy)
      for (int ox = 0; ox < ow; ++ox)
        for (int ic = 0; ic < c.c; ++ic)
          for (int m = 0; m < c.mult; ++m) {
            const int oc = ic * c.mult + m;
            int64_t acc = c.with_bias ? bias[oc] : 0;
            for (int ky = 0; ky < c.kh; ++ky)
              for (int kx = 0; kx < c.kw; ++kx) {
                const int iy = oy * c.sh - c.pt + ky * c.dh, ix = ox * c.sw - c.pl + kx * c.dw;
                if (iy < 0 || iy >= c.h || ix < 0 || ix >= c.w) continue;
                acc += ((int64_t)x[(((size_t)b * c.h + iy) * c.w + ix) * c.c + ic] - c.in_zp) *
                       w[((size_t)ky * c.kw + kx) * oc_n + oc];
              }
            y[(((size_t)b * oh + oy) * ow + ox) * oc_n + oc] =
                tinyq_test::RefOutput(acc, m0[oc], sh[oc], c.out_zp, c.act_min, c.act_max);
          }
  return y;
}

std::vector<int8_t> RunDw(const DwCase& c, const std::vector<int8_t>& x,
                          const std::vector<int8_t>& w, const std::vector<int32_t>& bias,
                          const std::vector<int32_t>& m0, const std::vector<int32_t>& sh, int oh,
                          int ow) {
  const int oc_n = c.c * c.mult;
  tq_dw_conv_params p = {
      -c.in_zp, c.out_zp, c.mult, {c.sh, c.sw}, {c.pt, c.pl}, {c.dh, c.dw}, {c.act_min, c.act_max}};
  tq_dims in = {c.n, c.h, c.w, c.c}, f = {1, c.kh, c.kw, oc_n}, out = {c.n, oh, ow, oc_n};
  EXPECT_EQ(tq_depthwise_conv2d_s8_validate(&p, &in, &f, &out), TQ_OK);
  EXPECT_LE(tq_depthwise_conv2d_s8_acc_bound(&f, w.data(), c.with_bias ? bias.data() : nullptr,
                                             p.input_offset),
            INT32_MAX);
  std::vector<int32_t> scratch(tq_depthwise_conv2d_s8_get_buffer_size(&p, &f, &out) / 4 + 1);
  tq_context ctx = {scratch.data(), scratch.size() * 4};
  tq_per_channel_quant_params q = {m0.data(), sh.data()};
  std::vector<int8_t> y(out.n * out.h * out.w * out.c, 99);
  const int32_t* b = c.with_bias ? bias.data() : nullptr;
  EXPECT_EQ(tq_depthwise_conv2d_s8(&ctx, &p, &q, &in, x.data(), &f, w.data(), b, &out, y.data()),
            TQ_OK);
  // The packed form (bias and shift in one word) gives the same bytes.
  const auto words = tinyq_test::PackBiasShift(b, sh, oc_n);
  const tq_per_channel_quant_params packed = {m0.data(), nullptr};
  std::vector<int8_t> y_packed(y.size(), 99);
  EXPECT_EQ(tq_depthwise_conv2d_s8(&ctx, &p, &packed, &in, x.data(), &f, w.data(), words.data(),
                                   &out, y_packed.data()),
            TQ_OK);
  EXPECT_EQ(y_packed, y);
  return y;
}

TEST(DepthwiseConv2dS8Test, HandComputedMultiplier2) {
  // x 1x2x2x1 = [[1,2],[3,4]], zp_in 0; 2x2 filter, multiplier 2 -> 2 output channels,
  // filter [1,2,2,2] (last axis = oc): w(oc0) = [[1,0],[0,1]], w(oc1) = [[-1,1],[1,-1]].
  // oc0 = 1 + 4 = 5, bias 1 -> 6; oc1 = -1 + 2 + 3 - 4 = 0, bias -3 -> -3.
  // M = 1.0 (2^30, 1) for oc0 -> 6; M = 0.5 (2^30, 0) for oc1 -> -1.5 -> -1 (ties to +inf);
  // zp_out 10 -> 16, 9.
  const std::vector<int8_t> x = {1, 2, 3, 4};
  const std::vector<int8_t> w = {1, -1, 0, 1, 0, 1, 1, -1};
  const std::vector<int32_t> bias = {1, -3}, m0 = {1 << 30, 1 << 30}, sh = {1, 0};
  DwCase c = {1, 2, 2, 1, 2, 2, 2, 1, 1, 1, 1, 0, 0, 0, 0, 0, 10, -128, 127, true};
  EXPECT_EQ(RunDw(c, x, w, bias, m0, sh, 1, 1), (std::vector<int8_t>{16, 9}));
}

// Random inputs, biases and multipliers for case c; weights random, or all equal to w_value.
void CheckDwCase(const DwCase& c, uint32_t seed, int w_value = 0) {
  SCOPED_TRACE(::testing::Message() << "case seed " << seed << " weights " << w_value);
  std::mt19937 rng(seed);
  const int oh = OutExtent(c.h, c.kh, c.dh, c.sh, c.pt, c.pb);
  const int ow = OutExtent(c.w, c.kw, c.dw, c.sw, c.pl, c.pr);
  const size_t taps = (size_t)c.kh * c.kw * c.c * c.mult;
  auto x = tinyq_test::RandomS8(rng, (size_t)c.n * c.h * c.w * c.c);
  auto w = w_value == 0 ? tinyq_test::RandomS8(rng, taps, -127, 127)
                        : std::vector<int8_t>(taps, (int8_t)w_value);
  auto bias = tinyq_test::RandomS32(rng, c.c * c.mult, -3000, 3000);
  std::vector<int32_t> m0, sh;
  tinyq_test::RandomMultipliers(rng, c.c * c.mult, 1e-4, 5e-2, &m0, &sh);
  EXPECT_EQ(RunDw(c, x, w, bias, m0, sh, oh, ow), NaiveDw(c, x, w, bias, m0, sh, oh, ow));
}

TEST(DepthwiseConv2dS8Test, SweepMatchesNaiveReference) {
  // n,h,w,c,mult,kh,kw,sh,sw,dh,dw,pt,pl,pb,pr,in_zp,out_zp,act_min,act_max,bias
  const DwCase cases[] = {
      {1, 7, 7, 8, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, -128, 3, -128, 127, true},
      {2, 8, 9, 5, 1, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 12, -4, -128, 127, true},
      {1, 9, 9, 3, 2, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2, -9, 0, 0, 127, false},
      {1, 6, 8, 4, 3, 5, 3, 1, 2, 1, 1, 2, 1, 2, 1, 127, -128, -128, 127, true},
      {1, 5, 5, 16, 1, 5, 5, 1, 1, 1, 1, 2, 2, 2, 2, 0, 0, -50, 50, true},
      {1, 4, 4, 7, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 5, 5, -128, 127, true},
  };
  uint32_t seed = 40;
  for (const auto& c : cases) CheckDwCase(c, seed++);
}

TEST(DepthwiseConv2dS8Test, PaddedPlaneEdgesMatchNaiveReference) {
  // The zero-point-padded plane and the unrolled 3x3 windows at their edges: inputs narrower
  // than the window, a single row, stride 2 with odd and even extents, asymmetric and implied
  // pads, stride 3, multiplier 2, extreme weights.
  // n,h,w,c,mult,kh,kw,sh,sw,dh,dw,pt,pl,pb,pr,in_zp,out_zp,act_min,act_max,bias
  const DwCase cases[] = {
      {1, 3, 1, 4, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, -128, 0, -128, 127, true},
      {1, 2, 2, 3, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 7, 1, -128, 127, true},
      {1, 1, 9, 5, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, -128, 127, true},
      {1, 7, 8, 6, 1, 3, 3, 2, 2, 1, 1, 1, 1, 0, 1, -3, 2, -128, 127, true},
      {1, 8, 7, 6, 1, 3, 3, 2, 2, 1, 1, 0, 0, 1, 0, 127, -128, -128, 127, false},
      {2, 5, 6, 3, 2, 3, 3, 1, 1, 1, 1, 2, 2, 0, 0, -128, 5, -20, 100, true},
      {1, 6, 6, 4, 1, 3, 3, 3, 1, 1, 1, 2, 1, 2, 1, 20, 0, -128, 127, true},
  };
  uint32_t seed = 70;
  for (const auto& c : cases) {
    for (int wv : {0, 127, -127}) CheckDwCase(c, seed, wv);
    ++seed;
  }
}

TEST(DepthwiseConv2dS8Test, AccBoundCoversTheFoldedKernelBias) {
  // Windows inside the input are evaluated as bias + input_offset * sum(w) + sum x * w, so the
  // bound is |bias| + (128 + |input_offset|) * sum|w|. Filter [1,1,2,2]: oc0 taps {127, -127},
  // oc1 taps {1, 1}; input_offset 128: max(256*254 + 0, 256*2 + 9) = 65024.
  const int8_t w[] = {127, 1, -127, 1};
  const int32_t bias[] = {0, -9};
  tq_dims f = {1, 1, 2, 2};
  EXPECT_EQ(tq_depthwise_conv2d_s8_acc_bound(&f, w, bias, 128), 65024);
  // input_offset -127: (128 + 127) * 254 = 64770; offset 0 -> 128 * 254.
  EXPECT_EQ(tq_depthwise_conv2d_s8_acc_bound(&f, w, nullptr, -127), 255 * 254);
  EXPECT_EQ(tq_depthwise_conv2d_s8_acc_bound(&f, w, nullptr, 0), 128 * 254);
}

TEST(DepthwiseConv2dS8Test, ValidateRejectsBadArguments) {
  const tq_dw_conv_params good = {0, 0, 2, {1, 1}, {1, 1}, {1, 1}, {-128, 127}};
  tq_dims in = {1, 6, 6, 3}, f = {1, 3, 3, 6}, out = {1, 6, 6, 6};
  ASSERT_EQ(tq_depthwise_conv2d_s8_validate(&good, &in, &f, &out), TQ_OK);
  auto bad = [&](tq_dw_conv_params p, tq_dims i, tq_dims fd, tq_dims o) {
    EXPECT_EQ(tq_depthwise_conv2d_s8_validate(&p, &i, &fd, &o), TQ_ARG_ERROR);
  };
  bad(good, in, {1, 3, 3, 5}, out);  // C*mult mismatch in the filter
  bad(good, in, {2, 3, 3, 6}, out);  // filter N must be 1
  bad(good, in, f, {1, 6, 6, 3});    // output channels
  bad(good, in, f, {1, 9, 6, 6});    // implied bottom pad 4 > 2
  tq_dw_conv_params p = good;
  p.depth_multiplier = 0;
  bad(p, in, f, out);
  p = good;
  p.stride.w = 0;
  bad(p, in, f, out);
  p = good;
  p.input_offset = -128;
  bad(p, in, f, out);
  p = good;
  p.activation = {0, 128};
  bad(p, in, f, out);
}

TEST(DepthwiseConv2dS8Test, ScratchIsOneZeroPointPaddedPlane) {
  // 1x1x3x4 input, 1x1 filter of ones, M = 1.0, zp 0: y = x. Plane 1 x 3 bytes. With a 3x3
  // filter, pad 1 and stride 2 on 5x4 -> 3x2 outputs the plane is 7 x 5 (the implied bottom and
  // right pads are 1 and 0 taps).
  tq_dw_conv_params p = {0, 0, 1, {1, 1}, {0, 0}, {1, 1}, {-128, 127}};
  tq_dims in = {1, 1, 3, 4}, f = {1, 1, 1, 4}, out = {1, 1, 3, 4};
  const int8_t x[12] = {-128, -1, 5, 127, 1, 2, 3, 4, 0, 0, 0, -7}, w[4] = {1, 1, 1, 1};
  const int32_t m0[4] = {1 << 30, 1 << 30, 1 << 30, 1 << 30}, sh[4] = {1, 1, 1, 1};
  tq_per_channel_quant_params q = {m0, sh};
  int8_t y[12];
  int32_t scratch[1];
  EXPECT_EQ(tq_depthwise_conv2d_s8_get_buffer_size(&p, &f, &out), 3u);
  tq_context small = {scratch, 2}, none = {nullptr, 4}, ok = {scratch, 3};
  EXPECT_EQ(tq_depthwise_conv2d_s8(&small, &p, &q, &in, x, &f, w, nullptr, &out, y), TQ_ARG_ERROR);
  EXPECT_EQ(tq_depthwise_conv2d_s8(&none, &p, &q, &in, x, &f, w, nullptr, &out, y), TQ_ARG_ERROR);
  EXPECT_EQ(tq_depthwise_conv2d_s8(nullptr, &p, &q, &in, x, &f, w, nullptr, &out, y), TQ_ARG_ERROR);
  ASSERT_EQ(tq_depthwise_conv2d_s8(&ok, &p, &q, &in, x, &f, w, nullptr, &out, y), TQ_OK);
  EXPECT_EQ(std::vector<int8_t>(y, y + 12), std::vector<int8_t>(x, x + 12));
  tq_dw_conv_params p2 = {0, 0, 1, {2, 2}, {1, 1}, {1, 1}, {-128, 127}};
  tq_dims f3 = {1, 3, 3, 4}, out2 = {1, 3, 2, 4};
  EXPECT_EQ(tq_depthwise_conv2d_s8_get_buffer_size(&p2, &f3, &out2), 7u * 5u);
}

}  // namespace
