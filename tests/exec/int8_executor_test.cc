// Tests of the int8 dispatch of the executor (src/exec/executor.cc) and an end-to-end check: a
// small float CNN (conv -> relu -> depthwise -> gap -> flatten -> gemm -> softmax), quantized by
// hand in this test with min/max parameters, agrees with the float executor within 2 LSB of the
// output scale (1/256) on inputs it was not calibrated on (measured: under 1 LSB).
#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/exec/int8_test_util.h"

namespace tinyq {
namespace {

using testing::AddS8;
using testing::AddS8Input;
using testing::AddS8Output;

TEST(Int8DispatchTest, FloatExecutorRefusesQOpGraph) {
  Graph g;
  g.set_source("q.onnx");
  Value* x = AddS8Input(g, "x", {1, 4}, 0.1f, 0);
  Value* y = AddS8Output(g, "y", {1, 4}, 0.1f, 0);
  g.AddNode(OpKind::kRelu, "r", {x}, {y});
  auto ex = Executor::Create(g);
  ASSERT_FALSE(ex.ok());
  EXPECT_EQ(ex.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(ex.status().message().find("q.onnx: node 'r' (Relu): output 'y' is s8"),
            std::string::npos)
      << ex.status().message();
  EXPECT_TRUE(Executor::Create(g, {.int8 = true}).ok());
}

TEST(Int8DispatchTest, QuantizedNodeWithoutInt8KernelIsUnsupported) {
  Graph g;
  g.set_source("q.onnx");
  Value* a = AddS8Input(g, "a", {1, 4}, 0.1f, 0);
  Value* b = AddS8Input(g, "b", {1, 4}, 0.1f, 0);
  Value* y = AddS8Output(g, "y", {1, 4}, 0.1f, 0);
  g.AddNode(OpKind::kSub, "sub1", {a, b}, {y});
  const Status s = testing::PrepareInt8(g);
  EXPECT_EQ(s.code(), StatusCode::kUnsupported);
  EXPECT_NE(s.message().find("q.onnx: node 'sub1' (Sub): no int8 kernel for Sub"),
            std::string::npos)
      << s.message();
}

// x (s8) -> DequantizeLinear -> Neg (f32 fallback) -> QuantizeLinear -> Relu (int8 LUT) -> y.
TEST(Int8DispatchTest, FloatFallbackBetweenBordersRunsFloatKernels) {
  Graph g;
  Value* x = AddS8Input(g, "x", {1, 4}, 0.5f, 2);
  Value* sc = g.AddConstant("sc", Tensor::FromVector<float>({}, {0.5f}));
  Value* zp = g.AddConstant("zp", Tensor::FromVector<int8_t>({}, {2}));
  Value* xf = g.AddValue("x.dq", DType::kF32, {1, 4});
  g.AddNode(OpKind::kDequantizeLinear, "dq", {x, sc, zp}, {xf});
  Value* nf = g.AddValue("n", DType::kF32, {1, 4});
  g.AddNode(OpKind::kNeg, "neg", {xf}, {nf});
  Value* sc2 = g.AddConstant("sc2", Tensor::FromVector<float>({}, {0.25f}));
  Value* zp2 = g.AddConstant("zp2", Tensor::FromVector<int8_t>({}, {-1}));
  Value* nq = AddS8(g, "n.q", {1, 4}, 0.25f, -1);
  g.AddNode(OpKind::kQuantizeLinear, "q", {nf, sc2, zp2}, {nq});
  Value* y = AddS8Output(g, "y", {1, 4}, 0.25f, -1);
  g.AddNode(OpKind::kRelu, "relu", {nq}, {y});
  // x codes [0, 2, 5, -3] -> real [-1, 0, 1.5, -2.5] -> neg [1, 0, -1.5, 2.5]
  // -> codes (s 0.25, zp -1) [3, -1, -7, 9] -> relu clamps below zp: [3, -1, -1, 9].
  const Tensor out =
      testing::RunInt8(g, {{"x", Tensor::FromVector<int8_t>({1, 4}, {0, 2, 5, -3})}}, "y");
  testing::ExpectCodesNear(out, {3, -1, -1, 9}, 0);
}

// Kernel instances own scratch (NHWC copies): RunBatch on two threads prepares one set per
// worker, and must give each slice the result of a plain Run.
TEST(Int8DispatchTest, RunBatchOnTwoThreadsMatchesRun) {
  Graph g;
  Value* x = AddS8Input(g, "x", {1, 2, 5, 5}, 0.1f, 3);
  Value* w = testing::AddWeights(g, "w", {3, 2, 3, 3}, testing::RandomS8(54, 1, -127, 127),
                                 {0.01f, 0.02f, 0.03f});
  Value* y = AddS8Output(g, "y", {1, 3, 5, 5}, 0.2f, -4);
  g.AddNode(OpKind::kConv, "conv", {x, w}, {y})->SetInts("pads", {1, 1, 1, 1});
  auto ex = Executor::Create(g, {.int8 = true, .threads = 2});
  ASSERT_TRUE(ex.ok()) << ex.status().ToString();
  const auto all = testing::RandomS8(6 * 50, 2);
  auto batch = (*ex)->RunBatch({{"x", Tensor::FromVector<int8_t>({6, 2, 5, 5}, all)}});
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  const Tensor& yb = batch->at("y");
  ASSERT_EQ(yb.shape(), (Shape{6, 3, 5, 5}));
  for (int64_t i = 0; i < 6; ++i) {
    const std::vector<int8_t> xi(all.begin() + i * 50, all.begin() + (i + 1) * 50);
    auto one = (*ex)->Run({{"x", Tensor::FromVector<int8_t>({1, 2, 5, 5}, xi)}});
    ASSERT_TRUE(one.ok());
    const Tensor& yi = one->at("y");
    for (int64_t j = 0; j < yi.numel(); ++j)
      ASSERT_EQ(yb.data<int8_t>()[i * 75 + j], yi.data<int8_t>()[j]) << "slice " << i;
  }
}

// ----- end to end ------------------------------------------------------------------------------

std::vector<float> RandomF(size_t n, uint32_t seed, float lo, float hi) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(lo, hi);
  std::vector<float> v(n);
  for (auto& x : v) x = d(rng);
  return v;
}

// The float network. Values: x, c1, r1, d1, p1, f1, g1, y.
void BuildFloatNet(Graph& g) {
  auto val = [&](const std::string& n, const Shape& s) { return g.AddValue(n, DType::kF32, s); };
  auto cst = [&](const std::string& n, const Shape& s, uint32_t seed, float r) {
    return g.AddConstant(
        n, Tensor::FromVector<float>(s, RandomF(static_cast<size_t>(NumElements(s)), seed, -r, r)));
  };
  Value* x = val("x", {1, 3, 8, 8});
  g.inputs().push_back(x);
  Value* c1 = val("c1", {1, 8, 8, 8});
  Node* conv = g.AddNode(OpKind::kConv, "conv1",
                         {x, cst("w1", {8, 3, 3, 3}, 1, 0.4f), cst("b1", {8}, 2, 0.2f)}, {c1});
  conv->SetInts("pads", {1, 1, 1, 1});
  Value* r1 = val("r1", {1, 8, 8, 8});
  g.AddNode(OpKind::kRelu, "relu1", {c1}, {r1});
  Value* d1 = val("d1", {1, 8, 4, 4});
  Node* dw = g.AddNode(OpKind::kConv, "dw1",
                       {r1, cst("w2", {8, 1, 3, 3}, 3, 0.5f), cst("b2", {8}, 4, 0.2f)}, {d1});
  dw->SetInt("group", 8);
  dw->SetInts("pads", {1, 1, 1, 1});
  dw->SetInts("strides", {2, 2});
  Value* p1 = val("p1", {1, 8, 1, 1});
  g.AddNode(OpKind::kGlobalAveragePool, "gap", {d1}, {p1});
  Value* f1 = val("f1", {1, 8});
  g.AddNode(OpKind::kFlatten, "flat", {p1}, {f1});
  Value* g1 = val("g1", {1, 5});
  Node* gemm = g.AddNode(OpKind::kGemm, "fc",
                         {f1, cst("w3", {5, 8}, 5, 1.5f), cst("b3", {5}, 6, 0.3f)}, {g1});
  gemm->SetInt("transB", 1);
  Value* y = val("y", {1, 5});
  g.AddNode(OpKind::kSoftmax, "softmax", {g1}, {y});
  g.outputs().push_back(y);
}

struct Range {
  float lo = 0.0f, hi = 0.0f;
};

// Min/max parameters: the range extended to contain 0, s = (hi - lo) / 255,
// zp = round(-128 - lo / s) (so real 0 is exactly the code zp).
QuantParams MinMaxParams(Range r) {
  const double lo = std::min(0.0f, r.lo), hi = std::max(0.0f, r.hi);
  const double s = (hi - lo) / 255.0;
  const double zp = std::min(127.0, std::max(-128.0, std::round(-128.0 - lo / s)));
  return testing::ActParams(static_cast<float>(s), static_cast<int32_t>(zp));
}

// Replaces the f32 constant `name` (weights along axis 0) by s8 symmetric per-channel codes;
// returns the scales.
std::vector<float> QuantizeWeights(Graph& g, const std::string& name) {
  Value* v = g.FindValue(name);
  const Tensor w = *v->constant();
  const int64_t co = w.dim(0), per = w.numel() / co;
  std::vector<float> scales;
  std::vector<int8_t> q(static_cast<size_t>(w.numel()));
  for (int64_t c = 0; c < co; ++c) {
    float m = 0.0f;
    for (int64_t i = 0; i < per; ++i) m = std::max(m, std::fabs(w.data<float>()[c * per + i]));
    const float s = m / 127.0f;
    scales.push_back(s);
    for (int64_t i = 0; i < per; ++i)
      q[static_cast<size_t>(c * per + i)] =
          static_cast<int8_t>(std::round(w.data<float>()[c * per + i] / s));
  }
  v->set_constant(Tensor::FromVector<int8_t>(w.shape(), q));
  v->set_quant(testing::ChannelParams(scales, DType::kS8));
  return scales;
}

void QuantizeBias(Graph& g, const std::string& name, float s_in, const std::vector<float>& sw) {
  Value* v = g.FindValue(name);
  const Tensor b = *v->constant();
  std::vector<int32_t> q;
  std::vector<float> scales;
  for (int64_t c = 0; c < b.numel(); ++c) {
    scales.push_back(s_in * sw[static_cast<size_t>(c)]);
    q.push_back(static_cast<int32_t>(std::lround(b.data<float>()[c] / scales.back())));
  }
  v->set_constant(Tensor::FromVector<int32_t>(b.shape(), q));
  v->set_quant(testing::ChannelParams(scales, DType::kS32));
}

Tensor RandomInput(uint32_t seed) {
  return Tensor::FromVector<float>({1, 3, 8, 8}, RandomF(192, seed, -1.0f, 1.0f));
}

TEST(Int8EndToEndTest, HandQuantizedCnnMatchesFloatExecutor) {
  Graph fg;
  BuildFloatNet(fg);
  ASSERT_TRUE(Verify(fg).ok());
  auto fex = Executor::Create(fg);
  ASSERT_TRUE(fex.ok()) << fex.status().ToString();

  // Calibrate: min/max of every activation over 32 random inputs.
  std::map<std::string, Range> ranges;
  for (uint32_t seed = 100; seed < 132; ++seed) {
    const Tensor x = RandomInput(seed);
    Range& rx = ranges["x"];
    for (int64_t i = 0; i < x.numel(); ++i) {
      rx.lo = std::min(rx.lo, x.data<float>()[i]);
      rx.hi = std::max(rx.hi, x.data<float>()[i]);
    }
    auto out = (*fex)->Run({{"x", x}}, [&](const Value& v, const Tensor& t) {
      Range& r = ranges[v.name()];
      for (int64_t i = 0; i < t.numel(); ++i) {
        r.lo = std::min(r.lo, t.data<float>()[i]);
        r.hi = std::max(r.hi, t.data<float>()[i]);
      }
    });
    ASSERT_TRUE(out.ok()) << out.status().ToString();
  }

  // The QOp graph: same nodes and names, s8 activations, s8 weights, s32 biases.
  std::unique_ptr<Graph> qg = fg.Clone();
  std::map<std::string, QuantParams> params;
  for (const char* n : {"x", "c1", "r1", "d1", "p1"}) params[n] = MinMaxParams(ranges[n]);
  params["f1"] = params["p1"];  // Flatten keeps its input's params
  params["g1"] = MinMaxParams(ranges["g1"]);
  params["y"] = testing::ActParams(1.0f / 256.0f, -128);
  for (const auto& kv : params) {
    Value* v = qg->FindValue(kv.first);
    v->set_dtype(DType::kS8);
    v->set_quant(kv.second);
  }
  QuantizeBias(*qg, "b1", params["x"].scale[0], QuantizeWeights(*qg, "w1"));
  QuantizeBias(*qg, "b2", params["r1"].scale[0], QuantizeWeights(*qg, "w2"));
  QuantizeBias(*qg, "b3", params["f1"].scale[0], QuantizeWeights(*qg, "w3"));
  ASSERT_TRUE(Verify(*qg).ok()) << Verify(*qg).ToString();
  auto qex = Executor::Create(*qg, {.int8 = true});
  ASSERT_TRUE(qex.ok()) << qex.status().ToString();

  const float sx = params["x"].scale[0];
  const int32_t zx = params["x"].zero_point[0];
  double worst = 0.0;
  for (uint32_t seed = 500; seed < 520; ++seed) {
    const Tensor x = RandomInput(seed);
    std::vector<int8_t> xq(static_cast<size_t>(x.numel()));
    for (int64_t i = 0; i < x.numel(); ++i)
      xq[static_cast<size_t>(i)] =
          static_cast<int8_t>(testing::QuantRef(x.data<float>()[i], sx, zx));
    auto fy = (*fex)->Run({{"x", x}});
    auto qy = (*qex)->Run({{"x", Tensor::FromVector<int8_t>(x.shape(), xq)}});
    ASSERT_TRUE(fy.ok() && qy.ok());
    const Tensor& f = fy->at("y");
    const Tensor& q = qy->at("y");
    for (int64_t i = 0; i < f.numel(); ++i) {
      const double deq = (q.data<int8_t>()[i] + 128) / 256.0;
      worst = std::max(worst, std::fabs(deq - f.data<float>()[i]));
    }
  }
  EXPECT_LE(worst, 2.0 / 256.0) << "int8 and float softmax outputs differ by more than 2 LSB";
}

}  // namespace
}  // namespace tinyq
