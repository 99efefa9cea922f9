// Tests of the host kernels (src/runtime/vec/tq_vec.c): tq_vec_requantize equals tq_requantize,
// and tq_conv2d_vec_s8 / tq_depthwise_conv2d_vec_s8 / tq_fully_connected_vec_s8 give the bytes of
// the Cortex-M kernels (themselves tested against naive references) on random shapes covering
// the pixel blocks, channel blocks, groups, padding, strides and dilations, extreme values, and
// both requantization loops (right shifts only, and mixed shifts).
#include <gtest/gtest.h>

#include <algorithm>
#include <climits>
#include <random>
#include <vector>

extern "C" {
#include "src/runtime/vec/tq_vec.h"
}
#include "tests/runtime/runtime_test_util.h"

namespace {

TEST(VecRequantizeTest, EqualsTqRequantizeOnEdgesAndRandomInputs) {
  const int32_t accs[] = {INT32_MIN, INT32_MIN + 1, -(1 << 30),    -3,       -2, -1, 0, 1, 2,
                          3,         1 << 30,       INT32_MAX - 1, INT32_MAX};
  const int32_t m0s[] = {1 << 30, (1 << 30) + 1, INT32_MAX - 1, INT32_MAX, 0};
  for (int32_t acc : accs)
    for (int32_t m0 : m0s)
      for (int32_t shift = -31; shift <= 30; ++shift)
        ASSERT_EQ(tq_vec_requantize(acc, m0, shift), tq_requantize(acc, m0, shift))
            << "acc=" << acc << " m0=" << m0 << " shift=" << shift;
  std::mt19937 rng(77);
  std::uniform_int_distribution<int32_t> acc_d(INT32_MIN, INT32_MAX), small_d(-70000, 70000);
  std::uniform_int_distribution<int32_t> m0_d(1 << 30, INT32_MAX), shift_d(-31, 30);
  for (int i = 0; i < 300000; ++i) {
    const int32_t acc = (i & 1) ? acc_d(rng) : small_d(rng), m0 = m0_d(rng), sh = shift_d(rng);
    ASSERT_EQ(tq_vec_requantize(acc, m0, sh), tq_requantize(acc, m0, sh))
        << "acc=" << acc << " m0=" << m0 << " shift=" << sh;
  }
}

TEST(VecKernelBiasTest, HandComputedAndBound) {
  // Rows {1, -2, 3} and {-1, -1, -1}; bias {10, -4}; input_offset 5: offset - 128 = -123.
  const int8_t w[] = {1, -2, 3, -1, -1, -1};
  const int32_t bias[] = {10, -4};
  int32_t kb[2];
  tq_vec_kernel_bias(w, 2, 3, bias, 5, kb);
  EXPECT_EQ(kb[0], 10 - 123 * 2);
  EXPECT_EQ(kb[1], -4 + 123 * 3);
  EXPECT_EQ(tq_vec_kernel_bias_bound(w, 2, 3, bias), 10 + 256 * 6);
  int64_t round[2] = {7, 7};
  EXPECT_EQ(tq_vec_right_rounds(std::vector<int32_t>{-3, 0}.data(), 2, round), 0);
  EXPECT_EQ(round[0], 7);  // untouched
  EXPECT_EQ(tq_vec_right_rounds(std::vector<int32_t>{-1, -31}.data(), 2, round), 1);
  EXPECT_EQ(round[0], (1LL << 30) + (1LL << 31));  // 2^30 + 2^(30+1)
  EXPECT_EQ(round[1], (1LL << 30) + (1LL << 61));
}

// Per-channel multipliers with right shifts only, or mixed (some real multipliers >= 0.5).
void Multipliers(std::mt19937& rng, int n, bool mixed, std::vector<int32_t>* m0,
                 std::vector<int32_t>* sh) {
  tinyq_test::RandomMultipliers(rng, n, mixed ? 1e-3 : 1e-4, mixed ? 4.0 : 2e-2, m0, sh);
  // A random draw over few channels may miss the multipliers >= 0.5: the last channel gets 1.5
  // (m0 = 0.75 * 2^31, shift +1), so "mixed" always has a shift >= 0.
  if (mixed && std::none_of(sh->begin(), sh->end(), [](int32_t s) { return s >= 0; })) {
    m0->back() = 1610612736;
    sh->back() = 1;
  }
}

struct ConvCase {
  int n, h, w, cin, cout, kh, kw, groups, s, d, pad, in_zp;
  bool mixed;
};

void CheckConv(const ConvCase& c, uint32_t seed, int w_value = 0) {
  SCOPED_TRACE(::testing::Message() << "seed " << seed << " w " << w_value);
  std::mt19937 rng(seed);
  const int oh = (c.h + 2 * c.pad - ((c.kh - 1) * c.d + 1)) / c.s + 1;
  const int ow = (c.w + 2 * c.pad - ((c.kw - 1) * c.d + 1)) / c.s + 1;
  const int cg = c.cin / c.groups, k = c.kh * c.kw * cg;
  tq_conv_params p = {-c.in_zp, 3, {c.s, c.s}, {c.pad, c.pad}, {c.d, c.d}, c.groups, {-120, 127}};
  tq_dims in = {c.n, c.h, c.w, c.cin}, f = {c.cout, c.kh, c.kw, cg}, out = {c.n, oh, ow, c.cout};
  ASSERT_EQ(tq_conv2d_s8_validate(&p, &in, &f, &out), TQ_OK);
  auto x = tinyq_test::RandomS8(rng, (size_t)c.n * c.h * c.w * c.cin);
  auto w = w_value == 0 ? tinyq_test::RandomS8(rng, (size_t)c.cout * k, -127, 127)
                        : std::vector<int8_t>((size_t)c.cout * k, (int8_t)w_value);
  auto bias = tinyq_test::RandomS32(rng, c.cout, -20000, 20000);
  std::vector<int32_t> m0, sh;
  Multipliers(rng, c.cout, c.mixed, &m0, &sh);
  ASSERT_LE(tq_vec_kernel_bias_bound(w.data(), c.cout, k, bias.data()), INT32_MAX);
  // Cortex-M kernel (kernel bias bias + input_offset * sum(w)).
  std::vector<int32_t> kb(c.cout), vb(c.cout);
  tq_conv2d_s8_kernel_bias(&f, w.data(), bias.data(), p.input_offset, kb.data());
  std::vector<int32_t> scratch(tq_conv2d_s8_get_buffer_size(&f) / 4 + 1);
  tq_context ctx = {scratch.data(), scratch.size() * 4};
  const tq_per_channel_quant_params q = {m0.data(), sh.data()};
  std::vector<int8_t> want((size_t)c.n * oh * ow * c.cout), got(want.size(), 99);
  ASSERT_EQ(tq_conv2d_s8(&ctx, &p, &q, &in, x.data(), &f, w.data(), kb.data(), &out, want.data()),
            TQ_OK);
  // Host kernel (kernel bias bias + (input_offset - 128) * sum(w)).
  tq_vec_kernel_bias(w.data(), c.cout, k, bias.data(), p.input_offset, vb.data());
  std::vector<int64_t> rounds(c.cout);
  const bool right = tq_vec_right_rounds(sh.data(), c.cout, rounds.data()) == 1;
  EXPECT_EQ(right, !c.mixed);
  const tq_vec_quant vq = {vb.data(), m0.data(), sh.data(), right ? rounds.data() : nullptr};
  std::vector<int32_t> vscratch(tq_conv2d_vec_s8_get_buffer_size(&f, &out) / 4 + 1);
  tq_context vctx = {vscratch.data(), vscratch.size() * 4};
  ASSERT_EQ(tq_conv2d_vec_s8(&vctx, &p, &vq, &in, x.data(), &f, w.data(), &out, got.data()), TQ_OK);
  EXPECT_EQ(got, want);
}

TEST(Conv2dVecS8Test, EqualsTheCortexMKernel) {
  // n,h,w,cin,cout,kh,kw,groups,s,d,pad,in_zp,mixed
  const ConvCase cases[] = {
      {1, 14, 14, 64, 64, 1, 1, 1, 1, 1, 0, -128, false},  // pointwise, 196 pixels
      {1, 5, 3, 7, 5, 1, 1, 1, 1, 1, 0, 3, true},          // odd pixel block, odd channels
      {2, 9, 9, 3, 10, 3, 3, 1, 2, 1, 1, 0, false},        // stride 2, pad, batch
      {1, 7, 8, 8, 6, 3, 3, 2, 1, 2, 2, 127, true},        // groups, dilation
      {1, 4, 4, 100, 3, 3, 3, 1, 1, 1, 1, -77, false},     // K = 900
      {1, 1, 1, 13, 17, 1, 1, 1, 1, 1, 0, 12, true},       // one pixel
  };
  uint32_t seed = 1;
  for (const auto& c : cases) {
    CheckConv(c, seed);
    CheckConv(c, seed + 100, 127);
    CheckConv(c, seed + 200, -127);
    ++seed;
  }
}

TEST(Conv2dVecS8Test, SmallScratchIsArgError) {
  tq_conv_params p = {0, 0, {1, 1}, {0, 0}, {1, 1}, 1, {-128, 127}};
  tq_dims in = {1, 2, 2, 3}, f = {2, 1, 1, 3}, out = {1, 2, 2, 2};
  const int8_t x[12] = {1}, w[6] = {1};
  const int32_t b[2] = {0, 0}, m0[2] = {1 << 30, 1 << 30}, sh[2] = {-1, -1};
  const tq_vec_quant q = {b, m0, sh, nullptr};
  int8_t y[8];
  std::vector<int32_t> scratch(tq_conv2d_vec_s8_get_buffer_size(&f, &out) / 4);
  tq_context small = {scratch.data(), scratch.size() * 4 - 4},
             ok = {scratch.data(), scratch.size() * 4};
  EXPECT_EQ(tq_conv2d_vec_s8(&small, &p, &q, &in, x, &f, w, &out, y), TQ_ARG_ERROR);
  EXPECT_EQ(tq_conv2d_vec_s8(&ok, &p, &q, &in, x, &f, w, &out, y), TQ_OK);
}

TEST(DepthwiseConv2dVecS8Test, EqualsTheCortexMKernel) {
  struct Dw {
    int h, w, c, mult, k, s, d, pad, in_zp;
    bool mixed;
  };
  const Dw cases[] = {{14, 14, 64, 1, 3, 1, 1, 1, -128, true},
                      {7, 6, 5, 1, 3, 2, 1, 1, 9, false},
                      {6, 6, 3, 2, 3, 1, 2, 2, 0, true},
                      {5, 4, 16, 1, 5, 1, 1, 2, 127, false},
                      {3, 1, 8, 1, 3, 1, 1, 1, -3, false}};
  uint32_t seed = 40;
  for (const Dw& c : cases) {
    for (int wv : {0, 127, -127}) {
      SCOPED_TRACE(::testing::Message() << "seed " << seed << " w " << wv);
      std::mt19937 rng(seed);
      const int oc = c.c * c.mult;
      const int oh = (c.h + 2 * c.pad - ((c.k - 1) * c.d + 1)) / c.s + 1;
      const int ow = (c.w + 2 * c.pad - ((c.k - 1) * c.d + 1)) / c.s + 1;
      tq_dw_conv_params p = {-c.in_zp,       -5,         c.mult,     {c.s, c.s},
                             {c.pad, c.pad}, {c.d, c.d}, {-128, 100}};
      tq_dims in = {1, c.h, c.w, c.c}, f = {1, c.k, c.k, oc}, out = {1, oh, ow, oc};
      ASSERT_EQ(tq_depthwise_conv2d_s8_validate(&p, &in, &f, &out), TQ_OK);
      auto x = tinyq_test::RandomS8(rng, (size_t)c.h * c.w * c.c);
      auto w = wv == 0 ? tinyq_test::RandomS8(rng, (size_t)c.k * c.k * oc, -127, 127)
                       : std::vector<int8_t>((size_t)c.k * c.k * oc, (int8_t)wv);
      auto bias = tinyq_test::RandomS32(rng, oc, -5000, 5000);
      std::vector<int32_t> m0, sh;
      Multipliers(rng, oc, c.mixed, &m0, &sh);
      const tq_per_channel_quant_params q = {m0.data(), sh.data()};
      std::vector<int32_t> scratch(tq_depthwise_conv2d_s8_get_buffer_size(&p, &f, &out) / 4 + 1);
      tq_context ctx = {scratch.data(), scratch.size() * 4};
      std::vector<int8_t> want((size_t)oh * ow * oc), got(want.size(), 99);
      ASSERT_EQ(tq_depthwise_conv2d_s8(&ctx, &p, &q, &in, x.data(), &f, w.data(), bias.data(), &out,
                                       want.data()),
                TQ_OK);
      std::vector<int64_t> rounds(oc);
      const bool right = tq_vec_right_rounds(sh.data(), oc, rounds.data()) == 1;
      EXPECT_EQ(right, !c.mixed);
      const tq_vec_quant vq = {bias.data(), m0.data(), sh.data(), right ? rounds.data() : nullptr};
      std::vector<int32_t> vscratch(tq_depthwise_conv2d_vec_s8_get_buffer_size(&out) / 4 + 1);
      tq_context vctx = {vscratch.data(), vscratch.size() * 4};
      ASSERT_EQ(
          tq_depthwise_conv2d_vec_s8(&vctx, &p, &vq, &in, x.data(), &f, w.data(), &out, got.data()),
          TQ_OK);
      EXPECT_EQ(got, want);
    }
    ++seed;
  }
}

TEST(FullyConnectedVecS8Test, EqualsTheCortexMKernel) {
  struct Fc {
    int batches, cin, cout, in_zp;
    bool mixed;
  };
  const Fc cases[] = {
      {1, 64, 10, -128, false}, {3, 37, 11, 5, true}, {17, 256, 7, 127, false}, {9, 1, 4, 0, true}};
  uint32_t seed = 60;
  for (const Fc& c : cases) {
    SCOPED_TRACE(::testing::Message() << "seed " << seed);
    std::mt19937 rng(seed++);
    tq_fc_params p = {-c.in_zp, 4, 1, {-128, 120}};
    tq_fc_dims d = {c.batches, c.cin, c.cout};
    auto x = tinyq_test::RandomS8(rng, (size_t)c.batches * c.cin);
    auto w = tinyq_test::RandomS8(rng, (size_t)c.cout * c.cin, -127, 127);
    auto bias = tinyq_test::RandomS32(rng, c.cout, -30000, 30000);
    std::vector<int32_t> m0, sh;
    Multipliers(rng, c.cout, c.mixed, &m0, &sh);
    const tq_per_channel_quant_params q = {m0.data(), sh.data()};
    std::vector<int32_t> scratch(tq_fully_connected_s8_get_buffer_size(&d) / 4 + 1);
    tq_context ctx = {scratch.data(), scratch.size() * 4};
    std::vector<int8_t> want((size_t)c.batches * c.cout), got(want.size(), 99);
    ASSERT_EQ(tq_fully_connected_s8(&ctx, &p, &q, &d, x.data(), w.data(), bias.data(), want.data()),
              TQ_OK);
    std::vector<int32_t> vb(c.cout);
    tq_vec_kernel_bias(w.data(), c.cout, c.cin, bias.data(), p.input_offset, vb.data());
    std::vector<int64_t> rounds(c.cout);
    const bool right = tq_vec_right_rounds(sh.data(), c.cout, rounds.data()) == 1;
    EXPECT_EQ(right, !c.mixed);
    const tq_vec_quant vq = {vb.data(), m0.data(), sh.data(), right ? rounds.data() : nullptr};
    std::vector<int32_t> vscratch(tq_fully_connected_vec_s8_get_buffer_size(&d) / 4 + 1);
    tq_context vctx = {vscratch.data(), vscratch.size() * 4};
    ASSERT_EQ(tq_fully_connected_vec_s8(&vctx, &p, &vq, &d, x.data(), w.data(), got.data()), TQ_OK);
    EXPECT_EQ(got, want);
  }
}

}  // namespace
