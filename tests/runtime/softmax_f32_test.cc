// Tests of the float32 softmax (src/runtime/tq_softmax_f32.c) over strided rows: the same bits
// for a row stored contiguously and one stored with a stride (the layout does not change the
// result), agreement with the double definition, and large inputs (no overflow).
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

extern "C" {
#include "src/runtime/tq_softmax_f32.h"
}
#include "tests/runtime/f32_test_util.h"

namespace {

TEST(SoftmaxF32Test, StridedRowsEqualContiguousRowsAndTheDefinition) {
  std::mt19937 rng(2);
  const int outer = 2, depth = 7, inner = 3;
  const auto x = tinyq_test::RandomF32(rng, outer * depth * inner, -5.0f, 5.0f);
  std::vector<float> y(x.size());
  tq_softmax_f32(x.data(), outer, depth, inner, y.data());  // [outer, depth, inner]
  for (int o = 0; o < outer; ++o)
    for (int i = 0; i < inner; ++i) {
      std::vector<float> row(depth), out(depth);
      double sum = 0.0;
      for (int d = 0; d < depth; ++d) {
        row[d] = x[(o * depth + d) * inner + i];
        sum += std::exp(double{row[d]});
      }
      tq_softmax_f32(row.data(), 1, depth, 1, out.data());
      for (int d = 0; d < depth; ++d) {
        const float got = y[(o * depth + d) * inner + i];
        ASSERT_TRUE(tinyq_test::SameBits(got, out[d]));
        EXPECT_NEAR(got, std::exp(double{row[d]}) / sum, 1e-6);
      }
    }
}

TEST(SoftmaxF32Test, LargeInputsDoNotOverflowAndRunInPlace) {
  std::vector<float> x = {1000.0f, 999.0f, -1000.0f};
  tq_softmax_f32(x.data(), 1, 3, 1, x.data());
  EXPECT_NEAR(x[0], 1.0 / (1.0 + std::exp(-1.0)), 1e-6);
  EXPECT_NEAR(x[1], std::exp(-1.0) / (1.0 + std::exp(-1.0)), 1e-6);
  EXPECT_EQ(x[2], 0.0f);
}

}  // namespace
