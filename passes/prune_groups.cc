#include "passes/prune_groups.h"

#include <algorithm>
#include <cstring>
#include <numeric>

#include "passes/graph_edit.h"
#include "src/ir/shape_inference.h"

namespace tinyq {
namespace {

bool IsF32Constant(const Value* v) {
  return v && v->constant() && v->constant()->dtype() == DType::kF32;
}

// Ops whose output channel i depends only on input channel i (input 0).
bool IsChannelwiseUnary(OpKind op) {
  switch (op) {
    case OpKind::kRelu:
    case OpKind::kLeakyRelu:
    case OpKind::kClip:
    case OpKind::kSigmoid:
    case OpKind::kTanh:
    case OpKind::kHardSigmoid:
    case OpKind::kHardSwish:
    case OpKind::kIdentity:
    case OpKind::kDropout:
    case OpKind::kNeg:
    case OpKind::kAbs:
    case OpKind::kSqrt:
    case OpKind::kExp:
    case OpKind::kLog:
    case OpKind::kMaxPool:
    case OpKind::kAveragePool:
    case OpKind::kGlobalAveragePool:
    case OpKind::kGlobalMaxPool:
      return true;
    default:
      return false;
  }
}

bool IsElementwiseBinary(OpKind op) {
  return op == OpKind::kAdd || op == OpKind::kSub || op == OpKind::kMul || op == OpKind::kDiv ||
         op == OpKind::kMax || op == OpKind::kMin;
}

// Depthwise with channel multiplier 1: group == Cin == Cout.
bool IsDepthwise(const Node& n) {
  const Value* x = n.input(0);
  const Value* w = n.input(1);
  if (!x || !w || x->shape().size() < 2 || w->shape().empty()) return false;
  const int64_t g = n.GetInt("group", 1);
  return g > 1 && g == x->shape()[1] && w->shape()[0] == g;
}

// A Conv/Gemm whose weights (and bias) are f32 constants and whose output channels can be sliced.
bool IsProducer(const Node& n) {
  if (!IsF32Constant(n.input(1))) return false;
  if (n.input(2) && !IsF32Constant(n.input(2))) return false;
  if (n.op() == OpKind::kConv) return n.GetInt("group", 1) == 1;
  if (n.op() == OpKind::kGemm)
    return n.GetInt("transA", 0) == 0 && n.input(1)->shape().size() == 2 &&
           n.input(0)->shape().size() == 2;
  return false;
}

class Analyzer {
 public:
  explicit Analyzer(const Graph& graph) : graph_(graph) {}

  ChannelAnalysis Run() {
    for (Node* n : graph_.TopoOrder()) Visit(*n);
    for (const Value* out : graph_.outputs())
      Freeze(out, "reaches graph output '" + out->name() + "'");
    return Canonical();
  }

 private:
  int Find(int g) {
    while (parent_[g] != g) g = parent_[g] = parent_[parent_[g]];
    return g;
  }
  const std::vector<ChannelAtom>* Atoms(const Value* v) const {
    auto it = channels_.find(v);
    return it == channels_.end() ? nullptr : &it->second;
  }
  void Freeze(const Value* v, const std::string& why) {
    const auto* atoms = Atoms(v);
    if (!atoms) return;
    for (const ChannelAtom& a : *atoms) {
      ChannelGroup& g = groups_[Find(a.group)];
      if (!g.frozen) g.frozen = true, g.frozen_reason = why;
    }
  }
  void FreezeInputs(const Node& n, const std::string& why) {
    for (const Value* v : n.inputs())
      if (v) Freeze(v, "read by '" + n.name() + "' (" + OpKindName(n.op()) + ")" + why);
  }
  void Pass(const Value* from, const Value* to) {
    if (const auto* a = Atoms(from)) channels_[to] = *a;
  }
  void NewGroup(Node& n) {
    const Value* out = n.output(0);
    if (out->shape().size() < 2) return;
    ChannelGroup g;
    g.size = static_cast<int>(out->shape()[1]);
    g.producers.push_back(&n);
    const int id = static_cast<int>(groups_.size());
    groups_.push_back(g);
    parent_.push_back(id);
    std::vector<ChannelAtom> atoms(static_cast<size_t>(g.size));
    for (int i = 0; i < g.size; ++i) atoms[static_cast<size_t>(i)] = {id, i};
    channels_[out] = std::move(atoms);
  }
  // Makes the channels of a and b the same channels; false if they cannot be.
  bool Unify(const std::vector<ChannelAtom>& a, const std::vector<ChannelAtom>& b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
      if (a[i].index != b[i].index) return false;
    for (size_t i = 0; i < a.size(); ++i) {
      const int ra = Find(a[i].group), rb = Find(b[i].group);
      if (ra == rb) continue;
      if (groups_[ra].size != groups_[rb].size) return false;
    }
    for (size_t i = 0; i < a.size(); ++i) {
      const int ra = Find(a[i].group), rb = Find(b[i].group);
      if (ra == rb) continue;
      ChannelGroup& ga = groups_[ra];
      ChannelGroup& gb = groups_[rb];
      ga.producers.insert(ga.producers.end(), gb.producers.begin(), gb.producers.end());
      if (gb.frozen && !ga.frozen) ga.frozen = true, ga.frozen_reason = gb.frozen_reason;
      parent_[rb] = ra;
    }
    return true;
  }

  void Visit(Node& n) {
    const Value* x = n.input(0);
    const Value* out = n.output(0);
    if (n.op() == OpKind::kConv && IsDepthwise(n) && IsF32Constant(n.input(1)) &&
        (!n.input(2) || IsF32Constant(n.input(2)))) {
      Pass(x, out);
      return;
    }
    if (IsProducer(n)) return NewGroup(n);  // reads x's channels (sliced), starts a group
    if (n.op() == OpKind::kBatchNormalization) {
      bool ok = n.num_outputs() == 1;
      for (int i = 1; i <= 4; ++i) ok = ok && IsF32Constant(n.input(i));
      if (ok) return Pass(x, out);
    } else if (IsChannelwiseUnary(n.op())) {
      bool ok = n.num_outputs() == 1 || n.op() == OpKind::kDropout;
      for (int i = 1; i < n.num_inputs(); ++i)
        ok = ok &&
             (!n.input(i) || (n.input(i)->is_constant() && n.input(i)->constant()->numel() == 1));
      if (ok) return Pass(x, out);
    } else if (n.op() == OpKind::kFlatten && x->shape().size() >= 2 && n.GetInt("axis", 1) == 1) {
      bool ones = true;
      for (size_t d = 2; d < x->shape().size(); ++d) ones = ones && x->shape()[d] == 1;
      if (ones) return Pass(x, out);
    } else if (IsElementwiseBinary(n.op()) && n.num_inputs() == 2) {
      const Value* a = n.input(0);
      const Value* b = n.input(1);
      const auto* aa = Atoms(a);
      const auto* ab = Atoms(b);
      const bool scalar_a = a->is_constant() && a->constant()->numel() == 1;
      const bool scalar_b = b->is_constant() && b->constant()->numel() == 1;
      if (aa && ab && a->shape() == b->shape() && Unify(*aa, *ab)) return Pass(a, out);
      if (aa && scalar_b) return Pass(a, out);
      if (ab && scalar_a) return Pass(b, out);
    } else if (n.op() == OpKind::kConcat && out->shape().size() >= 2) {
      const int64_t rank = static_cast<int64_t>(out->shape().size());
      int64_t axis = n.GetInt("axis", 1);
      if (axis < 0) axis += rank;
      bool all = axis == 1;
      for (const Value* v : n.inputs()) all = all && v && Atoms(v);
      if (all) {
        std::vector<ChannelAtom> cat;
        for (const Value* v : n.inputs()) cat.insert(cat.end(), Atoms(v)->begin(), Atoms(v)->end());
        channels_[out] = std::move(cat);
        return;
      }
    }
    FreezeInputs(n, "");
  }

  // Renumbers the root groups 0..k-1 and rewrites every atom to its root.
  ChannelAnalysis Canonical() {
    ChannelAnalysis a;
    std::map<int, int> id;
    for (int g = 0; g < static_cast<int>(groups_.size()); ++g) {
      if (Find(g) != g) continue;
      id[g] = static_cast<int>(a.groups.size());
      a.groups.push_back(groups_[g]);
    }
    for (auto& [v, atoms] : channels_) {
      for (ChannelAtom& at : atoms) at.group = id[Find(at.group)];
      a.channels[v] = atoms;
    }
    return a;
  }

  const Graph& graph_;
  std::vector<ChannelGroup> groups_;
  std::vector<int> parent_;
  std::map<const Value*, std::vector<ChannelAtom>> channels_;
};

// Replaces input `index` of `n` by a new constant holding `t`.
void ReplaceConstant(Graph& graph, Node& n, int index, Tensor t) {
  Value* old = n.input(index);
  Value* fresh = graph.AddConstant(graph.UniqueName(old->name() + "_pruned"), std::move(t));
  graph.SetInput(&n, index, fresh);
  RemoveIfUnused(graph, old);
}

void SliceInput(Graph& graph, Node& n, int index, int axis, const std::vector<bool>& keep) {
  Value* v = n.input(index);
  if (!v) return;
  const Tensor& t = *v->constant();
  if (t.rank() == 0 || (t.rank() <= axis) || t.numel() == 1) return;  // broadcast scalar
  ReplaceConstant(graph, n, index, SliceAxis(t, axis, keep));
}

int64_t CountKept(const std::vector<bool>& keep) {
  return std::count(keep.begin(), keep.end(), true);
}

}  // namespace

std::string ChannelGroup::name() const {
  return producers.empty() ? std::string("?") : producers.front()->name();
}

std::vector<int> ChannelAnalysis::Prunable() const {
  std::vector<int> out;
  for (int g = 0; g < static_cast<int>(groups.size()); ++g)
    if (!groups[static_cast<size_t>(g)].frozen) out.push_back(g);
  return out;
}

ChannelAnalysis AnalyzeChannels(const Graph& graph) { return Analyzer(graph).Run(); }

Tensor SliceAxis(const Tensor& t, int axis, const std::vector<bool>& keep) {
  Shape shape = t.shape();
  const int64_t n = shape[static_cast<size_t>(axis)];
  int64_t outer = 1, inner = 1;
  for (int d = 0; d < axis; ++d) outer *= shape[static_cast<size_t>(d)];
  for (int d = axis + 1; d < t.rank(); ++d) inner *= shape[static_cast<size_t>(d)];
  shape[static_cast<size_t>(axis)] = CountKept(keep);
  Tensor out(t.dtype(), shape);
  const size_t es = DTypeSize(t.dtype());
  const auto* src = static_cast<const uint8_t*>(t.raw());
  auto* dst = static_cast<uint8_t*>(out.raw());
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < n; ++i) {
      if (!keep[static_cast<size_t>(i)]) continue;
      std::memcpy(dst, src + static_cast<size_t>((o * n + i) * inner) * es,
                  static_cast<size_t>(inner) * es);
      dst += static_cast<size_t>(inner) * es;
    }
  return out;
}

Status RemoveChannels(Graph& graph, const ChannelAnalysis& analysis, const ChannelKeep& keep) {
  for (const auto& [g, mask] : keep) {
    if (g < 0 || g >= static_cast<int>(analysis.groups.size()))
      return InvalidArgument(graph.Where() + "no channel group " + std::to_string(g));
    const ChannelGroup& group = analysis.groups[static_cast<size_t>(g)];
    if (static_cast<int>(mask.size()) != group.size)
      return InvalidArgument(graph.Where() + "group '" + group.name() + "': mask of " +
                             std::to_string(mask.size()) + " for " + std::to_string(group.size) +
                             " channels");
    if (CountKept(mask) == 0)
      return InvalidArgument(graph.Where() + "group '" + group.name() + "' would keep no channel");
    if (group.frozen && CountKept(mask) != group.size)
      return InvalidArgument(graph.Where() + "group '" + group.name() +
                             "' cannot be pruned: " + group.frozen_reason);
  }
  // Mask of every tracked value; nullptr for values whose channels all stay.
  std::map<const Value*, std::vector<bool>> masks;
  for (const auto& [v, atoms] : analysis.channels) {
    std::vector<bool> m(atoms.size(), true);
    bool any = false;
    for (size_t i = 0; i < atoms.size(); ++i) {
      auto it = keep.find(atoms[i].group);
      if (it != keep.end() && !it->second[static_cast<size_t>(atoms[i].index)])
        m[i] = false, any = true;
    }
    if (any) masks[v] = std::move(m);
  }
  auto mask_of = [&](const Value* v) -> const std::vector<bool>* {
    auto it = masks.find(v);
    return it == masks.end() ? nullptr : &it->second;
  };
  const std::vector<Node*> order = graph.TopoOrder();
  for (Node* n : order) {
    const std::vector<bool>* in = n->input(0) ? mask_of(n->input(0)) : nullptr;
    const std::vector<bool>* out = n->output(0) ? mask_of(n->output(0)) : nullptr;
    if (n->op() == OpKind::kConv && IsDepthwise(*n)) {
      if (!in) continue;
      SliceInput(graph, *n, 1, 0, *in);
      SliceInput(graph, *n, 2, 0, *in);
      n->SetInt("group", CountKept(*in));
    } else if (IsProducer(*n)) {
      const bool gemm = n->op() == OpKind::kGemm;
      const bool trans_b = n->GetInt("transB", 0) != 0;
      if (in) SliceInput(graph, *n, 1, gemm && !trans_b ? 0 : 1, *in);
      if (out) {
        SliceInput(graph, *n, 1, gemm && !trans_b ? 1 : 0, *out);
        Value* c = n->input(2);
        if (c) SliceInput(graph, *n, 2, c->constant()->rank() - 1, *out);
      }
    } else if (n->op() == OpKind::kBatchNormalization && in) {
      for (int i = 1; i <= 4; ++i) SliceInput(graph, *n, i, 0, *in);
    }
  }
  for (Node* n : order) TQ_RETURN_IF_ERROR(InferNodeShapes(graph, *n));
  return Status::Ok();
}

}  // namespace tinyq
