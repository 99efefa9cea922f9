// Tests of the nn kernel group: registration, the shared prepare checks, and a small network run
// end to end by the Executor after shape inference.
#include "src/exec/kernels_nn.h"

#include <gtest/gtest.h>

#include <cmath>

#include "src/ir/shape_inference.h"
#include "tests/exec/nn_test_util.h"
#include "tinyq/executor.h"

namespace tinyq {
namespace {

using testing_nn::ExpectNear;
using testing_nn::OneNode;
using testing_nn::RandomTensor;
using testing_nn::Values;

TEST(KernelsNnTest, EveryOwnedOpHasAFloatKernel) {
  for (OpKind op :
       {OpKind::kConv, OpKind::kConvTranspose, OpKind::kGemm, OpKind::kMatMul, OpKind::kMaxPool,
        OpKind::kAveragePool, OpKind::kGlobalAveragePool, OpKind::kGlobalMaxPool,
        OpKind::kBatchNormalization, OpKind::kInstanceNormalization, OpKind::kResize,
        OpKind::kSoftmax, OpKind::kLogSoftmax, OpKind::kReduceMean, OpKind::kReduceMax,
        OpKind::kReduceSum})
    EXPECT_NE(FindKernel(op, ExecMode::kFloat), nullptr) << OpKindName(op);
}

TEST(KernelsNnTest, NonFloatInputIsUnsupportedNamingNodeAndDtype) {
  OneNode t(OpKind::kGlobalMaxPool, Tensor(DType::kS8, {1, 2, 2, 2}), {});
  const Status s = t.Prepare();
  EXPECT_EQ(s.code(), StatusCode::kUnsupported);
  EXPECT_NE(s.message().find("test.onnx: node 'n1' (GlobalMaxPool): "), std::string::npos)
      << s.message();
  EXPECT_NE(s.message().find("s8"), std::string::npos) << s.message();
}

TEST(KernelsNnTest, PrepareRefusesOutputShapeThatDisagreesWithTheOp) {
  OneNode t(OpKind::kGlobalAveragePool, RandomTensor({1, 2, 3, 3}, 1), {});
  ASSERT_TRUE(InferNodeShapes(t.graph, *t.node).ok());
  t.node->output(0)->set_shape({1, 2, 3, 3});  // e.g. a corrupted model value_info
  const Status s =
      FindKernel(OpKind::kGlobalAveragePool, ExecMode::kFloat)->prepare(t.graph, *t.node).status();
  EXPECT_EQ(s.code(), StatusCode::kInvalidModel);
  EXPECT_NE(s.message().find("[1,2,1,1]"), std::string::npos) << s.message();
}

TEST(KernelsNnTest, ConvPoolSoftmaxNetworkRunsInTheExecutor) {
  // x [1,2,4,4] -> Conv(3x3 ones-ish, pad 1) -> MaxPool 2x2 -> GlobalAveragePool -> Softmax.
  Graph g;
  g.set_source("net.onnx");
  Value* x = g.AddValue("x", DType::kF32, {1, 2, 4, 4});
  Value* w = g.AddConstant("w", RandomTensor({3, 2, 3, 3}, 2));
  Value* b = g.AddConstant("b", RandomTensor({3}, 3));
  Value* c = g.AddValue("c");
  Value* p = g.AddValue("p");
  Value* a = g.AddValue("a");
  Value* y = g.AddValue("y");
  Node* conv = g.AddNode(OpKind::kConv, "conv", {x, w, b}, {c});
  conv->SetInts("pads", {1, 1, 1, 1});
  Node* pool = g.AddNode(OpKind::kMaxPool, "pool", {c}, {p});
  pool->SetInts("kernel_shape", {2, 2});
  pool->SetInts("strides", {2, 2});
  g.AddNode(OpKind::kGlobalAveragePool, "gap", {p}, {a});
  g.AddNode(OpKind::kSoftmax, "softmax", {a}, {y})->SetInt("axis", 1);
  g.inputs() = {x};
  g.outputs() = {y};
  for (Node* n : g.TopoOrder()) ASSERT_TRUE(InferNodeShapes(g, *n).ok());
  ASSERT_TRUE(Verify(g).ok()) << Verify(g).ToString();
  auto exec = Executor::Create(g);
  ASSERT_TRUE(exec.ok()) << exec.status().ToString();
  TensorMap feeds;
  feeds.emplace("x", RandomTensor({1, 2, 4, 4}, 4));
  auto out = (*exec)->Run(feeds);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  const Tensor& t = out->at("y");
  ASSERT_EQ(t.shape(), (Shape{1, 3, 1, 1}));
  float sum = 0.0f;
  for (float v : Values(t)) {
    EXPECT_GT(v, 0.0f);
    sum += v;
  }
  EXPECT_NEAR(sum, 1.0f, 1e-6f);

  // Same network evaluated node by node with the individually tested kernels.
  OneNode c1(OpKind::kConv, feeds.at("x"), {w->constant(), b->constant()});
  c1.node->SetInts("pads", {1, 1, 1, 1});
  ASSERT_TRUE(c1.Prepare().ok());
  OneNode p1(OpKind::kMaxPool, c1.Eval(), {});
  p1.node->SetInts("kernel_shape", {2, 2});
  p1.node->SetInts("strides", {2, 2});
  ASSERT_TRUE(p1.Prepare().ok());
  OneNode a1(OpKind::kGlobalAveragePool, p1.Eval(), {});
  ASSERT_TRUE(a1.Prepare().ok());
  const std::vector<float> logits = Values(a1.Eval());
  double z = 0;
  for (float l : logits) z += std::exp(l);
  std::vector<float> want;
  for (float l : logits) want.push_back(static_cast<float>(std::exp(l) / z));
  ExpectNear(Values(t), want, 1e-6f);
}

}  // namespace
}  // namespace tinyq
