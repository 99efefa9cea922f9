// Tests of the float32 convolution (src/runtime/tq_conv_f32.c): a hand-computed case, and on
// random regular, grouped and depthwise geometries with strides, paddings and dilations the
// exact bits of the documented order of operations (bias, then taps ky, kx, ci, one rounding per
// product and per sum): the host library is built with -mfma, so this also proves that nothing
// was contracted into an FMA.
#include <gtest/gtest.h>

#include <random>
#include <vector>

extern "C" {
#include "src/runtime/tq_conv_f32.h"
}
#include "tests/runtime/f32_test_util.h"

namespace {

using tinyq_test::Add32;
using tinyq_test::Mul32;

const tq_clamp_f32 kNoClamp = {0, 0.0f, 0.0f};

TEST(ConvF32Test, HandComputed2x2OnesWithBiasAndClamp) {
  // x = 1..9 as a 3x3 image; 2x2 filter of ones: 1+2+4+5 = 12, 16, 24, 28; + bias 1; max 20.
  const std::vector<float> x = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  const std::vector<float> w = {1, 1, 1, 1};
  const float bias = 1.0f;
  const tq_dims in = {1, 3, 3, 1}, f = {1, 2, 2, 1}, out = {1, 2, 2, 1};
  const tq_conv_f32_params p = {{1, 1}, {0, 0}, {1, 1}, 1, {TQ_CLAMP_MAX, 0.0f, 20.0f}};
  ASSERT_EQ(tq_conv2d_f32_validate(&p, &in, &f, &out), TQ_OK);
  std::vector<float> y(4);
  tq_conv2d_f32(&p, &in, x.data(), &f, w.data(), &bias, &out, y.data());
  EXPECT_EQ(y, (std::vector<float>{13, 17, 20, 20}));
}

TEST(ConvF32Test, ValidateRejectsInconsistentGroups) {
  const tq_dims in = {1, 4, 4, 6}, f = {4, 3, 3, 3}, out = {1, 2, 2, 4};
  tq_conv_f32_params p = {{1, 1}, {0, 0}, {1, 1}, 2, kNoClamp};
  EXPECT_EQ(tq_conv2d_f32_validate(&p, &in, &f, &out), TQ_OK);
  p.groups = 4;  // 6 input channels do not split into 4 groups
  EXPECT_EQ(tq_conv2d_f32_validate(&p, &in, &f, &out), TQ_ARG_ERROR);
  p.groups = 2;
  p.dilation.h = 0;
  EXPECT_EQ(tq_conv2d_f32_validate(&p, &in, &f, &out), TQ_ARG_ERROR);
}

struct Geometry {
  int32_t h, w, cin, cout, groups, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow;
};

TEST(ConvF32Test, RandomGeometriesGiveTheDocumentedBits) {
  const Geometry cases[] = {
      {7, 6, 3, 5, 1, 3, 3, 1, 1, 1, 1, 1, 1, 7, 6},  // same padding
      {9, 8, 4, 6, 2, 3, 2, 2, 1, 1, 0, 1, 2, 5, 6},  // grouped, stride, dilation
      {6, 6, 5, 5, 5, 3, 3, 1, 1, 1, 1, 1, 1, 6, 6},  // depthwise
      {6, 5, 3, 6, 3, 3, 3, 2, 2, 2, 1, 1, 1, 4, 3},  // depthwise multiplier 2, asymmetric
      {1, 9, 2, 3, 1, 1, 3, 1, 2, 0, 1, 1, 2, 1, 4},  // 1-D as H = 1
  };
  std::mt19937 rng(3);
  for (const Geometry& c : cases) {
    const int32_t cg = c.cin / c.groups, cout_g = c.cout / c.groups;
    const tq_dims in = {2, c.h, c.w, c.cin}, f = {c.cout, c.kh, c.kw, cg},
                  out = {2, c.oh, c.ow, c.cout};
    const tq_conv_f32_params p = {
        {c.sh, c.sw}, {c.ph, c.pw}, {c.dh, c.dw}, c.groups, {TQ_CLAMP_MIN, -0.5f, 0.0f}};
    ASSERT_EQ(tq_conv2d_f32_validate(&p, &in, &f, &out), TQ_OK);
    const auto x = tinyq_test::RandomF32(rng, static_cast<size_t>(2 * c.h * c.w * c.cin));
    const auto w = tinyq_test::RandomF32(rng, static_cast<size_t>(c.kh * c.kw * cg * c.cout));
    const auto b = tinyq_test::RandomF32(rng, static_cast<size_t>(c.cout));
    std::vector<float> y(static_cast<size_t>(2 * c.oh * c.ow * c.cout));
    tq_conv2d_f32(&p, &in, x.data(), &f, w.data(), b.data(), &out, y.data());
    for (int n = 0; n < 2; ++n)
      for (int oy = 0; oy < c.oh; ++oy)
        for (int ox = 0; ox < c.ow; ++ox)
          for (int oc = 0; oc < c.cout; ++oc) {
            const int g = oc / cout_g;
            float acc = b[static_cast<size_t>(oc)];
            for (int ky = 0; ky < c.kh; ++ky)
              for (int kx = 0; kx < c.kw; ++kx) {
                const int iy = oy * c.sh - c.ph + ky * c.dh, ix = ox * c.sw - c.pw + kx * c.dw;
                if (iy < 0 || iy >= c.h || ix < 0 || ix >= c.w) continue;
                for (int ci = 0; ci < cg; ++ci) {
                  const float xv =
                      x[static_cast<size_t>(((n * c.h + iy) * c.w + ix) * c.cin + g * cg + ci)];
                  const float wv =
                      w[static_cast<size_t>(((ky * c.kw + kx) * cg + ci) * c.cout + oc)];
                  acc = Add32(acc, Mul32(xv, wv));
                }
              }
            const float want = acc < -0.5f ? -0.5f : acc;
            const float got = y[static_cast<size_t>(((n * c.oh + oy) * c.ow + ox) * c.cout + oc)];
            ASSERT_TRUE(tinyq_test::SameBits(got, want))
                << "case groups " << c.groups << " out (" << n << "," << oy << "," << ox << ","
                << oc << "): " << got << " vs " << want;
          }
  }
}

}  // namespace
