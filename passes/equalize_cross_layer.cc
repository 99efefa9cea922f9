// equalize_cross_layer: cross-layer equalization (Nagel et al. 2019, "Data-Free Quantization
// Through Weight Equalization and Bias Correction", section 4.1). Moves a per-channel factor from
// the weights of one layer into the next so that both see balanced per-channel weight ranges,
// which shrinks the error of per-tensor (and helps per-channel) int8 weight quantization.
//
//   Before:  X -> Conv1(W1, b1) [-> Relu / LeakyRelu / Clip(0, +inf) / MaxPool]* -> Conv2(W2) -> Y
//   After:   X -> Conv1(W1', b1') [-> the same nodes]                        -> Conv2(W2') -> Y
//   (also Gemm1 -> ... -> Gemm2 for MLPs; Conv1 and Conv2 may be grouped or depthwise)
//
// Math, per channel i of Conv1's output (= input channel i of Conv2), for any s_i > 0:
//   f(z / s) = f(z) / s  for every f in between (positively homogeneous per channel: ReLU,
//   LeakyReLU, MaxPool, Clip whose bounds are each 0 or ±inf, the fused tq_act clamps alike), so
//   W1'[i] = W1[i] / s_i,  b1'[i] = b1[i] / s_i,  W2'[:, i] = W2[:, i] · s_i  leaves Y unchanged.
// With r1_i = max |W1[i]| and r2_i = max |W2[:, i]| (symmetric int8 weights: the representable
// range is ±max|w|), the choice  s_i = (1 / r2_i) · √(r1_i · r2_i) = √(r1_i / r2_i)  makes
// r1'_i = r2'_i = √(r1_i · r2_i), the paper's optimum for the pair.
// Where "W1[i]" / "W2[:, i]" are (g = group):
//   Conv1  W [Cout, Cin/g, k...]: output channel i is W[i] (groups and depthwise alike).
//   Gemm1  B [K, N] (transB = 0): column B[:, i];  B [N, K] (transB = 1): row B[i, :].
//          C ([N], [1, N], or a single element, which becomes [N]) is scaled like a bias.
//   Conv2  W [Cout, C/g, k...]: input channel i = gi·(C/g) + l is read by W[o, l] for every o of
//          group gi (g = 1: W[:, i]; depthwise with multiplier m: W[i·m .. i·m + m - 1]).
//   Gemm2  A must be Gemm1's output untransposed (transA = 0); B [K, N]: row i, B [N, K]: column i.
// A chain conv1 -> conv2 -> conv3 has two pairs sharing conv2; the pass sweeps over all pairs in
// graph order until a sweep changes no s_i by more than `tolerance` or `max_sweeps` is reached
// (each pair is exactly balanced right after its own step; the sweep converges for the chain).
// The scales accumulate in double on a working copy; each changed weight/bias becomes a NEW f32
// constant (rounded once; the originals may be shared), and unused originals are dropped.
//
// A pair is equalized when: Conv1/Gemm1 has f32 constant weights (and bias, if any), its output
// and each in-between value has exactly one reader and is not a graph output, every in-between
// node is one of the ops above reading the chain at input 0, and Conv2/Gemm2 has f32 constant
// weights and reads the chain as its data input. Not equalized (with a note in PassStats):
// a clamp with a bound other than 0/±inf, e.g. ReLU6 = Clip(0, 6). Clip(x/s, 0, 6) needs the bound
// 6·s_i per channel, which neither ONNX Clip nor tq_act can hold (the paper replaces ReLU6 by
// ReLU, which changes the function; this pass does not). A channel with r1_i = 0 or r2_i = 0 (or a
// non-finite weight) keeps s_i = 1. Bias absorption (the paper's section 4.1.1) is not done.
#include "passes/equalize_cross_layer.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "passes/graph_edit.h"

namespace tinyq {
namespace {

bool IsF32Constant(const Value* v) {
  return v && v->constant() && v->constant()->dtype() == DType::kF32;
}

bool HomogeneousBound(float b) { return b == 0.0f || std::isinf(b); }

// Empty when the node's fused clamp commutes with a positive per-channel scale, else why not.
std::string FusedActivationProblem(const Node& n) {
  if (!n.HasAttr("tq_act")) return "";
  const std::string act = n.GetString("tq_act", "");
  if (act == "relu") return "";
  const float lo = n.GetFloat("tq_act_min", NAN);
  const float hi = n.GetFloat("tq_act_max", NAN);
  if (act == "clip" && HomogeneousBound(lo) && HomogeneousBound(hi)) return "";
  std::ostringstream os;
  os << "fused activation '" << act << "' [" << lo << ", " << hi << "] of '" << n.name()
     << "' is not positively homogeneous (needs a per-channel bound)";
  return os.str();
}

// Clip bound input `i` as a float: absent -> `absent`; non-constant -> NaN (not homogeneous).
float ClipBound(const Node& clip, int i, float absent) {
  const Value* v = clip.input(i);
  if (!v) return absent;
  if (!IsF32Constant(v) || v->constant()->numel() != 1) return NAN;
  return v->constant()->data<float>()[0];
}

// A Conv/Gemm whose weights the pass may rescale, with its per-element channel maps.
struct Layer {
  Node* node = nullptr;
  int64_t out_channels = 0;
  int64_t in_channels = 0;
  std::vector<double> w;
  std::vector<int64_t> out_ch;  // w[e] contributes to output channel out_ch[e]
  std::vector<int64_t> in_ch;   // w[e] reads input channel in_ch[e]
  std::vector<double> b;        // per output channel (empty: no bias)
  bool w_changed = false;
  bool b_changed = false;
};

// Loads `node` as a Layer, or returns false if its weights/bias do not allow rescaling.
bool LoadLayer(Node& node, Layer* layer) {
  const Value* wv = node.input(1);
  if (!IsF32Constant(wv) || !node.input(0) || !node.output(0)) return false;
  if (node.output(0)->dtype() != DType::kF32) return false;
  const Tensor& wt = *wv->constant();
  const Shape& ws = wt.shape();
  const int64_t n = wt.numel();
  layer->node = &node;
  layer->w.assign(wt.data<float>(), wt.data<float>() + n);
  layer->out_ch.resize(static_cast<size_t>(n));
  layer->in_ch.resize(static_cast<size_t>(n));
  if (node.op() == OpKind::kConv) {
    const int64_t g = node.GetInt("group", 1);
    if (ws.size() < 3 || g < 1 || ws[0] % g != 0 || ws[0] == 0 || ws[1] == 0) return false;
    const int64_t cout = ws[0], cin_g = ws[1], inner = n / (cout * cin_g);
    layer->out_channels = cout;
    layer->in_channels = cin_g * g;
    for (int64_t e = 0; e < n; ++e) {
      const int64_t o = e / (cin_g * inner);
      layer->out_ch[static_cast<size_t>(e)] = o;
      layer->in_ch[static_cast<size_t>(e)] = (o / (cout / g)) * cin_g + (e / inner) % cin_g;
    }
  } else if (node.op() == OpKind::kGemm) {
    if (ws.size() != 2 || ws[0] == 0 || ws[1] == 0) return false;
    const bool trans_b = node.GetInt("transB", 0) != 0;
    const int64_t k = trans_b ? ws[1] : ws[0];
    const int64_t cols = trans_b ? ws[0] : ws[1];
    layer->out_channels = cols;
    layer->in_channels = k;
    for (int64_t e = 0; e < n; ++e) {
      layer->out_ch[static_cast<size_t>(e)] = trans_b ? e / ws[1] : e % ws[1];
      layer->in_ch[static_cast<size_t>(e)] = trans_b ? e % ws[1] : e / ws[1];
    }
  } else {
    return false;
  }
  const Value* bv = node.input(2);
  if (bv) {
    if (!IsF32Constant(bv)) return false;
    const Tensor& bt = *bv->constant();
    const int64_t c = layer->out_channels;
    const bool per_channel = node.op() == OpKind::kGemm
                                 ? (bt.shape() == Shape{c} || bt.shape() == Shape{1, c})
                                 : bt.shape() == Shape{c};
    const bool single = node.op() == OpKind::kGemm && bt.numel() == 1 && bt.shape().size() <= 2;
    if (!per_channel && !single) return false;
    layer->b.resize(static_cast<size_t>(c));
    for (int64_t i = 0; i < c; ++i)
      layer->b[static_cast<size_t>(i)] = bt.data<float>()[single ? 0 : i];
  }
  const Shape& zs = node.output(0)->shape();
  return zs.size() >= 2 && zs[1] == layer->out_channels;
}

// Per-channel max |w| over the elements mapped by `ch`.
std::vector<double> ChannelRanges(const Layer& l, const std::vector<int64_t>& ch, int64_t c) {
  std::vector<double> r(static_cast<size_t>(c), 0.0);
  for (size_t e = 0; e < l.w.size(); ++e) {
    double& x = r[static_cast<size_t>(ch[e])];
    x = std::max(x, std::fabs(l.w[e]));  // NaN weights are ignored here; see ScaleFor
  }
  return r;
}

// max/min over the nonzero ranges (1 when fewer than one nonzero range).
double Imbalance(const std::vector<double>& r) {
  double lo = INFINITY, hi = 0.0;
  for (double x : r)
    if (x > 0.0) lo = std::min(lo, x), hi = std::max(hi, x);
  return hi > 0.0 ? hi / lo : 1.0;
}

struct Pair {
  int first;   // index into layers
  int second;  // index into layers
};

// Looks for the pair starting at `n1`: follows the single reader of its output through
// homogeneous ops to a Conv/Gemm. Returns that node, or nullptr; `skip` receives a reason when
// the partner exists but the pair cannot be equalized (for the notes).
Node* FindPartner(const Graph& graph, const Node& n1, std::string* skip) {
  const Value* v = n1.output(0);
  if (!v || v->shape().size() < 2) return nullptr;
  std::string act = FusedActivationProblem(n1);
  for (int depth = 0; depth < 16 && v; ++depth) {
    Node* next = SoleConsumer(graph, v);
    if (!next || next->input(0) != v) return nullptr;
    if (next->op() == OpKind::kConv || next->op() == OpKind::kGemm) {
      if (next->op() == OpKind::kGemm && next->GetInt("transA", 0) != 0) return nullptr;
      if (!act.empty()) {
        *skip = act;
        return nullptr;
      }
      return next;
    }
    switch (next->op()) {
      case OpKind::kRelu:
      case OpKind::kLeakyRelu:
      case OpKind::kMaxPool:
        break;
      case OpKind::kClip: {
        const float lo = ClipBound(*next, 1, -INFINITY), hi = ClipBound(*next, 2, INFINITY);
        if (act.empty() && !(HomogeneousBound(lo) && HomogeneousBound(hi))) {
          std::ostringstream os;
          os << "Clip '" << next->name() << "' [" << lo << ", " << hi
             << "] is not positively homogeneous (needs a per-channel bound)";
          act = os.str();
        }
        break;
      }
      default:
        return nullptr;
    }
    v = next->output(0);
    if (!v || v->dtype() != DType::kF32 || v->shape().size() < 2 ||
        v->shape()[1] != n1.output(0)->shape()[1])
      return nullptr;
  }
  return nullptr;
}

// One equalization step on a pair; true if some channel changed by more than `tol`.
bool EqualizePair(Layer& l1, Layer& l2, double tol) {
  const int64_t c = l1.out_channels;
  const std::vector<double> r1 = ChannelRanges(l1, l1.out_ch, c);
  const std::vector<double> r2 = ChannelRanges(l2, l2.in_ch, c);
  std::vector<double> s(static_cast<size_t>(c), 1.0);
  bool changed = false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (!(r1[i] > 0.0) || !(r2[i] > 0.0)) continue;
    const double si = std::sqrt(r1[i] * r2[i]) / r2[i];
    if (!std::isfinite(si) || !(si > 0.0) || std::fabs(si - 1.0) <= tol) continue;
    s[i] = si;
    changed = true;
  }
  if (!changed) return false;
  for (size_t e = 0; e < l1.w.size(); ++e) l1.w[e] /= s[static_cast<size_t>(l1.out_ch[e])];
  for (size_t i = 0; i < l1.b.size(); ++i) l1.b[i] /= s[i];
  for (size_t e = 0; e < l2.w.size(); ++e) l2.w[e] *= s[static_cast<size_t>(l2.in_ch[e])];
  l1.w_changed = l2.w_changed = true;
  l1.b_changed = l1.b_changed || !l1.b.empty();
  return true;
}

std::vector<float> ToFloat(const std::vector<double>& v) {
  return std::vector<float>(v.begin(), v.end());
}

// Writes the working copy back as new constants.
void WriteBack(Graph& graph, Layer& l) {
  Node* n = l.node;
  std::vector<Value*> old;
  if (l.w_changed) {
    Value* w = n->input(1);
    old.push_back(w);
    graph.SetInput(n, 1, AddF32Constant(graph, n->name() + "_w_cle", w->shape(), ToFloat(l.w)));
  }
  if (l.b_changed) {
    Value* b = n->input(2);
    old.push_back(b);
    // A single-element Gemm C became per-column.
    Shape shape = b->constant()->numel() == l.out_channels ? b->shape() : Shape{l.out_channels};
    graph.SetInput(n, 2, AddF32Constant(graph, n->name() + "_b_cle", shape, ToFloat(l.b)));
  }
  for (Value* v : std::set<Value*>(old.begin(), old.end())) RemoveIfUnused(graph, v);
}

}  // namespace

Status EqualizeCrossLayerPass::Run(Graph& graph, PassStats* stats) {
  if (options_.max_sweeps < 1)
    return InvalidArgument(std::string(name()) + ": max_sweeps must be >= 1, got " +
                           std::to_string(options_.max_sweeps));
  if (!(options_.tolerance > 0.0 && options_.tolerance < 1.0))
    return InvalidArgument(std::string(name()) + ": tolerance must be in (0, 1), got " +
                           std::to_string(options_.tolerance));
  const std::vector<Node*> order = graph.TopoOrder();
  for (const Node* n : order) {
    bool quantized = n->op() == OpKind::kQuantizeLinear || n->op() == OpKind::kDequantizeLinear;
    for (const Value* v : n->inputs()) quantized = quantized || (v && v->quant());
    for (const Value* v : n->outputs()) quantized = quantized || (v && v->quant());
    if (quantized)
      return FailedPrecondition(graph.Where(n) + std::string(name()) +
                                " works on float graphs (run it before quantize_int8); this node "
                                "is quantized");
  }

  // Collect the pairs in graph order; a node shared by two pairs has one Layer.
  std::vector<Layer> layers;
  std::map<const Node*, int> layer_of;
  auto layer_index = [&](Node* n) -> int {
    auto it = layer_of.find(n);
    if (it != layer_of.end()) return it->second;
    Layer l;
    if (!LoadLayer(*n, &l)) return -1;
    layers.push_back(std::move(l));
    return layer_of[n] = static_cast<int>(layers.size()) - 1;
  };
  std::vector<Pair> pairs;
  for (Node* n1 : order) {
    if (n1->op() != OpKind::kConv && n1->op() != OpKind::kGemm) continue;
    std::string skip;
    Node* n2 = FindPartner(graph, *n1, &skip);
    if (!skip.empty())
      stats->notes.push_back(std::string(name()) + ": skipped '" + n1->name() +
                             "' -> next: " + skip);
    if (!n2) continue;
    const int i1 = layer_index(n1);
    const int i2 = i1 < 0 ? -1 : layer_index(n2);
    if (i1 < 0 || i2 < 0) continue;
    if (layers[static_cast<size_t>(i1)].out_channels != layers[static_cast<size_t>(i2)].in_channels)
      continue;
    pairs.push_back({i1, i2});
  }
  if (pairs.empty()) return Status::Ok();

  std::vector<double> before(pairs.size());
  for (size_t p = 0; p < pairs.size(); ++p) {
    const Layer& l1 = layers[static_cast<size_t>(pairs[p].first)];
    before[p] = Imbalance(ChannelRanges(l1, l1.out_ch, l1.out_channels));
  }
  int sweeps = 0;
  bool converged = false;
  while (sweeps < options_.max_sweeps && !converged) {
    ++sweeps;
    converged = true;
    for (const Pair& p : pairs)
      if (EqualizePair(layers[static_cast<size_t>(p.first)], layers[static_cast<size_t>(p.second)],
                       options_.tolerance))
        converged = false;
  }

  for (size_t p = 0; p < pairs.size(); ++p) {
    const Layer& l1 = layers[static_cast<size_t>(pairs[p].first)];
    const Layer& l2 = layers[static_cast<size_t>(pairs[p].second)];
    std::ostringstream os;
    os << name() << ": '" << l1.node->name() << "' -> '" << l2.node->name() << "' ("
       << l1.out_channels << " channels), max/min channel range of '" << l1.node->name() << "' "
       << before[p] << " -> " << Imbalance(ChannelRanges(l1, l1.out_ch, l1.out_channels));
    stats->notes.push_back(os.str());
  }
  stats->notes.push_back(std::string(name()) + ": " + std::to_string(pairs.size()) + " pairs, " +
                         std::to_string(sweeps) + " sweeps, " +
                         (converged ? "converged" : "stopped at max_sweeps"));
  for (Layer& l : layers) {
    if (!l.w_changed && !l.b_changed) continue;
    WriteBack(graph, l);
    stats->nodes_rewritten += 1;
  }
  return Status::Ok();
}

}  // namespace tinyq
