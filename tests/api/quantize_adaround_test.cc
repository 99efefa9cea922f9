// AdaRound on real layers (src/api/quantize_adaround.cc through tinyq::Quantize): the first layer
// of a zoo model quantized with learned rounding reproduces the float layer better than with
// round-to-nearest, measured independently of the AdaRound code (the float executor runs the
// layer with each set of dequantized int8 weights) on HELD-OUT test samples; the scales stay those
// of plain quantization and every weight moves by at most one step.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <utility>

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
  o.adaround_guard = false;  // the learned rounding itself, whatever the whole-model check says
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

// ---- the whole-model check (AdaRoundGuard) ---------------------------------------------------

// Samples `idx` of `d` as a data set of their own.
Dataset Subset(const Dataset& d, const std::vector<int64_t>& idx) {
  const int64_t per = d.x.numel() / d.x.dim(0);
  Shape xs = d.x.shape();
  xs[0] = static_cast<int64_t>(idx.size());
  Dataset out;
  out.x = Tensor(d.x.dtype(), xs);  // the file's dtype (uint8 images stay uint8)
  out.y = Tensor(DType::kS64, {static_cast<int64_t>(idx.size())});
  out.has_labels = true;
  const size_t row = static_cast<size_t>(per) * DTypeSize(d.x.dtype());
  for (size_t i = 0; i < idx.size(); ++i) {
    std::memcpy(static_cast<char*>(out.x.raw()) + i * row,
                static_cast<const char*>(d.x.raw()) + static_cast<size_t>(idx[i]) * row, row);
    out.y.data<int64_t>()[i] = d.y.data<int64_t>()[idx[i]];
  }
  return out;
}

bool SameInt8Weights(const Graph& a, const Graph& b) {
  int64_t compared = 0;
  for (const auto& n : a.nodes()) {
    if ((n->op() != OpKind::kConv && n->op() != OpKind::kGemm) || !n->input(1)->is_constant() ||
        n->input(1)->dtype() != DType::kS8)
      continue;
    const Node* m = b.FindNode(n->name());
    EXPECT_TRUE(m && m->input(1)->is_constant() && m->input(1)->dtype() == DType::kS8) << n->name();
    if (!m || !m->input(1)->is_constant() || m->input(1)->dtype() != DType::kS8) return false;
    const Tensor& wa = *n->input(1)->constant();
    const Tensor& wb = *m->input(1)->constant();
    ++compared;
    if (wa.numel() != wb.numel() ||
        !std::equal(wa.data<int8_t>(), wa.data<int8_t>() + wa.numel(), wb.data<int8_t>()))
      return false;
  }
  EXPECT_GT(compared, 0);
  return true;
}

// fmnist_dscnn rounded to nearest and with AdaRound (no check), and the validation samples on which
// exactly one of the two is right: a validation set built from those makes the check decide.
struct GuardCase {
  Zoo z;
  QuantizeOptions o;
  QuantizeResult plain, learned;
  Dataset val;
  std::vector<int64_t> plain_wins, learned_wins, both_right;
};

GuardCase& DscnnGuardCase() {
  static GuardCase* c = [] {
    auto* g = new GuardCase();
    g->z = LoadZoo("fmnist_dscnn", "fmnist_calib_1k.npz");
    g->o.preprocess = g->z.card.preprocess;
    g->o.analysis_samples = 8;
    g->o.calib_limit = 256;
    g->plain = std::move(Quantize(*g->z.model, g->z.calib, "calib", g->o).value());
    g->o.adaround = true;
    g->o.adaround_iters = 150;
    g->o.adaround_guard = false;
    g->learned = std::move(Quantize(*g->z.model, g->z.calib, "calib", g->o).value());
    g->o.adaround_guard = true;
    g->val = ReadDataset(kSrc + "/datasets/out/fmnist_val.npz").value();
    EvalOptions eo;
    eo.preprocess = g->z.card.preprocess;
    eo.int8 = true;
    eo.limit = 1000;  // enough samples on which the two roundings disagree, and quick under ASan
    const EvalResult a = Evaluate(*g->plain.graph, g->val, "val", eo).value();
    const EvalResult b = Evaluate(*g->learned.graph, g->val, "val", eo).value();
    for (int64_t i = 0; i < a.samples; ++i) {
      const int64_t y = g->val.y.data<int64_t>()[i];
      const bool ra = a.predictions[static_cast<size_t>(i)] == y;
      const bool rb = b.predictions[static_cast<size_t>(i)] == y;
      if (ra && !rb) g->plain_wins.push_back(i);
      if (rb && !ra) g->learned_wins.push_back(i);
      if (ra && rb && g->both_right.size() < 200) g->both_right.push_back(i);
    }
    std::printf("of %lld validation samples: only nearest right %zu, only AdaRound right %zu\n",
                static_cast<long long>(a.samples), g->plain_wins.size(), g->learned_wins.size());
    return g;
  }();
  return *c;
}

// Quantizes with AdaRound and the check on a validation set of `wins` plus the samples both get
// right; checks the guard's data, sample count and metric name.
StatusOr<QuantizeResult> QuantizeWithValOf(const GuardCase& c, const std::vector<int64_t>& wins,
                                           const std::string& name) {
  std::vector<int64_t> idx = c.both_right;
  idx.insert(idx.end(), wins.begin(), wins.end());
  const Dataset val = Subset(c.val, idx);
  QuantizeOptions o = c.o;
  o.val = &val;
  o.val_path = name;
  auto r = Quantize(*c.z.model, c.z.calib, "calib", o);
  if (r.ok()) {
    EXPECT_TRUE(r->report.adaround_guard.has_value());
    if (!r->report.adaround_guard) return Internal("no adaround_guard in the report");
    const AdaRoundGuard& g = *r->report.adaround_guard;
    EXPECT_EQ(g.data, name);
    EXPECT_EQ(g.samples, static_cast<int64_t>(idx.size()));
    EXPECT_EQ(g.metric, "top1");
  }
  return r;
}

TEST(QuantizeAdaRoundGuardTest, LearnedRoundingThatLosesOnValIsUndone) {
  GuardCase& c = DscnnGuardCase();
  ASSERT_FALSE(c.plain_wins.empty()) << "AdaRound changed no validation prediction for the worse";
  ASSERT_FALSE(SameInt8Weights(*c.plain.graph, *c.learned.graph));
  auto r = QuantizeWithValOf(c, c.plain_wins, "val_where_nearest_wins");
  ASSERT_TRUE(r.ok()) << r.status().message();
  const AdaRoundGuard& g = *r->report.adaround_guard;
  EXPECT_DOUBLE_EQ(*g.metric_nearest, 100.0);  // every sample: nearest is right
  EXPECT_LT(*g.metric_adaround, 100.0);
  EXPECT_FALSE(g.kept);
  EXPECT_TRUE(SameInt8Weights(*r->graph, *c.plain.graph));  // the saved model is nearest's
  EXPECT_FALSE(r->report.adaround.empty());  // the per-layer table still says what was tried
}

TEST(QuantizeAdaRoundGuardTest, LearnedRoundingIsKeptOnlyWhenItIsAlsoCloserToFloat) {
  GuardCase& c = DscnnGuardCase();
  ASSERT_FALSE(c.learned_wins.empty()) << "AdaRound changed no validation prediction for the better";
  auto r = QuantizeWithValOf(c, c.learned_wins, "val_where_adaround_wins");
  ASSERT_TRUE(r.ok()) << r.status().message();
  const AdaRoundGuard& g = *r->report.adaround_guard;
  EXPECT_LT(*g.metric_nearest, 100.0);
  EXPECT_DOUBLE_EQ(*g.metric_adaround, 100.0);
  // Top-1 alone does not decide: the outputs must also be closer to the float model's.
  EXPECT_EQ(g.kept, g.fidelity_adaround > g.fidelity_nearest);
  EXPECT_TRUE(SameInt8Weights(*r->graph, g.kept ? *c.learned.graph : *c.plain.graph));
}

TEST(QuantizeAdaRoundGuardTest, ATieOnEveryDecisionKeepsRoundToNearest) {
  // Samples both roundings classify right: the same top-1 and, as both give the same class, the
  // same agreement with the float model. Learned rounding's higher output SQNR is then not enough.
  GuardCase& c = DscnnGuardCase();
  auto r = QuantizeWithValOf(c, {}, "val_where_both_are_right");
  ASSERT_TRUE(r.ok()) << r.status().message();
  const AdaRoundGuard& g = *r->report.adaround_guard;
  EXPECT_DOUBLE_EQ(*g.metric_nearest, 100.0);
  EXPECT_DOUBLE_EQ(*g.metric_adaround, 100.0);
  ASSERT_TRUE(g.agreement_nearest && g.agreement_adaround);
  EXPECT_DOUBLE_EQ(*g.agreement_nearest, *g.agreement_adaround);
  ASSERT_GT(g.fidelity_adaround, g.fidelity_nearest) << "the case needs learned rounding closer to float";
  EXPECT_FALSE(g.kept);
  EXPECT_TRUE(SameInt8Weights(*r->graph, *c.plain.graph));
}

TEST(QuantizeAdaRoundGuardTest, WithoutValTheCalibrationSamplesAndTheFloatModelsClassDecide) {
  GuardCase& c = DscnnGuardCase();
  auto r = Quantize(*c.z.model, c.z.calib, "calib.npz", c.o);
  ASSERT_TRUE(r.ok()) << r.status().message();
  const AdaRoundGuard& g = *r->report.adaround_guard;
  EXPECT_EQ(g.data, "calib.npz");
  EXPECT_EQ(g.samples, 256);  // --calib-limit
  EXPECT_EQ(g.metric, "agreement");
  // Agreement of each model with the float model's top-1 on those samples, computed here.
  EvalOptions eo;
  eo.preprocess = c.z.card.preprocess;
  eo.limit = 256;
  Dataset calib = c.z.calib;
  auto fg = OptimizeForInference(*c.z.model).value();
  const EvalResult f = Evaluate(*fg, calib, "calib", eo).value();
  eo.int8 = true;
  for (const auto& [graph, want] :
       {std::pair{c.plain.graph.get(), *g.metric_nearest},
        std::pair{c.learned.graph.get(), *g.metric_adaround}}) {
    const EvalResult q = Evaluate(*graph, calib, "calib", eo).value();
    int64_t agree = 0;
    for (size_t i = 0; i < q.predictions.size(); ++i)
      agree += q.predictions[i] == f.predictions[i];
    EXPECT_NEAR(100.0 * agree / 256.0, want, 1e-9);
  }
  // Here the metric is the agreement, so learned rounding must agree with float more often.
  ASSERT_TRUE(g.agreement_nearest && g.agreement_adaround);
  EXPECT_DOUBLE_EQ(*g.agreement_nearest, *g.metric_nearest);
  EXPECT_DOUBLE_EQ(*g.agreement_adaround, *g.metric_adaround);
  EXPECT_EQ(g.kept, *g.metric_adaround > *g.metric_nearest &&
                        g.fidelity_adaround > g.fidelity_nearest);
}

}  // namespace
}  // namespace tinyq
