// Tests of ExportC (src/codegen/export.cc) on every zoo model: quantize with default settings,
// export C, build it on the host with gcc -std=c99 -Wall -Wextra -Werror -pedantic and a small
// harness, run >= 20 test inputs and compare the outputs byte for byte with tinyq's int8
// executor; build them for Cortex-M4 and run two of the inputs in QEMU (mps2-an386), again byte
// for byte; cross-compile the same files for Cortex-M0+/M4/M7 (compile only); the planned arena
// must equal the live-set lower bound. Plus negative cases of the export API.
#include "tinyq/export.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <random>

#include "tests/codegen/codegen_test_util.h"
#include "tinyq/api.h"
#include "tinyq/onnx.h"
#include "tinyq/quantize.h"

namespace tinyq {
namespace {

namespace fs = std::filesystem;
using namespace codegen_test;  // NOLINT: the test helpers

const std::string kSrc = TINYQ_SOURCE_DIR;
constexpr int kSamples = 24;

struct ZooModel {
  const char* name;
  const char* calib;  // datasets/out/<calib>.npz
  const char* test;
};

void PrintTo(const ZooModel& z, std::ostream* os) { *os << z.name; }

const ZooModel kZoo[] = {
    {"digits_mlp", "digits_calib", "digits_test"},
    {"fmnist_dscnn", "fmnist_calib_1k", "fmnist_test"},
    {"fmnist_resnet8", "fmnist_calib_1k", "fmnist_test"},
    {"fmnist_mobilenetv1", "fmnist_calib_1k", "fmnist_test"},
    {"fmnist_teacher", "fmnist_calib_1k", "fmnist_test"},
    {"kws_dscnn", "kws_calib", "kws_test"},
    {"vibration_ae", "vibration_calib", "vibration_test"},
};

class ZooExportTest : public ::testing::TestWithParam<ZooModel> {};

TEST_P(ZooExportTest, HostBuildMatchesInt8ExecutorAndArenaIsTheLowerBound) {
  const ZooModel& z = GetParam();
  QuantizeOptions qo;  // default settings, fewer samples to keep the test fast
  qo.calib_limit = 200;
  qo.analysis_samples = 8;
  auto q = QuantizeZoo(z.name, z.calib, qo);
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  const Graph& g = *q->graph;

  const fs::path work = TempDir(z.name);
  ExportOptions eo;
  eo.name = z.name;
  eo.model_path = kSrc + "/benchmarks/zoo/" + z.name + "/model.onnx";
  auto r = ExportC(g, eo, (work / "gen").string());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->arena_bytes, r->lower_bound_bytes) << z.name;
  EXPECT_LE(r->arena_bytes, r->greedy_bytes);
  std::printf("%s: arena %lld B, lower bound %lld B, greedy %lld B, const %lld B\n", z.name,
              static_cast<long long>(r->arena_bytes), static_cast<long long>(r->lower_bound_bytes),
              static_cast<long long>(r->greedy_bytes), static_cast<long long>(r->weight_bytes));

  // Reference: the int8 executor on kSamples test inputs; the host build gives its bytes.
  auto s = ExecutorSamples(g, kSamples, z.name, z.test);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  const fs::path gen = work / "gen";
  EXPECT_EQ(HostRunDiff(work, gen, z.name, *s), "") << z.name;
  // The same code built for Cortex-M4 with the semihosting harness of src/target and run in
  // qemu-system-arm -M mps2-an386: the emulated core's output bytes equal the executor's too.
  for (int i : {0, kSamples - 1}) EXPECT_EQ(QemuRunDiff(gen, z.name, *s, i), "") << z.name;

  // Cortex-M cross-compilation (compile only) of the generated files without the harness.
  for (const char* cpu : {"cortex-m0plus", "cortex-m7", "cortex-m4"})  // m4 objects stay
    EXPECT_EQ(Sh("cd " + gen.string() +
                 " && arm-none-eabi-gcc -std=c99 -Wall -Wextra -Werror -pedantic "
                 "-mthumb -Os -mcpu=" +
                 std::string(cpu) + " -c *.c"),
              0)
        << z.name << " does not compile for " << cpu;
  // No writable globals: the Cortex-M4 objects have no .data and no .bss.
  const std::string totals =
      ShOutput("cd " + gen.string() + " && arm-none-eabi-size -t *.o | tail -1");
  long long text = -1, data = -1, bss = -1;
  ASSERT_EQ(std::sscanf(totals.c_str(), "%lld %lld %lld", &text, &data, &bss), 3) << totals;
  EXPECT_GT(text, r->weight_bytes);
  EXPECT_EQ(data, 0) << z.name;
  EXPECT_EQ(bss, 0) << z.name;
  fs::remove_all(work);
}

INSTANTIATE_TEST_SUITE_P(Zoo, ZooExportTest, ::testing::ValuesIn(kZoo),
                         [](const ::testing::TestParamInfo<ZooModel>& i) {
                           return std::string(i.param.name);
                         });

// Runs `g` on the int8 executor and as generated C (host gcc) on `n` random inputs; returns a
// failure message or "" when every output byte matches.
std::string CompareWithExecutor(const Graph& g, const std::string& name, int n) {
  const fs::path work = TempDir(name);
  ExportOptions eo;
  eo.name = name;
  auto r = ExportC(g, eo, (work / "gen").string());
  if (!r.ok()) return r.status().ToString();
  auto s = ExecutorSamples(g, n);
  if (!s.ok()) return s.status().ToString();
  const std::string diff = HostRunDiff(work, work / "gen", name, *s);
  fs::remove_all(work);
  return diff;
}

Value* S8Value(Graph& g, const std::string& name, Shape shape, float scale, int32_t zp) {
  Value* v = g.AddValue(name, DType::kS8, std::move(shape));
  v->set_quant(QuantParams{{scale}, {zp}, -1, DType::kS8});
  return v;
}

// Conv 3x3 pad 1 from `x` to `cout` channels with pseudo-random weights (seed), per-channel
// weight scales and an int32 bias; output params (scale, zp).
Value* AddConv(Graph& g, const std::string& name, Value* x, int64_t cout, unsigned seed,
               float scale, int32_t zp) {
  std::mt19937 rng(seed);
  const int64_t cin = x->shape()[1];
  Tensor w(DType::kS8, {cout, cin, 3, 3});
  for (int64_t k = 0; k < w.numel(); ++k)
    w.data<int8_t>()[k] = static_cast<int8_t>(static_cast<int>(rng() % 255) - 127);
  std::vector<float> ws, bs;
  std::vector<int32_t> bias, zeros(static_cast<size_t>(cout), 0);
  for (int64_t c = 0; c < cout; ++c) {
    ws.push_back(0.005f * static_cast<float>(1 + rng() % 4));
    bs.push_back(x->quant()->scale[0] * ws.back());
    bias.push_back(static_cast<int32_t>(rng() % 501) - 250);
  }
  Value* wv = g.AddConstant(name + "_w", w);
  wv->set_quant(QuantParams{ws, zeros, 0, DType::kS8});
  Value* bv = g.AddConstant(name + "_b", Tensor::FromVector<int32_t>({cout}, bias));
  bv->set_quant(QuantParams{bs, zeros, 0, DType::kS32});
  Shape ys = x->shape();
  ys[1] = cout;
  Value* y = S8Value(g, name + "_out", ys, scale, zp);
  Node* conv = g.AddNode(OpKind::kConv, name, {x, wv, bv}, {y});
  conv->SetInts("kernel_shape", {3, 3});
  conv->SetInts("pads", {1, 1, 1, 1});
  return y;
}

// A hand-built QOp graph with an s8 [1,3,5,5] NCHW input `x`; Check() makes `out` the graph
// output, verifies the graph and compares the generated C with the int8 executor.
struct HandGraph {
  Graph g;
  Value* x = nullptr;
  HandGraph() {
    g.set_source("hand_built");
    x = S8Value(g, "x", {1, 3, 5, 5}, 0.05f, 3);
    g.inputs().push_back(x);
  }
  void Check(Value* out, const std::string& name) {
    g.outputs().push_back(out);
    ASSERT_TRUE(Verify(g).ok()) << Verify(g).ToString();
    EXPECT_EQ(CompareWithExecutor(g, name, 20), "");
  }
};

// A 3-channel NCHW input and a 4-channel [1,4,5,5] output: the generated code transposes the
// input into the arena (NCHW -> NHWC) and the output back, and runs the Sigmoid LUT in place.
TEST(ExportTest, EntryAndExitTransposesMatchTheExecutor) {
  HandGraph h;
  Graph& g = h.g;
  Value* x = h.x;
  Value* y = AddConv(g, "conv", x, 4, 1, 0.1f, -5);
  Value* z = S8Value(g, "z", {1, 4, 5, 5}, 1.0f / 256, -128);
  g.AddNode(OpKind::kSigmoid, "sig", {y}, {z});
  h.Check(z, "hand");
}

// Channel Concat of two branches: the first input is copied (same params as the output), the
// second rescaled; in NHWC storage each pixel interleaves both inputs' channels.
TEST(ExportTest, ChannelConcatMatchesTheExecutor) {
  HandGraph h;
  Graph& g = h.g;
  Value* x = h.x;
  Value* a = AddConv(g, "a", x, 2, 2, 0.1f, -5);
  Value* b = AddConv(g, "b", x, 3, 3, 0.07f, 2);
  Value* y = S8Value(g, "y", {1, 5, 5, 5}, 0.1f, -5);
  g.AddNode(OpKind::kConcat, "cat", {a, b}, {y})->SetInt("axis", 1);
  h.Check(y, "cat");
}

// Squeeze-and-excitation-like block: Mul of [1,4,5,5] by its own [1,4,1,1] global average
// (per-channel broadcast in NHWC storage), a same-shape Add, and an Add of a constant.
TEST(ExportTest, BroadcastMulAndAddMatchTheExecutor) {
  HandGraph h;
  Graph& g = h.g;
  Value* x = h.x;
  Value* a = AddConv(g, "a", x, 4, 4, 0.1f, -5);
  Value* gp = S8Value(g, "gap", {1, 4, 1, 1}, 0.08f, 1);
  g.AddNode(OpKind::kGlobalAveragePool, "pool", {a}, {gp});
  Value* m = S8Value(g, "m", {1, 4, 5, 5}, 0.3f, 0);
  g.AddNode(OpKind::kMul, "mul", {a, gp}, {m});
  Value* y = S8Value(g, "y", {1, 4, 5, 5}, 0.3f, -2);
  g.AddNode(OpKind::kAdd, "add", {m, a}, {y});
  // ... and a constant per-channel int8 operand.
  Value* c = g.AddConstant("c", Tensor::FromVector<int8_t>({1, 4, 1, 1}, {-100, 5, 77, 127}));
  c->set_quant(QuantParams{{0.02f}, {4}, -1, DType::kS8});
  Value* z = S8Value(g, "z", {1, 4, 5, 5}, 0.3f, 1);
  g.AddNode(OpKind::kAdd, "add_const", {c, y}, {z});
  h.Check(z, "se");
}

// Pad of a channel-last value on C, H and W (fills with the zero point).
TEST(ExportTest, PadMatchesTheExecutor) {
  HandGraph h;
  Graph& g = h.g;
  Value* x = h.x;
  Value* a = AddConv(g, "a", x, 4, 5, 0.1f, -5);
  Value* pads = g.AddConstant("pads", Tensor::FromVector<int64_t>({8}, {0, 1, 1, 2, 0, 1, 0, 1}));
  Value* y = S8Value(g, "y", {1, 6, 6, 8}, 0.1f, -5);
  g.AddNode(OpKind::kPad, "pad", {a, pads}, {y});
  h.Check(y, "pad");
}

// AveragePool 3x3/2 with padding, then Softmax over the channels (the last axis of the
// channel-last storage); output [1,4,3,3] transposed back to NCHW.
TEST(ExportTest, AveragePoolAndChannelSoftmaxMatchTheExecutor) {
  HandGraph h;
  Graph& g = h.g;
  Value* a = AddConv(g, "a", h.x, 4, 6, 0.1f, -5);
  Value* p = S8Value(g, "p", {1, 4, 3, 3}, 0.1f, -5);
  Node* pool = g.AddNode(OpKind::kAveragePool, "avg", {a}, {p});
  pool->SetInts("kernel_shape", {3, 3});
  pool->SetInts("strides", {2, 2});
  pool->SetInts("pads", {1, 1, 1, 1});
  Value* y = S8Value(g, "y", {1, 4, 3, 3}, 1.0f / 256, -128);
  g.AddNode(OpKind::kSoftmax, "softmax", {p}, {y})->SetInt("axis", 1);
  h.Check(y, "smax");
}

// GlobalMaxPool -> Flatten (a view: one pixel) -> float fallback Relu between Q/DQ borders.
TEST(ExportTest, GlobalMaxPoolAndFloatReluMatchTheExecutor) {
  HandGraph h;
  Graph& g = h.g;
  Value* a = AddConv(g, "a", h.x, 4, 7, 0.1f, -5);
  Value* p = S8Value(g, "p", {1, 4, 1, 1}, 0.1f, -5);
  g.AddNode(OpKind::kGlobalMaxPool, "gmax", {a}, {p});
  Value* f = S8Value(g, "f", {1, 4}, 0.1f, -5);
  g.AddNode(OpKind::kFlatten, "flat", {p}, {f});
  Value* s = g.AddConstant("s", Tensor::FromVector<float>({}, {0.1f}));
  Value* zp = g.AddConstant("zp", Tensor::FromVector<int8_t>({}, {-5}));
  Value* d = g.AddValue("d", DType::kF32, {1, 4});
  g.AddNode(OpKind::kDequantizeLinear, "dq", {f, s, zp}, {d});
  Value* r = g.AddValue("r", DType::kF32, {1, 4});
  g.AddNode(OpKind::kRelu, "float_relu", {d}, {r});
  Value* s2 = g.AddConstant("s2", Tensor::FromVector<float>({}, {0.03f}));
  Value* zp2 = g.AddConstant("zp2", Tensor::FromVector<int8_t>({}, {-128}));
  Value* y = S8Value(g, "y", {1, 4}, 0.03f, -128);
  g.AddNode(OpKind::kQuantizeLinear, "q", {r, s2, zp2}, {y});
  h.Check(y, "gmax");
}

// A 1-D convolution on [1,2,9] (stored [N,L,C]) with stride 2; entry and exit transposes.
TEST(ExportTest, Conv1dMatchesTheExecutor) {
  Graph g;
  g.set_source("hand_built");
  Value* x = S8Value(g, "x", {1, 2, 9}, 0.05f, -1);
  g.inputs().push_back(x);
  Tensor w(DType::kS8, {3, 2, 3});
  for (int64_t k = 0; k < w.numel(); ++k)
    w.data<int8_t>()[k] = static_cast<int8_t>((k * 37) % 255 - 127);
  Value* wv = g.AddConstant("w", w);
  wv->set_quant(QuantParams{{0.01f, 0.02f, 0.03f}, {0, 0, 0}, 0, DType::kS8});
  Value* y = S8Value(g, "y", {1, 3, 5}, 0.05f, 7);
  Node* conv = g.AddNode(OpKind::kConv, "conv1d", {x, wv}, {y});
  conv->SetInts("kernel_shape", {3});
  conv->SetInts("strides", {2});
  conv->SetInts("pads", {1, 1});
  g.outputs().push_back(y);
  ASSERT_TRUE(Verify(g).ok()) << Verify(g).ToString();
  EXPECT_EQ(CompareWithExecutor(g, "conv1d", 20), "");
}

// Sqrt has no runtime float kernel (it would need libm): the int8 executor runs it on the float
// executor's kernel, the export refuses it naming the node.
TEST(ExportTest, UnsupportedFloatFallbackOpIsNamed) {
  Graph g;
  g.set_source("hand_built");
  Value* x = S8Value(g, "x", {1, 4}, 0.05f, 0);
  g.inputs().push_back(x);
  Value* s = g.AddConstant("s", Tensor::FromVector<float>({}, {0.05f}));
  Value* zp = g.AddConstant("zp", Tensor::FromVector<int8_t>({}, {0}));
  Value* f = g.AddValue("f", DType::kF32, {1, 4});
  g.AddNode(OpKind::kDequantizeLinear, "dq", {x, s, zp}, {f});
  Value* t = g.AddValue("t", DType::kF32, {1, 4});
  g.AddNode(OpKind::kSqrt, "float_sqrt", {f}, {t});
  Value* q = S8Value(g, "q", {1, 4}, 1.0f / 128, 0);
  Value* s2 = g.AddConstant("s2", Tensor::FromVector<float>({}, {1.0f / 128}));
  g.AddNode(OpKind::kQuantizeLinear, "q", {t, s2, zp}, {q});
  g.outputs().push_back(q);
  const fs::path work = TempDir("unsup");
  auto r = ExportC(g, {}, (work / "out").string());
  EXPECT_EQ(r.status().code(), StatusCode::kUnsupported);
  EXPECT_NE(r.status().message().find("'float_sqrt' (Sqrt)"), std::string::npos)
      << r.status().message();
  EXPECT_FALSE(fs::exists(work / "out"));
  fs::remove_all(work);
}

// Two 1.34 GB int8 activations alive at the same step (the Add's inputs): a 2.7 GB arena, more than
// the 2 GiB limit of generated code (kMaxArenaBytes). Refused by planning alone; nothing of that
// size is touched.
TEST(ExportTest, ArenaBeyond2GiBIsUnsupported) {
  Graph g;
  g.set_source("hand_built");
  const Shape big = {1, 1, 40000, 33554};
  Value* x = S8Value(g, "x", big, 0.05f, 0);
  g.inputs().push_back(x);
  Value* a = S8Value(g, "a", big, 1.0f / 256, -128);
  g.AddNode(OpKind::kSigmoid, "sig", {x}, {a});
  Value* b = S8Value(g, "b", big, 1.0f / 128, 0);
  g.AddNode(OpKind::kTanh, "tanh", {x}, {b});
  Value* s = S8Value(g, "s", big, 0.05f, 0);
  g.AddNode(OpKind::kAdd, "add", {a, b}, {s});
  Value* y = S8Value(g, "y", {1, 1, 1, 1}, 0.05f, 0);  // not in place: s stays in the arena
  g.AddNode(OpKind::kGlobalAveragePool, "pool", {s}, {y});
  g.outputs().push_back(y);
  auto r = PlanMemory(g, {});
  ASSERT_FALSE(r.ok()) << r->arena_bytes;
  EXPECT_EQ(r.status().code(), StatusCode::kUnsupported);
  EXPECT_NE(r.status().message().find("exceeds the 2 GiB a generated model can address"),
            std::string::npos)
      << r.status().message();
}

TEST(ExportTest, FloatModelIsAFailedPrecondition) {
  auto model = LoadOnnx(kSrc + "/benchmarks/zoo/digits_mlp/model.onnx");
  ASSERT_TRUE(model.ok());
  const fs::path work = TempDir("float");
  auto r = ExportC(**model, {}, (work / "out").string());
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_FALSE(fs::exists(work / "out"));
  fs::remove_all(work);
}

TEST(ExportTest, BadNameIsRejectedAndNothingIsWritten) {
  const fs::path work = TempDir("badname");
  ExportModelOptions o;
  o.c.name = "3x-model";
  o.calib_path = kSrc + "/datasets/out/digits_calib.npz";
  auto r = ExportModelC(kSrc + "/benchmarks/zoo/digits_mlp/model.onnx", (work / "out").string(), o);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("3x-model"), std::string::npos);
  EXPECT_FALSE(fs::exists(work / "out"));
  fs::remove_all(work);
}

TEST(ExportTest, FloatModelWithoutCalibrationSaysHowToQuantize) {
  auto r = ExportModelC(kSrc + "/benchmarks/zoo/digits_mlp/model.onnx", "/nonexistent/x", {});
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(r.status().message().find("--calib"), std::string::npos);
}

}  // namespace
}  // namespace tinyq
