// AdaRound over a quantized graph (`tinyq quantize --adaround`): the int8 weights of every
// quantized Conv / Gemm are re-rounded, layer by layer in graph order, so that the layer's output
// on calibration data matches the float model's (the math is in src/train/adaround.h).
//
// For layer L:
//   x = L's input in the QUANTIZED graph (dequantized int8; the layers before L already carry their
//       learned rounding), y = L's output in the FLOAT graph, both on the calibration samples.
//       Conv: one row per sampled output position (its im2col patch over all input channels, so
//       group g reads the columns of its own channels); Gemm: one row per sample.
//   the rounding problem: L's float weights, its per-channel weight scales (unchanged: only the
//       rounding direction of each weight moves, the int8 numerics contract holds), its int32 bias
//       in float, and the output clamp (fused activation and the int8 output range).
// Each prefix graph (what computes x, what computes y) is cut out of the full graph with
// eliminate_dead, so a layer costs one run of the model up to that layer over the samples.
#include <algorithm>
#include <cmath>
#include <random>

#include "passes/quantize_int8.h"
#include "src/api/quantize_internal.h"
#include "src/exec/fused_activation.h"
#include "src/ir/conv_geometry.h"
#include "src/train/adaround.h"
#include "tinyq/passes.h"

namespace tinyq {
namespace {

constexpr int64_t kTargetRows = 16384;         // rows sampled per layer (Conv output positions)
constexpr int64_t kMaxInputFloats = 16 << 20;  // cap of the layer-input rows kept (64 MB)

struct Layer {
  std::string node;
  bool conv = false;
  ConvGeometry geo;       // conv only
  int64_t cin = 0;        // input channels (conv) or features (gemm)
  int64_t positions = 1;  // output positions sampled per sample
  train::AdaRoundProblem problem;
};

// Quantized Conv (2-D) / Gemm nodes of `int8_graph` that have a float twin, in graph order.
std::vector<const Node*> Targets(const Graph& float_graph, const Graph& int8_graph) {
  std::vector<const Node*> out;
  for (const Node* n : int8_graph.TopoOrder()) {
    const bool mac =
        (n->op() == OpKind::kConv && n->input(1)->shape().size() == 4) || n->op() == OpKind::kGemm;
    if (mac && n->output(0)->dtype() == DType::kS8 && n->input(1)->dtype() == DType::kS8 &&
        n->input(1)->quant() && n->input(1)->is_constant() && float_graph.FindNode(n->name()))
      out.push_back(n);
  }
  return out;
}

// A copy of `g` whose only output is `value`, cut down to the nodes that compute it.
StatusOr<std::unique_ptr<Graph>> PrefixGraph(const Graph& g, const std::string& value) {
  std::unique_ptr<Graph> p = g.Clone();
  p->outputs() = {p->FindValue(value)};
  TQ_RETURN_IF_ERROR(RunPasses(*p, {"eliminate_dead"}));
  return p;
}

// The layer's rounding problem without data: weights, scales, bias and output clamp.
StatusOr<Layer> MakeLayer(const Graph& fg, const Graph& qg, const Node& q, int64_t samples,
                          int qmax) {
  Layer L;
  L.node = q.name();
  const Node& f = *fg.FindNode(q.name());
  TQ_ASSIGN_OR_RETURN(MacWeights mw, MacWeightsOutputFirst(fg, f));
  train::AdaRoundProblem& p = L.problem;
  p.channels = mw.weights.dim(0);
  p.k = mw.weights.numel() / p.channels;
  p.weights.assign(mw.weights.data<float>(), mw.weights.data<float>() + mw.weights.numel());
  const QuantParams& wq = *q.input(1)->quant();
  p.scales = wq.scale;
  if (p.scales.size() == 1) p.scales.assign(static_cast<size_t>(p.channels), wq.scale[0]);
  p.qmax = qmax;
  if (const Value* b = q.input(2)) {  // the int32 bias the kernel adds, in float
    for (int64_t c = 0; c < p.channels; ++c)
      p.bias.push_back(static_cast<float>(b->constant()->data<int32_t>()[c]) *
                       b->quant()->scale[b->quant()->scale.size() == 1 ? 0 : c]);
  }
  const QuantParams& oq = *q.output(0)->quant();
  p.lo = oq.scale[0] * static_cast<float>(-128 - oq.zero_point[0]);
  p.hi = oq.scale[0] * static_cast<float>(127 - oq.zero_point[0]);
  TQ_ASSIGN_OR_RETURN(std::optional<FusedActivationF32> act, ParseFusedActivation(fg, f));
  if (act) {
    p.lo = std::max(p.lo, act->lo);
    p.hi = std::min(p.hi, act->hi);
  }
  if (q.op() == OpKind::kConv) {
    L.conv = true;
    p.groups = q.GetInt("group", 1);
    const Shape& ws = q.input(1)->shape();
    TQ_ASSIGN_OR_RETURN(L.geo,
                        ComputeConvGeometry(qg, q, q.input(0)->shape(), {ws[2], ws[3]}, false));
    L.cin = q.input(0)->shape()[1];
    const int64_t cols = L.cin * ws[2] * ws[3];
    L.positions = std::clamp<int64_t>((kTargetRows + samples - 1) / samples, 1, L.geo.OutSize());
    L.positions = std::max<int64_t>(1, std::min(L.positions, kMaxInputFloats / (samples * cols)));
  } else {
    L.cin = p.k;
  }
  return L;
}

// Appends the rows of one sample: x = its layer input ([Cin, H, W] or [K]), y = its float output.
void AppendRows(Layer& L, const float* x, const float* y, int64_t sample) {
  train::AdaRoundProblem& p = L.problem;
  if (!L.conv) {
    p.x.insert(p.x.end(), x, x + L.cin);
    p.y.insert(p.y.end(), y, y + p.channels);
    ++p.rows;
    return;
  }
  const int64_t out_size = L.geo.OutSize();
  std::vector<int64_t> pos(static_cast<size_t>(out_size));
  for (int64_t i = 0; i < out_size; ++i) pos[static_cast<size_t>(i)] = i;
  std::mt19937_64 rng(static_cast<uint64_t>(sample) * 0x9E3779B97F4A7C15ull + 17);
  for (int64_t i = 0; i < L.positions; ++i) {  // partial Fisher-Yates: distinct positions
    std::uniform_int_distribution<int64_t> d(i, out_size - 1);
    std::swap(pos[static_cast<size_t>(i)], pos[static_cast<size_t>(d(rng))]);
  }
  const int64_t H = L.geo.in[0], W = L.geo.in[1], kh = L.geo.kernel[0], kw = L.geo.kernel[1];
  for (int64_t i = 0; i < L.positions; ++i) {
    const int64_t at = pos[static_cast<size_t>(i)];
    const int64_t oh = at / L.geo.out[1], ow = at % L.geo.out[1];
    for (int64_t c = 0; c < L.cin; ++c)
      for (int64_t ky = 0; ky < kh; ++ky)
        for (int64_t kx = 0; kx < kw; ++kx) {
          const int64_t iy = oh * L.geo.strides[0] - L.geo.pad_begin[0] + ky * L.geo.dilations[0];
          const int64_t ix = ow * L.geo.strides[1] - L.geo.pad_begin[1] + kx * L.geo.dilations[1];
          p.x.push_back(iy < 0 || iy >= H || ix < 0 || ix >= W ? 0.0f : x[(c * H + iy) * W + ix]);
        }
    for (int64_t c = 0; c < p.channels; ++c) p.y.push_back(y[c * out_size + at]);
    ++p.rows;
  }
}

// Runs the calibration samples through the prefix graphs of layer L and fills its rows.
Status CollectRows(const Graph& fg, const Graph& qg, const Node& q, const Dataset& calib,
                   const std::string& calib_path, const QuantizeOptions& o, int64_t samples,
                   Layer* L) {
  const Value* qin = qg.inputs()[0];
  const bool from_input = q.input(0) == qin;
  TQ_ASSIGN_OR_RETURN(auto fprefix, PrefixGraph(fg, fg.FindNode(q.name())->output(0)->name()));
  std::unique_ptr<Graph> qprefix;
  if (!from_input) {
    TQ_ASSIGN_OR_RETURN(qprefix, PrefixGraph(qg, q.input(0)->name()));
  }
  ExecutorOptions eo;
  eo.threads = o.threads;
  TQ_ASSIGN_OR_RETURN(auto fexec, Executor::Create(*fprefix, eo));
  std::unique_ptr<Executor> qexec;
  if (qprefix) {
    eo.int8 = true;
    TQ_ASSIGN_OR_RETURN(qexec, Executor::Create(*qprefix, eo));
  }
  const int64_t b = std::max<int64_t>(1, qin->shape()[0]);
  const int64_t chunk = 64 * b;
  for (int64_t begin = 0; begin < samples; begin += chunk) {
    const int64_t end = std::min(samples, begin + chunk);
    TQ_ASSIGN_OR_RETURN(Tensor x,
                        PrepareInputBatch(fg, calib.x, begin, end, o.preprocess, calib_path));
    TQ_ASSIGN_OR_RETURN(Tensor xq, QuantizeForInput(*qin, x));
    TensorMap ff, qf;
    ff.emplace(fg.inputs()[0]->name(), std::move(x));
    TQ_ASSIGN_OR_RETURN(TensorMap fo, fexec->RunBatch(ff));
    Tensor layer_in;
    if (qexec) {
      qf.emplace(qin->name(), std::move(xq));
      TQ_ASSIGN_OR_RETURN(TensorMap qo, qexec->RunBatch(qf));
      layer_in = std::move(qo.begin()->second);
    } else {
      layer_in = std::move(xq);
    }
    TQ_ASSIGN_OR_RETURN(Tensor xin, DequantizeOutput(*q.input(0), layer_in));
    const Tensor& y = fo.begin()->second;
    const int64_t n = end - begin;
    if (xin.dtype() != DType::kF32 || xin.numel() % n != 0 || y.numel() % n != 0)
      return Internal(qg.Where(&q) + "adaround: unexpected layer input/output tensors");
    const int64_t xs = xin.numel() / n, ys = y.numel() / n;
    for (int64_t i = 0; i < n; ++i)
      AppendRows(*L, xin.data<float>() + i * xs, y.data<float>() + i * ys, begin + i);
  }
  return Status::Ok();
}

}  // namespace

Status AdaRoundGraph(const Graph& float_graph, Graph& int8_graph, const Dataset& calib,
                     const std::string& calib_path, const QuantizeOptions& o,
                     std::vector<AdaRoundLayerReport>* report, LearnedRounding* learned) {
  const std::vector<const Node*> targets = Targets(float_graph, int8_graph);
  const int64_t b = std::max<int64_t>(1, int8_graph.inputs()[0]->shape()[0]);
  int64_t samples = o.calib_limit > 0 ? std::min(o.calib_limit, calib.x.dim(0)) : calib.x.dim(0);
  samples -= samples % b;
  if (samples == 0)
    return InvalidArgument(calib_path + ": fewer calibration samples than the model's batch");
  const int64_t total = static_cast<int64_t>(targets.size()) * o.adaround_iters;
  for (size_t l = 0; l < targets.size(); ++l) {
    const Node& q = *targets[l];
    TQ_ASSIGN_OR_RETURN(Layer L,
                        MakeLayer(float_graph, int8_graph, q, samples, o.reduce_range ? 63 : 127));
    TQ_RETURN_IF_ERROR(CollectRows(float_graph, int8_graph, q, calib, calib_path, o, samples, &L));
    train::AdaRoundOptions ao;
    ao.iterations = o.adaround_iters;
    ao.seed = 1 + l;
    const int64_t done = static_cast<int64_t>(l) * o.adaround_iters;
    if (o.progress)
      ao.progress = [&](int it) {
        if (it % 50 == 0 || it == ao.iterations) o.progress("adaround", done + it, total);
      };
    auto r = train::OptimizeRounding(L.problem, ao);
    if (!r.ok()) return r.status().WithPrefix(int8_graph.Where(&q));
    int8_t* w = int8_graph.FindNode(q.name())->input(1)->mutable_constant()->data<int8_t>();
    std::copy(r->weights.begin(), r->weights.end(), w);
    (*learned)[q.name()] = r->weights;
    AdaRoundLayerReport row;
    row.node = q.name();
    row.op = OpKindName(q.op());
    row.rows = L.problem.rows;
    row.error_nearest = r->error_nearest;
    row.error_adaround = r->error_adaround;
    row.changed = r->changed;
    row.weights = static_cast<int64_t>(r->weights.size());
    row.kept_nearest = r->kept_nearest;
    report->push_back(row);
  }
  return Status::Ok();
}

void ApplyLearnedRounding(const LearnedRounding& learned, Graph& int8_graph) {
  for (const auto& [name, weights] : learned) {
    Node* n = int8_graph.FindNode(name);
    if (!n || !n->input(1) || !n->input(1)->is_constant() || n->input(1)->dtype() != DType::kS8 ||
        n->input(1)->constant()->numel() != static_cast<int64_t>(weights.size()))
      continue;
    std::copy(weights.begin(), weights.end(), n->input(1)->mutable_constant()->data<int8_t>());
  }
}

}  // namespace tinyq
