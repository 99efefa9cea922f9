#include "passes/fuse_activation.h"

#include <gtest/gtest.h>

#include <limits>

#include "passes/registry.h"
#include "src/exec/kernel.h"
#include "tests/passes/pass_test_util.h"

namespace tinyq {
namespace {

using testing::CountOps;
using testing::ExpectPassKeepsGraph;
using testing::ExpectSameFunction;
using testing::GraphBuilder;
using testing::OutputNames;

constexpr float kInf = std::numeric_limits<float>::infinity();

// Runs fuse_activation, expects the activation node gone, the producer carrying the attributes
// and the same float function (the clamp is exact, so the tolerance is tiny).
void ExpectFused(GraphBuilder& b, const std::string& producer, const std::string& act, float lo,
                 float hi) {
  auto before = b.graph().Clone();
  FuseActivationPass pass;
  PassStats stats;
  ASSERT_TRUE(RunPass(b.graph(), pass, &stats).ok());
  const Graph& g = b.graph();
  EXPECT_EQ(CountOps(g, OpKind::kRelu) + CountOps(g, OpKind::kClip), 0);
  EXPECT_EQ(g.nodes().size(), before->nodes().size() - 1);
  const Node* p = g.FindNode(producer);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->GetString("tq_act", ""), act);
  EXPECT_EQ(p->GetFloat("tq_act_min", 1e9f), lo);
  EXPECT_EQ(p->GetFloat("tq_act_max", 1e9f), hi);
  EXPECT_EQ(OutputNames(g), OutputNames(*before));
  EXPECT_EQ(stats.nodes_removed, 1);
  EXPECT_TRUE(Verify(g).ok());
  ExpectSameFunction(*before, g, 1e-7f);
}

TEST(FuseActivationTest, ReluAfterAddBecomesAttributes) {
  GraphBuilder b;
  Value* x = b.Input("x", {2, 8});
  Value* s = b.Out(OpKind::kAdd, "add", {x, b.Const("c", {8})});
  b.Output(b.Out(OpKind::kRelu, "relu", {s}));
  ExpectFused(b, "add", "relu", 0.0f, kInf);
  // The producer now writes the activation's output name.
  EXPECT_EQ(b.graph().FindNode("add")->output(0)->name(), "relu_out");
}

TEST(FuseActivationTest, Relu6ClipAfterGemm) {
  GraphBuilder b;
  Value* x = b.Input("x", {3, 4});
  Value* y = b.Out(OpKind::kGemm, "gemm", {x, b.Const("w", {5, 4}, -4, 4), b.Const("c", {5})},
                   [](Node* n) { n->SetInt("transB", 1); });
  b.Output(b.Out(OpKind::kClip, "relu6", {y, b.Scalar("lo", 0.0f), b.Scalar("hi", 6.0f)}));
  ExpectFused(b, "gemm", "clip", 0.0f, 6.0f);
  EXPECT_EQ(b.graph().FindValue("lo"), nullptr);  // bounds dropped with the Clip
}

TEST(FuseActivationTest, ReluAfterConvAndConvTranspose) {
  GraphBuilder b;
  Value* x = b.Input("x", {1, 2, 5, 5});
  Value* c =
      b.Out(OpKind::kConv, "conv", {x, b.Const("w", {3, 2, 3, 3}), b.Const("b", {3})}, [](Node* n) {
        n->SetInts("pads", {1, 1, 1, 1});
      });
  Value* r = b.Out(OpKind::kRelu, "relu", {c});
  Value* t = b.Out(OpKind::kConvTranspose, "convt", {r, b.Const("wt", {3, 2, 2, 2})}, [](Node* n) {
    n->SetInts("strides", {2, 2});
  });
  b.Output(b.Out(OpKind::kClip, "clip", {t, b.Scalar("lo", -0.25f), b.Scalar("hi", 0.5f)}));
  auto before = b.graph().Clone();
  FuseActivationPass pass;
  PassStats stats;
  ASSERT_TRUE(RunPass(b.graph(), pass, &stats).ok());
  EXPECT_EQ(b.graph().nodes().size(), 2u);
  EXPECT_EQ(b.graph().FindNode("conv")->GetString("tq_act", ""), "relu");
  EXPECT_EQ(b.graph().FindNode("convt")->GetFloat("tq_act_min", 0), -0.25f);
  EXPECT_EQ(stats.nodes_rewritten, 2);
  ExpectSameFunction(*before, b.graph(), 1e-7f);
}

TEST(FuseActivationTest, ClipWithOnlyMinAfterMatMul) {
  GraphBuilder b;
  Value* x = b.Input("x", {2, 3, 4});
  Value* m = b.Out(OpKind::kMatMul, "matmul", {x, b.Const("w", {4, 6})});
  b.Output(b.Out(OpKind::kClip, "clip", {m, b.Scalar("lo", -0.1f)}));
  ExpectFused(b, "matmul", "clip", -0.1f, kInf);
}

TEST(FuseActivationTest, ClipWithComputedMinIsNotFused) {
  GraphBuilder b;
  Value* x = b.Input("x", {2, 4});
  Value* lo = b.graph().AddValue("lo", DType::kF32, {});
  b.graph().inputs().push_back(lo);
  Value* s = b.Out(OpKind::kAdd, "add", {x, b.Const("c", {4})});
  b.Output(b.Out(OpKind::kClip, "clip", {s, lo, b.Scalar("hi", 6.0f)}));
  FuseActivationPass pass;
  ExpectPassKeepsGraph(b.graph(), pass);
}

TEST(FuseActivationTest, ProducerOutputWithTwoReadersOrGraphOutputIsNotFused) {
  GraphBuilder b;
  Value* x = b.Input("x", {4});
  Value* s1 = b.Out(OpKind::kAdd, "add1", {x, b.Const("c1", {4})});
  b.Output(b.Out(OpKind::kRelu, "relu1", {s1}));
  b.Output(b.Out(OpKind::kTanh, "tanh", {s1}));  // second reader
  Value* s2 = b.Out(OpKind::kAdd, "add2", {x, b.Const("c2", {4})});
  b.Output(s2);  // observable before the activation
  b.Output(b.Out(OpKind::kRelu, "relu2", {s2}));
  Value* sg = b.Out(OpKind::kSigmoid, "sig", {x});  // not a fusable producer
  b.Output(b.Out(OpKind::kRelu, "relu3", {sg}));
  FuseActivationPass pass;
  ExpectPassKeepsGraph(b.graph(), pass);
}

TEST(FuseActivationTest, SecondActivationIsNotFusedOverTheFirst) {
  GraphBuilder b;
  Value* x = b.Input("x", {4});
  Value* s = b.Out(OpKind::kAdd, "add", {x, b.Const("c", {4})});
  Value* r = b.Out(OpKind::kRelu, "relu", {s});
  b.Output(b.Out(OpKind::kClip, "clip", {r, b.Scalar("lo", -1.0f), b.Scalar("hi", 0.5f)}));
  auto before = b.graph().Clone();
  FuseActivationPass pass;
  PassStats stats;
  ASSERT_TRUE(RunPass(b.graph(), pass, &stats).ok());
  EXPECT_EQ(CountOps(b.graph(), OpKind::kRelu), 0);
  EXPECT_EQ(CountOps(b.graph(), OpKind::kClip), 1);  // Add already has tq_act
  ExpectSameFunction(*before, b.graph(), 1e-7f);
}

TEST(FuseActivationTest, KernelRefusesUnknownActivation) {
  GraphBuilder b;
  Value* x = b.Input("x", {4});
  Node* add = b.Op(OpKind::kAdd, "add", {x, b.Const("c", {4})});
  b.Output(add->output(0));
  add->SetString("tq_act", "gelu");
  add->SetFloat("tq_act_min", 0.0f);
  add->SetFloat("tq_act_max", kInf);
  auto prepared = FindKernel(OpKind::kAdd, ExecMode::kFloat)->prepare(b.graph(), *add);
  ASSERT_FALSE(prepared.ok());
  EXPECT_EQ(prepared.status().code(), StatusCode::kInvalidModel);
  EXPECT_NE(prepared.status().message().find("t.onnx: node 'add' (Add): tq_act"), std::string::npos)
      << prepared.status().message();
  add->SetString("tq_act", "relu");
  add->mutable_attrs().erase("tq_act_max");
  EXPECT_EQ(FindKernel(OpKind::kAdd, ExecMode::kFloat)->prepare(b.graph(), *add).status().code(),
            StatusCode::kInvalidModel);
}

}  // namespace
}  // namespace tinyq
