// Tests of tq_softmax_s8 (src/runtime/tq_softmax.c): the documented Q20 table format, a pure
// integer reference of the documented algorithm, closeness to float softmax, validation.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

extern "C" {
#include "src/runtime/tq_softmax.h"
}
#include "tests/runtime/runtime_test_util.h"

namespace {

// The table the C++ prepare builds: round(2^20 * exp(-beta * s_in * d)).
std::vector<int32_t> MakeTable(double beta_scale) {
  std::vector<int32_t> t(256);
  for (int d = 0; d < 256; ++d)
    t[d] = (int32_t)std::lround(std::ldexp(std::exp(-beta_scale * d), 20));
  return t;
}

// Pure-integer reference of the algorithm documented in tq_softmax.h, in __int128.
std::vector<int8_t> RefSoftmax(const std::vector<int32_t>& t, const std::vector<int8_t>& x,
                               int rows, int depth) {
  std::vector<int8_t> y(x.size());
  for (int r = 0; r < rows; ++r) {
    int m = -128;
    for (int i = 0; i < depth; ++i) m = std::max(m, (int)x[r * depth + i]);
    __int128 sum = 0;
    for (int i = 0; i < depth; ++i) sum += t[m - x[r * depth + i]];
    const __int128 recip = ((__int128)1 << 50) / sum;
    for (int i = 0; i < depth; ++i) {
      const __int128 v =
          (t[m - x[r * depth + i]] * recip + ((__int128)1 << 41)) / ((__int128)1 << 42);
      y[r * depth + i] = (int8_t)std::min<int>((int)v - 128, 127);
    }
  }
  return y;
}

TEST(SoftmaxS8Test, HandComputedTwoEqualAndOneDominant) {
  // Row [5, 5]: both e = 2^20, sum 2^21, recip = 2^29, y = (2^49 + 2^41) >> 42 = 128 -> 0
  // (real 0.5 = 128/256 - zp -128 -> 0).
  // Row [127, -128] with a steep table (t[255] = 0): y0 = 256 - 128 = 128 -> clamped to 127,
  // y1 = -128.
  auto t = MakeTable(0.5);
  ASSERT_EQ(t[255], 0);
  const std::vector<int8_t> x = {5, 5, 127, -128};
  std::vector<int8_t> y(4);
  ASSERT_EQ(tq_softmax_s8_validate(t.data(), 2, 2), TQ_OK);
  tq_softmax_s8(t.data(), x.data(), 2, 2, y.data());
  EXPECT_EQ(y, (std::vector<int8_t>{0, 0, 127, -128}));
}

TEST(SoftmaxS8Test, RandomMatchesIntegerReferenceAndFloat) {
  std::mt19937 rng(2026);
  const double scales[] = {0.01, 0.0625, 0.2};
  const int depths[] = {1, 3, 10, 100, 1000, TQ_SOFTMAX_MAX_DEPTH};
  for (double s : scales) {
    auto t = MakeTable(s);
    for (int depth : depths) {
      const int rows = 3;
      auto x = tinyq_test::RandomS8(rng, (size_t)rows * depth);
      ASSERT_EQ(tq_softmax_s8_validate(t.data(), rows, depth), TQ_OK);
      std::vector<int8_t> y(x.size());
      tq_softmax_s8(t.data(), x.data(), rows, depth, y.data());
      ASSERT_EQ(y, RefSoftmax(t, x, rows, depth)) << "scale " << s << " depth " << depth;
      for (int r = 0; r < rows; ++r) {
        double sum = 0;
        for (int i = 0; i < depth; ++i) sum += std::exp(s * x[r * depth + i]);
        for (int i = 0; i < depth; ++i) {
          const double p = std::exp(s * x[r * depth + i]) / sum;
          const double want = std::min(std::round(p * 256) - 128, 127.0);
          EXPECT_LE(std::fabs(y[r * depth + i] - want), 1.0) << s << " " << depth << " " << i;
        }
      }
    }
  }
}

TEST(SoftmaxS8Test, ValidateRejectsBadTablesAndShapes) {
  auto t = MakeTable(0.1);
  EXPECT_EQ(tq_softmax_s8_validate(t.data(), 1, TQ_SOFTMAX_MAX_DEPTH + 1), TQ_ARG_ERROR);
  EXPECT_EQ(tq_softmax_s8_validate(t.data(), 0, 4), TQ_ARG_ERROR);
  EXPECT_EQ(tq_softmax_s8_validate(nullptr, 1, 4), TQ_ARG_ERROR);
  auto bad0 = t;
  bad0[0] = (1 << 20) - 1;  // entry 0 must be exactly 1.0 in Q20
  EXPECT_EQ(tq_softmax_s8_validate(bad0.data(), 1, 4), TQ_ARG_ERROR);
  auto too_big = t;
  too_big[7] = (1 << 20) + 1;
  EXPECT_EQ(tq_softmax_s8_validate(too_big.data(), 1, 4), TQ_ARG_ERROR);
  auto negative = t;
  negative[200] = -1;
  EXPECT_EQ(tq_softmax_s8_validate(negative.data(), 1, 4), TQ_ARG_ERROR);
  EXPECT_EQ(tq_softmax_s8_get_buffer_size(), 0u);
}

}  // namespace
