// Tests of the float32 fully connected layer (src/runtime/tq_fully_connected_f32.c): a
// hand-computed case and the exact bits of the documented order (k increasing from 0, then
// alpha * acc + bias, one rounding each) on random data.
#include <gtest/gtest.h>

#include <random>
#include <vector>

extern "C" {
#include "src/runtime/tq_fully_connected_f32.h"
}
#include "tests/runtime/f32_test_util.h"

namespace {

TEST(FullyConnectedF32Test, HandComputed) {
  // x = [1, 2, 3]; w [K=3][N=2] = [[1, -1], [0, 2], [1, 1]]: acc = [4, 6]; alpha 0.5 -> [2, 3];
  // bias [1, -10] -> [3, -7]; ReLU -> [3, 0].
  const std::vector<float> x = {1, 2, 3}, w = {1, -1, 0, 2, 1, 1}, b = {1, -10};
  const tq_fc_f32_dims d = {1, 3, 2};
  const tq_fc_f32_params p = {0.5f, {TQ_CLAMP_MIN, 0.0f, 0.0f}};
  ASSERT_EQ(tq_fully_connected_f32_validate(&p, &d), TQ_OK);
  std::vector<float> y(2);
  tq_fully_connected_f32(&p, &d, x.data(), w.data(), b.data(), y.data());
  EXPECT_EQ(y, (std::vector<float>{3, 0}));
  tq_fully_connected_f32(&p, &d, x.data(), w.data(), nullptr, y.data());
  EXPECT_EQ(y, (std::vector<float>{2, 3}));
  const tq_fc_f32_dims bad = {1, 0, 2};
  EXPECT_EQ(tq_fully_connected_f32_validate(&p, &bad), TQ_ARG_ERROR);
}

TEST(FullyConnectedF32Test, RandomDataGivesTheDocumentedBits) {
  std::mt19937 rng(9);
  const int rows = 3, k = 37, n = 11;
  const auto x = tinyq_test::RandomF32(rng, rows * k, -2.0f, 2.0f);
  const auto w = tinyq_test::RandomF32(rng, k * n);
  const auto b = tinyq_test::RandomF32(rng, n);
  const tq_fc_f32_dims d = {rows, k, n};
  const tq_fc_f32_params p = {0.75f, {0, 0.0f, 0.0f}};
  std::vector<float> y(rows * n);
  tq_fully_connected_f32(&p, &d, x.data(), w.data(), b.data(), y.data());
  for (int r = 0; r < rows; ++r)
    for (int o = 0; o < n; ++o) {
      float acc = 0.0f;
      for (int j = 0; j < k; ++j)
        acc = tinyq_test::Add32(acc, tinyq_test::Mul32(x[r * k + j], w[j * n + o]));
      const float want = tinyq_test::Add32(tinyq_test::Mul32(0.75f, acc), b[o]);
      ASSERT_TRUE(tinyq_test::SameBits(y[r * n + o], want)) << r << "," << o;
    }
}

}  // namespace
