// Tests of the bitmap-encoded sparse int8 kernels (src/runtime/tq_sparse.c): hand-computed
// encoding, and bit-exact agreement with the dense tq_fully_connected_s8 / tq_conv2d_s8 on the
// same (mostly zero) weights over random shapes, strides, paddings, dilations and groups.
#include <gtest/gtest.h>

#include <random>
#include <vector>

extern "C" {
#include "src/runtime/tq_sparse.h"
}
#include "tests/runtime/runtime_test_util.h"

namespace {

struct Encoded {
  std::vector<uint8_t> mask;
  std::vector<int8_t> values;
  tq_sparse_s8 view;
};

Encoded Encode(const std::vector<int8_t>& dense, int32_t rows, int32_t cols) {
  Encoded e;
  e.mask.resize((size_t)rows * ((cols + 7) / 8));
  e.values.resize(dense.size() + 1);
  const int32_t nnz = tq_sparse_encode(dense.data(), rows, cols, e.mask.data(), e.values.data());
  e.values.resize((size_t)nnz);
  e.view = {rows, cols, e.mask.data(), e.values.data()};
  return e;
}

// Random int8 weights with about `density` of them nonzero.
std::vector<int8_t> SparseWeights(std::mt19937& rng, size_t n, double density) {
  std::bernoulli_distribution keep(density);
  std::uniform_int_distribution<int> v(-127, 127);
  std::vector<int8_t> w(n, 0);
  for (auto& x : w)
    if (keep(rng)) x = (int8_t)v(rng);
  return w;
}

TEST(SparseS8Test, HandEncodedRows) {
  // Row 0 = [0, 5, 0, 0, 0, 0, 0, 0, -3, 0] -> mask bytes 0b00000010, 0b00000001; values 5, -3.
  // Row 1 = [1, 0, ..., 0, 2]               -> 0b00000001, 0b00000010;          values 1, 2.
  std::vector<int8_t> dense(20, 0);
  dense[1] = 5;
  dense[8] = -3;
  dense[10] = 1;
  dense[19] = 2;
  Encoded e = Encode(dense, 2, 10);
  EXPECT_EQ(e.mask, (std::vector<uint8_t>{0x02, 0x01, 0x01, 0x02}));
  EXPECT_EQ(e.values, (std::vector<int8_t>{5, -3, 1, 2}));
  EXPECT_EQ(tq_sparse_encoded_size(dense.data(), 2, 10), 2u * 2u + 4u);
}

TEST(SparseS8Test, FullyConnectedHandComputed) {
  // x + off = [3, -5, -2] (x = [5, -3, 0], zp 2); row0 = [0, 2, 3]: -10 - 6 + bias 20 = 4;
  // row1 = [-4, 0, 0]: -12 + bias -1 = -13. M = 1 (m0 2^30, shift 1): 4, -13; zp_out 0.
  const std::vector<int8_t> w = {0, 2, 3, -4, 0, 0};
  Encoded e = Encode(w, 2, 3);
  tq_fc_params p = {-2, 0, 0, {-128, 127}};
  tq_fc_dims d = {1, 3, 2};
  const std::vector<int32_t> bias = {20, -1}, m0 = {1 << 30}, sh = {1};
  std::vector<int32_t> scratch(tq_fully_connected_s8_get_buffer_size(&d) / 4 + 1);
  tq_context ctx = {scratch.data(), scratch.size() * 4};
  tq_per_channel_quant_params q = {m0.data(), sh.data()};
  const std::vector<int8_t> x = {5, -3, 0};
  std::vector<int8_t> y(2);
  ASSERT_EQ(
      tq_fully_connected_sparse_s8(&ctx, &p, &q, &d, x.data(), &e.view, bias.data(), y.data()),
      TQ_OK);
  EXPECT_EQ(y, (std::vector<int8_t>{4, -13}));
}

TEST(SparseS8Test, FullyConnectedIsBitExactWithDense) {
  std::mt19937 rng(11);
  for (int trial = 0; trial < 30; ++trial) {
    const int batches = 1 + trial % 3, cin = 1 + (trial * 7) % 70, cout = 1 + (trial * 5) % 13;
    const double density = 0.05 + 0.03 * trial;
    auto x = tinyq_test::RandomS8(rng, (size_t)batches * cin);
    auto w = SparseWeights(rng, (size_t)cout * cin, density);
    auto bias = tinyq_test::RandomS32(rng, cout, -50000, 50000);
    std::vector<int32_t> m0, sh;
    const bool per_channel = trial % 2 == 0;
    tinyq_test::RandomMultipliers(rng, per_channel ? cout : 1, 1e-4, 1e-1, &m0, &sh);
    tq_fc_params p = {(int32_t)(trial % 5) - 2, 3, per_channel ? 1 : 0, {-100, 120}};
    tq_fc_dims d = {batches, cin, cout};
    std::vector<int32_t> scratch(tq_fully_connected_s8_get_buffer_size(&d) / 4 + 1);
    tq_context ctx = {scratch.data(), scratch.size() * 4};
    tq_per_channel_quant_params q = {m0.data(), sh.data()};
    std::vector<int8_t> dense_y((size_t)batches * cout), sparse_y(dense_y.size());
    ASSERT_EQ(
        tq_fully_connected_s8(&ctx, &p, &q, &d, x.data(), w.data(), bias.data(), dense_y.data()),
        TQ_OK);
    Encoded e = Encode(w, cout, cin);
    ASSERT_EQ(tq_fully_connected_sparse_s8(&ctx, &p, &q, &d, x.data(), &e.view, bias.data(),
                                           sparse_y.data()),
              TQ_OK);
    EXPECT_EQ(sparse_y, dense_y) << "trial " << trial;
    const auto words = tinyq_test::PackBiasShift(bias.data(), sh, cout);
    const tq_per_channel_quant_params packed = {m0.data(), nullptr};
    ASSERT_EQ(tq_fully_connected_sparse_s8(&ctx, &p, &packed, &d, x.data(), &e.view, words.data(),
                                           sparse_y.data()),
              TQ_OK);
    EXPECT_EQ(sparse_y, dense_y) << "packed form, trial " << trial;
  }
}

TEST(SparseS8Test, ConvIsBitExactWithDense) {
  std::mt19937 rng(12);
  for (int trial = 0; trial < 40; ++trial) {
    const int groups = trial % 4 == 3 ? 2 : 1;
    const int cin = groups * (1 + trial % 5), cout = groups * (1 + (trial * 3) % 7);
    const int kh = 1 + trial % 3, kw = 1 + (trial / 3) % 3;
    const int stride = 1 + trial % 2, dil = 1 + (trial / 5) % 2;
    const int pad_h = (kh - 1) * dil / 2, pad_w = (kw - 1) * dil / 2;
    const int in_h = 5 + trial % 4, in_w = 4 + trial % 5;
    const int out_h = (in_h + 2 * pad_h - ((kh - 1) * dil + 1)) / stride + 1;
    const int out_w = (in_w + 2 * pad_w - ((kw - 1) * dil + 1)) / stride + 1;
    tq_dims in_d = {1 + trial % 2, in_h, in_w, cin};
    tq_dims f_d = {cout, kh, kw, cin / groups};
    tq_dims out_d = {in_d.n, out_h, out_w, cout};
    tq_conv_params p = {(int32_t)(trial % 7) - 3,
                        -2,
                        {stride, stride},
                        {pad_h, pad_w},
                        {dil, dil},
                        groups,
                        {-128, 127}};
    ASSERT_EQ(tq_conv2d_s8_validate(&p, &in_d, &f_d, &out_d), TQ_OK) << "trial " << trial;
    auto x = tinyq_test::RandomS8(rng, (size_t)in_d.n * in_h * in_w * cin);
    auto w = SparseWeights(rng, (size_t)cout * kh * kw * (cin / groups), 0.1 + 0.02 * trial);
    auto bias = tinyq_test::RandomS32(rng, cout, -20000, 20000);
    std::vector<int32_t> m0, sh;
    tinyq_test::RandomMultipliers(rng, cout, 1e-4, 1e-1, &m0, &sh);
    tq_per_channel_quant_params q = {m0.data(), sh.data()};
    std::vector<int32_t> scratch(tq_conv2d_s8_get_buffer_size(&f_d) / 4 + 1);
    tq_context ctx = {scratch.data(), scratch.size() * 4};
    std::vector<int8_t> dense_y((size_t)out_d.n * out_h * out_w * cout), sparse_y(dense_y.size());
    std::vector<int32_t> kbias(cout);  // the dense kernel takes the folded kernel bias
    tq_conv2d_s8_kernel_bias(&f_d, w.data(), bias.data(), p.input_offset, kbias.data());
    ASSERT_EQ(tq_conv2d_s8(&ctx, &p, &q, &in_d, x.data(), &f_d, w.data(), kbias.data(), &out_d,
                           dense_y.data()),
              TQ_OK);
    Encoded e = Encode(w, cout, kh * kw * (cin / groups));
    ASSERT_EQ(tq_conv2d_sparse_s8(&p, &q, &in_d, x.data(), &f_d, &e.view, bias.data(), &out_d,
                                  sparse_y.data()),
              TQ_OK);
    EXPECT_EQ(sparse_y, dense_y) << "trial " << trial;
    const auto words = tinyq_test::PackBiasShift(bias.data(), sh, cout);
    const tq_per_channel_quant_params packed = {m0.data(), nullptr};
    ASSERT_EQ(tq_conv2d_sparse_s8(&p, &packed, &in_d, x.data(), &f_d, &e.view, words.data(), &out_d,
                                  sparse_y.data()),
              TQ_OK);
    EXPECT_EQ(sparse_y, dense_y) << "packed form, trial " << trial;
  }
}

TEST(SparseS8Test, MismatchedSparseShapeIsRejected) {
  const std::vector<int8_t> w = {1, 0, 0, 2};
  Encoded e = Encode(w, 2, 2);
  tq_dims in_d = {1, 2, 2, 1}, f_d = {2, 1, 1, 3}, out_d = {1, 2, 2, 2};
  tq_conv_params p = {0, 0, {1, 1}, {0, 0}, {1, 1}, 1, {-128, 127}};
  const std::vector<int32_t> m0 = {1 << 30, 1 << 30}, sh = {0, 0};
  tq_per_channel_quant_params q = {m0.data(), sh.data()};
  std::vector<int8_t> x(4), y(8);
  EXPECT_EQ(tq_conv2d_sparse_s8(&p, &q, &in_d, x.data(), &f_d, &e.view, nullptr, &out_d, y.data()),
            TQ_ARG_ERROR);
}

}  // namespace
