// Tests of ConvF32 / ConvTransposeF32 (through the Conv / ConvTranspose kernels where the
// geometry comes from attributes) against hand-computed values and a direct-definition loop.
#include "src/exec/conv_f32.h"

#include <gtest/gtest.h>

#include "src/exec/window_table.h"
#include "tests/exec/nn_test_util.h"

namespace tinyq {
namespace {

using testing_nn::ExpectNear;
using testing_nn::OneNode;
using testing_nn::RandomTensor;
using testing_nn::Values;

struct Conv2dCase {
  int64_t n = 1, cin = 3, h = 7, w = 6, cout = 4, kh = 3, kw = 3, group = 1;
  int64_t sh = 1, sw = 1, dh = 1, dw = 1, pt = 0, pl = 0, pb = 0, pr = 0;
  bool bias = true;
};

// ONNX Conv by its definition: a sum over the window, skipping padded positions.
std::vector<float> NaiveConv2d(const Conv2dCase& c, const Tensor& x, const Tensor& w,
                               const Tensor& b, Shape* out_shape) {
  const int64_t oh = (c.h + c.pt + c.pb - ((c.kh - 1) * c.dh + 1)) / c.sh + 1;
  const int64_t ow = (c.w + c.pl + c.pr - ((c.kw - 1) * c.dw + 1)) / c.sw + 1;
  *out_shape = {c.n, c.cout, oh, ow};
  const int64_t cin_g = c.cin / c.group, cout_g = c.cout / c.group;
  std::vector<float> out(static_cast<size_t>(c.n * c.cout * oh * ow));
  const float* xd = x.data<float>();
  const float* wd = w.data<float>();
  for (int64_t n = 0; n < c.n; ++n)
    for (int64_t oc = 0; oc < c.cout; ++oc)
      for (int64_t y = 0; y < oh; ++y)
        for (int64_t xo = 0; xo < ow; ++xo) {
          double acc = c.bias ? b.data<float>()[oc] : 0.0;
          const int64_t g = oc / cout_g;
          for (int64_t ic = 0; ic < cin_g; ++ic)
            for (int64_t i = 0; i < c.kh; ++i)
              for (int64_t j = 0; j < c.kw; ++j) {
                const int64_t iy = y * c.sh - c.pt + i * c.dh;
                const int64_t ix = xo * c.sw - c.pl + j * c.dw;
                if (iy < 0 || iy >= c.h || ix < 0 || ix >= c.w) continue;
                acc += xd[((n * c.cin + g * cin_g + ic) * c.h + iy) * c.w + ix] *
                       wd[((oc * cin_g + ic) * c.kh + i) * c.kw + j];
              }
          out[static_cast<size_t>(((n * c.cout + oc) * oh + y) * ow + xo)] =
              static_cast<float>(acc);
        }
  return out;
}

void CheckConvAgainstNaive(const Conv2dCase& c, uint32_t seed) {
  const Tensor x = RandomTensor({c.n, c.cin, c.h, c.w}, seed);
  const Tensor w = RandomTensor({c.cout, c.cin / c.group, c.kh, c.kw}, seed + 1);
  const Tensor b = RandomTensor({c.cout}, seed + 2);
  OneNode t(OpKind::kConv, x, {&w, c.bias ? &b : nullptr});
  t.node->SetInt("group", c.group);
  t.node->SetInts("strides", {c.sh, c.sw});
  t.node->SetInts("dilations", {c.dh, c.dw});
  t.node->SetInts("pads", {c.pt, c.pl, c.pb, c.pr});
  ASSERT_TRUE(t.Prepare().ok()) << t.Prepare().ToString();
  Shape want_shape;
  const std::vector<float> want = NaiveConv2d(c, x, w, b, &want_shape);
  const Tensor y = t.Eval();
  EXPECT_EQ(y.shape(), want_shape);
  ExpectNear(Values(y), want, 1e-4f);
}

TEST(ConvF32Test, HandComputed2x2OnesKernel) {
  // x = 1..9 as 3x3, w = ones(2x2): each output is the sum of a 2x2 block.
  ConvGeometry g;
  g.in = {3, 3};
  g.kernel = {2, 2};
  g.strides = g.dilations = {1, 1};
  g.pad_begin = g.pad_end = {0, 0};
  g.out = {2, 2};
  const std::vector<int32_t> offsets = BuildWindowOffsets(g);
  ConvParamsF32 p;
  p.in_channels = p.out_channels = p.groups = 1;
  p.in_size = 9;
  p.out_size = 4;
  p.kernel_size = 4;
  p.window_offsets = offsets.data();
  const std::vector<float> x = {1, 2, 3, 4, 5, 6, 7, 8, 9}, w = {1, 1, 1, 1};
  const float bias = 0.5f;
  std::vector<float> scratch(static_cast<size_t>(ConvScratchSizeF32(p))), out(4);
  ConvF32(p, x.data(), w.data(), &bias, scratch.data(), out.data());
  ExpectNear(out, {12.5f, 16.5f, 24.5f, 28.5f});
}

TEST(ConvF32Test, HandComputed1dPadded) {
  // out[i] = x[i-1] - x[i+1] with zero padding.
  const Tensor x = Tensor::FromVector<float>({1, 1, 5}, {1, 2, 3, 4, 5});
  const Tensor w = Tensor::FromVector<float>({1, 1, 3}, {1, 0, -1});
  OneNode t(OpKind::kConv, x, {&w});
  t.node->SetInts("pads", {1, 1});
  ASSERT_TRUE(t.Prepare().ok());
  const Tensor y = t.Eval();
  EXPECT_EQ(y.shape(), (Shape{1, 1, 5}));
  ExpectNear(Values(y), {-2, -2, -2, -2, 4});
}

TEST(ConvF32Test, Stride2Dilation2AsymmetricPadsMatchesNaive) {
  Conv2dCase c;
  c.n = 2, c.h = 9, c.w = 8, c.sh = 2, c.sw = 1, c.dh = 2, c.dw = 2;
  c.pt = 1, c.pl = 2, c.pb = 0, c.pr = 1;
  CheckConvAgainstNaive(c, 10);
}

TEST(ConvF32Test, GroupedConvMatchesNaive) {
  Conv2dCase c;
  c.cin = 4, c.cout = 6, c.group = 2, c.pt = c.pl = c.pb = c.pr = 1;
  CheckConvAgainstNaive(c, 20);
}

TEST(ConvF32Test, DepthwiseWithMultiplierMatchesNaive) {
  Conv2dCase c;
  c.cin = 3, c.cout = 6, c.group = 3, c.sh = c.sw = 2, c.pt = c.pl = 1, c.pb = c.pr = 1;
  CheckConvAgainstNaive(c, 30);
}

TEST(ConvF32Test, PointwiseWithoutBiasMatchesNaive) {
  Conv2dCase c;
  c.kh = c.kw = 1, c.cin = 5, c.cout = 7, c.bias = false;
  CheckConvAgainstNaive(c, 40);
}

TEST(ConvF32Test, PointwiseStride2UsesWindowPath) {
  Conv2dCase c;
  c.kh = c.kw = 1, c.sh = c.sw = 2;
  CheckConvAgainstNaive(c, 50);
}

TEST(ConvF32Test, AutoPadSameLowerPutsExtraPadFirst) {
  // in 6, k 3, s 2 -> out 3, total pad 1: SAME_LOWER = (1, 0), SAME_UPPER = (0, 1).
  Conv2dCase c;
  c.h = c.w = 6, c.sh = c.sw = 2, c.pt = c.pl = 1;
  const Tensor x = RandomTensor({1, 3, 6, 6}, 60);
  const Tensor w = RandomTensor({4, 3, 3, 3}, 61);
  const Tensor b = RandomTensor({4}, 62);
  for (const char* mode : {"SAME_LOWER", "SAME_UPPER"}) {
    OneNode t(OpKind::kConv, x, {&w, &b});
    t.node->SetString("auto_pad", mode);
    t.node->SetInts("strides", {2, 2});
    ASSERT_TRUE(t.Prepare().ok());
    Conv2dCase e = c;
    if (std::string(mode) == "SAME_UPPER") e.pt = e.pl = 0, e.pb = e.pr = 1;
    Shape shape;
    ExpectNear(Values(t.Eval()), NaiveConv2d(e, x, w, b, &shape), 1e-4f);
    EXPECT_EQ(shape, (Shape{1, 4, 3, 3}));
  }
}

// 1-D convolutions take the offset-table path (2-D ones the padded-plane path).
void CheckConv1dAgainstNaive(int64_t cin, int64_t cout, int64_t group, int64_t k, int64_t s,
                             int64_t d, int64_t pb, int64_t pe, uint32_t seed) {
  const int64_t len = 11, cin_g = cin / group, cout_g = cout / group;
  const Tensor x = RandomTensor({2, cin, len}, seed);
  const Tensor w = RandomTensor({cout, cin_g, k}, seed + 1);
  const Tensor b = RandomTensor({cout}, seed + 2);
  OneNode t(OpKind::kConv, x, {&w, &b});
  t.node->SetInt("group", group);
  t.node->SetInts("strides", {s});
  t.node->SetInts("dilations", {d});
  t.node->SetInts("pads", {pb, pe});
  ASSERT_TRUE(t.Prepare().ok()) << t.Prepare().ToString();
  const int64_t out_len = (len + pb + pe - ((k - 1) * d + 1)) / s + 1;
  std::vector<float> want;
  for (int64_t n = 0; n < 2; ++n)
    for (int64_t oc = 0; oc < cout; ++oc)
      for (int64_t o = 0; o < out_len; ++o) {
        double acc = b.data<float>()[oc];
        for (int64_t ic = 0; ic < cin_g; ++ic)
          for (int64_t j = 0; j < k; ++j) {
            const int64_t i = o * s - pb + j * d;
            if (i < 0 || i >= len) continue;
            acc += x.data<float>()[(n * cin + (oc / cout_g) * cin_g + ic) * len + i] *
                   w.data<float>()[(oc * cin_g + ic) * k + j];
          }
        want.push_back(static_cast<float>(acc));
      }
  const Tensor y = t.Eval();
  EXPECT_EQ(y.shape(), (Shape{2, cout, out_len}));
  ExpectNear(Values(y), want, 1e-4f);
}

TEST(ConvF32Test, Conv1dGroupedStridedDilatedMatchesNaive) {
  CheckConv1dAgainstNaive(4, 6, 2, 3, 2, 2, 2, 1, 80);
}

TEST(ConvF32Test, Conv1dDepthwiseMatchesNaive) {
  CheckConv1dAgainstNaive(3, 6, 3, 4, 1, 1, 1, 2, 90);
}

// ONNX ConvTranspose by its definition: each input scatters w * x into the output.
std::vector<float> NaiveConvTranspose2d(const Tensor& x, const Tensor& w, int64_t group, int64_t s,
                                        int64_t d, int64_t pad, int64_t out_pad, Shape* out_shape) {
  const int64_t n = x.dim(0), cin = x.dim(1), h = x.dim(2), wd = x.dim(3);
  const int64_t cout_g = w.dim(1), k = w.dim(2), cin_g = cin / group;
  const int64_t oh = s * (h - 1) + out_pad + (k - 1) * d + 1 - 2 * pad;
  const int64_t ow = s * (wd - 1) + out_pad + (k - 1) * d + 1 - 2 * pad;
  *out_shape = {n, cout_g * group, oh, ow};
  std::vector<float> out(static_cast<size_t>(NumElements(*out_shape)), 0.0f);
  for (int64_t b = 0; b < n; ++b)
    for (int64_t ic = 0; ic < cin; ++ic)
      for (int64_t oc = 0; oc < cout_g; ++oc)
        for (int64_t y = 0; y < h; ++y)
          for (int64_t xx = 0; xx < wd; ++xx)
            for (int64_t i = 0; i < k; ++i)
              for (int64_t j = 0; j < k; ++j) {
                const int64_t oy = y * s - pad + i * d, ox = xx * s - pad + j * d;
                if (oy < 0 || oy >= oh || ox < 0 || ox >= ow) continue;
                const int64_t och = (ic / cin_g) * cout_g + oc;
                out[static_cast<size_t>(((b * cout_g * group + och) * oh + oy) * ow + ox)] +=
                    x.data<float>()[((b * cin + ic) * h + y) * wd + xx] *
                    w.data<float>()[((ic * cout_g + oc) * k + i) * k + j];
              }
  return out;
}

TEST(ConvTransposeF32Test, HandComputed1dStride2) {
  // x = [1, 2], w = [1, 1, 1], stride 2: [1, 1, 1+2, 2, 2].
  const Tensor x = Tensor::FromVector<float>({1, 1, 2}, {1, 2});
  const Tensor w = Tensor::FromVector<float>({1, 1, 3}, {1, 1, 1});
  OneNode t(OpKind::kConvTranspose, x, {&w});
  t.node->SetInts("strides", {2});
  ASSERT_TRUE(t.Prepare().ok());
  const Tensor y = t.Eval();
  EXPECT_EQ(y.shape(), (Shape{1, 1, 5}));
  ExpectNear(Values(y), {1, 1, 3, 2, 2});
}

TEST(ConvTransposeF32Test, OutputShapeLargerThanFullAppendsAtTheEnd) {
  // Full size 5, output_shape 6: total padding -1, the extra element is bias only.
  const Tensor x = Tensor::FromVector<float>({1, 1, 2}, {1, 2});
  const Tensor w = Tensor::FromVector<float>({1, 1, 3}, {1, 1, 1});
  const Tensor b = Tensor::FromVector<float>({1}, {0.5f});
  OneNode t(OpKind::kConvTranspose, x, {&w, &b});
  t.node->SetInts("strides", {2});
  t.node->SetInts("output_shape", {6});
  ASSERT_TRUE(t.Prepare().ok());
  const Tensor y = t.Eval();
  EXPECT_EQ(y.shape(), (Shape{1, 1, 6}));
  ExpectNear(Values(y), {1.5f, 1.5f, 3.5f, 2.5f, 2.5f, 0.5f});
}

TEST(ConvTransposeF32Test, GroupsStrideDilationPadsOutputPaddingMatchNaive) {
  const Tensor x = RandomTensor({2, 4, 5, 5}, 70);
  const Tensor w = RandomTensor({4, 3, 3, 3}, 71);  // group 2 -> 6 output channels
  OneNode t(OpKind::kConvTranspose, x, {&w});
  t.node->SetInt("group", 2);
  t.node->SetInts("strides", {2, 2});
  t.node->SetInts("dilations", {2, 2});
  t.node->SetInts("pads", {1, 1, 1, 1});
  t.node->SetInts("output_padding", {1, 1});
  ASSERT_TRUE(t.Prepare().ok()) << t.Prepare().ToString();
  Shape shape;
  const std::vector<float> want = NaiveConvTranspose2d(x, w, 2, 2, 2, 1, 1, &shape);
  const Tensor y = t.Eval();
  EXPECT_EQ(y.shape(), shape);
  ExpectNear(Values(y), want, 1e-4f);
}

}  // namespace
}  // namespace tinyq
