// Tests of the int8 Gemm node kernel (src/exec/int8_gemm.cc).
#include <limits>
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

struct GemmGraph {
  Graph g;
  Node* node = nullptr;
};

// A [M,K] x B [N,K]^T + C with A (s 0.04, zp -5), per-channel B, output (s 0.2, zp 10).
void BuildGemm(GemmGraph& gg, int64_t m, int64_t k, int64_t n, const std::vector<int8_t>& w,
               const std::vector<float>& sw, const std::vector<int32_t>& b) {
  Graph& g = gg.g;
  g.set_source("t.onnx");
  Value* a = AddS8Input(g, "a", {m, k}, 0.04f, -5);
  Value* bw = AddWeights(g, "w", {n, k}, w, sw);
  Value* c = AddBias(g, "c", b, 0.04f, sw);
  Value* y = AddS8Output(g, "y", {m, n}, 0.2f, 10);
  gg.node = g.AddNode(OpKind::kGemm, "fc", {a, bw, c}, {y});
  gg.node->SetInt("transB", 1);
}

TEST(GemmS8Test, HandComputed) {
  // a codes [5, -5, 15] -> real (q+5)*0.04 = [0.4, 0, 0.8]; w row0 [10, 3, -20] * 0.01,
  // row1 [1, 1, 1] * 0.5; bias [40, -10] * (0.04*s_w) = [0.016, -0.2].
  // y0 = 0.4*0.1 + 0.8*(-0.2) + 0.016 = -0.104 -> -0.52 steps -> -1 + 10 = 9
  // (fixed point: acc = 10*10 + 20*(-20) + 40 = -260, * 0.04*0.01/0.2 = -0.52).
  // y1 = 0.4*0.5 + 0.8*0.5 - 0.2 = 0.4 -> 2 steps + 10 = 12.
  GemmGraph gg;
  BuildGemm(gg, 1, 3, 2, {10, 3, -20, 1, 1, 1}, {0.01f, 0.5f}, {40, -10});
  const Tensor y =
      testing::RunInt8(gg.g, {{"a", Tensor::FromVector<int8_t>({1, 3}, {5, -5, 15})}}, "y");
  testing::ExpectCodesNear(y, {9, 12}, 0);
}

TEST(GemmS8Test, RandomMatchesDoubleReference) {
  const int64_t m = 3, k = 37, n = 9;
  const auto w = testing::RandomS8(static_cast<size_t>(n * k), 2, -127, 127);
  std::vector<float> sw;
  for (int64_t o = 0; o < n; ++o) sw.push_back(0.002f * static_cast<float>(o + 1));
  const auto b = testing::RandomS32(static_cast<size_t>(n), 3, -5000, 5000);
  GemmGraph gg;
  BuildGemm(gg, m, k, n, w, sw, b);
  const auto a = testing::RandomS8(static_cast<size_t>(m * k), 4);
  std::vector<int> want;
  for (int64_t i = 0; i < m; ++i)
    for (int64_t o = 0; o < n; ++o) {
      double acc =
          b[static_cast<size_t>(o)] * static_cast<double>(0.04f * sw[static_cast<size_t>(o)]);
      for (int64_t j = 0; j < k; ++j)
        acc += testing::Deq(a[static_cast<size_t>(i * k + j)], 0.04f, -5) *
               static_cast<double>(sw[static_cast<size_t>(o)]) * w[static_cast<size_t>(o * k + j)];
      want.push_back(testing::QuantRef(acc, 0.2f, 10));
    }
  const Tensor y = testing::RunInt8(gg.g, {{"a", Tensor::FromVector<int8_t>({m, k}, a)}}, "y");
  testing::ExpectCodesNear(y, want, 1);
}

TEST(GemmS8Test, FusedReluClampsAtZeroPoint) {
  GemmGraph gg;
  BuildGemm(gg, 1, 3, 2, {10, 3, -20, 1, 1, 1}, {0.01f, 0.5f}, {40, -10});
  gg.node->SetString("tq_act", "relu");
  gg.node->SetFloat("tq_act_min", 0.0f);
  gg.node->SetFloat("tq_act_max", std::numeric_limits<float>::infinity());
  const Tensor y =
      testing::RunInt8(gg.g, {{"a", Tensor::FromVector<int8_t>({1, 3}, {5, -5, 15})}}, "y");
  testing::ExpectCodesNear(y, {10, 12}, 0);  // y0 = 9 is below the zero point 10
}

TEST(GemmS8Test, NonCanonicalTransBIsRefused) {
  GemmGraph gg;
  BuildGemm(gg, 1, 3, 2, {10, 3, -20, 1, 1, 1}, {0.01f, 0.5f}, {40, -10});
  gg.node->SetInt("transB", 0);
  const Status s = testing::PrepareInt8(gg.g);
  EXPECT_EQ(s.code(), StatusCode::kUnsupported);
  EXPECT_NE(s.message().find("t.onnx: node 'fc' (Gemm): int8 Gemm needs the canonical form"),
            std::string::npos)
      << s.message();
}

TEST(GemmS8Test, NonConstantWeightIsRefused) {
  Graph g;
  Value* a = AddS8Input(g, "a", {1, 2}, 0.1f, 0);
  Value* w = AddS8Input(g, "w", {2, 2}, 0.1f, 0);
  Value* y = AddS8Output(g, "y", {1, 2}, 0.1f, 0);
  g.AddNode(OpKind::kGemm, "fc", {a, w}, {y})->SetInt("transB", 1);
  const Status s = testing::PrepareInt8(g);
  EXPECT_EQ(s.code(), StatusCode::kInvalidModel);
  EXPECT_NE(s.message().find("must be a constant s8 tensor"), std::string::npos) << s.message();
}

TEST(GemmS8Test, AccumulatorOverflowIsRefused) {
  // K = 140000 taps of |w| = 127 with |x + offset| up to 132 (zero point -5): 2.3e9 > INT32_MAX.
  const int64_t k = 140000;
  GemmGraph gg;
  BuildGemm(gg, 1, k, 1, std::vector<int8_t>(static_cast<size_t>(k), 127), {0.01f}, {0});
  const Status s = testing::PrepareInt8(gg.g);
  EXPECT_EQ(s.code(), StatusCode::kUnsupported);
  EXPECT_NE(s.message().find("exceeds INT32_MAX"), std::string::npos) << s.message();
}

TEST(GemmS8Test, WrongWeightScaleCountIsRefused) {
  GemmGraph gg;
  BuildGemm(gg, 1, 3, 2, {10, 3, -20, 1, 1, 1}, {0.01f, 0.5f}, {40, -10});
  gg.g.FindValue("w")->set_quant(testing::ChannelParams({0.1f, 0.1f, 0.1f}, DType::kS8));
  const Status s = testing::PrepareInt8(gg.g);
  EXPECT_EQ(s.code(), StatusCode::kInvalidModel);
  EXPECT_NE(s.message().find("one scale per output channel"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace tinyq
