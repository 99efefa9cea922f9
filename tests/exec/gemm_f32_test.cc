// Tests of MatMulF32 and of the Gemm / MatMul kernels built on it.
#include "src/exec/gemm_f32.h"

#include <gtest/gtest.h>

#include "tests/exec/nn_test_util.h"

namespace tinyq {
namespace {

using testing_nn::ExpectNear;
using testing_nn::OneNode;
using testing_nn::RandomTensor;
using testing_nn::Values;

// out[m, n] = sum_k A[m, k] B[k, n] with A, B addressed through explicit strides.
std::vector<float> NaiveMatMul(const float* a, int64_t a_rs, int64_t a_cs, const float* b,
                               int64_t b_rs, int64_t b_cs, int64_t m, int64_t k, int64_t n) {
  std::vector<float> out(static_cast<size_t>(m * n));
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      double acc = 0;
      for (int64_t p = 0; p < k; ++p) acc += a[i * a_rs + p * a_cs] * b[p * b_rs + j * b_cs];
      out[static_cast<size_t>(i * n + j)] = static_cast<float>(acc);
    }
  return out;
}

TEST(MatMulF32Test, HandComputed2x2) {
  const std::vector<float> a = {1, 2, 3, 4}, b = {5, 6, 7, 8};
  std::vector<float> out(4);
  MatMulF32(a.data(), b.data(), out.data(), 2, 2, 2);
  ExpectNear(out, {19, 22, 43, 50});
  MatMulF32(a.data(), b.data(), out.data(), 2, 2, 2, /*trans_a=*/true, /*trans_b=*/true, 2.0f);
  // A^T B^T = (B A)^T; B A = [[23, 34], [31, 46]].
  ExpectNear(out, {46, 62, 68, 92});
}

TEST(MatMulF32Test, AllTransposesMatchNaive) {
  const int64_t m = 5, k = 7, n = 3;
  const std::vector<float> a = testing_nn::RandomVector(m * k, 1);
  const std::vector<float> b = testing_nn::RandomVector(k * n, 2);
  for (int ta = 0; ta < 2; ++ta)
    for (int tb = 0; tb < 2; ++tb) {
      std::vector<float> out(m * n, 100.0f);
      MatMulF32(a.data(), b.data(), out.data(), m, k, n, ta, tb, 1.0f, /*accumulate=*/true);
      std::vector<float> want =
          NaiveMatMul(a.data(), ta ? 1 : k, ta ? m : 1, b.data(), tb ? 1 : n, tb ? k : 1, m, k, n);
      for (float& v : want) v += 100.0f;
      ExpectNear(out, want, 1e-4f);
    }
}

TEST(GemmKernelTest, AlphaBetaTransBRowBroadcastC) {
  // A [2,3], B^T given as [4,3], C [1,4] broadcast over rows.
  const Tensor a = RandomTensor({2, 3}, 3);
  const Tensor b = RandomTensor({4, 3}, 4);
  const Tensor c = Tensor::FromVector<float>({1, 4}, {1, 2, 3, 4});
  OneNode t(OpKind::kGemm, a, {&b, &c});
  t.node->SetInt("transB", 1);
  t.node->SetFloat("alpha", 0.5f);
  t.node->SetFloat("beta", 2.0f);
  ASSERT_TRUE(t.Prepare().ok()) << t.Prepare().ToString();
  std::vector<float> want = NaiveMatMul(a.data<float>(), 3, 1, b.data<float>(), 1, 3, 2, 3, 4);
  for (size_t i = 0; i < want.size(); ++i) want[i] = 0.5f * want[i] + 2.0f * (i % 4 + 1);
  const Tensor y = t.Eval();
  EXPECT_EQ(y.shape(), (Shape{2, 4}));
  ExpectNear(Values(y), want, 1e-5f);
}

TEST(GemmKernelTest, ColumnBroadcastCAndTransA) {
  const Tensor a = RandomTensor({3, 2}, 5);  // A^T
  const Tensor b = RandomTensor({3, 4}, 6);
  const Tensor c = Tensor::FromVector<float>({2, 1}, {10, -10});
  OneNode t(OpKind::kGemm, a, {&b, &c});
  t.node->SetInt("transA", 1);
  ASSERT_TRUE(t.Prepare().ok());
  std::vector<float> want = NaiveMatMul(a.data<float>(), 1, 2, b.data<float>(), 4, 1, 2, 3, 4);
  for (size_t i = 0; i < want.size(); ++i) want[i] += i < 4 ? 10.0f : -10.0f;
  ExpectNear(Values(t.Eval()), want, 1e-5f);
}

TEST(GemmKernelTest, IncompatibleCIsRefused) {
  const Tensor a = RandomTensor({2, 3}, 7);
  const Tensor b = RandomTensor({3, 4}, 8);
  const Tensor c = RandomTensor({3}, 9);
  OneNode t(OpKind::kGemm, a, {&b, &c});
  const Status s = t.Prepare();
  EXPECT_EQ(s.code(), StatusCode::kInvalidModel);
  EXPECT_NE(s.message().find("test.onnx: node 'n1' (Gemm): "), std::string::npos) << s.message();
}

TEST(MatMulKernelTest, VectorTimesBatchedMatrix) {
  // [3] x [2, 3, 4] -> [2, 4].
  const Tensor a = RandomTensor({3}, 10);
  const Tensor b = RandomTensor({2, 3, 4}, 11);
  OneNode t(OpKind::kMatMul, a, {&b});
  ASSERT_TRUE(t.Prepare().ok());
  const Tensor y = t.Eval();
  EXPECT_EQ(y.shape(), (Shape{2, 4}));
  std::vector<float> want;
  for (int64_t i = 0; i < 2; ++i) {
    auto part = NaiveMatMul(a.data<float>(), 3, 1, b.data<float>() + i * 12, 4, 1, 1, 3, 4);
    want.insert(want.end(), part.begin(), part.end());
  }
  ExpectNear(Values(y), want, 1e-5f);
}

TEST(MatMulKernelTest, BroadcastBatchDimsMatchNaive) {
  // [2, 1, 3, 5] x [4, 5, 2] -> [2, 4, 3, 2].
  const Tensor a = RandomTensor({2, 1, 3, 5}, 12);
  const Tensor b = RandomTensor({4, 5, 2}, 13);
  OneNode t(OpKind::kMatMul, a, {&b});
  ASSERT_TRUE(t.Prepare().ok());
  const Tensor y = t.Eval();
  ASSERT_EQ(y.shape(), (Shape{2, 4, 3, 2}));
  std::vector<float> want;
  for (int64_t i = 0; i < 2; ++i)
    for (int64_t j = 0; j < 4; ++j) {
      auto part =
          NaiveMatMul(a.data<float>() + i * 15, 5, 1, b.data<float>() + j * 10, 2, 1, 3, 5, 2);
      want.insert(want.end(), part.begin(), part.end());
    }
  ExpectNear(Values(y), want, 1e-5f);
}

TEST(MatMulKernelTest, BatchedTimesMatrixAndVector) {
  const Tensor a = RandomTensor({2, 3, 5}, 14);
  const Tensor b = RandomTensor({5}, 15);
  OneNode t(OpKind::kMatMul, a, {&b});
  ASSERT_TRUE(t.Prepare().ok());
  const Tensor y = t.Eval();
  ASSERT_EQ(y.shape(), (Shape{2, 3}));
  ExpectNear(Values(y), NaiveMatMul(a.data<float>(), 5, 1, b.data<float>(), 1, 1, 6, 5, 1), 1e-5f);
}

TEST(MatMulKernelTest, InnerDimensionMismatchIsRefused) {
  const Tensor a = RandomTensor({2, 3}, 16);
  const Tensor b = RandomTensor({4, 2}, 17);
  OneNode t(OpKind::kMatMul, a, {&b});
  EXPECT_EQ(t.Prepare().code(), StatusCode::kInvalidModel);
}

}  // namespace
}  // namespace tinyq
