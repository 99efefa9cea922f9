// Tests of ExportC (src/codegen/export.cc) on every zoo model: quantize with default settings,
// export C, build it on the host with gcc -std=c99 -Wall -Wextra -Werror -pedantic and a small
// harness, run >= 20 test inputs and compare the outputs byte for byte with tinyq's int8
// executor; build them for Cortex-M4 and run two of the inputs in QEMU (mps2-an386), again byte
// for byte; cross-compile the same files for Cortex-M0+/M4/M7 (compile only); the planned arena
// must equal the live-set lower bound. Plus negative cases of the export API.
#include "tinyq/export.h"

#include <gtest/gtest.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include <unistd.h>

#include "tinyq/api.h"
#include "tinyq/onnx.h"
#include "tinyq/quantize.h"
#include "tinyq/target.h"

namespace tinyq {
namespace {

namespace fs = std::filesystem;

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

fs::path TempDir(const std::string& tag) {
  const fs::path d =
      fs::temp_directory_path() / ("tinyq_codegen_" + tag + "_" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

int Sh(const std::string& cmd) { return std::system((cmd + " > /dev/null 2>&1").c_str()); }

// Standard output of a shell command ("" if it cannot run).
std::string ShOutput(const std::string& cmd) {
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return "";
  std::string out;
  char buf[256];
  while (std::fgets(buf, sizeof(buf), p)) out += buf;
  ::pclose(p);
  return out;
}

std::string Harness(const std::string& name) {
  std::string up = name;
  for (char& c : up) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return "#include <stdio.h>\n#include <stdlib.h>\n#include \"" + name +
         ".h\"\n"
         "static uint32_t arena_words[(" +
         up +
         "_ARENA_SIZE + 3) / 4];\n"
         "int main(int argc, char** argv) {\n"
         "  static int8_t in[" +
         up + "_INPUT_SIZE], out[" + up +
         "_OUTPUT_SIZE];\n"
         "  FILE* fi; FILE* fo;\n"
         "  if (argc != 3) return 2;\n"
         "  fi = fopen(argv[1], \"rb\"); fo = fopen(argv[2], \"wb\");\n"
         "  if (!fi || !fo) return 3;\n"
         "  while (fread(in, 1, sizeof(in), fi) == sizeof(in)) {\n"
         "    if (" +
         name +
         "_invoke(in, out, (uint8_t*)arena_words) != TQ_OK) return 4;\n"
         "    if (fwrite(out, 1, sizeof(out), fo) != sizeof(out)) return 5;\n"
         "  }\n"
         "  fclose(fi); fclose(fo);\n  return 0;\n}\n";
}

class ZooExportTest : public ::testing::TestWithParam<ZooModel> {};

TEST_P(ZooExportTest, HostBuildMatchesInt8ExecutorAndArenaIsTheLowerBound) {
  const ZooModel& z = GetParam();
  const std::string dir = kSrc + "/benchmarks/zoo/" + z.name;
  auto model = LoadOnnx(dir + "/model.onnx");
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  auto card = ReadModelCard(dir + "/card.json");
  ASSERT_TRUE(card.ok()) << card.status().ToString();
  const std::string calib_path = kSrc + "/datasets/out/" + z.calib + ".npz";
  auto calib = ReadDataset(calib_path);
  ASSERT_TRUE(calib.ok()) << calib.status().ToString();
  QuantizeOptions qo;  // default settings, fewer samples to keep the test fast
  qo.preprocess = card->preprocess;
  qo.metric = card->metric;
  qo.calib_limit = 200;
  qo.analysis_samples = 8;
  auto q = Quantize(**model, *calib, calib_path, qo);
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  const Graph& g = *q->graph;

  const fs::path work = TempDir(z.name);
  ExportOptions eo;
  eo.name = z.name;
  eo.model_path = dir + "/model.onnx";
  auto r = ExportC(g, eo, (work / "gen").string());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->arena_bytes, r->lower_bound_bytes) << z.name;
  EXPECT_LE(r->arena_bytes, r->greedy_bytes);
  std::printf("%s: arena %lld B, lower bound %lld B, greedy %lld B, const %lld B\n", z.name,
              static_cast<long long>(r->arena_bytes), static_cast<long long>(r->lower_bound_bytes),
              static_cast<long long>(r->greedy_bytes), static_cast<long long>(r->weight_bytes));

  // Reference: the int8 executor on kSamples test inputs.
  auto test = ReadDataset(kSrc + "/datasets/out/" + z.test + ".npz");
  ASSERT_TRUE(test.ok());
  auto exec = Executor::Create(g, {true, 1});
  ASSERT_TRUE(exec.ok()) << exec.status().ToString();
  const Value* in = g.inputs()[0];
  std::string inputs, expected;
  for (int i = 0; i < kSamples; ++i) {
    auto xf = PrepareInputBatch(g, test->x, i, i + 1, card->preprocess, "test");
    ASSERT_TRUE(xf.ok()) << xf.status().ToString();
    auto xq = QuantizeForInput(*in, *xf);
    ASSERT_TRUE(xq.ok());
    auto out = (*exec)->Run({{in->name(), *xq}});
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    const Tensor& y = out->at(g.outputs()[0]->name());
    inputs.append(static_cast<const char*>(xq->raw()), xq->nbytes());
    expected.append(static_cast<const char*>(y.raw()), y.nbytes());
  }
  std::ofstream(work / "in.bin", std::ios::binary) << inputs;
  std::ofstream(work / "gen" / "main.c") << Harness(z.name);
  const std::string gen = (work / "gen").string();
  ASSERT_EQ(Sh("gcc -std=c99 -Wall -Wextra -Werror -pedantic -O1 -I" + gen + " " + gen +
               "/*.c -o " + (work / "harness").string()),
            0)
      << "host build failed in " << gen;
  ASSERT_EQ(Sh((work / "harness").string() + " " + (work / "in.bin").string() + " " +
               (work / "out.bin").string()),
            0);
  std::ifstream f(work / "out.bin", std::ios::binary);
  std::stringstream got;
  got << f.rdbuf();
  ASSERT_EQ(got.str().size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i)
    ASSERT_EQ(static_cast<int>(got.str()[i]), static_cast<int>(expected[i]))
        << z.name << ": output byte " << i << " (sample " << i / (expected.size() / kSamples)
        << ")";

  // The same code built for Cortex-M4 with the semihosting harness of src/target and run in
  // qemu-system-arm -M mps2-an386: the emulated core's output bytes equal the executor's too.
  fs::remove(work / "gen" / "main.c");
  const size_t in_bytes = inputs.size() / kSamples, out_bytes = expected.size() / kSamples;
  for (int i : {0, kSamples - 1}) {
    TargetBuildOptions to;
    to.core = "cortex-m4";
    to.input.assign(inputs.begin() + i * in_bytes, inputs.begin() + (i + 1) * in_bytes);
    auto m = BuildAndMeasure(gen, z.name, to);
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    ASSERT_TRUE(m->ran);
    EXPECT_EQ(m->invoke_status, 0);
    ASSERT_EQ(m->output.size(), out_bytes);
    for (size_t b = 0; b < out_bytes; ++b)
      ASSERT_EQ(static_cast<int>(m->output[b]), static_cast<int>(expected[i * out_bytes + b]))
          << z.name << ": QEMU Cortex-M4 output byte " << b << " of sample " << i;
    EXPECT_GT(m->instructions, 0);
  }

  // Cortex-M cross-compilation (compile only) of the generated files without the harness.
  for (const char* cpu : {"cortex-m0plus", "cortex-m7", "cortex-m4"})  // m4 objects stay
    EXPECT_EQ(Sh("cd " + gen +
                 " && arm-none-eabi-gcc -std=c99 -Wall -Wextra -Werror -pedantic "
                 "-mthumb -Os -mcpu=" +
                 std::string(cpu) + " -c *.c"),
              0)
        << z.name << " does not compile for " << cpu;
  // No writable globals: the Cortex-M4 objects have no .data and no .bss.
  const std::string totals = ShOutput("cd " + gen + " && arm-none-eabi-size -t *.o | tail -1");
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
  auto exec = Executor::Create(g, {true, 1});
  if (!exec.ok()) return exec.status().ToString();
  const Value* in = g.inputs()[0];
  std::string inputs, expected;
  std::mt19937 rng(7);
  for (int i = 0; i < n; ++i) {
    Tensor x(DType::kS8, in->shape());
    for (int64_t k = 0; k < x.numel(); ++k)
      x.data<int8_t>()[k] = static_cast<int8_t>(static_cast<int>(rng() % 256) - 128);
    auto out = (*exec)->Run({{in->name(), x}});
    if (!out.ok()) return out.status().ToString();
    const Tensor& y = out->at(g.outputs()[0]->name());
    inputs.append(static_cast<const char*>(x.raw()), x.nbytes());
    expected.append(static_cast<const char*>(y.raw()), y.nbytes());
  }
  std::ofstream(work / "in.bin", std::ios::binary) << inputs;
  std::ofstream(work / "gen" / "main.c") << Harness(name);
  const std::string gen = (work / "gen").string();
  if (Sh("gcc -std=c99 -Wall -Wextra -Werror -pedantic -O1 " + gen + "/*.c -o " +
         (work / "harness").string()) != 0)
    return "host build failed in " + gen;
  if (Sh((work / "harness").string() + " " + (work / "in.bin").string() + " " +
         (work / "out.bin").string()) != 0)
    return "harness failed";
  std::ifstream f(work / "out.bin", std::ios::binary);
  std::stringstream got;
  got << f.rdbuf();
  fs::remove_all(work);
  return got.str() == expected ? "" : "outputs differ from the int8 executor";
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
  g.AddNode(OpKind::kTanh, "float_tanh", {f}, {t});
  Value* q = S8Value(g, "q", {1, 4}, 1.0f / 128, 0);
  Value* s2 = g.AddConstant("s2", Tensor::FromVector<float>({}, {1.0f / 128}));
  g.AddNode(OpKind::kQuantizeLinear, "q", {t, s2, zp}, {q});
  g.outputs().push_back(q);
  const fs::path work = TempDir("unsup");
  auto r = ExportC(g, {}, (work / "out").string());
  EXPECT_EQ(r.status().code(), StatusCode::kUnsupported);
  EXPECT_NE(r.status().message().find("'float_tanh' (Tanh)"), std::string::npos)
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
