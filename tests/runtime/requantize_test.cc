// Tests of src/runtime/tq_common.h: tq_requantize and its two building blocks against exact
// __int128 arithmetic and long double (random and edge cases), and the per-channel accessor
// with its packed bias/shift words.
#include <gtest/gtest.h>

#include <climits>
#include <cmath>
#include <random>

extern "C" {
#include "src/runtime/tq_common.h"
}
#include "tests/runtime/runtime_test_util.h"

namespace {

using tinyq_test::RefRequantize;

constexpr int32_t kOneHalfQ31 = 1 << 30;  // m0 for a real multiplier of 0.5 * 2^shift

TEST(RequantizeTest, HandComputedTiesAndDoubleRounding) {
  // M = 0.5 as (m0 = 2^30, shift = 0): only SRDHM rounds: floor((acc + 1) / 2), ties to +inf.
  EXPECT_EQ(tq_requantize(5, kOneHalfQ31, 0), 3);    // 2.5 -> 3
  EXPECT_EQ(tq_requantize(-5, kOneHalfQ31, 0), -2);  // -2.5 -> -2 (gemmlowp nudge 1 - 2^30)
  EXPECT_EQ(tq_requantize(-1, kOneHalfQ31, 0), 0);   // -0.5 -> 0
  EXPECT_EQ(tq_requantize(-3, kOneHalfQ31, 0), -1);  // -1.5 -> -1
  // M = 1.0 as (2^30, 1): SRDHM(2*acc, 2^30) = acc exactly.
  EXPECT_EQ(tq_requantize(123457, kOneHalfQ31, 1), 123457);
  EXPECT_EQ(tq_requantize(-98765, kOneHalfQ31, 1), -98765);
  // M = 0.25 as (2^30, -1): SRDHM gives floor((acc+1)/2), then a divide by 2 rounding half
  // away from zero.
  EXPECT_EQ(tq_requantize(2, kOneHalfQ31, -1), 1);    // 1 -> 0.5 -> 1
  EXPECT_EQ(tq_requantize(-2, kOneHalfQ31, -1), -1);  // floor(-1/2) = -1 -> -0.5 -> -1
  EXPECT_EQ(tq_requantize(6, kOneHalfQ31, -1), 2);    // 3 -> 1.5 -> 2
  EXPECT_EQ(tq_requantize(-6, kOneHalfQ31, -1), -2);  // -3 -> -1.5 -> -2
  // Double rounding, as in TFLite: exact 0.25 becomes 1 (0.5 -> 1, then 0.5 -> 1).
  EXPECT_EQ(tq_requantize(1, kOneHalfQ31, -1), 1);
  EXPECT_EQ(tq_requantize(-1, kOneHalfQ31, -1), 0);  // floor(0/2) = 0
}

TEST(RequantizeTest, RoundingDivideByPotTiesAwayFromZero) {
  EXPECT_EQ(tq_rounding_divide_by_pot(5, 1), 3);     // 2.5
  EXPECT_EQ(tq_rounding_divide_by_pot(-5, 1), -3);   // -2.5
  EXPECT_EQ(tq_rounding_divide_by_pot(12, 3), 2);    // 1.5
  EXPECT_EQ(tq_rounding_divide_by_pot(-12, 3), -2);  // -1.5
  EXPECT_EQ(tq_rounding_divide_by_pot(11, 3), 1);    // 1.375
  EXPECT_EQ(tq_rounding_divide_by_pot(-13, 3), -2);  // -1.625
  EXPECT_EQ(tq_rounding_divide_by_pot(7, 0), 7);
  EXPECT_EQ(tq_rounding_divide_by_pot(INT32_MAX, 31), 1);    // 0.99999... -> 1
  EXPECT_EQ(tq_rounding_divide_by_pot(INT32_MIN, 31), -1);   // -1 exactly
  EXPECT_EQ(tq_rounding_divide_by_pot(1 << 30, 31), 1);      // 0.5 -> 1
  EXPECT_EQ(tq_rounding_divide_by_pot(-(1 << 30), 31), -1);  // -0.5 -> -1
  EXPECT_EQ(tq_rounding_divide_by_pot((1 << 30) - 1, 31), 0);
}

TEST(RequantizeTest, SrdhmSaturatesOnlyMinTimesMin) {
  EXPECT_EQ(tq_saturating_rounding_doubling_high_mul(INT32_MIN, INT32_MIN), INT32_MAX);
  EXPECT_EQ(tq_saturating_rounding_doubling_high_mul(INT32_MIN, INT32_MAX), -INT32_MAX);
  EXPECT_EQ(tq_saturating_rounding_doubling_high_mul(INT32_MAX, INT32_MAX), INT32_MAX - 1);
  EXPECT_EQ(tq_saturating_rounding_doubling_high_mul(INT32_MIN, 1 << 30), INT32_MIN / 2);
  EXPECT_EQ(tq_requantize(INT32_MIN, INT32_MIN, 0), RefRequantize(INT32_MIN, INT32_MIN, 0));
}

TEST(RequantizeTest, RandomMatchesExactInt128) {
  std::mt19937 rng(20261125);
  std::uniform_int_distribution<int32_t> acc_d(INT32_MIN, INT32_MAX);
  std::uniform_int_distribution<int32_t> m0_d(1 << 30, INT32_MAX);
  std::uniform_int_distribution<int32_t> shift_d(-31, 30);
  std::uniform_int_distribution<int32_t> small_d(-(1 << 16), 1 << 16);
  for (int i = 0; i < 400000; ++i) {
    const int32_t shift = shift_d(rng);
    // Half the draws use small accumulators so positive shifts do not always saturate.
    const int32_t acc = (i & 1) ? acc_d(rng) : small_d(rng);
    const int32_t m0 = m0_d(rng);
    ASSERT_EQ(tq_requantize(acc, m0, shift), RefRequantize(acc, m0, shift))
        << "acc=" << acc << " m0=" << m0 << " shift=" << shift;
  }
}

TEST(RequantizeTest, RandomWithinOneOfLongDoubleWhenNotSaturated) {
  std::mt19937 rng(7);
  std::uniform_int_distribution<int32_t> acc_d(INT32_MIN, INT32_MAX);
  std::uniform_int_distribution<int32_t> m0_d(1 << 30, INT32_MAX);
  std::uniform_int_distribution<int32_t> shift_d(-31, 0);
  for (int i = 0; i < 100000; ++i) {
    const int32_t acc = acc_d(rng), m0 = m0_d(rng), shift = shift_d(rng);
    const long double exact = std::ldexp((long double)acc * m0, shift - 31);
    const long double got = tq_requantize(acc, m0, shift);
    // Two roundings of at most 1/2 each (the first one scaled down by 2^-shift).
    ASSERT_LE(std::fabs(got - exact), 1.0L) << acc << " " << m0 << " " << shift;
    if (shift == 0) {
      ASSERT_LE(std::fabs(got - exact), 0.5L);
    }
  }
}

TEST(RequantizeTest, EdgeCasesMatchExactInt128) {
  const int32_t accs[] = {INT32_MIN, INT32_MIN + 1, -(1 << 30),    -3,       -2, -1, 0, 1, 2,
                          3,         1 << 30,       INT32_MAX - 1, INT32_MAX};
  const int32_t m0s[] = {1 << 30, (1 << 30) + 1, INT32_MAX - 1, INT32_MAX, 0};
  for (int32_t acc : accs) {
    for (int32_t m0 : m0s) {
      for (int32_t shift = -31; shift <= 30; ++shift) {
        ASSERT_EQ(tq_requantize(acc, m0, shift), RefRequantize(acc, m0, shift))
            << "acc=" << acc << " m0=" << m0 << " shift=" << shift;
      }
    }
  }
  // Saturated left shift: the biggest accumulators with the biggest multiplier and shift.
  EXPECT_EQ(tq_requantize(INT32_MAX, INT32_MAX, 30), INT32_MAX - 1);
  EXPECT_EQ(tq_requantize(INT32_MIN, INT32_MAX, 30), -INT32_MAX);
  EXPECT_EQ(tq_requantize(INT32_MAX, INT32_MAX, -31), 1);  // ~0.99999999907 -> 1
}

TEST(RequantizeTest, ExactTiesBothSignsAllShifts) {
  // SRDHM(acc, 2^30) = acc / 2, then / 2^rs: acc = (2k+1) * 2^rs makes the first step exact,
  // (2k+1) * 2^(rs-1), and the final quotient exactly k + 1/2; compare with long double
  // half-away-from-zero rounding.
  for (int rs = 1; rs <= 20; ++rs) {
    for (int k = -50; k <= 50; ++k) {
      const int32_t acc = (2 * k + 1) * (1 << rs);
      const long double exact = ((long double)(2 * k + 1)) / 2.0L;
      EXPECT_EQ(tq_requantize(acc, kOneHalfQ31, -rs), (int32_t)tinyq_test::RoundHalfAway(exact))
          << "rs=" << rs << " k=" << k;
    }
  }
}

TEST(ChannelQuantTest, PackedWordsRoundTripEveryShiftAndTheBiasLimits) {
  // Hand-computed word: bias -3, shift -7 -> -3 * 64 + (-7 & 63) = -192 + 57 = -135.
  const int32_t b1 = -3, s1 = -7;
  int32_t word = 0;
  ASSERT_EQ(tq_pack_bias_shift(&b1, &s1, 1, &word), TQ_OK);
  EXPECT_EQ(word, -135);
  const int32_t limit = (1 << 25) - 1;
  const std::vector<int32_t> biases = {0, 1, -1, limit, -limit, 12345, -987654};
  const int32_t m0 = 1234567890;
  for (int32_t shift = -31; shift <= 30; ++shift) {
    std::vector<int32_t> sh(biases.size(), shift), words(biases.size());
    ASSERT_EQ(tq_pack_bias_shift(biases.data(), sh.data(), (int32_t)biases.size(), words.data()),
              TQ_OK);
    const tq_per_channel_quant_params packed = {&m0, nullptr};
    for (size_t c = 0; c < biases.size(); ++c) {
      const tq_channel_quant q = tq_get_channel_quant(words.data(), &packed, (int32_t)c, 0);
      EXPECT_EQ(q.bias, biases[c]) << "shift " << shift;
      EXPECT_EQ(q.shift, shift);
      EXPECT_EQ(q.multiplier, m0);
    }
  }
}

TEST(ChannelQuantTest, PackingRefusesBiasesOutsideTwoToThe25AndWritesNothing) {
  const std::vector<int32_t> sh = {0, 0};
  for (int32_t big : {1 << 25, -(1 << 25), INT32_MAX, INT32_MIN}) {
    const std::vector<int32_t> bias = {5, big};
    std::vector<int32_t> words = {77, 77};
    EXPECT_EQ(tq_pack_bias_shift(bias.data(), sh.data(), 2, words.data()), TQ_ARG_ERROR) << big;
    EXPECT_EQ(words, (std::vector<int32_t>{77, 77}));
  }
}

TEST(ChannelQuantTest, SeparateFormReadsArraysAndNullBiasIsZero) {
  const std::vector<int32_t> bias = {4, -9}, m0 = {1 << 30, 1 << 30}, sh = {3, -2};
  const tq_per_channel_quant_params q = {m0.data(), sh.data()};
  const tq_channel_quant c1 = tq_get_channel_quant(bias.data(), &q, 1, 1);
  EXPECT_EQ(c1.bias, -9);
  EXPECT_EQ(c1.shift, -2);
  EXPECT_EQ(tq_get_channel_quant(nullptr, &q, 1, 0).bias, 0);
  EXPECT_EQ(tq_get_channel_quant(nullptr, &q, 1, 0).shift, 3);  // per-tensor index 0
}

TEST(RequantizeTest, HelpersValidateRanges) {
  EXPECT_EQ(tq_multiplier_validate(1 << 30, 0), TQ_OK);
  EXPECT_EQ(tq_multiplier_validate(0, 0), TQ_OK);
  EXPECT_EQ(tq_multiplier_validate((1 << 30) - 1, 0), TQ_ARG_ERROR);
  EXPECT_EQ(tq_multiplier_validate(-5, 0), TQ_ARG_ERROR);
  EXPECT_EQ(tq_multiplier_validate(1 << 30, 31), TQ_ARG_ERROR);
  EXPECT_EQ(tq_multiplier_validate(1 << 30, -32), TQ_ARG_ERROR);
  tq_activation bad = {10, 5};
  EXPECT_EQ(tq_activation_validate(&bad), TQ_ARG_ERROR);
  tq_activation out_of_range = {-129, 5};
  EXPECT_EQ(tq_activation_validate(&out_of_range), TQ_ARG_ERROR);
  tq_dims zero = {1, 0, 2, 3};
  EXPECT_EQ(tq_dims_validate(&zero), TQ_ARG_ERROR);
}

}  // namespace
