// Tests of tq_fully_connected_s8 (src/runtime/tq_fully_connected.c).
#include <gtest/gtest.h>

#include <climits>
#include <random>
#include <vector>

extern "C" {
#include "src/runtime/tq_fully_connected.h"
}
#include "tests/runtime/runtime_test_util.h"

namespace {

std::vector<int8_t> RunFc(const tq_fc_params& p, const tq_fc_dims& d, const std::vector<int8_t>& x,
                          const std::vector<int8_t>& w, const int32_t* bias,
                          const std::vector<int32_t>& m0, const std::vector<int32_t>& sh) {
  EXPECT_EQ(tq_fully_connected_s8_validate(&p, &d), TQ_OK);
  std::vector<int32_t> scratch(tq_fully_connected_s8_get_buffer_size(&d) / 4);
  tq_context ctx = {scratch.data(), scratch.size() * 4};
  tq_per_channel_quant_params q = {m0.data(), sh.data()};
  std::vector<int8_t> y((size_t)d.batches * d.output_features, 99);
  EXPECT_EQ(tq_fully_connected_s8(&ctx, &p, &q, &d, x.data(), w.data(), bias, y.data()), TQ_OK);
  // The packed form (bias and shift in one word) gives the same bytes.
  const auto words = tinyq_test::PackBiasShift(bias, sh, d.output_features);
  const tq_per_channel_quant_params packed = {m0.data(), nullptr};
  std::vector<int8_t> y_packed(y.size(), 99);
  EXPECT_EQ(tq_fully_connected_s8(&ctx, &p, &packed, &d, x.data(), w.data(), words.data(),
                                  y_packed.data()),
            TQ_OK);
  EXPECT_EQ(y_packed, y);
  return y;
}

TEST(FullyConnectedS8Test, HandComputedPerTensor) {
  // x = [5, -3, 0], zp_in 2 -> x + off = [3, -5, -2].
  // w row0 = [1, 2, 3] -> 3 - 10 - 6 = -13, bias 20 -> 7
  // w row1 = [-4, 0, 1] -> -12 + 0 - 2 = -14, bias -1 -> -15
  // M = 0.25 (2^30, -1): 7 -> SRDHM floor(8/2) = 4 -> 4/2 = 2; -15 -> floor(-14/2) = -7 ->
  // -3.5 -> -4 (away from zero). zp_out -1 -> 1, -5; ReLU-like clamp min -1 keeps 1, -1.
  tq_fc_params p = {-2, -1, 0, {-1, 127}};
  tq_fc_dims d = {1, 3, 2};
  const std::vector<int32_t> bias = {20, -1}, m0 = {1 << 30}, sh = {-1};
  auto y = RunFc(p, d, {5, -3, 0}, {1, 2, 3, -4, 0, 1}, bias.data(), m0, sh);
  EXPECT_EQ(y, (std::vector<int8_t>{1, -1}));
}

void CheckRandom(uint32_t seed, int batches, int cin, int cout, bool per_channel, int in_zp,
                 bool with_bias) {
  std::mt19937 rng(seed);
  auto x = tinyq_test::RandomS8(rng, (size_t)batches * cin);
  auto w = tinyq_test::RandomS8(rng, (size_t)cout * cin, -127, 127);
  auto bias = tinyq_test::RandomS32(rng, cout, -100000, 100000);
  std::vector<int32_t> m0, sh;
  tinyq_test::RandomMultipliers(rng, per_channel ? cout : 1, 1e-4, 1e-2, &m0, &sh);
  const int out_zp = 7;
  std::vector<int8_t> want((size_t)batches * cout);
  for (int b = 0; b < batches; ++b)
    for (int o = 0; o < cout; ++o) {
      int64_t acc = with_bias ? bias[o] : 0;
      for (int i = 0; i < cin; ++i) acc += ((int64_t)x[b * cin + i] - in_zp) * w[o * cin + i];
      ASSERT_LE(acc, INT32_MAX);
      const int q = per_channel ? o : 0;
      want[(size_t)b * cout + o] = tinyq_test::RefOutput(acc, m0[q], sh[q], out_zp, -128, 127);
    }
  tq_fc_params p = {-in_zp, out_zp, per_channel ? 1 : 0, {-128, 127}};
  tq_fc_dims d = {batches, cin, cout};
  EXPECT_LE(tq_fully_connected_s8_acc_bound(&d, w.data(), with_bias ? bias.data() : nullptr,
                                            p.input_offset),
            INT32_MAX);
  EXPECT_EQ(RunFc(p, d, x, w, with_bias ? bias.data() : nullptr, m0, sh), want);
}

TEST(FullyConnectedS8Test, PerChannelMatchesNaiveReference) {
  CheckRandom(1, 3, 37, 11, true, -128, true);
  CheckRandom(2, 1, 256, 10, true, 127, true);
  CheckRandom(3, 2, 1, 5, true, 0, false);
  CheckRandom(4, 4, 64, 3, true, -17, true);
}

TEST(FullyConnectedS8Test, PerTensorMatchesNaiveReference) {
  CheckRandom(5, 2, 50, 9, false, 9, true);
  CheckRandom(6, 1, 8, 4, false, -128, false);
}

TEST(FullyConnectedS8Test, AccBoundAndOverflowRefusal) {
  // Cin 3, Cout 1, w = [127, -127, 2], bias -5, input_offset -127 (zp 127): max |x+off| = 255.
  const int8_t w[] = {127, -127, 2};
  const int32_t bias[] = {-5};
  tq_fc_dims d = {1, 3, 1};
  EXPECT_EQ(tq_fully_connected_s8_acc_bound(&d, w, bias, -127), 5 + 255 * 256);
  tq_fc_dims big = {1, 70000, 1};
  std::vector<int8_t> wb(70000, 127);
  EXPECT_GT(tq_fully_connected_s8_acc_bound(&big, wb.data(), nullptr, 128), (int64_t)INT32_MAX);
}

TEST(FullyConnectedS8Test, ValidateRejectsBadArguments) {
  const tq_fc_params good = {0, 0, 1, {-128, 127}};
  const tq_fc_dims d = {1, 4, 2};
  EXPECT_EQ(tq_fully_connected_s8_validate(&good, &d), TQ_OK);
  tq_fc_dims zero_in = {1, 0, 2}, zero_batch = {0, 4, 2};
  EXPECT_EQ(tq_fully_connected_s8_validate(&good, &zero_in), TQ_ARG_ERROR);
  EXPECT_EQ(tq_fully_connected_s8_validate(&good, &zero_batch), TQ_ARG_ERROR);
  tq_fc_params p = good;
  p.per_channel = 2;
  EXPECT_EQ(tq_fully_connected_s8_validate(&p, &d), TQ_ARG_ERROR);
  p = good;
  p.input_offset = 200;
  EXPECT_EQ(tq_fully_connected_s8_validate(&p, &d), TQ_ARG_ERROR);
  p = good;
  p.activation = {3, 2};
  EXPECT_EQ(tq_fully_connected_s8_validate(&p, &d), TQ_ARG_ERROR);
  EXPECT_EQ(tq_fully_connected_s8_validate(nullptr, &d), TQ_ARG_ERROR);
  // Scratch smaller than Cin int16 values.
  const int8_t x[4] = {}, w[8] = {};
  const int32_t m0[2] = {}, sh[2] = {};
  tq_per_channel_quant_params q = {m0, sh};
  int8_t y[2];
  int16_t scratch[2];
  tq_context ctx = {scratch, sizeof(scratch)};
  EXPECT_EQ(tq_fully_connected_s8(&ctx, &good, &q, &d, x, w, nullptr, y), TQ_ARG_ERROR);
}

}  // namespace
