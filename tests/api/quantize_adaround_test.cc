// AdaRound on real layers (src/api/quantize_adaround.cc through tinyq::Quantize): the first layer
// of a zoo model quantized with learned rounding reproduces the float layer better than with
// round-to-nearest, measured independently of the AdaRound code (the float executor runs the
// layer with each set of dequantized int8 weights) on HELD-OUT test samples; the scales stay those
// of plain quantization and every weight moves by at most one step.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

#include "tinyq/api.h"
#include "tinyq/executor.h"
#include "tinyq/onnx.h"
#include "tinyq/quantize.h"

namespace tinyq {
namespace {

const std::string kSrc = TINYQ_SOURCE_DIR;

struct Zoo {
  std::unique_ptr<Graph> model;
  ModelCard card;
  Dataset calib, test;
};

Zoo LoadZoo(const std::string& name, const std::string& calib) {
  const std::string dir = kSrc + "/benchmarks/zoo/" + name;
  Zoo z;
  z.model = std::move(LoadOnnx(dir + "/model.onnx").value());
  z.card = ReadModelCard(dir + "/card.json").value();
  z.calib = ReadDataset(kSrc + "/datasets/fixtures/" + calib).value();
  return z;
}

// The first Conv/Gemm of the int8 graph (it reads the graph input).
const Node* FirstMac(const Graph& g) {
  for (const Node* n : g.TopoOrder())
    if (n->op() == OpKind::kConv || n->op() == OpKind::kGemm) return n;
  return nullptr;
}

// Output of node `name` in `g` for input x (float executor).
Tensor LayerOutput(const Graph& g, const std::string& name, const Tensor& x) {
  auto exec = Executor::Create(g, {}).value();
  TensorMap feeds;
  feeds.emplace(g.inputs()[0]->name(), x);
  const Value* want = g.FindNode(name)->output(0);
  std::vector<float> out;
  auto r = exec->RunBatch(feeds, [&](const Value& v, const Tensor& t) {
    if (&v == want) out.insert(out.end(), t.data<float>(), t.data<float>() + t.numel());
  });
  EXPECT_TRUE(r.ok()) << r.status().message();
  Shape s = want->shape();
  s[0] = x.dim(0);
  return Tensor::FromVector<float>(s, out);
}

// The float graph with node `name`'s weights (and bias) replaced by the dequantized int8 weights
// (and int32 bias) of the same node in `q`. The int8 node holds W as [Cout, ...] (Gemm: [N, K]);
// a float MatMul or Gemm with transB = 0 holds [K, N].
std::unique_ptr<Graph> WithInt8Weights(const Graph& f, const Graph& q, const std::string& name) {
  std::unique_ptr<Graph> g = f.Clone();
  Node* n = g->FindNode(name);
  const Node* qn = q.FindNode(name);
  const Tensor& wq = *qn->input(1)->constant();
  const QuantParams& wp = *qn->input(1)->quant();
  Tensor w(DType::kF32, n->input(1)->shape());
  EXPECT_EQ(w.numel(), wq.numel());
  EXPECT_EQ(n->GetFloat("alpha", 1.0f), 1.0f);
  const bool kn =
      n->op() == OpKind::kMatMul || (n->op() == OpKind::kGemm && !n->GetInt("transB", 0));
  const int64_t cout = wq.dim(0), per = wq.numel() / cout;
  for (int64_t c = 0; c < cout; ++c)
    for (int64_t j = 0; j < per; ++j)
      w.data<float>()[kn ? j * cout + c : c * per + j] =
          wp.scale[static_cast<size_t>(c)] * wq.data<int8_t>()[c * per + j];
  g->SetInput(n, 1, g->AddConstant(g->UniqueName("w_int8"), std::move(w)));
  if (!qn->input(2)) return g;
  const Tensor& bq = *qn->input(2)->constant();
  Tensor b(DType::kF32, {bq.numel()});
  for (int64_t i = 0; i < bq.numel(); ++i)
    b.data<float>()[i] =
        qn->input(2)->quant()->scale[static_cast<size_t>(i)] * bq.data<int32_t>()[i];
  g->SetInput(n, 2, g->AddConstant(g->UniqueName("b_int8"), std::move(b)));
  return g;
}

double Mse(const Tensor& a, const Tensor& b) {
  double s = 0.0;
  for (int64_t i = 0; i < a.numel(); ++i) {
    const double d = static_cast<double>(a.data<float>()[i]) - b.data<float>()[i];
    s += d * d;
  }
  return s / static_cast<double>(a.numel());
}

// Quantizes `name` with and without AdaRound and compares the first layer on `samples` test
// samples; returns (error nearest, error AdaRound).
std::pair<double, double> FirstLayerErrors(const std::string& name, const std::string& calib,
                                           int64_t calib_samples, int iters,
                                           const std::string& test, int64_t samples) {
  Zoo z = LoadZoo(name, calib);
  QuantizeOptions o;
  o.preprocess = z.card.preprocess;
  o.analysis_samples = 8;
  o.calib_limit = calib_samples;
  auto plain = Quantize(*z.model, z.calib, calib, o);
  o.adaround = true;
  o.adaround_iters = iters;
  auto learned = Quantize(*z.model, z.calib, calib, o);
  EXPECT_TRUE(plain.ok() && learned.ok());
  if (!plain.ok() || !learned.ok()) return {0.0, 0.0};
  EXPECT_FALSE(learned->report.adaround.empty());
  const Node* mac = FirstMac(*learned->graph);
  EXPECT_NE(mac, nullptr);
  const std::string node = mac->name();
  const Node* pn = plain->graph->FindNode(node);
  // Same scales, each weight at most one step from round-to-nearest, some moved.
  EXPECT_EQ(pn->input(1)->quant()->scale, mac->input(1)->quant()->scale);
  const Tensor& a = *pn->input(1)->constant();
  const Tensor& b = *mac->input(1)->constant();
  int64_t moved = 0;
  for (int64_t i = 0; i < a.numel(); ++i) {
    EXPECT_LE(std::abs(a.data<int8_t>()[i] - b.data<int8_t>()[i]), 1) << i;
    EXPECT_LE(std::abs(static_cast<int>(b.data<int8_t>()[i])), 127);
    moved += a.data<int8_t>()[i] != b.data<int8_t>()[i];
  }
  EXPECT_GT(moved, 0);
  // Held-out samples as the int8 model sees them: quantized to the input's int8 grid.
  Dataset t = ReadDataset(kSrc + "/datasets/out/" + test).value();
  auto fg = OptimizeForInference(*z.model).value();
  Tensor x = PrepareInputBatch(*fg, t.x, 0, samples, z.card.preprocess, test).value();
  const QuantParams& ip = *learned->graph->inputs()[0]->quant();
  Tensor xq = x;
  for (int64_t i = 0; i < xq.numel(); ++i) {
    const float q = std::round(x.data<float>()[i] / ip.scale[0]) + ip.zero_point[0];
    xq.data<float>()[i] = ip.scale[0] * (std::min(127.0f, std::max(-128.0f, q)) - ip.zero_point[0]);
  }
  const Tensor ref = LayerOutput(*fg, node, x);
  const double e_plain =
      Mse(LayerOutput(*WithInt8Weights(*fg, *plain->graph, node), node, xq), ref);
  const double e_learned =
      Mse(LayerOutput(*WithInt8Weights(*fg, *learned->graph, node), node, xq), ref);
  std::printf("%s %s: output MSE on %lld test samples: nearest %.6g, AdaRound %.6g\n", name.c_str(),
              node.c_str(), static_cast<long long>(samples), e_plain, e_learned);
  return {e_plain, e_learned};
}

TEST(QuantizeAdaRoundTest, DenseLayerOfDigitsMlpBeatsNearestOnTestSamples) {
  const auto [nearest, learned] =
      FirstLayerErrors("digits_mlp", "digits_calib_1k.npz", 1000, 500, "digits_test.npz", 359);
  EXPECT_LT(learned, nearest) << "nearest " << nearest << " learned " << learned;
}

TEST(QuantizeAdaRoundTest, ConvLayerOfFmnistDscnnBeatsNearestOnTestSamples) {
  // 256 calibration samples, 300 steps: the test's time, not the quality, sets these.
  const auto [nearest, learned] =
      FirstLayerErrors("fmnist_dscnn", "fmnist_calib_1k.npz", 256, 300, "fmnist_test.npz", 500);
  EXPECT_LT(learned, nearest) << "nearest " << nearest << " learned " << learned;
}

}  // namespace
}  // namespace tinyq
