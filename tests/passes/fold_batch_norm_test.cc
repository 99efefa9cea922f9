#include "passes/fold_batch_norm.h"

#include <gtest/gtest.h>

#include "passes/registry.h"
#include "tests/passes/pass_test_util.h"

namespace tinyq {
namespace {

using testing::CountOps;
using testing::ExpectPassKeepsGraph;
using testing::ExpectSameFunction;
using testing::GraphBuilder;
using testing::OutputNames;

// BatchNormalization over `c` channels with random parameters (variance in [0.2, 2)).
Value* AddBn(GraphBuilder& b, const std::string& name, Value* x, int64_t c) {
  return b.Out(OpKind::kBatchNormalization, name,
               {x, b.Const(name + "_gamma", {c}, 0.5f, 2.0f), b.Const(name + "_beta", {c}),
                b.Const(name + "_mean", {c}), b.Const(name + "_var", {c}, 0.2f, 2.0f)},
               [](Node* n) { n->SetFloat("epsilon", 1e-3f); });
}

// Runs the pass and checks: no BN left, `producer` writes the BN's output name, same function.
void ExpectFolded(GraphBuilder& b, const std::string& producer) {
  auto before = b.graph().Clone();
  FoldBatchNormPass pass;
  PassStats stats;
  ASSERT_TRUE(RunPass(b.graph(), pass, &stats).ok());
  const Graph& g = b.graph();
  EXPECT_EQ(CountOps(g, OpKind::kBatchNormalization), 0);
  EXPECT_EQ(g.nodes().size(), before->nodes().size() - 1);
  EXPECT_EQ(OutputNames(g), OutputNames(*before));
  ASSERT_NE(g.FindNode(producer), nullptr);
  EXPECT_EQ(g.FindNode(producer)->output(0)->name(), "bn_out");
  EXPECT_EQ(stats.nodes_removed, 1);
  EXPECT_EQ(stats.nodes_rewritten, 1);
  EXPECT_TRUE(Verify(g).ok());
  ExpectSameFunction(*before, g);
}

TEST(FoldBatchNormTest, HandComputedPointwiseConv) {
  GraphBuilder b;
  Value* x = b.Input("x", {1, 1, 2, 2});
  Value* w = b.graph().AddConstant("w", Tensor::FromVector<float>({1, 1, 1, 1}, {2.0f}));
  Value* bias = b.graph().AddConstant("b", Tensor::FromVector<float>({1}, {1.0f}));
  Value* z = b.Out(OpKind::kConv, "conv", {x, w, bias});
  auto vec = [&](const char* n, float v) {
    return b.graph().AddConstant(n, Tensor::FromVector<float>({1}, {v}));
  };
  b.Output(b.Out(OpKind::kBatchNormalization, "bn",
                 {z, vec("g", 3.0f), vec("beta", 0.5f), vec("mu", 2.0f), vec("var", 3.0f)},
                 [](Node* n) { n->SetFloat("epsilon", 1.0f); }));
  FoldBatchNormPass pass;
  PassStats stats;
  ASSERT_TRUE(RunPass(b.graph(), pass, &stats).ok());
  // s = 3 / sqrt(3 + 1) = 1.5; W' = 2 * 1.5 = 3; b' = (1 - 2) * 1.5 + 0.5 = -1.
  const Node* conv = b.graph().FindNode("conv");
  EXPECT_EQ(conv->input(1)->constant()->data<float>()[0], 3.0f);
  EXPECT_EQ(conv->input(2)->constant()->data<float>()[0], -1.0f);
  EXPECT_EQ(b.graph().FindValue("w"), nullptr);  // the old, now unused parameters are gone
  EXPECT_EQ(b.graph().FindValue("var"), nullptr);
}

TEST(FoldBatchNormTest, ConvWithAndWithoutBias) {
  GraphBuilder b;
  Value* x = b.Input("x", {2, 3, 6, 6});
  Value* z1 = b.Out(OpKind::kConv, "conv1", {x, b.Const("w1", {4, 3, 3, 3}), b.Const("b1", {4})},
                    [](Node* n) {
                      n->SetInts("pads", {1, 1, 1, 1});
                    });
  Value* y1 = AddBn(b, "bn1", z1, 4);
  Value* z = b.Out(OpKind::kConv, "conv2", {y1, b.Const("w2", {5, 4, 1, 1})});
  b.Output(AddBn(b, "bn", z, 5));
  auto before = b.graph().Clone();
  FoldBatchNormPass pass;
  PassStats stats;
  ASSERT_TRUE(RunPass(b.graph(), pass, &stats).ok());
  EXPECT_EQ(CountOps(b.graph(), OpKind::kBatchNormalization), 0);
  EXPECT_EQ(stats.nodes_rewritten, 2);
  EXPECT_EQ(b.graph().FindNode("conv2")->num_inputs(), 3);  // a bias was added
  EXPECT_TRUE(Verify(b.graph()).ok());
  ExpectSameFunction(*before, b.graph());
}

TEST(FoldBatchNormTest, DepthwiseConv) {
  GraphBuilder b;
  Value* x = b.Input("x", {1, 6, 7, 7});
  Value* z =
      b.Out(OpKind::kConv, "dw", {x, b.Const("w", {6, 1, 3, 3}), b.Const("b", {6})}, [](Node* n) {
        n->SetInt("group", 6);
        n->SetInts("strides", {2, 2});
      });
  b.Output(AddBn(b, "bn", z, 6));
  ExpectFolded(b, "dw");
}

TEST(FoldBatchNormTest, GroupedConvTranspose) {
  GraphBuilder b;
  Value* x = b.Input("x", {1, 4, 3, 3});
  // groups = 2: W [Cin=4, Cout/g=3, 2, 2], Cout = 6.
  Value* z = b.Out(OpKind::kConvTranspose, "convt",
                   {x, b.Const("w", {4, 3, 2, 2}), b.Const("b", {6})}, [](Node* n) {
                     n->SetInt("group", 2);
                     n->SetInts("strides", {2, 2});
                   });
  b.Output(AddBn(b, "bn", z, 6));
  ExpectFolded(b, "convt");
}

TEST(FoldBatchNormTest, ConvTransposeWithoutBias) {
  GraphBuilder b;
  Value* x = b.Input("x", {1, 2, 4, 4});
  Value* z = b.Out(OpKind::kConvTranspose, "convt", {x, b.Const("w", {2, 5, 3, 3})});
  b.Output(AddBn(b, "bn", z, 5));
  ExpectFolded(b, "convt");
}

TEST(FoldBatchNormTest, GemmTransB0WithScaledRowBias) {
  GraphBuilder b;
  Value* x = b.Input("x", {3, 4});
  Value* z =
      b.Out(OpKind::kGemm, "gemm", {x, b.Const("w", {4, 5}), b.Const("c", {1, 5})}, [](Node* n) {
        n->SetFloat("alpha", 0.5f);
        n->SetFloat("beta", 2.0f);
      });
  b.Output(AddBn(b, "bn", z, 5));
  ExpectFolded(b, "gemm");
  EXPECT_EQ(b.graph().FindNode("gemm")->GetFloat("beta", 0.0f), 1.0f);
}

TEST(FoldBatchNormTest, GemmTransB1WithoutBias) {
  GraphBuilder b;
  Value* x = b.Input("x", {2, 4});
  Value* z = b.Out(OpKind::kGemm, "gemm", {x, b.Const("w", {5, 4})},
                   [](Node* n) { n->SetInt("transB", 1); });
  b.Output(AddBn(b, "bn", z, 5));
  ExpectFolded(b, "gemm");
}

TEST(FoldBatchNormTest, GemmTransB1WithVectorBias) {
  GraphBuilder b;
  Value* x = b.Input("x", {2, 4});
  Value* z = b.Out(OpKind::kGemm, "gemm", {x, b.Const("w", {5, 4}), b.Const("c", {5})},
                   [](Node* n) { n->SetInt("transB", 1); });
  b.Output(AddBn(b, "bn", z, 5));
  ExpectFolded(b, "gemm");
}

TEST(FoldBatchNormTest, ConvOutputWithTwoReadersIsNotFolded) {
  GraphBuilder b;
  Value* x = b.Input("x", {1, 2, 4, 4});
  Value* z = b.Out(OpKind::kConv, "conv", {x, b.Const("w", {3, 2, 1, 1})});
  b.Output(AddBn(b, "bn", z, 3));
  b.Output(b.Out(OpKind::kRelu, "relu", {z}));
  FoldBatchNormPass pass;
  PassStats stats;
  ExpectPassKeepsGraph(b.graph(), pass, &stats);
  EXPECT_EQ(stats.nodes_rewritten, 0);
}

TEST(FoldBatchNormTest, BatchNormAfterOtherOpsOrWithComputedParamsIsNotFolded) {
  GraphBuilder b;
  Value* x = b.Input("x", {1, 3, 4, 4});
  b.Output(AddBn(b, "bn_on_input", x, 3));
  Value* r = b.Out(OpKind::kRelu, "relu", {x});
  b.Output(AddBn(b, "bn_after_relu", r, 3));
  Value* gamma = b.Input("gamma", {3});  // a computed scale
  Value* z = b.Out(OpKind::kConv, "conv", {x, b.Const("w", {3, 3, 1, 1})});
  b.Output(b.Out(
      OpKind::kBatchNormalization, "bn_dyn",
      {z, gamma, b.Const("beta", {3}), b.Const("mean", {3}), b.Const("var", {3}, 0.5f, 1.0f)}));
  FoldBatchNormPass pass;
  ExpectPassKeepsGraph(b.graph(), pass);
}

TEST(FoldBatchNormTest, ProducerWithFusedActivationIsNotFolded) {
  GraphBuilder b;
  Value* x = b.Input("x", {1, 2, 3, 3});
  Value* z = b.Out(OpKind::kConv, "conv", {x, b.Const("w", {2, 2, 1, 1})}, [](Node* n) {
    n->SetString("tq_act", "relu");
    n->SetFloat("tq_act_min", 0.0f);
    n->SetFloat("tq_act_max", 1e30f);
  });
  b.Output(AddBn(b, "bn", z, 2));
  FoldBatchNormPass pass;
  ExpectPassKeepsGraph(b.graph(), pass);
}

TEST(FoldBatchNormTest, SharedWeightsAreNotModifiedInPlace) {
  GraphBuilder b;
  Value* x = b.Input("x", {1, 2, 3, 3});
  Value* w = b.Const("w", {2, 2, 1, 1});
  Value* z = b.Out(OpKind::kConv, "conv", {x, w});
  b.Output(AddBn(b, "bn", z, 2));
  b.Output(b.Out(OpKind::kConv, "conv_shared", {x, w}));
  auto before = b.graph().Clone();
  FoldBatchNormPass pass;
  PassStats stats;
  ASSERT_TRUE(RunPass(b.graph(), pass, &stats).ok());
  EXPECT_EQ(b.graph().FindNode("conv_shared")->input(1), w);
  EXPECT_NE(b.graph().FindNode("conv")->input(1), w);
  ExpectSameFunction(*before, b.graph());
}

}  // namespace
}  // namespace tinyq
