// Gemm and MatMul gradients against central differences.
#include "tests/train/grad_check.h"

namespace tinyq::train::testing {
namespace {

TEST(DenseOpTest, GemmTransBWithBiasVector) {
  NetBuilder net({1, 5});
  net.Bias(1);
  Node* g = net.Add(OpKind::kGemm, {net.Const({3, 5}, 2), net.Const({3}, 3)});
  g->SetInt("transB", 1);
  net.Done();
  CheckNet(net);
}

TEST(DenseOpTest, GemmAlphaBetaScalarC) {
  NetBuilder net({1, 4});
  net.Bias(4);
  Node* g = net.Add(OpKind::kGemm, {net.Const({4, 3}, 5), net.Const({1}, 6)});
  g->SetFloat("alpha", 0.5f);
  g->SetFloat("beta", 2.0f);
  net.Done();
  CheckNet(net);
}

TEST(DenseOpTest, MatMulOverRowsOfEachSample) {
  NetBuilder net({1, 3, 4});
  net.Bias(7);
  net.Add(OpKind::kMatMul, {net.Const({4, 2}, 8)});
  net.Done();
  CheckNet(net);
}

TEST(DenseOpTest, TransAIsUnsupportedAndNamesTheNode) {
  NetBuilder net({4, 1});
  Node* g = net.Add(OpKind::kGemm, {net.Const({4, 3}, 5)});
  g->SetInt("transA", 1);
  net.Done();
  net.Finish();
  auto p = TrainProgram::Create(net.graph);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), StatusCode::kUnsupported);
  EXPECT_NE(p.status().message().find("node 'Gemm'"), std::string::npos) << p.status().message();
}

}  // namespace
}  // namespace tinyq::train::testing
