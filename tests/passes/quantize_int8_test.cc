#include "passes/quantize_int8.h"

#include <gtest/gtest.h>

#include <cmath>

#include "passes/registry.h"
#include "tests/passes/pass_test_util.h"

namespace tinyq {
namespace {

using testing::CountOps;
using testing::GraphBuilder;

CalibrationTable Ranges(const std::vector<std::pair<std::string, Range>>& ranges) {
  CalibrationTable t;
  for (const auto& [name, r] : ranges) {
    CalibrationEntry e;
    e.range = r;
    EXPECT_TRUE(t.Set(name, e).ok());
  }
  return t;
}

Status Quantize(Graph& g, const CalibrationTable& table, bool float_io = false,
                std::set<std::string> float_nodes = {}, PassStats* stats = nullptr) {
  QuantizeInt8Options o;
  o.table = &table;
  o.float_io = float_io;
  o.float_nodes = std::move(float_nodes);
  QuantizeInt8Pass pass(o);
  PassStats local;
  return RunPass(g, pass, stats ? stats : &local);
}

// x[1,2,4,4] -> Conv(3x3, 3 out, pad 1, fused relu) -> Flatten -> Gemm(W [10,48]) -> logits.
void BuildConvNet(GraphBuilder& b) {
  Value* x = b.Input("x", {1, 2, 4, 4});
  Value* y = b.Out(OpKind::kConv, "conv", {x, b.Const("w", {3, 2, 3, 3}), b.Const("b", {3})},
                   [](Node* n) {
                     n->SetInts("pads", {1, 1, 1, 1});
                     n->SetString("tq_act", "relu");
                     n->SetFloat("tq_act_min", 0.0f);
                     n->SetFloat("tq_act_max", INFINITY);
                   });
  Value* f = b.Out(OpKind::kFlatten, "flat", {y});
  b.Output(b.Out(OpKind::kGemm, "fc", {f, b.Const("w2", {48, 10}), b.Const("b2", {10})},
                 [](Node* n) { n->SetFloat("alpha", 0.5f); }));
}

CalibrationTable ConvNetRanges() {
  return Ranges({{"x", {-1.0f, 1.0f}}, {"conv_out", {0.0f, 4.0f}}, {"flat_out", {0.0f, 4.0f}},
                 {"fc_out", {-8.0f, 8.0f}}});
}

TEST(QuantizeInt8Test, ConvWeightsPerChannelSymmetricAndBiasInt32) {
  GraphBuilder b;
  BuildConvNet(b);
  std::unique_ptr<Graph> before = b.graph().Clone();
  ASSERT_TRUE(Quantize(b.graph(), ConvNetRanges()).ok());
  const Graph& g = b.graph();
  const Node* conv = g.FindNode("conv");
  ASSERT_NE(conv, nullptr);
  const Value* w = conv->input(1);
  ASSERT_EQ(w->dtype(), DType::kS8);
  ASSERT_TRUE(w->quant());
  EXPECT_EQ(w->quant()->axis, 0);
  const Tensor& wf = *before->FindValue("w")->constant();
  const float s_in = 2.0f / 255.0f;  // [-1, 1]
  for (int64_t c = 0; c < 3; ++c) {
    float mx = 0.0f;
    for (int64_t k = 0; k < 18; ++k) mx = std::max(mx, std::fabs(wf.data<float>()[c * 18 + k]));
    EXPECT_FLOAT_EQ(w->quant()->scale[c], mx / 127.0f);
    EXPECT_EQ(w->quant()->zero_point[c], 0);
    for (int64_t k = 0; k < 18; ++k) {
      const float q = std::round(wf.data<float>()[c * 18 + k] / (mx / 127.0f));
      EXPECT_EQ(w->constant()->data<int8_t>()[c * 18 + k], static_cast<int8_t>(q));
    }
    const Value* bias = conv->input(2);
    ASSERT_EQ(bias->dtype(), DType::kS32);
    const double bs = static_cast<double>(s_in) * (mx / 127.0f);
    EXPECT_NEAR(bias->quant()->scale[c], bs, bs * 1e-6);
    EXPECT_EQ(bias->constant()->data<int32_t>()[c],
              static_cast<int32_t>(std::round(before->FindValue("b")->constant()->data<float>()[c] / bs)));
  }
  // Activations: int8 with nudged params; ReLU range [0, 4] -> zero point -128.
  const Value* y = g.FindValue("conv_out");
  ASSERT_EQ(y->dtype(), DType::kS8);
  EXPECT_EQ(y->quant()->zero_point[0], -128);
  EXPECT_FLOAT_EQ(y->quant()->scale[0], 4.0f / 255.0f);
  // Flatten shares its input's params; the fused activation attribute stays on the conv.
  EXPECT_EQ(g.FindValue("flat_out")->quant()->scale[0], y->quant()->scale[0]);
  EXPECT_EQ(conv->GetString("tq_act", ""), "relu");
  // int8 I/O: the graph input and output are int8, no Q/DQ node.
  EXPECT_EQ(g.inputs()[0]->dtype(), DType::kS8);
  EXPECT_EQ(g.outputs()[0]->dtype(), DType::kS8);
  EXPECT_EQ(g.outputs()[0]->name(), "fc_out");
  EXPECT_EQ(CountOps(g, OpKind::kQuantizeLinear) + CountOps(g, OpKind::kDequantizeLinear), 0);
}

TEST(QuantizeInt8Test, GemmBecomesTransBWithAlphaFoldedIntoWeights) {
  GraphBuilder b;
  BuildConvNet(b);
  std::unique_ptr<Graph> before = b.graph().Clone();
  ASSERT_TRUE(Quantize(b.graph(), ConvNetRanges()).ok());
  const Node* fc = b.graph().FindNode("fc");
  EXPECT_EQ(fc->GetInt("transB", 0), 1);
  EXPECT_FALSE(fc->HasAttr("alpha"));
  const Value* w = fc->input(1);
  ASSERT_EQ(w->shape(), (Shape{10, 48}));
  const float* wf = before->FindValue("w2")->constant()->data<float>();  // [48, 10]
  for (int64_t o = 0; o < 10; ++o) {
    float mx = 0.0f;
    for (int64_t k = 0; k < 48; ++k) mx = std::max(mx, std::fabs(0.5f * wf[k * 10 + o]));
    EXPECT_FLOAT_EQ(w->quant()->scale[o], mx / 127.0f);
    // Spot check one weight: W'[o, 7] = alpha * W[7, o].
    EXPECT_EQ(w->constant()->data<int8_t>()[o * 48 + 7],
              static_cast<int8_t>(std::round(0.5f * wf[7 * 10 + o] / (mx / 127.0f))));
  }
}

TEST(QuantizeInt8Test, FloatIoKeepsNamesWithQuantizeAndDequantizeBorders) {
  GraphBuilder b;
  BuildConvNet(b);
  ASSERT_TRUE(Quantize(b.graph(), ConvNetRanges(), /*float_io=*/true).ok());
  const Graph& g = b.graph();
  EXPECT_EQ(g.inputs()[0]->name(), "x");
  EXPECT_EQ(g.inputs()[0]->dtype(), DType::kF32);
  EXPECT_EQ(g.outputs()[0]->name(), "fc_out");
  EXPECT_EQ(g.outputs()[0]->dtype(), DType::kF32);
  EXPECT_EQ(g.outputs()[0]->producer()->op(), OpKind::kDequantizeLinear);
  EXPECT_EQ(g.FindNode("fc")->output(0)->name(), "fc_out.q");
  EXPECT_EQ(g.FindNode("conv")->input(0)->name(), "x.q");
  EXPECT_EQ(g.FindNode("conv")->input(0)->producer()->op(), OpKind::kQuantizeLinear);
  EXPECT_EQ(CountOps(g, OpKind::kQuantizeLinear), 1);
  EXPECT_EQ(CountOps(g, OpKind::kDequantizeLinear), 1);
}

TEST(QuantizeInt8Test, FloatNodeGetsDequantizeAndQuantizeAtItsBorders) {
  GraphBuilder b;
  BuildConvNet(b);
  PassStats stats;
  ASSERT_TRUE(Quantize(b.graph(), ConvNetRanges(), false, {"flat"}, &stats).ok());
  const Graph& g = b.graph();
  const Node* flat = g.FindNode("flat");
  EXPECT_EQ(flat->input(0)->name(), "conv_out.dq");
  EXPECT_EQ(flat->output(0)->dtype(), DType::kF32);
  EXPECT_EQ(g.FindNode("fc")->input(0)->name(), "flat_out.q");
  bool noted = false;
  for (const std::string& n : stats.notes) noted |= n.find("'flat'") != std::string::npos;
  EXPECT_TRUE(noted);
}

TEST(QuantizeInt8Test, MissingRangeKeepsNodeFloatAndSaysWhy) {
  GraphBuilder b;
  BuildConvNet(b);
  PassStats stats;
  ASSERT_TRUE(Quantize(b.graph(), Ranges({{"x", {-1, 1}}, {"conv_out", {0, 4}}}), false, {},
                       &stats).ok());
  const Graph& g = b.graph();
  EXPECT_EQ(g.FindNode("fc")->output(0)->dtype(), DType::kF32);
  EXPECT_EQ(g.FindNode("fc")->input(1)->dtype(), DType::kF32);
  bool noted = false;
  for (const std::string& n : stats.notes)
    noted |= n.find("'fc'") != std::string::npos && n.find("fc_out") != std::string::npos;
  EXPECT_TRUE(noted);
}

TEST(QuantizeInt8Test, MatMulWithConstantWeightBecomesGemm) {
  GraphBuilder b;
  Value* x = b.Input("x", {2, 6});
  b.Output(b.Out(OpKind::kMatMul, "mm", {x, b.Const("w", {6, 4})}));
  ASSERT_TRUE(Quantize(b.graph(), Ranges({{"x", {-1, 1}}, {"mm_out", {-3, 3}}})).ok());
  const Node* mm = b.graph().FindNode("mm");
  EXPECT_EQ(mm->op(), OpKind::kGemm);
  EXPECT_EQ(mm->GetInt("transB", 0), 1);
  EXPECT_EQ(mm->input(1)->shape(), (Shape{4, 6}));
  EXPECT_EQ(mm->input(2), nullptr);
}

TEST(QuantizeInt8Test, SoftmaxOutputHasFixedParams) {
  GraphBuilder b;
  Value* x = b.Input("x", {1, 5});
  b.Output(b.Out(OpKind::kSoftmax, "sm", {x}, [](Node* n) { n->SetInt("axis", -1); }));
  ASSERT_TRUE(Quantize(b.graph(), Ranges({{"x", {-4, 4}}, {"sm_out", {0, 1}}})).ok());
  const Value* y = b.graph().outputs()[0];
  EXPECT_EQ(y->dtype(), DType::kS8);
  EXPECT_FLOAT_EQ(y->quant()->scale[0], 1.0f / 256.0f);
  EXPECT_EQ(y->quant()->zero_point[0], -128);
}

TEST(QuantizeInt8Test, AddWithConstantOperandQuantizesTheConstant) {
  GraphBuilder b;
  Value* x = b.Input("x", {1, 4});
  b.Output(b.Out(OpKind::kAdd, "add", {x, b.Const("c", {4}, 0.5f, 2.0f)}));
  ASSERT_TRUE(Quantize(b.graph(), Ranges({{"x", {-1, 1}}, {"add_out", {-1, 3}}})).ok());
  const Value* c = b.graph().FindNode("add")->input(1);
  EXPECT_EQ(c->dtype(), DType::kS8);
  ASSERT_TRUE(c->quant());
  EXPECT_EQ(c->quant()->scale.size(), 1u);
}

TEST(QuantizeInt8Test, ReduceRangeMapsEachChannelMaxTo63) {
  GraphBuilder b;
  BuildConvNet(b);
  std::unique_ptr<Graph> before = b.graph().Clone();
  QuantizeInt8Options o;
  const CalibrationTable table = ConvNetRanges();
  o.table = &table;
  o.weight_bits = 7;
  QuantizeInt8Pass pass(o);
  PassStats stats;
  ASSERT_TRUE(RunPass(b.graph(), pass, &stats).ok());
  const Value* w = b.graph().FindNode("conv")->input(1);
  const float* wf = before->FindValue("w")->constant()->data<float>();
  for (int64_t c = 0; c < 3; ++c) {
    float mx = 0.0f;
    int peak = 0;
    for (int64_t k = 0; k < 18; ++k) mx = std::max(mx, std::fabs(wf[c * 18 + k]));
    for (int64_t k = 0; k < 18; ++k)
      peak = std::max(peak, std::abs(static_cast<int>(w->constant()->data<int8_t>()[c * 18 + k])));
    EXPECT_EQ(peak, 63);
    EXPECT_NEAR(w->quant()->scale[c], mx / 63.0f, mx / 63.0f * 1e-6f);
  }
  o.weight_bits = 6;
  QuantizeInt8Pass bad(o);
  EXPECT_EQ(RunPass(b.graph(), bad, &stats).code(), StatusCode::kInvalidArgument);
}

TEST(QuantizeInt8Test, WithoutTableIsAnError) {
  GraphBuilder b;
  BuildConvNet(b);
  QuantizeInt8Pass pass(QuantizeInt8Options{});
  PassStats stats;
  EXPECT_EQ(RunPass(b.graph(), pass, &stats).code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace tinyq
