// FoldQdqToQOp: QDQ form -> QOp form (docs/quantized_ir.md), the inverse of ExpandToQdq.
//
// Before                                             After
//   x:s8 -> DQ(s_x, zp_x) ---------------.
//   w:s8 -> DQ(s_w[O], 0, axis 0) --------+-> Conv -> Relu -> Q(s_y, zp_y) -> y:s8
//   b:s32 -> DQ(s_b[O] = s_x*s_w[O]) -----'
//                                                    Conv{tq_act=relu}(x, w, b) -> y:s8
//   x, w, b, y carry the QuantParams read from their DQ/Q.
//
// A pattern folds only when the int8 op computes what the QDQ file means: every quantized input
// of the op comes from a DQ, every output goes (alone) to a Q, all activation params are s8
// per-tensor and agree between the Q that writes a value and every DQ that reads it, plus the
// op's own rule (table below). Everything else is left as Q/DQ nodes (exact float semantics).
#include <cmath>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "src/exec/fold.h"
#include "src/onnx/qdq.h"

namespace tinyq {
namespace {

// How an op of the quantized region relates its output params to its inputs.
enum class Rule {
  kNone,        // not foldable
  kWeighted,    // Conv, Gemm: x, s8 weight per channel, optional s32 bias
  kOwnParams,   // Add, Mul, Concat, GlobalAveragePool, element-wise unary (lookup table)
  kSameParams,  // pools and data movement: output params == input params
  kSoftmax,     // output params fixed: 1/256, -128
};

Rule RuleOf(OpKind op) {
  switch (op) {
    case OpKind::kConv:
    case OpKind::kGemm:
      return Rule::kWeighted;
    case OpKind::kAdd:
    case OpKind::kMul:
    case OpKind::kConcat:
    case OpKind::kGlobalAveragePool:
    case OpKind::kRelu:
    case OpKind::kClip:
    case OpKind::kLeakyRelu:
    case OpKind::kSigmoid:
    case OpKind::kTanh:
    case OpKind::kHardSigmoid:
    case OpKind::kHardSwish:
    case OpKind::kExp:
    case OpKind::kLog:
    case OpKind::kSqrt:
    case OpKind::kNeg:
    case OpKind::kAbs:
      return Rule::kOwnParams;
    case OpKind::kMaxPool:
    case OpKind::kGlobalMaxPool:
    case OpKind::kAveragePool:
    case OpKind::kReshape:
    case OpKind::kFlatten:
    case OpKind::kTranspose:
    case OpKind::kSqueeze:
    case OpKind::kUnsqueeze:
    case OpKind::kIdentity:
    case OpKind::kSlice:
    case OpKind::kSplit:
    case OpKind::kGather:
    case OpKind::kPad:
    case OpKind::kResize:
      return Rule::kSameParams;
    case OpKind::kSoftmax:
      return Rule::kSoftmax;
    default:
      return Rule::kNone;
  }
}

// Ops whose output clamp can absorb a following Relu/Clip (tq_act).
bool TakesFusedActivation(OpKind op) {
  return op == OpKind::kConv || op == OpKind::kGemm || op == OpKind::kAdd;
}

bool SameParams(const QuantParams& a, const QuantParams& b) {
  return a.scale == b.scale && a.zero_point == b.zero_point && a.axis == b.axis &&
         a.storage == b.storage;
}

bool IsActivationParams(const QuantParams& q) {
  return q.storage == DType::kS8 && q.axis == -1 && q.scale.size() == 1;
}

bool IsGraphOutput(const Graph& g, const Value* v) {
  for (const Value* o : g.outputs())
    if (o == v) return true;
  return false;
}

// The single node reading `v`, or nullptr (several readers, none, or a graph output).
Node* SoleReader(const Graph& g, const Value* v) {
  if (v->uses().size() != 1 || IsGraphOutput(g, v)) return nullptr;
  return v->uses()[0].node;
}

// The params a QuantizeLinear writes / a DequantizeLinear reads, or nullopt when they are not
// constant or not representable as QuantParams (then the node is simply left alone).
std::optional<QuantParams> ParamsOf(const Node& n) {
  const Value* x = n.input(0);
  const Value* scale = n.input(1);
  const Value* zp = n.input(2);
  if (!x || !scale || !scale->is_constant() || scale->dtype() != DType::kF32) return std::nullopt;
  if (zp && !zp->is_constant()) return std::nullopt;
  const Tensor& s = *scale->constant();
  if (s.rank() > 1 || (zp && zp->shape() != s.shape())) return std::nullopt;
  QuantParams q;
  q.storage = n.op() == OpKind::kDequantizeLinear ? x->dtype() : (zp ? zp->dtype() : DType::kU8);
  if (q.storage != DType::kS8 && q.storage != DType::kU8 && q.storage != DType::kS32)
    return std::nullopt;
  q.scale = s.ToFloatVector();
  for (float v : q.scale)
    if (!(v > 0.0f) || !std::isfinite(v)) return std::nullopt;
  if (zp) {
    for (int64_t z : zp->constant()->ToInt64Vector())
      q.zero_point.push_back(static_cast<int32_t>(z));
  } else {
    q.zero_point.assign(q.scale.size(), 0);
  }
  if (s.rank() == 1) {
    const int rank = static_cast<int>(x->shape().size());
    int64_t axis = n.GetInt("axis", 1);
    if (axis < 0) axis += rank;
    if (axis < 0 || axis >= rank || x->shape()[static_cast<size_t>(axis)] != s.numel())
      return std::nullopt;
    q.axis = static_cast<int>(axis);
  }
  return q;
}

class Folder {
 public:
  explicit Folder(Graph& g) : g_(g) {}

  Status Run() {
    CollectParams();
    for (Node* n : g_.TopoOrder()) {
      if (removed_.count(n)) continue;
      std::optional<Plan> plan = Match(*n);
      if (plan) Apply(n, *plan);
    }
    for (auto& [v, q] : params_) {
      const bool int_typed = v->dtype() == DType::kS8 || v->dtype() == DType::kS32;
      if (int_typed && !conflict_.count(v) && !v->quant()) v->set_quant(q);
    }
    g_.RemoveUnusedValues();
    return Verify(g_);
  }

 private:
  struct Plan {
    std::map<int, Value*> inputs;             // input index -> s8/s32 value replacing the DQ output
    std::map<Value*, QuantParams> constants;  // weights/bias -> their (per-channel) params
    std::vector<Node*> quantizes;             // per output of the op, the Q that writes it
    Node* activation = nullptr;               // Relu/Clip between the op and its Q
  };

  // Records the params of every value a Q writes or a DQ reads; a value seen with two different
  // params, or with params that are not constant, is a conflict and never folds.
  void CollectParams() {
    for (const auto& up : g_.nodes()) {
      const Node& n = *up;
      if (n.op() != OpKind::kQuantizeLinear && n.op() != OpKind::kDequantizeLinear) continue;
      std::optional<QuantParams> q = ParamsOf(n);
      Value* v = n.op() == OpKind::kQuantizeLinear ? n.output(0) : n.input(0);
      if (!v) continue;
      if (!q) {  // params not readable (e.g. a computed scale): nothing about v can be trusted
        conflict_.insert(v);
        continue;
      }
      auto [it, inserted] = params_.emplace(v, *q);
      if (!inserted && !SameParams(it->second, *q)) conflict_.insert(v);
    }
  }

  // The s8 activation params of `v` if they are known and consistent.
  std::optional<QuantParams> ActivationParams(const Value* v) const {
    auto it = params_.find(v);
    if (it == params_.end() || conflict_.count(v) || !IsActivationParams(it->second))
      return std::nullopt;
    return it->second;
  }

  // The DequantizeLinear writing `v`, or nullptr.
  static const Node* DqOf(const Value* v) {
    return v && v->producer() && v->producer()->op() == OpKind::kDequantizeLinear ? v->producer()
                                                                                  : nullptr;
  }

  // Input i of `n` read through an s8 per-tensor DQ: its quantized value, else nullptr.
  Value* ActivationInput(const Node& n, int i) const {
    const Node* dq = DqOf(n.input(i));
    if (!dq) return nullptr;
    Value* x = dq->input(0);
    if (x->dtype() != DType::kS8 || !ActivationParams(x)) return nullptr;
    return x;
  }

  // Conv/Gemm weight (input 1) and bias (input 2); fills plan->inputs/constants.
  bool MatchWeights(const Node& n, const QuantParams& in_q, Plan* plan) const {
    const Node* wdq = DqOf(n.input(1));
    if (!wdq) return false;
    Value* w = wdq->input(0);
    auto wq = params_.find(w);
    if (!w->is_constant() || w->dtype() != DType::kS8 || wq == params_.end() ||
        conflict_.count(w) || w->shape().empty())
      return false;
    if (n.op() == OpKind::kGemm && (n.GetInt("transA", 0) != 0 || n.GetInt("transB", 0) != 1 ||
                                    n.GetFloat("alpha", 1.0f) != 1.0f ||
                                    n.GetFloat("beta", 1.0f) != 1.0f || w->shape().size() != 2))
      return false;
    const size_t channels = static_cast<size_t>(w->shape()[0]);
    QuantParams q = wq->second;
    if (q.axis == -1) {  // per-tensor: the same scale for every output channel
      q.scale.assign(channels, q.scale[0]);
      q.zero_point.assign(channels, q.zero_point[0]);
      q.axis = 0;
    }
    if (q.axis != 0) return false;
    for (int32_t z : q.zero_point)
      if (z != 0) return false;
    const Tensor& t = *w->constant();
    for (int64_t i = 0; i < t.numel(); ++i)
      if (t.data<int8_t>()[i] == -128) return false;  // int8 kernels assume [-127, 127]
    plan->inputs[1] = w;
    plan->constants[w] = q;
    if (!n.input(2)) return true;
    const Node* bdq = DqOf(n.input(2));
    if (!bdq) return false;
    Value* b = bdq->input(0);
    auto bq = params_.find(b);
    if (!b->is_constant() || b->dtype() != DType::kS32 || bq == params_.end() ||
        conflict_.count(b) || b->shape() != Shape{static_cast<int64_t>(channels)})
      return false;
    QuantParams p = bq->second;
    if (p.axis == -1) {
      p.scale.assign(channels, p.scale[0]);
      p.zero_point.assign(channels, 0);
      p.axis = 0;
    }
    for (size_t c = 0; c < channels; ++c) {
      // The int8 kernels accumulate in units of s_x * s_w[c]; a bias in other units would be
      // silently misread.
      const double want = static_cast<double>(in_q.scale[0]) * q.scale[c];
      if (std::fabs(p.scale[c] - want) > 1e-5 * want || p.zero_point[c] != 0) return false;
    }
    plan->inputs[2] = b;
    plan->constants[b] = p;
    return true;
  }

  // The Q reading `v` (alone), possibly through a Relu/Clip when `allow_act`.
  Node* QuantizeAfter(const Value* v, bool allow_act, Node** act) const {
    Node* r = SoleReader(g_, v);
    if (!r) return nullptr;
    if (allow_act && (r->op() == OpKind::kRelu || r->op() == OpKind::kClip)) {
      for (int i = 1; i < r->num_inputs(); ++i)
        if (r->input(i) && (!r->input(i)->is_constant() || r->input(i)->dtype() != DType::kF32 ||
                            r->input(i)->constant()->numel() != 1))
          return nullptr;
      *act = r;
      r = SoleReader(g_, r->output(0));
      if (!r) return nullptr;
    }
    if (r->op() != OpKind::kQuantizeLinear || r->input(0) != (*act ? (*act)->output(0) : v))
      return nullptr;
    if (r->output(0)->dtype() != DType::kS8 || !ActivationParams(r->output(0))) return nullptr;
    return r;
  }

  std::optional<Plan> Match(const Node& n) const {
    const Rule rule = RuleOf(n.op());
    if (rule == Rule::kNone || n.HasAttr("tq_act")) return std::nullopt;
    Plan plan;
    // Inputs: the activations come from DQs; other inputs may only be non-float or constant
    // (shapes, indices, Clip bounds), never float data computed outside the pattern.
    const int data_inputs =
        rule == Rule::kWeighted ? 1
        : (n.op() == OpKind::kAdd || n.op() == OpKind::kMul || n.op() == OpKind::kConcat)
            ? n.num_inputs()
            : 1;
    for (int i = 0; i < data_inputs; ++i) {
      Value* x = ActivationInput(n, i);
      if (!x) return std::nullopt;
      plan.inputs[i] = x;
    }
    if (rule == Rule::kWeighted) {
      if (!MatchWeights(n, *ActivationParams(plan.inputs[0]), &plan)) return std::nullopt;
    } else {
      for (int i = data_inputs; i < n.num_inputs(); ++i) {
        const Value* v = n.input(i);
        if (v && v->dtype() == DType::kF32 && !v->is_constant()) return std::nullopt;
      }
      if (n.op() == OpKind::kPad && n.input(2) &&
          (!n.input(2)->is_constant() ||
           n.input(2)->constant()->ToFloatVector() != std::vector<float>(1, 0.0f)))
        return std::nullopt;  // the int8 Pad pads with the zero point, i.e. real 0
      if (n.op() == OpKind::kResize && n.GetString("mode", "nearest") != "nearest")
        return std::nullopt;
    }
    // Outputs: each goes alone into a Q (MaxPool's optional indices output must be absent).
    for (int k = 0; k < n.num_outputs(); ++k) {
      const Value* o = n.output(k);
      if (!o) continue;
      if (n.op() == OpKind::kMaxPool && k > 0) return std::nullopt;
      Node* act = nullptr;
      Node* q = QuantizeAfter(o, k == 0 && TakesFusedActivation(n.op()), &act);
      if (!q) return std::nullopt;
      plan.quantizes.push_back(q);
      plan.activation = act ? act : plan.activation;
      const QuantParams out_q = *ActivationParams(q->output(0));
      if (rule == Rule::kSameParams && !SameParams(out_q, *ActivationParams(plan.inputs[0])))
        return std::nullopt;
      if (rule == Rule::kSoftmax &&
          (out_q.scale[0] != 1.0f / 256.0f || out_q.zero_point[0] != -128))
        return std::nullopt;
    }
    if (plan.quantizes.empty()) return std::nullopt;
    return plan;
  }

  void Apply(Node* n, const Plan& plan) {
    std::vector<Value*> inputs = n->inputs();
    std::vector<const Node*> dqs;
    for (const auto& [i, v] : plan.inputs) {
      dqs.push_back(inputs[static_cast<size_t>(i)]->producer());
      inputs[static_cast<size_t>(i)] = v;
    }
    std::vector<Value*> outputs;
    for (Node* q : plan.quantizes) outputs.push_back(q->output(0));
    const OpKind op = n->op();
    const std::string name = n->name();
    std::map<std::string, Attribute> attrs = n->attrs();
    if (const Node* act = plan.activation) {
      const float inf = std::numeric_limits<float>::infinity();
      auto bound = [&](int i, float def) {
        const Value* v = act->input(i);
        return v ? v->constant()->ToFloatVector()[0] : def;
      };
      Attribute s;
      s.type = Attribute::Type::kString;
      s.s = act->op() == OpKind::kRelu ? "relu" : "clip";
      attrs["tq_act"] = s;
      Attribute f;
      f.type = Attribute::Type::kFloat;
      f.f = act->op() == OpKind::kRelu ? 0.0f : bound(1, -inf);
      attrs["tq_act_min"] = f;
      f.f = act->op() == OpKind::kRelu ? inf : bound(2, inf);
      attrs["tq_act_max"] = f;
    }
    for (Node* q : plan.quantizes) Remove(q);
    if (plan.activation) Remove(plan.activation);
    Remove(n);
    Node* folded = g_.AddNode(op, name, inputs, outputs);
    folded->mutable_attrs() = std::move(attrs);
    for (const auto& [v, q] : plan.constants) v->set_quant(q);
    // A DQ nobody reads any more goes too (one shared with float code stays).
    std::set<const Node*> seen;
    for (const Node* dq : dqs) {
      if (!seen.insert(dq).second) continue;
      Value* out = dq->output(0);
      if (out->uses().empty() && !IsGraphOutput(g_, out)) Remove(const_cast<Node*>(dq));
    }
  }

  // Removes `n`; Run's walk skips it (its pointer is only compared, never read, afterwards).
  void Remove(Node* n) {
    removed_.insert(n);
    g_.RemoveNode(n);
  }

  Graph& g_;
  std::map<Value*, QuantParams, std::less<>> params_;  // transparent: found by const Value*
  std::set<const Value*> conflict_;
  std::set<const Node*> removed_;
};

}  // namespace

Status InferShapesAndFoldKeepingQdq(Graph& graph) {
  // Constants dequantized by a DequantizeLinear (its input 0) become graph inputs for the duration
  // of the folding, so InferShapesAndFold sees a non-constant DQ and leaves it (and the int8
  // weights) alone.
  std::vector<std::pair<Value*, Tensor>> kept;
  for (const auto& v : graph.values()) {
    if (!v->is_constant() || (v->dtype() != DType::kS8 && v->dtype() != DType::kS32)) continue;
    bool read_by_dq = false;
    for (const Use& u : v->uses())
      read_by_dq |= u.node->op() == OpKind::kDequantizeLinear && u.index == 0;
    if (!read_by_dq) continue;
    kept.emplace_back(v.get(), *v->constant());
    v->clear_constant();
    graph.inputs().push_back(v.get());
  }
  const size_t real_inputs = graph.inputs().size() - kept.size();
  Status s = InferShapesAndFold(graph);
  graph.inputs().resize(real_inputs);
  for (auto& [v, t] : kept) v->set_constant(std::move(t));
  return s;
}

Status FoldQdqToQOp(Graph& graph) {
  Folder folder(graph);
  return folder.Run();
}

}  // namespace tinyq
