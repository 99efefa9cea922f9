// Float-fallback layers in generated C (src/codegen/lower_float.cc, src/runtime/tq_*_f32): zoo
// models quantized with layers kept in float (`--float-node`: a depthwise and a pointwise Conv of
// fmnist_dscnn, a hidden fully connected layer (MatMul) of digits_mlp, a 3x3 Conv and the first
// fully connected layer of fmnist_teacher) and hand-built QOp graphs with every float op codegen
// supports. Each export is built with host gcc -std=c99 -Wall -Wextra -Werror -pedantic and must
// give the int8 executor's bytes; the zoo models and two hand graphs also run on the emulated
// Cortex-M4 (soft float: every float operation goes through libgcc, the exp and tanh through the
// runtime's own code) with the same bytes.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "tests/codegen/codegen_test_util.h"

namespace tinyq {
namespace {

namespace fs = std::filesystem;
using namespace codegen_test;  // NOLINT: the test helpers

struct FallbackCase {
  const char* name;
  const char* calib;
  const char* test;
  std::vector<std::string> float_nodes;
};
void PrintTo(const FallbackCase& c, std::ostream* os) { *os << c.name; }

// Layers inside the network: a float first or last layer would make the graph input or output
// float, which the int8-I/O C API refuses.
const FallbackCase kCases[] = {
    {"fmnist_dscnn", "fmnist_calib_1k", "fmnist_test", {"/4/Conv", "/7/Conv"}},  // depthwise, 1x1
    {"digits_mlp", "digits_calib", "digits_test", {"/3/MatMul"}},
    // a 3x3 Conv, and the MatMul reading the Flatten of a channel-last value (a transpose)
    {"fmnist_teacher", "fmnist_calib_1k", "fmnist_test", {"/7/Conv", "/19/MatMul"}},
};

class ZooFloatFallbackTest : public ::testing::TestWithParam<FallbackCase> {};

TEST_P(ZooFloatFallbackTest, HostAndCortexM4MatchTheInt8Executor) {
  const FallbackCase& c = GetParam();
  QuantizeOptions qo;
  qo.calib_limit = 200;
  qo.analysis_samples = 8;
  qo.float_nodes = c.float_nodes;
  auto q = QuantizeZoo(c.name, c.calib, qo);
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  const Graph& g = *q->graph;
  for (const std::string& n : c.float_nodes) {  // really float in the quantized graph
    const Node* node = g.FindNode(n);
    ASSERT_NE(node, nullptr) << n;
    EXPECT_EQ(node->output(0)->dtype(), DType::kF32) << n;
  }
  const fs::path work = TempDir(std::string("ff_") + c.name);
  ExportOptions eo;
  eo.name = "m";
  auto r = ExportC(g, eo, (work / "gen").string());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->arena_bytes, r->lower_bound_bytes);
  for (const std::string& n : c.float_nodes)
    EXPECT_NE(std::find(r->float_layers.begin(), r->float_layers.end(), n), r->float_layers.end())
        << n;
  const std::string header = ReadAll(work / "gen" / "m.h");
  for (const std::string& n : c.float_nodes)
    EXPECT_NE(header.find(n), std::string::npos) << "the header lists the float layer " << n;
  EXPECT_NE(header.find("-ffp-contract=off"), std::string::npos);

  auto s = ExecutorSamples(g, 24, c.name, c.test);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(HostRunDiff(work, work / "gen", "m", *s), "") << c.name;
  for (int i : {0, 23}) EXPECT_EQ(QemuRunDiff(work / "gen", "m", *s, i), "") << c.name;
  // No libm: the Cortex-M4 objects reference no math-library function.
  ASSERT_EQ(Sh("cd " + (work / "gen").string() +
               " && arm-none-eabi-gcc -std=c99 -Wall -Wextra -Werror -pedantic -mthumb -Os "
               "-mcpu=cortex-m4 -c *.c"),
            0);
  const std::string undefined =
      ShOutput("cd " + (work / "gen").string() + " && arm-none-eabi-nm -u *.o");
  for (const char* f : {"expf", "exp", "tanhf", "sqrtf", "logf"})
    EXPECT_EQ(undefined.find(std::string(" ") + f + "\n"), std::string::npos) << f;
  fs::remove_all(work);
}

INSTANTIATE_TEST_SUITE_P(Zoo, ZooFloatFallbackTest, ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<FallbackCase>& i) {
                           return std::string(i.param.name);
                         });

// --- hand-built graphs ---

constexpr float kInf = std::numeric_limits<float>::infinity();

// A QOp graph with an s8 [1,3,6,6] input dequantized to f32 `xf`; builder helpers for f32 nodes.
struct FloatGraph {
  Graph g;
  Value* x = nullptr;
  Value* xf = nullptr;
  std::mt19937 rng{5};
  int count = 0;

  explicit FloatGraph(Shape in = {1, 3, 6, 6}, bool dequantize = true) {
    g.set_source("hand_built");
    x = g.AddValue("x", DType::kS8, in);
    x->set_quant(QuantParams{{0.05f}, {3}, -1, DType::kS8});
    g.inputs().push_back(x);
    if (!dequantize) return;
    xf = F32(in);
    Value* s = g.AddConstant("x_s", Tensor::FromVector<float>({}, {0.05f}));
    Value* z = g.AddConstant("x_z", Tensor::FromVector<int8_t>({}, {3}));
    g.AddNode(OpKind::kDequantizeLinear, "dq", {x, s, z}, {xf});
  }
  Value* F32(Shape shape) {
    return g.AddValue("v" + std::to_string(count++), DType::kF32, std::move(shape));
  }
  // A constant f32 tensor with values uniform in [lo, hi).
  Value* Const(Shape shape, float lo, float hi) {
    std::uniform_real_distribution<float> u(lo, hi);
    std::vector<float> v(static_cast<size_t>(NumElements(shape)));
    for (float& f : v) f = u(rng);
    return g.AddConstant("c" + std::to_string(count++), Tensor::FromVector<float>(shape, v));
  }
  Node* Op(OpKind op, std::vector<Value*> in, Value* out) {
    return g.AddNode(op, "n" + std::to_string(count++) + "_" + OpKindName(op), in, {out});
  }
  Value* Unary(OpKind op, Value* in) {
    Value* y = F32(in->shape());
    Op(op, {in}, y);
    return y;
  }
  // Quantizes `y` into the s8 graph output and verifies the graph.
  void Finish(Value* y, float scale, int32_t zp) {
    Value* q = g.AddValue("y", DType::kS8, y->shape());
    q->set_quant(QuantParams{{scale}, {zp}, -1, DType::kS8});
    Value* s = g.AddConstant("y_s", Tensor::FromVector<float>({}, {scale}));
    Value* z = g.AddConstant("y_z", Tensor::FromVector<int8_t>({}, {static_cast<int8_t>(zp)}));
    g.AddNode(OpKind::kQuantizeLinear, "q", {y, s, z}, {q});
    g.outputs().push_back(q);
  }
};

// Exports `g`, and compares host builds (20 random inputs) and, with `qemu`, the emulated
// Cortex-M4 (one input) with the int8 executor.
void ExpectMatches(const Graph& g, const std::string& name, bool qemu) {
  ASSERT_TRUE(Verify(g).ok()) << Verify(g).ToString();
  const fs::path work = TempDir("ffh_" + name);
  ExportOptions eo;
  eo.name = name;
  auto r = ExportC(g, eo, (work / "gen").string());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto s = ExecutorSamples(g, 20);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(HostRunDiff(work, work / "gen", name, *s), "");
  if (qemu) {
    EXPECT_EQ(QemuRunDiff(work / "gen", name, *s, 3), "");
  }
  fs::remove_all(work);
}

void SetRelu(Node* n) {
  n->SetString("tq_act", "relu");
  n->SetFloat("tq_act_min", 0.0f);
  n->SetFloat("tq_act_max", kInf);
}

// Grouped Conv (3 groups, 2 outputs each) with asymmetric pads, stride 2 and a fused ReLU, a
// ceil-mode MaxPool, an AveragePool counting the padding, and a channel Softmax: channel-last
// f32 values and an exit transpose of the [1,6,H,W] output.
TEST(FloatFallbackExportTest, ConvPoolsAndSoftmax) {
  FloatGraph f;
  Value* c = f.F32({1, 6, 4, 3});
  Node* conv =
      f.Op(OpKind::kConv, {f.xf, f.Const({6, 1, 3, 3}, -0.5f, 0.5f), f.Const({6}, -0.2f, 0.2f)}, c);
  conv->SetInt("group", 3);
  conv->SetInts("kernel_shape", {3, 3});
  conv->SetInts("strides", {2, 2});
  conv->SetInts("pads", {1, 0, 2, 1});
  SetRelu(conv);
  Value* m = f.F32({1, 6, 2, 2});  // ceil((4 - 2) / 2) + 1, ceil((3 - 2) / 2) + 1
  Node* mp = f.Op(OpKind::kMaxPool, {c}, m);
  mp->SetInts("kernel_shape", {2, 2});
  mp->SetInts("strides", {2, 2});
  mp->SetInt("ceil_mode", 1);
  Value* a = f.F32({1, 6, 2, 2});
  Node* ap = f.Op(OpKind::kAveragePool, {m}, a);
  ap->SetInts("kernel_shape", {3, 3});
  ap->SetInts("pads", {1, 1, 1, 1});
  ap->SetInt("count_include_pad", 1);
  Value* sm = f.F32({1, 6, 2, 2});
  f.Op(OpKind::kSoftmax, {a}, sm)->SetInt("axis", 1);
  f.Finish(sm, 1.0f / 256, -128);
  ExpectMatches(f.g, "cps", true);
}

// 1x1 Conv, BatchNormalization, broadcast Add of a [1,4,1,1] constant, Mul of two activations,
// the activations (Sigmoid, Tanh, HardSwish, LeakyRelu, Clip, HardSigmoid, Exp, Neg, Abs), a
// channel Concat, Sub and Div, GlobalAveragePool, Flatten and a Gemm with transB = 0, alpha and
// beta.
TEST(FloatFallbackExportTest, ElementwiseActivationsConcatAndGemm) {
  FloatGraph f;
  Value* c = f.F32({1, 4, 6, 6});
  Node* conv = f.Op(OpKind::kConv, {f.xf, f.Const({4, 3, 1, 1}, -1.0f, 1.0f)}, c);
  conv->SetInts("kernel_shape", {1, 1});
  Value* bn = f.F32({1, 4, 6, 6});
  f.Op(OpKind::kBatchNormalization,
       {c, f.Const({4}, 0.5f, 2.0f), f.Const({4}, -1.0f, 1.0f), f.Const({4}, -0.5f, 0.5f),
        f.Const({4}, 0.1f, 2.0f)},
       bn);
  Value* add = f.F32({1, 4, 6, 6});
  f.Op(OpKind::kAdd, {bn, f.Const({1, 4, 1, 1}, -1.0f, 1.0f)}, add);
  Value* mul = f.F32({1, 4, 6, 6});
  f.Op(OpKind::kMul, {add, bn}, mul);
  Value* t = f.Unary(OpKind::kTanh, mul);
  Value* sg = f.Unary(OpKind::kSigmoid, add);
  Value* hs = f.Unary(OpKind::kHardSwish, f.Unary(OpKind::kNeg, bn));
  Value* lr = f.F32({1, 4, 6, 6});
  f.Op(OpKind::kLeakyRelu, {f.Unary(OpKind::kAbs, mul)}, lr)->SetFloat("alpha", 0.1f);
  Value* cl = f.F32({1, 4, 6, 6});
  f.Op(OpKind::kClip, {f.Unary(OpKind::kExp, t), f.Const({}, 0.5f, 0.6f), f.Const({}, 2.0f, 2.1f)},
       cl);
  Value* hsg = f.Unary(OpKind::kHardSigmoid, lr);
  Value* cat = f.F32({1, 12, 6, 6});
  f.Op(OpKind::kConcat, {sg, hs, cl}, cat)->SetInt("axis", 1);
  Value* cat2 = f.F32({1, 12, 6, 6});
  f.Op(OpKind::kConcat, {hsg, lr, t}, cat2)->SetInt("axis", 1);
  Value* sub = f.F32({1, 12, 6, 6});
  f.Op(OpKind::kSub, {cat, cat2}, sub);
  Value* div = f.F32({1, 12, 6, 6});
  f.Op(OpKind::kDiv, {sub, f.Const({1, 12, 1, 1}, 1.0f, 3.0f)}, div);
  Value* gp = f.F32({1, 12, 1, 1});
  f.Op(OpKind::kGlobalAveragePool, {div}, gp);
  Value* fl = f.F32({1, 12});
  f.Op(OpKind::kFlatten, {gp}, fl);
  Value* y = f.F32({1, 5});
  Node* gemm =
      f.Op(OpKind::kGemm, {fl, f.Const({12, 5}, -1.0f, 1.0f), f.Const({5}, -1.0f, 1.0f)}, y);
  gemm->SetFloat("alpha", 0.5f);
  gemm->SetFloat("beta", 2.0f);
  f.Finish(y, 0.02f, 1);
  ExpectMatches(f.g, "elt", true);
}

// An int8 Conv whose channel-last output is flattened and read by a float Gemm: the flattened
// value is transposed to NCHW order (a float sum's order is part of its result, so the Gemm
// cannot permute its weights as the int8 one does), then a float MatMul and Relu.
TEST(FloatFallbackExportTest, FlattenOfChannelLastIntoFloatGemm) {
  FloatGraph f({1, 3, 6, 6}, false);
  Value* xs8 = f.x;
  Tensor w(DType::kS8, {4, 3, 3, 3});
  for (int64_t k = 0; k < w.numel(); ++k)
    w.data<int8_t>()[k] = static_cast<int8_t>((k * 53) % 255 - 127);
  Value* wv = f.g.AddConstant("w8", w);
  wv->set_quant(QuantParams{{0.01f, 0.02f, 0.015f, 0.01f}, {0, 0, 0, 0}, 0, DType::kS8});
  Value* c = f.g.AddValue("c8", DType::kS8, {1, 4, 6, 6});
  c->set_quant(QuantParams{{0.1f}, {-3}, -1, DType::kS8});
  Node* conv = f.g.AddNode(OpKind::kConv, "conv8", {xs8, wv}, {c});
  conv->SetInts("kernel_shape", {3, 3});
  conv->SetInts("pads", {1, 1, 1, 1});
  Value* fl = f.g.AddValue("fl8", DType::kS8, {1, 144});
  fl->set_quant(QuantParams{{0.1f}, {-3}, -1, DType::kS8});
  f.g.AddNode(OpKind::kFlatten, "flat", {c}, {fl});
  Value* d = f.F32({1, 144});
  f.g.AddNode(OpKind::kDequantizeLinear, "dq2",
              {fl, f.g.AddConstant("s2", Tensor::FromVector<float>({}, {0.1f})),
               f.g.AddConstant("z2", Tensor::FromVector<int8_t>({}, {-3}))},
              {d});
  Value* y = f.F32({1, 16});
  f.Op(OpKind::kGemm, {d, f.Const({16, 144}, -0.1f, 0.1f)}, y)->SetInt("transB", 1);
  Value* mm = f.F32({1, 6});
  f.Op(OpKind::kMatMul, {f.Unary(OpKind::kRelu, y), f.Const({16, 6}, -0.5f, 0.5f)}, mm);
  f.Finish(mm, 0.05f, 0);
  ExpectMatches(f.g, "flat", false);
}

// A 1-D float convolution (dilation 2) on [1,2,9] stored [N,L,C].
TEST(FloatFallbackExportTest, Conv1d) {
  FloatGraph f({1, 2, 9});
  Value* c = f.F32({1, 3, 7});  // (9 + 2 - ((3 - 1) * 2 + 1)) / 1 + 1
  Node* conv =
      f.Op(OpKind::kConv, {f.xf, f.Const({3, 2, 3}, -1.0f, 1.0f), f.Const({3}, -1.0f, 1.0f)}, c);
  conv->SetInts("kernel_shape", {3});
  conv->SetInts("dilations", {2});
  conv->SetInts("pads", {1, 1});
  f.Finish(c, 0.05f, 2);
  ExpectMatches(f.g, "c1d", false);
}

// A MatMul reading a channel-last [1,C,L] value: the rows of A are not contiguous in the storage,
// so the export refuses it naming the node (the int8 executor still runs it).
TEST(FloatFallbackExportTest, MatMulOfChannelLastValueIsUnsupported) {
  FloatGraph f({1, 2, 9});
  Value* mm = f.F32({1, 2, 4});
  f.Op(OpKind::kMatMul, {f.xf, f.Const({9, 4}, -1.0f, 1.0f)}, mm);
  f.Finish(mm, 0.05f, 0);
  ASSERT_TRUE(Verify(f.g).ok()) << Verify(f.g).ToString();
  EXPECT_TRUE(Executor::Create(f.g, {true, 1}).ok());
  const fs::path work = TempDir("ff_unsup");
  auto r = ExportC(f.g, {}, (work / "out").string());
  EXPECT_EQ(r.status().code(), StatusCode::kUnsupported);
  EXPECT_NE(r.status().message().find("(MatMul)"), std::string::npos) << r.status().message();
  EXPECT_FALSE(fs::exists(work / "out"));
  fs::remove_all(work);
}

}  // namespace
}  // namespace tinyq
