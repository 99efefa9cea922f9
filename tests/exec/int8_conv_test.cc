// Tests of the int8 Conv node kernel (src/exec/int8_conv.cc): a hand-computed case, random cases
// against a naive double convolution of the dequantized values (within 1 LSB), and prepare errors.
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/exec/int8_test_util.h"

namespace tinyq {
namespace {

using testing::AddBias;
using testing::AddS8Input;
using testing::AddS8Output;
using testing::AddWeights;

struct ConvCase {
  Shape x;  // [N,C,H,W] or [N,C,L]
  int64_t cout = 4;
  std::vector<int64_t> kernel = {3, 3};
  int64_t group = 1;
  std::vector<int64_t> strides = {1, 1};
  std::vector<int64_t> dilations = {1, 1};
  std::vector<int64_t> pads = {0, 0, 0, 0};  // begins then ends
  float sx = 0.05f;
  int32_t zx = 3;
  float sy = 0.25f;
  int32_t zy = -7;
  bool bias = true;
  int32_t bias_lo = -3000, bias_hi = 3000;
  bool relu6 = false;  // fused tq_act clip [0, 6]
  uint32_t seed = 1;
};

struct ConvGraph {
  std::unique_ptr<Graph> g = std::make_unique<Graph>();
  std::vector<int8_t> x, w;
  std::vector<int32_t> b;
  std::vector<float> sw;
  Shape y_shape;
};

ConvGraph BuildConv(const ConvCase& c) {
  ConvGraph cg;
  Graph& g = *cg.g;
  g.set_source("t.onnx");
  const size_t sp = c.x.size() - 2;  // spatial rank
  const int64_t cg_in = c.x[1] / c.group;
  Shape ws = {c.cout, cg_in};
  ws.insert(ws.end(), c.kernel.begin(), c.kernel.end());
  cg.y_shape = {c.x[0], c.cout};
  for (size_t d = 0; d < sp; ++d) {
    const int64_t eff = (c.kernel[d] - 1) * c.dilations[d] + 1;
    cg.y_shape.push_back((c.x[2 + d] + c.pads[d] + c.pads[sp + d] - eff) / c.strides[d] + 1);
  }
  cg.x = testing::RandomS8(static_cast<size_t>(NumElements(c.x)), c.seed);
  cg.w = testing::RandomS8(static_cast<size_t>(NumElements(ws)), c.seed + 1, -127, 127);
  for (int64_t o = 0; o < c.cout; ++o) cg.sw.push_back(0.004f + 0.002f * static_cast<float>(o % 5));
  cg.b = testing::RandomS32(static_cast<size_t>(c.cout), c.seed + 2, c.bias_lo, c.bias_hi);
  Value* x = AddS8Input(g, "x", c.x, c.sx, c.zx);
  Value* w = AddWeights(g, "w", ws, cg.w, cg.sw);
  std::vector<Value*> ins = {x, w};
  if (c.bias) ins.push_back(AddBias(g, "b", cg.b, c.sx, cg.sw));
  Value* y = AddS8Output(g, "y", cg.y_shape, c.sy, c.zy);
  Node* n = g.AddNode(OpKind::kConv, "conv", ins, {y});
  n->SetInt("group", c.group);
  n->SetInts("kernel_shape", c.kernel);
  n->SetInts("strides", c.strides);
  n->SetInts("dilations", c.dilations);
  n->SetInts("pads", c.pads);
  if (c.relu6) {
    n->SetString("tq_act", "clip");
    n->SetFloat("tq_act_min", 0.0f);
    n->SetFloat("tq_act_max", 6.0f);
  }
  return cg;
}

// Naive NCHW convolution in double of the dequantized values, then quantized (1-D as H = 1).
std::vector<int> ReferenceConv(const ConvCase& c, const ConvGraph& cg) {
  const bool one_d = c.x.size() == 3;
  const int64_t n = c.x[0], ci = c.x[1], h = one_d ? 1 : c.x[2], w = c.x.back();
  const int64_t kh = one_d ? 1 : c.kernel[0], kw = c.kernel.back();
  const int64_t oh = one_d ? 1 : cg.y_shape[2], ow = cg.y_shape.back();
  const int64_t sh = one_d ? 1 : c.strides[0], sw = c.strides.back();
  const int64_t dh = one_d ? 1 : c.dilations[0], dw = c.dilations.back();
  const int64_t pt = one_d ? 0 : c.pads[0], pl = one_d ? c.pads[0] : c.pads[1];
  const int64_t cgi = ci / c.group, cgo = c.cout / c.group;
  int lo = -128, hi = 127;
  if (c.relu6) {
    lo = std::max(-128, c.zy);
    hi = testing::QuantRef(6.0, c.sy, c.zy);
  }
  std::vector<int> out;
  for (int64_t b = 0; b < n; ++b)
    for (int64_t o = 0; o < c.cout; ++o)
      for (int64_t y = 0; y < oh; ++y)
        for (int64_t xo = 0; xo < ow; ++xo) {
          double acc = c.bias ? cg.b[o] * static_cast<double>(c.sx * cg.sw[o]) : 0.0;
          const int64_t g = o / cgo;
          for (int64_t i = 0; i < cgi; ++i)
            for (int64_t ky = 0; ky < kh; ++ky)
              for (int64_t kx = 0; kx < kw; ++kx) {
                const int64_t iy = y * sh - pt + ky * dh, ix = xo * sw - pl + kx * dw;
                if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                const int8_t xq =
                    cg.x[static_cast<size_t>(((b * ci + g * cgi + i) * h + iy) * w + ix)];
                const int8_t wq = cg.w[static_cast<size_t>(((o * cgi + i) * kh + ky) * kw + kx)];
                acc += testing::Deq(xq, c.sx, c.zx) * static_cast<double>(cg.sw[o]) * wq;
              }
          out.push_back(testing::QuantRef(acc, c.sy, c.zy, lo, hi));
        }
  return out;
}

void ExpectMatchesReference(const ConvCase& c) {
  ConvGraph cg = BuildConv(c);
  const Tensor y = testing::RunInt8(*cg.g, {{"x", Tensor::FromVector<int8_t>(c.x, cg.x)}}, "y");
  ASSERT_EQ(y.shape(), cg.y_shape);
  testing::ExpectCodesNear(y, ReferenceConv(c, cg), 1);
}

TEST(Conv2dS8Test, HandComputed1x1) {
  // x codes ch0 [3,5], ch1 [1,-1] with s 0.5 zp 1 -> real ch0 [1,2], ch1 [0,-1];
  // w [2,-3] * 0.25 = [0.5,-0.75]; bias 4 * (0.5*0.25) = 0.5; s_out 1, zp 0.
  // y0 = 1*0.5 + 0 + 0.5 = 1; y1 = 2*0.5 + (-1)*(-0.75) + 0.5 = 2.25 -> 2.
  Graph g;
  Value* x = AddS8Input(g, "x", {1, 2, 1, 2}, 0.5f, 1);
  Value* w = AddWeights(g, "w", {1, 2, 1, 1}, {2, -3}, {0.25f});
  Value* b = AddBias(g, "b", {4}, 0.5f, {0.25f});
  Value* y = AddS8Output(g, "y", {1, 1, 1, 2}, 1.0f, 0);
  g.AddNode(OpKind::kConv, "conv", {x, w, b}, {y});
  const Tensor out =
      testing::RunInt8(g, {{"x", Tensor::FromVector<int8_t>({1, 2, 1, 2}, {3, 5, 1, -1})}}, "y");
  testing::ExpectCodesNear(out, {1, 2}, 0);
}

TEST(Conv2dS8Test, Regular3x3Pad1MatchesDoubleReference) {
  ConvCase c;
  c.x = {1, 3, 6, 5};
  c.pads = {1, 1, 1, 1};
  ExpectMatchesReference(c);
}

TEST(Conv2dS8Test, Stride2Dilation2Batch2MatchesDoubleReference) {
  ConvCase c;
  c.x = {2, 2, 9, 8};
  c.strides = {2, 2};
  c.dilations = {2, 2};
  c.pads = {2, 1, 2, 1};
  c.seed = 7;
  ExpectMatchesReference(c);
}

TEST(Conv2dS8Test, AsymmetricPadsMatchDoubleReference) {
  ConvCase c;
  c.x = {1, 2, 6, 6};
  c.strides = {2, 2};
  c.pads = {0, 0, 1, 1};  // TF "SAME" style: extra padding at the end
  c.seed = 11;
  ExpectMatchesReference(c);
}

TEST(Conv2dS8Test, GroupedMatchesDoubleReference) {
  ConvCase c;
  c.x = {1, 4, 5, 5};
  c.cout = 6;
  c.group = 2;
  c.pads = {1, 1, 1, 1};
  c.seed = 3;
  ExpectMatchesReference(c);
}

TEST(Conv2dS8Test, DepthwiseMultiplier2MatchesDoubleReference) {
  ConvCase c;
  c.x = {1, 3, 7, 6};
  c.cout = 6;
  c.group = 3;
  c.pads = {1, 1, 1, 1};
  c.strides = {2, 1};
  c.seed = 5;
  ExpectMatchesReference(c);
}

TEST(Conv2dS8Test, PointwiseNoBiasMatchesDoubleReference) {
  ConvCase c;
  c.x = {2, 8, 3, 3};
  c.cout = 5;
  c.kernel = {1, 1};
  c.bias = false;
  c.seed = 9;
  ExpectMatchesReference(c);
}

TEST(Conv2dS8Test, BiasesAboveTwoToThe25KeepSeparateShiftsAndMatchDoubleReference) {
  // Such biases do not fit the runtime's packed bias/shift words: the kernel keeps the shifts in
  // their own array (ChannelQuantArrays) and must give the same results.
  ConvCase c;
  c.x = {1, 3, 5, 5};
  c.cout = 6;
  c.pads = {1, 1, 1, 1};
  c.bias_lo = 1 << 25;
  c.bias_hi = 1 << 26;
  c.sy = 150.0f;  // real bias ~ 2^25 * 0.05 * 0.004 = 6.7e3: outputs stay inside the int8 range
  c.zy = -100;
  ExpectMatchesReference(c);
}

TEST(Conv2dS8Test, Conv1dMatchesDoubleReference) {
  ConvCase c;
  c.x = {1, 3, 12};
  c.kernel = {3};
  c.strides = {1};
  c.dilations = {1};
  c.pads = {1, 1};
  c.seed = 13;
  ExpectMatchesReference(c);
}

TEST(Conv2dS8Test, FusedClipBecomesOutputClamp) {
  ConvCase c;
  c.x = {1, 3, 5, 5};
  c.pads = {1, 1, 1, 1};
  c.relu6 = true;
  c.sy = 0.05f;  // 6.0 is code 113: the upper bound is inside the int8 range
  c.zy = -7;
  c.seed = 17;
  ConvGraph cg = BuildConv(c);
  const Tensor y = testing::RunInt8(*cg.g, {{"x", Tensor::FromVector<int8_t>(c.x, cg.x)}}, "y");
  testing::ExpectCodesNear(y, ReferenceConv(c, cg), 1);
  bool hit_lo = false, hit_hi = false;
  for (int64_t i = 0; i < y.numel(); ++i) {
    const int v = y.data<int8_t>()[i];
    EXPECT_GE(v, -7);
    EXPECT_LE(v, 113);
    hit_lo = hit_lo || v == -7;
    hit_hi = hit_hi || v == 113;
  }
  EXPECT_TRUE(hit_lo && hit_hi) << "the case should exercise both clamp bounds";
}

ConvCase SmallCase() {
  ConvCase c;
  c.x = {1, 2, 4, 4};
  return c;
}

TEST(Conv2dS8Test, MissingInputQuantParamsIsRefused) {
  ConvGraph cg = BuildConv(SmallCase());
  cg.g->FindValue("x")->set_quant(std::nullopt);
  const Status s = testing::PrepareInt8(*cg.g);
  EXPECT_EQ(s.code(), StatusCode::kInvalidModel);
  EXPECT_NE(s.message().find("t.onnx: node 'conv' (Conv): input X 'x' has no QuantParams"),
            std::string::npos)
      << s.message();
}

TEST(Conv2dS8Test, NonZeroWeightZeroPointIsRefused) {
  ConvGraph cg = BuildConv(SmallCase());
  QuantParams q = *cg.g->FindValue("w")->quant();
  q.zero_point[1] = 2;
  cg.g->FindValue("w")->set_quant(q);
  const Status s = testing::PrepareInt8(*cg.g);
  EXPECT_EQ(s.code(), StatusCode::kInvalidModel);
  EXPECT_NE(s.message().find("zero point 0"), std::string::npos) << s.message();
}

TEST(Conv2dS8Test, BiasScaleMismatchIsRefused) {
  ConvGraph cg = BuildConv(SmallCase());
  QuantParams q = *cg.g->FindValue("b")->quant();
  q.scale[0] *= 2.0f;
  cg.g->FindValue("b")->set_quant(q);
  const Status s = testing::PrepareInt8(*cg.g);
  EXPECT_EQ(s.code(), StatusCode::kInvalidModel);
  EXPECT_NE(s.message().find("bias 'b' channel 0"), std::string::npos) << s.message();
}

TEST(Conv2dS8Test, BadOutputScaleIsRefused) {
  ConvGraph cg = BuildConv(SmallCase());
  cg.g->FindValue("y")->set_quant(testing::ActParams(0.0f, 0));
  const Status s = testing::PrepareInt8(*cg.g);
  EXPECT_EQ(s.code(), StatusCode::kInvalidModel);
  EXPECT_NE(s.message().find("positive and finite"), std::string::npos) << s.message();
}

TEST(Conv2dS8Test, AccumulatorOverflowIsRefused) {
  ConvCase c = SmallCase();
  ConvGraph cg = BuildConv(c);
  // |bias| near INT32_MAX: bias + (128 + |offset|) * sum|w| cannot fit int32.
  Value* b = cg.g->FindValue("b");
  QuantParams q = *b->quant();
  std::vector<int32_t> big(static_cast<size_t>(c.cout), 2147480000);
  b->set_constant(Tensor::FromVector<int32_t>({c.cout}, big));
  b->set_quant(q);
  const Status s = testing::PrepareInt8(*cg.g);
  EXPECT_EQ(s.code(), StatusCode::kUnsupported);
  EXPECT_NE(s.message().find("exceeds INT32_MAX"), std::string::npos) << s.message();
}

TEST(Conv2dS8Test, ImpliedEndPaddingTooLargeIsRefused) {
  ConvCase c = SmallCase();
  c.pads = {0, 0, 3, 3};  // 3 > max(begin 0, kernel-1 = 2)
  ConvGraph cg = BuildConv(c);
  const Status s = testing::PrepareInt8(*cg.g);
  EXPECT_EQ(s.code(), StatusCode::kUnsupported);
  EXPECT_NE(s.message().find("t.onnx: node 'conv' (Conv): "), std::string::npos) << s.message();
}

TEST(Conv2dS8Test, FloatWeightsAreRefused) {
  Graph g;
  Value* x = AddS8Input(g, "x", {1, 1, 2, 2}, 0.1f, 0);
  Value* w = g.AddConstant("w", Tensor::FromVector<float>({1, 1, 1, 1}, {1.0f}));
  Value* y = AddS8Output(g, "y", {1, 1, 2, 2}, 0.1f, 0);
  g.AddNode(OpKind::kConv, "conv", {x, w}, {y});
  const Status s = testing::PrepareInt8(g);
  EXPECT_EQ(s.code(), StatusCode::kInvalidModel);
  EXPECT_NE(s.message().find("constant s8"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace tinyq
