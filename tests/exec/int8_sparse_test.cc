// Tests of the int8 executor's sparse weight choice (src/exec/int8_sparse.cc) and of the int8
// Conv/Gemm kernels running on sparse weights through the executor.
#include "src/exec/int8_sparse.h"

#include <vector>

#include "gtest/gtest.h"
#include "tests/exec/int8_test_util.h"

namespace tinyq {
namespace {

// Every `keep`-th weight stays, the others become 0.
std::vector<int8_t> Thinned(std::vector<int8_t> w, size_t keep) {
  for (size_t i = 0; i < w.size(); ++i)
    if (i % keep != 0) w[i] = 0;
  return w;
}

TEST(Int8SparseTest, EncodesOnlyWhenSmaller) {
  const std::vector<int8_t> dense(4 * 16, 3);
  EXPECT_FALSE(EncodeIfSmaller(dense.data(), 4, 16).has_value());  // 4*2 + 64 > 64
  const std::vector<int8_t> sparse = Thinned(dense, 4);            // 16 nonzero
  auto s = EncodeIfSmaller(sparse.data(), 4, 16);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->bytes(), 4 * 2 + 16);
  EXPECT_EQ(s->values.size(), 16u);
  EXPECT_EQ(s->mask[0], 0x11);  // columns 0 and 4 of row 0
}

TEST(Int8SparseTest, GemmOnSparseWeightsMatchesTheDoubleReference) {
  const int64_t m = 2, k = 40, n = 6;
  const auto w = Thinned(testing::RandomS8(static_cast<size_t>(n * k), 5, -127, 127), 3);
  ASSERT_TRUE(EncodeIfSmaller(w.data(), n, k).has_value());
  std::vector<float> sw;
  for (int64_t o = 0; o < n; ++o) sw.push_back(0.003f * static_cast<float>(o + 1));
  const auto b = testing::RandomS32(static_cast<size_t>(n), 6, -3000, 3000);
  Graph g;
  g.set_source("t.onnx");
  Value* a = testing::AddS8Input(g, "a", {m, k}, 0.04f, -5);
  Value* bw = testing::AddWeights(g, "w", {n, k}, w, sw);
  Value* c = testing::AddBias(g, "c", b, 0.04f, sw);
  Value* y = testing::AddS8Output(g, "y", {m, n}, 0.2f, 10);
  g.AddNode(OpKind::kGemm, "fc", {a, bw, c}, {y})->SetInt("transB", 1);
  const auto x = testing::RandomS8(static_cast<size_t>(m * k), 7);
  std::vector<int> want;
  for (int64_t i = 0; i < m; ++i)
    for (int64_t o = 0; o < n; ++o) {
      double acc =
          b[static_cast<size_t>(o)] * static_cast<double>(0.04f * sw[static_cast<size_t>(o)]);
      for (int64_t j = 0; j < k; ++j)
        acc += testing::Deq(x[static_cast<size_t>(i * k + j)], 0.04f, -5) *
               static_cast<double>(sw[static_cast<size_t>(o)]) * w[static_cast<size_t>(o * k + j)];
      want.push_back(testing::QuantRef(acc, 0.2f, 10));
    }
  const Tensor out = testing::RunInt8(g, {{"a", Tensor::FromVector<int8_t>({m, k}, x)}}, "y");
  testing::ExpectCodesNear(out, want, 1);
}

TEST(Int8SparseTest, ConvOnSparseWeightsMatchesTheDoubleReference) {
  // x [1,2,4,4] (s 0.05, zp 3), w [3,2,3,3] two thirds zero, pads 1, output (s 0.1, zp -4).
  const int64_t cin = 2, cout = 3, hw = 4;
  const auto w = Thinned(testing::RandomS8(static_cast<size_t>(cout * cin * 9), 8, -127, 127), 3);
  const std::vector<float> sw = {0.01f, 0.02f, 0.015f};
  const auto b = testing::RandomS32(static_cast<size_t>(cout), 9, -500, 500);
  Graph g;
  g.set_source("t.onnx");
  Value* x = testing::AddS8Input(g, "x", {1, cin, hw, hw}, 0.05f, 3);
  Value* wv = testing::AddWeights(g, "w", {cout, cin, 3, 3}, w, sw);
  Value* c = testing::AddBias(g, "c", b, 0.05f, sw);
  Value* y = testing::AddS8Output(g, "y", {1, cout, hw, hw}, 0.1f, -4);
  g.AddNode(OpKind::kConv, "conv", {x, wv, c}, {y})->SetInts("pads", {1, 1, 1, 1});
  const auto xs = testing::RandomS8(static_cast<size_t>(cin * hw * hw), 10);
  std::vector<int> want;
  for (int64_t o = 0; o < cout; ++o)
    for (int64_t oy = 0; oy < hw; ++oy)
      for (int64_t ox = 0; ox < hw; ++ox) {
        double acc =
            b[static_cast<size_t>(o)] * static_cast<double>(0.05f * sw[static_cast<size_t>(o)]);
        for (int64_t ci = 0; ci < cin; ++ci)
          for (int64_t ky = 0; ky < 3; ++ky)
            for (int64_t kx = 0; kx < 3; ++kx) {
              const int64_t iy = oy + ky - 1, ix = ox + kx - 1;
              if (iy < 0 || iy >= hw || ix < 0 || ix >= hw) continue;
              acc += testing::Deq(xs[static_cast<size_t>((ci * hw + iy) * hw + ix)], 0.05f, 3) *
                     static_cast<double>(sw[static_cast<size_t>(o)]) *
                     w[static_cast<size_t>(((o * cin + ci) * 3 + ky) * 3 + kx)];
            }
        want.push_back(testing::QuantRef(acc, 0.1f, -4));
      }
  const Tensor out =
      testing::RunInt8(g, {{"x", Tensor::FromVector<int8_t>({1, cin, hw, hw}, xs)}}, "y");
  testing::ExpectCodesNear(out, want, 1);
}

}  // namespace
}  // namespace tinyq
