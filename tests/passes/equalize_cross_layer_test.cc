#include "passes/equalize_cross_layer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "passes/registry.h"
#include "tests/passes/pass_test_util.h"
#include "tinyq/onnx.h"
#include "tinyq/passes.h"

namespace tinyq {
namespace {

using testing::ExpectPassKeepsGraph;
using testing::ExpectSameFunction;
using testing::GraphBuilder;
using testing::OutputNames;

constexpr float kInf = std::numeric_limits<float>::infinity();

const float* Weights(const Graph& g, const std::string& node, int input = 1) {
  return g.FindNode(node)->input(input)->constant()->data<float>();
}

// max |W[o]| per output channel o of a Conv weight [Cout, ...] or a Gemm B (transB = 1: [N, K]).
std::vector<double> OutputRanges(const Graph& g, const std::string& node) {
  const Tensor& w = *g.FindNode(node)->input(1)->constant();
  const int64_t rows = w.shape()[0], per_row = w.numel() / rows;
  std::vector<double> r(static_cast<size_t>(rows), 0.0);
  for (int64_t o = 0; o < rows; ++o)
    for (int64_t j = 0; j < per_row; ++j)
      r[o] = std::max(r[o], std::fabs(double{w.data<float>()[o * per_row + j]}));
  return r;
}

// max |W[o, i - group_base]| over the output channels o of input channel i's group, for a Conv
// weight [Cout, C/g, k...] with `groups` groups (g = 1: W[:, i]; depthwise: W[i]).
std::vector<double> InputRanges(const Graph& g, const std::string& node, int64_t groups) {
  const Tensor& w = *g.FindNode(node)->input(1)->constant();
  const int64_t cout = w.shape()[0], cin_g = w.shape()[1];
  const int64_t k = w.numel() / (cout * cin_g);
  std::vector<double> r(static_cast<size_t>(cin_g * groups), 0.0);
  for (int64_t o = 0; o < cout; ++o) {
    const int64_t group = o / (cout / groups);
    for (int64_t l = 0; l < cin_g; ++l)
      for (int64_t j = 0; j < k; ++j) {
        double& x = r[static_cast<size_t>(group * cin_g + l)];
        x = std::max(x, std::fabs(double{w.data<float>()[(o * cin_g + l) * k + j]}));
      }
  }
  return r;
}

double MaxOverMin(const std::vector<double>& r) {
  return *std::max_element(r.begin(), r.end()) / *std::min_element(r.begin(), r.end());
}

// Expects r1[i] == r2[i] up to `rel` (the optimum of the paper for an isolated pair).
void ExpectBalanced(const std::vector<double>& r1, const std::vector<double>& r2, double rel) {
  ASSERT_EQ(r1.size(), r2.size());
  for (size_t i = 0; i < r1.size(); ++i) EXPECT_NEAR(r1[i] / r2[i], 1.0, rel) << "channel " << i;
}

// An f32 constant whose output channel o (axis 0) is scaled by scale[o].
Value* ScaledConst(GraphBuilder& b, const std::string& name, Shape shape,
                   const std::vector<float>& scale) {
  Value* v = b.Const(name, shape);
  Tensor& t = *v->mutable_constant();
  const int64_t per = t.numel() / shape[0];
  for (int64_t e = 0; e < t.numel(); ++e) t.data<float>()[e] *= scale[static_cast<size_t>(e / per)];
  return v;
}

Status RunEqualize(Graph& g, PassStats* stats, EqualizeCrossLayerOptions o = {}) {
  EqualizeCrossLayerPass pass(o);
  return RunPass(g, pass, stats);
}

bool HasNoteContaining(const PassStats& s, const std::string& text) {
  for (const std::string& n : s.notes)
    if (n.find(text) != std::string::npos) return true;
  return false;
}

TEST(EqualizeCrossLayerTest, HandComputedPointwisePairWithRelu) {
  GraphBuilder b;
  Value* x = b.Input("x", {1, 1, 2, 2});
  Value* w1 = b.graph().AddConstant("w1", Tensor::FromVector<float>({2, 1, 1, 1}, {4.0f, -1.0f}));
  Value* b1 = b.graph().AddConstant("b1", Tensor::FromVector<float>({2}, {2.0f, 1.0f}));
  Value* w2 = b.graph().AddConstant("w2", Tensor::FromVector<float>({1, 2, 1, 1}, {1.0f, -4.0f}));
  Value* z = b.Out(OpKind::kConv, "conv1", {x, w1, b1});
  Value* a = b.Out(OpKind::kRelu, "relu", {z});
  b.Output(b.Out(OpKind::kConv, "conv2", {a, w2}));
  auto before = b.graph().Clone();
  PassStats stats;
  ASSERT_TRUE(RunEqualize(b.graph(), &stats).ok());
  // r1 = (4, 1), r2 = (1, 4): s = (sqrt(4*1)/1, sqrt(1*4)/4) = (2, 0.5).
  // W1' = (4/2, -1/0.5) = (2, -2); b1' = (2/2, 1/0.5) = (1, 2); W2' = (1*2, -4*0.5) = (2, -2).
  const Graph& g = b.graph();
  EXPECT_EQ(Weights(g, "conv1")[0], 2.0f);
  EXPECT_EQ(Weights(g, "conv1")[1], -2.0f);
  EXPECT_EQ(Weights(g, "conv1", 2)[0], 1.0f);
  EXPECT_EQ(Weights(g, "conv1", 2)[1], 2.0f);
  EXPECT_EQ(Weights(g, "conv2")[0], 2.0f);
  EXPECT_EQ(Weights(g, "conv2")[1], -2.0f);
  EXPECT_EQ(g.FindValue("w1"), nullptr);  // replaced originals are dropped
  EXPECT_EQ(g.FindValue("w2"), nullptr);
  EXPECT_EQ(stats.nodes_rewritten, 2);
  EXPECT_EQ(g.nodes().size(), before->nodes().size());
  EXPECT_EQ(OutputNames(g), OutputNames(*before));
  EXPECT_TRUE(HasNoteContaining(stats, "'conv1' -> 'conv2'"));
  EXPECT_TRUE(Verify(g).ok());
  ExpectSameFunction(*before, g);
}

TEST(EqualizeCrossLayerTest, BadlyScaledConvPairBecomesBalanced) {
  GraphBuilder b(7);
  Value* x = b.Input("x", {2, 3, 8, 8});
  const std::vector<float> scale = {100.0f, 0.01f, 3.0f, 0.2f, 40.0f, 1.0f, 0.05f, 7.0f};
  Value* z = b.Out(OpKind::kConv, "conv1",
                   {x, ScaledConst(b, "w1", {8, 3, 3, 3}, scale), b.Const("b1", {8})}, [](Node* n) {
                     n->SetInts("pads", {1, 1, 1, 1});
                     n->SetString("tq_act", "relu");
                     n->SetFloat("tq_act_min", 0.0f);
                     n->SetFloat("tq_act_max", kInf);
                   });
  b.Output(b.Out(OpKind::kConv, "conv2", {z, b.Const("w2", {5, 8, 3, 3}), b.Const("b2", {5})}));
  auto before = b.graph().Clone();
  const double ratio_before = MaxOverMin(OutputRanges(b.graph(), "conv1"));
  PassStats stats;
  ASSERT_TRUE(RunEqualize(b.graph(), &stats).ok()) << stats.ToString();
  const Graph& g = b.graph();
  const double ratio_after = MaxOverMin(OutputRanges(g, "conv1"));
  EXPECT_GT(ratio_before, 1e4);
  EXPECT_LT(ratio_after, std::sqrt(ratio_before) * 1.5);  // sqrt: half the imbalance in log scale
  ExpectBalanced(OutputRanges(g, "conv1"), InputRanges(g, "conv2", 1), 1e-5);
  EXPECT_EQ(g.FindNode("conv2")->input(2)->name(), "b2");  // conv2's bias is untouched
  EXPECT_TRUE(Verify(g).ok());
  ExpectSameFunction(*before, g);
}

TEST(EqualizeCrossLayerTest, SecondRunChangesNothing) {
  GraphBuilder b(3);
  Value* x = b.Input("x", {1, 2, 5, 5});
  Value* z = b.Out(OpKind::kConv, "conv1",
                   {x, ScaledConst(b, "w1", {4, 2, 1, 1}, {50.0f, 0.1f, 1.0f, 8.0f})});
  b.Output(b.Out(OpKind::kConv, "conv2", {z, b.Const("w2", {3, 4, 3, 3})}));
  PassStats stats;
  ASSERT_TRUE(RunEqualize(b.graph(), &stats).ok());
  EXPECT_EQ(stats.nodes_rewritten, 2);
  EqualizeCrossLayerPass pass;
  ExpectPassKeepsGraph(b.graph(), pass);
}

// MobileNet block: pointwise -> ReLU -> depthwise (multiplier 2) -> ReLU -> pointwise; the two
// pairs share the depthwise conv, so it takes several sweeps.
TEST(EqualizeCrossLayerTest, PointwiseDepthwisePointwiseChainConverges) {
  GraphBuilder b(11);
  Value* x = b.Input("x", {1, 3, 6, 6});
  Value* z1 =
      b.Out(OpKind::kConv, "pw1",
            {x, ScaledConst(b, "w1", {4, 3, 1, 1}, {20.0f, 0.1f, 1.0f, 3.0f}), b.Const("b1", {4})});
  Value* a1 = b.Out(OpKind::kRelu, "relu1", {z1});
  Value* z2 = b.Out(
      OpKind::kConv, "dw",
      {a1, ScaledConst(b, "wd", {8, 1, 3, 3}, {1, 5, 0.2f, 1, 30, 1, 1, 0.5f}), b.Const("bd", {8})},
      [](Node* n) {
        n->SetInt("group", 4);
        n->SetInts("pads", {1, 1, 1, 1});
      });
  Value* a2 = b.Out(OpKind::kRelu, "relu2", {z2});
  b.Output(b.Out(OpKind::kConv, "pw2", {a2, b.Const("w2", {5, 8, 1, 1}), b.Const("b2", {5})}));
  auto before = b.graph().Clone();
  PassStats stats;
  EqualizeCrossLayerOptions o;
  o.max_sweeps = 200;
  ASSERT_TRUE(RunEqualize(b.graph(), &stats, o).ok());
  const Graph& g = b.graph();
  EXPECT_TRUE(HasNoteContaining(stats, "2 pairs")) << stats.ToString();
  EXPECT_TRUE(HasNoteContaining(stats, "converged")) << stats.ToString();
  EXPECT_EQ(stats.nodes_rewritten, 3);
  // Converged: both pairs are balanced up to the tolerance (1e-4 per channel scale).
  ExpectBalanced(OutputRanges(g, "pw1"), InputRanges(g, "dw", 4), 1e-3);
  ExpectBalanced(OutputRanges(g, "dw"), InputRanges(g, "pw2", 1), 1e-3);
  EXPECT_TRUE(Verify(g).ok());
  ExpectSameFunction(*before, g);
}

TEST(EqualizeCrossLayerTest, GroupedConsumerThroughLeakyRelu) {
  GraphBuilder b(5);
  Value* x = b.Input("x", {1, 2, 4, 4});
  Value* z = b.Out(OpKind::kConv, "conv1",
                   {x, ScaledConst(b, "w1", {6, 2, 1, 1}, {9, 0.3f, 1, 2, 0.02f, 4})});
  Value* a = b.Out(OpKind::kLeakyRelu, "leaky", {z}, [](Node* n) { n->SetFloat("alpha", 0.1f); });
  // 3 groups of 2 input channels, 2 output channels each: W2 [6, 2, 3, 3].
  b.Output(b.Out(OpKind::kConv, "conv2", {a, b.Const("w2", {6, 2, 3, 3})},
                 [](Node* n) { n->SetInt("group", 3); }));
  auto before = b.graph().Clone();
  PassStats stats;
  ASSERT_TRUE(RunEqualize(b.graph(), &stats).ok()) << stats.ToString();
  ExpectBalanced(OutputRanges(b.graph(), "conv1"), InputRanges(b.graph(), "conv2", 3), 1e-5);
  EXPECT_TRUE(Verify(b.graph()).ok());
  ExpectSameFunction(*before, b.graph());
}

TEST(EqualizeCrossLayerTest, ThroughClipZeroInfAndMaxPool) {
  GraphBuilder b(9);
  Value* x = b.Input("x", {1, 3, 10, 10});
  Value* z =
      b.Out(OpKind::kConv, "conv1",
            {x, ScaledConst(b, "w1", {4, 3, 3, 3}, {0.05f, 12, 1, 0.5f}), b.Const("b1", {4})});
  Value* c = b.Out(OpKind::kClip, "clip", {z, b.Scalar("lo", 0.0f)});  // max absent: +inf
  Value* p = b.Out(OpKind::kMaxPool, "pool", {c}, [](Node* n) {
    n->SetInts("kernel_shape", {2, 2});
    n->SetInts("strides", {2, 2});
  });
  b.Output(b.Out(OpKind::kConv, "conv2", {p, b.Const("w2", {2, 4, 3, 3})}));
  auto before = b.graph().Clone();
  PassStats stats;
  ASSERT_TRUE(RunEqualize(b.graph(), &stats).ok()) << stats.ToString();
  ExpectBalanced(OutputRanges(b.graph(), "conv1"), InputRanges(b.graph(), "conv2", 1), 1e-5);
  EXPECT_TRUE(Verify(b.graph()).ok());
  ExpectSameFunction(*before, b.graph());
}

// MLP: Gemm (transB = 1, single-element C) -> Relu -> Gemm (transB = 0).
TEST(EqualizeCrossLayerTest, GemmPairWithScalarBias) {
  GraphBuilder b(13);
  Value* x = b.Input("x", {3, 4});
  Value* h = b.Out(OpKind::kGemm, "fc1",
                   {x, ScaledConst(b, "w1", {5, 4}, {0.1f, 30, 1, 2, 0.01f}), b.Scalar("c1", 0.3f)},
                   [](Node* n) {
                     n->SetInt("transB", 1);
                     n->SetFloat("beta", 2.0f);
                   });
  Value* a = b.Out(OpKind::kRelu, "relu", {h});
  b.Output(b.Out(OpKind::kGemm, "fc2", {a, b.Const("w2", {5, 2}), b.Const("c2", {2})}));
  auto before = b.graph().Clone();
  PassStats stats;
  ASSERT_TRUE(RunEqualize(b.graph(), &stats).ok()) << stats.ToString();
  const Graph& g = b.graph();
  EXPECT_EQ(g.FindNode("fc1")->input(2)->shape(), (Shape{5}));  // now per column
  // fc2's B [K=5, N=2]: input channel i is row i.
  const Tensor& w2 = *g.FindNode("fc2")->input(1)->constant();
  std::vector<double> r2(5, 0.0);
  for (int i = 0; i < 5; ++i)
    for (int j = 0; j < 2; ++j)
      r2[i] = std::max(r2[i], std::fabs(double{w2.data<float>()[i * 2 + j]}));
  ExpectBalanced(OutputRanges(g, "fc1"), r2, 1e-5);
  EXPECT_TRUE(Verify(g).ok());
  ExpectSameFunction(*before, g);
}

TEST(EqualizeCrossLayerTest, Relu6IsNotEqualized) {
  for (bool fused : {true, false}) {
    GraphBuilder b;
    Value* x = b.Input("x", {1, 2, 4, 4});
    Value* z = b.Out(OpKind::kConv, "conv1", {x, ScaledConst(b, "w1", {3, 2, 1, 1}, {10, 0.1f, 1})},
                     [&](Node* n) {
                       if (!fused) return;
                       n->SetString("tq_act", "clip");
                       n->SetFloat("tq_act_min", 0.0f);
                       n->SetFloat("tq_act_max", 6.0f);
                     });
    if (!fused) z = b.Out(OpKind::kClip, "relu6", {z, b.Scalar("lo", 0.0f), b.Scalar("hi", 6.0f)});
    b.Output(b.Out(OpKind::kConv, "conv2", {z, b.Const("w2", {2, 3, 1, 1})}));
    EqualizeCrossLayerPass pass;
    PassStats stats;
    ExpectPassKeepsGraph(b.graph(), pass, &stats);
    EXPECT_TRUE(HasNoteContaining(stats, "not positively homogeneous")) << stats.ToString();
    EXPECT_EQ(stats.nodes_rewritten, 0);
  }
}

TEST(EqualizeCrossLayerTest, NoMatchWhenIntermediateIsObservable) {
  {  // conv1's output has two readers
    GraphBuilder b;
    Value* x = b.Input("x", {1, 2, 4, 4});
    Value* z =
        b.Out(OpKind::kConv, "conv1", {x, ScaledConst(b, "w1", {3, 2, 1, 1}, {10, 0.1f, 1})});
    b.Output(b.Out(OpKind::kConv, "conv2", {z, b.Const("w2", {2, 3, 1, 1})}));
    b.Output(b.Out(OpKind::kRelu, "relu", {z}));
    EqualizeCrossLayerPass pass;
    ExpectPassKeepsGraph(b.graph(), pass);
  }
  {  // the Relu between them is a graph output
    GraphBuilder b;
    Value* x = b.Input("x", {1, 2, 4, 4});
    Value* z =
        b.Out(OpKind::kConv, "conv1", {x, ScaledConst(b, "w1", {3, 2, 1, 1}, {10, 0.1f, 1})});
    Value* a = b.Out(OpKind::kRelu, "relu", {z});
    b.Output(b.Out(OpKind::kConv, "conv2", {a, b.Const("w2", {2, 3, 1, 1})}));
    b.Output(a);
    EqualizeCrossLayerPass pass;
    ExpectPassKeepsGraph(b.graph(), pass);
  }
  {  // a non-homogeneous op (Sigmoid) in between
    GraphBuilder b;
    Value* x = b.Input("x", {1, 2, 4, 4});
    Value* z =
        b.Out(OpKind::kConv, "conv1", {x, ScaledConst(b, "w1", {3, 2, 1, 1}, {10, 0.1f, 1})});
    Value* a = b.Out(OpKind::kSigmoid, "sig", {z});
    b.Output(b.Out(OpKind::kConv, "conv2", {a, b.Const("w2", {2, 3, 1, 1})}));
    EqualizeCrossLayerPass pass;
    ExpectPassKeepsGraph(b.graph(), pass);
  }
}

TEST(EqualizeCrossLayerTest, RefusesQuantizedGraph) {
  GraphBuilder b;
  Value* x = b.Input("x", {1, 2, 4, 4});
  Value* z = b.Out(OpKind::kConv, "conv1", {x, b.Const("w1", {3, 2, 1, 1})});
  Value* zp = b.graph().AddConstant("zp", Tensor::FromVector<int8_t>({}, {0}));
  Value* q = b.Out(OpKind::kQuantizeLinear, "quant", {z, b.Scalar("s", 0.1f), zp});
  b.Output(q);
  EqualizeCrossLayerPass pass;
  PassStats stats;
  Status s = pass.Run(b.graph(), &stats);
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("t.onnx: node 'quant'"), std::string::npos) << s.ToString();
}

TEST(EqualizeCrossLayerTest, RejectsBadOptions) {
  GraphBuilder b;
  b.Output(b.Input("x", {1, 2}));
  EqualizeCrossLayerOptions o;
  o.max_sweeps = 0;
  PassStats stats;
  EXPECT_EQ(RunEqualize(b.graph(), &stats, o).code(), StatusCode::kInvalidArgument);
  o = {};
  o.tolerance = 0.0;
  EXPECT_EQ(RunEqualize(b.graph(), &stats, o).code(), StatusCode::kInvalidArgument);
}

TEST(EqualizeCrossLayerTest, IsRegistered) {
  auto pass = CreatePass("equalize_cross_layer");
  ASSERT_NE(pass, nullptr);
  EXPECT_STREQ(pass->name(), "equalize_cross_layer");
}

// The committed zoo models (benchmarks/zoo), after the default float pipeline.
std::unique_ptr<Graph> LoadZooModel(const std::string& name) {
  auto g = LoadOnnx(std::string(TINYQ_SOURCE_DIR) + "/benchmarks/zoo/" + name + "/model.onnx");
  EXPECT_TRUE(g.ok()) << g.status().ToString();
  if (!g.ok()) return nullptr;
  Status s = RunPasses(**g, DefaultFloatPipeline());
  EXPECT_TRUE(s.ok()) << s.ToString();
  return std::move(*g);
}

// DS-CNN: 9 convs (stem, then 4 depthwise/pointwise pairs) in one chain with ReLUs: 8 pairs.
TEST(EqualizeCrossLayerTest, ZooDscnnKeepsItsFunction) {
  std::unique_ptr<Graph> g = LoadZooModel("fmnist_dscnn");
  ASSERT_NE(g, nullptr);
  auto before = g->Clone();
  PassStats stats;
  ASSERT_TRUE(RunEqualize(*g, &stats).ok());
  EXPECT_TRUE(HasNoteContaining(stats, ": 8 pairs")) << stats.ToString();
  EXPECT_EQ(stats.nodes_rewritten, 9);
  ExpectSameFunction(*before, *g, 1e-4f);
}

// MobileNetV1 uses ReLU6 after every conv: nothing can be equalized without changing the function.
TEST(EqualizeCrossLayerTest, ZooMobilenetRelu6PairsAreSkipped) {
  std::unique_ptr<Graph> g = LoadZooModel("fmnist_mobilenetv1");
  ASSERT_NE(g, nullptr);
  EqualizeCrossLayerPass pass;
  PassStats stats;
  ExpectPassKeepsGraph(*g, pass, &stats);
  int skipped = 0;
  for (const std::string& n : stats.notes) skipped += n.find("skipped") != std::string::npos;
  EXPECT_EQ(skipped, 26) << stats.ToString();  // 27 convs in one chain
}

}  // namespace
}  // namespace tinyq
