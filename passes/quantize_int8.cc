// passes/quantize_int8.cc - quantize_int8: a float graph + calibrated ranges -> QOp form
// (docs/quantized_ir.md).
//
// Before (float, after fold_batch_norm and fuse_activation):
//   input(f32) -> Conv[tq_act=relu](W f32, b f32) -> y(f32) -> Gemm(W2, b2) -> logits(f32)
// After, int8 I/O (default):
//   input(s8, q) -> Conv[tq_act=relu](W s8 per-channel, b s32) -> y(s8, q) -> Gemm(..) -> logits(s8)
// After, float I/O:
//   input(f32) -> QuantizeLinear -> input.q(s8) -> ... -> logits.q(s8) -> DequantizeLinear -> logits
//
// Math (TFLite int8 spec, src/quant/quant_math.h):
//   activation v: (s, zp) = ChooseAsymmetricParams(range(v)), range from the calibration table
//     (after fused activations, so a ReLU output starts at 0 and gets zp = -128);
//     data movement, MaxPool, AveragePool: output params = input params; Softmax: (1/256, -128).
//   weights: s_w[c] = max|W[c]| / 127, q = round(W / s_w[c]) in [-127, 127] (weight_bits 7:
//     max|W[c]| / 63 -> [-63, 63]);
//   bias: q = round(b / (s_in * s_w[c])) in int32.
//   Gemm/MatMul become Gemm(transA=0, transB=1, alpha=beta=1): W' = alpha * op(B) as [N, K],
//   C' = beta * C broadcast to [N].
// Borders: where a float node reads a quantized value, a DequantizeLinear makes `<name>.dq`;
// where a quantized node reads a float value, a QuantizeLinear makes `<name>.q`. A float graph
// output produced in int8 keeps its name on the DequantizeLinear output.
#include "passes/quantize_int8.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "passes/graph_edit.h"
#include "src/quant/quant_math.h"

namespace tinyq {
namespace {

enum class Kind { kNone, kMac, kBinary, kConcat, kSamePool, kOwnRange, kSoftmax, kMove };

Kind KindOf(OpKind op) {
  switch (op) {
    case OpKind::kConv: case OpKind::kGemm: case OpKind::kMatMul: return Kind::kMac;
    case OpKind::kAdd: case OpKind::kMul: return Kind::kBinary;
    case OpKind::kConcat: return Kind::kConcat;
    case OpKind::kMaxPool: case OpKind::kAveragePool: case OpKind::kGlobalMaxPool:
      return Kind::kSamePool;
    case OpKind::kGlobalAveragePool: case OpKind::kRelu: case OpKind::kClip:
    case OpKind::kLeakyRelu: case OpKind::kSigmoid: case OpKind::kTanh:
    case OpKind::kHardSigmoid: case OpKind::kHardSwish:
      return Kind::kOwnRange;
    case OpKind::kSoftmax: return Kind::kSoftmax;
    case OpKind::kReshape: case OpKind::kFlatten: case OpKind::kTranspose:
    case OpKind::kSqueeze: case OpKind::kUnsqueeze: case OpKind::kIdentity:
    case OpKind::kSlice: case OpKind::kSplit: case OpKind::kGather: case OpKind::kPad:
    case OpKind::kResize:
      return Kind::kMove;
    default: return Kind::kNone;
  }
}

// Indices of the inputs that carry activations to quantize (others are weights, shapes, ...).
std::vector<int> DataInputs(const Node& n) {
  const Kind k = KindOf(n.op());
  if (k == Kind::kBinary) return {0, 1};
  if (k == Kind::kConcat) {
    std::vector<int> all;
    for (int i = 0; i < n.num_inputs(); ++i) all.push_back(i);
    return all;
  }
  return {0};
}

bool IsConstF32(const Value* v) { return v && v->is_constant() && v->dtype() == DType::kF32; }

std::vector<float> ToFloats(const Tensor& t) {
  const float* p = t.data<float>();
  return std::vector<float>(p, p + t.numel());
}

bool AllFinite(const Tensor& t) {
  const float* p = t.data<float>();
  for (int64_t i = 0; i < t.numel(); ++i)
    if (!std::isfinite(p[i])) return false;
  return true;
}

class Quantizer {
 public:
  Quantizer(Graph& g, const QuantizeInt8Options& o, PassStats* stats)
      : g_(g), o_(o), stats_(stats) {}

  Status Run() {
    if (!o_.table) return InvalidArgument("quantize_int8 needs a calibration table");
    if (o_.weight_bits != 7 && o_.weight_bits != 8)
      return InvalidArgument("quantize_int8: weight bits must be 7 or 8, got " +
                             std::to_string(o_.weight_bits));
    for (Node* n : g_.TopoOrder()) {
      const std::string why = WhyFloat(*n);
      if (why.empty()) {
        qnodes_.insert(n->name());
        TQ_RETURN_IF_ERROR(AssignParams(*n));
      } else if (KindOf(n->op()) != Kind::kNone || o_.float_nodes.count(n->name())) {
        stats_->notes.push_back("quantize_int8: " + g_.Where(n) + "stays float: " + why);
      }
    }
    TQ_RETURN_IF_ERROR(RewriteValues());
    for (const std::string& name : qnodes_) {
      Node* n = g_.FindNode(name);
      if (!n) return Internal("quantize_int8: lost node '" + name + "'");
      TQ_RETURN_IF_ERROR(RewriteNode(n));
      ++stats_->nodes_rewritten;
    }
    g_.RemoveUnusedValues();
    return Status::Ok();
  }

 private:
  bool Quantized(const Node* n) const { return n && qnodes_.count(n->name()) != 0; }
  const CalibrationEntry* RangeOf(const Value* v) const { return o_.table->Find(v->name()); }

  // "" when `n` can join the quantized region, else the reason it stays float.
  std::string WhyFloat(const Node& n) const {
    if (o_.float_nodes.count(n.name())) return "requested float (fallback)";
    const Kind k = KindOf(n.op());
    if (k == Kind::kNone) return std::string("no int8 kernel for ") + OpKindName(n.op());
    for (const Value* out : n.outputs())
      if (out && out->dtype() != DType::kF32) return "output is not float32";
    for (int i : DataInputs(n)) {
      const Value* v = n.input(i);
      if (!v || v->dtype() != DType::kF32) return "input " + std::to_string(i) + " is not float32";
      if (v->is_constant()) {
        if (k != Kind::kBinary && k != Kind::kConcat) return "constant data input";
        if (!AllFinite(*v->constant())) return "non-finite constant input";
        continue;
      }
      const bool from_int8 = Quantized(v->producer());
      if (k == Kind::kMove && !from_int8 && v->producer())
        return "data movement of a float value";
      if (!from_int8 && !RangeOf(v)) return "no calibrated range for input '" + v->name() + "'";
    }
    if (k == Kind::kMac || k == Kind::kBinary || k == Kind::kConcat || k == Kind::kOwnRange)
      for (const Value* out : n.outputs())
        if (out && !RangeOf(out)) return "no calibrated range for '" + out->name() + "'";
    return WhyFloatAttrs(n);
  }

  std::string WhyFloatAttrs(const Node& n) const {
    const Value* w = n.input(1);
    const Value* b = n.input(2);
    switch (n.op()) {
      case OpKind::kConv:
        if (!IsConstF32(w) || w->shape().size() != 4) return "weights are not a constant 2-D filter";
        if (b && (!IsConstF32(b) || b->constant()->numel() != w->shape()[0]))
          return "bias is not a constant vector";
        if (!AllFinite(*w->constant()) || (b && !AllFinite(*b->constant())))
          return "non-finite weights";
        return "";
      case OpKind::kGemm:
        if (n.GetInt("transA", 0) != 0) return "transA = 1";
        if (!IsConstF32(w) || w->shape().size() != 2) return "B is not a constant matrix";
        if (b) {
          const int64_t nout = w->shape()[n.GetInt("transB", 0) ? 0 : 1];
          if (!IsConstF32(b) || (b->constant()->numel() != nout && b->constant()->numel() != 1))
            return "C is not a constant vector";
        }
        if (n.input(0)->shape().size() != 2) return "A is not 2-D";
        return AllFinite(*w->constant()) ? "" : "non-finite weights";
      case OpKind::kMatMul:
        if (!IsConstF32(w) || w->shape().size() != 2) return "B is not a constant matrix";
        if (n.input(0)->shape().size() != 2) return "A is not 2-D";
        return AllFinite(*w->constant()) ? "" : "non-finite weights";
      case OpKind::kClip:
        for (int i = 1; i < n.num_inputs(); ++i)
          if (n.input(i) && !IsConstF32(n.input(i))) return "Clip bounds are not constants";
        return "";
      case OpKind::kPad:
        if (n.GetString("mode", "constant") != "constant") return "Pad mode is not constant";
        if (n.input(2) && (!IsConstF32(n.input(2)) || n.input(2)->constant()->data<float>()[0] != 0))
          return "Pad value is not 0";
        return "";
      case OpKind::kResize:
        return n.GetString("mode", "nearest") == "nearest" ? "" : "Resize mode is not nearest";
      default:
        return "";
    }
  }

  StatusOr<quant::QuantParamsS8> FromRange(const Value* v) const {
    const CalibrationEntry* e = RangeOf(v);
    if (!e) return Internal("quantize_int8: no range for '" + v->name() + "'");
    auto p = quant::ChooseAsymmetricParams(e->range.min, e->range.max);
    if (!p.ok())
      return InvalidArgument(g_.Where() + "tensor '" + v->name() + "': " + p.status().message());
    return *p;
  }

  Status AssignParams(const Node& n) {
    const Kind k = KindOf(n.op());
    for (int i : DataInputs(n)) {
      const Value* v = n.input(i);
      if (v->is_constant() || params_.count(v)) continue;
      TQ_ASSIGN_OR_RETURN(params_[v], FromRange(v));
    }
    for (const Value* out : n.outputs()) {
      if (!out) continue;
      if (k == Kind::kMove || k == Kind::kSamePool) {
        params_[out] = params_.at(n.input(0));
      } else if (k == Kind::kSoftmax) {
        params_[out] = {1.0f / 256.0f, -128};
      } else {
        TQ_ASSIGN_OR_RETURN(params_[out], FromRange(out));
      }
    }
    return Status::Ok();
  }

  static QuantParams ToIr(const quant::QuantParamsS8& p) {
    QuantParams q;
    q.scale = {p.scale};
    q.zero_point = {p.zero_point};
    return q;
  }

  // Adds QuantizeLinear (to_s8) or DequantizeLinear from `in` to a new value `out_name`.
  Value* AddBorder(Value* in, const quant::QuantParamsS8& p, bool to_s8, const std::string& out_name,
                   Value* out = nullptr) {
    Value* scale = g_.AddConstant(g_.UniqueName(out_name + ".scale"),
                                  Tensor::FromVector<float>({}, {p.scale}));
    Value* zp = g_.AddConstant(g_.UniqueName(out_name + ".zero_point"),
                               Tensor::FromVector<int8_t>({}, {static_cast<int8_t>(p.zero_point)}));
    if (!out) out = g_.AddValue(g_.UniqueName(out_name), to_s8 ? DType::kS8 : DType::kF32, in->shape());
    if (to_s8) out->set_quant(ToIr(p));
    g_.AddNode(to_s8 ? OpKind::kQuantizeLinear : OpKind::kDequantizeLinear,
               g_.UniqueName(out_name + (to_s8 ? "_quantize" : "_dequantize")), {in, scale, zp},
               {out});
    ++stats_->nodes_added;
    return out;
  }

  // Moves the uses of `from` selected by `pred` (quantized consumer or not) to `to`.
  void MoveUses(Value* from, Value* to, bool quantized_uses) {
    const std::vector<Use> uses = from->uses();
    for (const Use& u : uses)
      if (Quantized(u.node) == quantized_uses) g_.SetInput(u.node, u.index, to);
  }

  Status RewriteValues() {
    // By value name, not by address: the borders (and so the saved file) come out in the same
    // order whatever the heap layout.
    std::vector<std::pair<const Value*, quant::QuantParamsS8>> todo(params_.begin(), params_.end());
    std::sort(todo.begin(), todo.end(),
              [](const auto& a, const auto& b) { return a.first->name() < b.first->name(); });
    for (auto& [cv, p] : todo) {
      Value* v = const_cast<Value*>(cv);
      const bool out = IsGraphOutput(g_, v);
      const bool in = IsGraphInput(g_, v);
      const bool int8_source = Quantized(v->producer()) || (in && !o_.float_io);
      if (!int8_source) {  // float producer (or float graph input): Q for the int8 readers
        Value* q = AddBorder(v, p, true, v->name() + ".q");
        MoveUses(v, q, true);
        continue;
      }
      if (out && o_.float_io) {  // the float output keeps the name; int8 lives in <name>.q
        Value* q = g_.AddValue(g_.UniqueName(v->name() + ".q"), DType::kS8, v->shape());
        q->set_quant(ToIr(p));
        RebindOutput(g_, v->producer(), v, q);
        MoveUses(v, q, true);
        AddBorder(q, p, false, v->name(), v);
        continue;
      }
      v->set_dtype(DType::kS8);
      v->set_quant(ToIr(p));
      bool float_readers = false;
      for (const Use& u : v->uses()) float_readers |= !Quantized(u.node);
      if (float_readers) {
        Value* dq = AddBorder(v, p, false, v->name() + ".dq");
        // AddBorder made dq's producer read v; move the other float readers over.
        const std::vector<Use> uses = v->uses();
        for (const Use& u : uses)
          if (!Quantized(u.node) && u.node != dq->producer()) g_.SetInput(u.node, u.index, dq);
      }
    }
    return Status::Ok();
  }

  // Replaces constant input `i` of `n` by `t` (in place when `n` is its only reader).
  Value* SetConstantInput(Node* n, int i, Tensor t, QuantParams q) {
    Value* old = n->input(i);
    Value* v = old;
    if (old->uses().size() != 1 || IsGraphOutput(g_, old) || IsGraphInput(g_, old)) {
      v = g_.AddConstant(g_.UniqueName(old->name() + "_q"), std::move(t));
      g_.SetInput(n, i, v);
    } else {
      v->set_constant(std::move(t));
    }
    v->set_quant(std::move(q));
    return v;
  }

  Status QuantizeWeights(Node* n, const Tensor& w_oc_first, std::vector<float> bias) {
    const float s_in = n->input(0)->quant()->scale[0];  // set by RewriteValues
    TQ_ASSIGN_OR_RETURN(std::vector<float> scales, quant::ChooseSymmetricWeightScales(w_oc_first, 0));
    if (o_.weight_bits == 7)  // max|w| maps to 63 instead of 127
      for (float& s : scales) s = s * (127.0f / 63.0f);
    TQ_ASSIGN_OR_RETURN(Tensor wq, quant::QuantizeWeightsPerChannelS8(w_oc_first, 0, scales));
    QuantParams wp;
    wp.scale = scales;
    wp.zero_point.assign(scales.size(), 0);
    wp.axis = 0;
    SetConstantInput(n, 1, std::move(wq), wp);
    if (bias.empty()) return Status::Ok();
    TQ_ASSIGN_OR_RETURN(quant::BiasS32 bq, quant::QuantizeBiasS32(bias, s_in, scales));
    if (bq.num_saturated > 0)
      stats_->notes.push_back("quantize_int8: " + g_.Where(n) + std::to_string(bq.num_saturated) +
                              " bias values saturated to int32");
    QuantParams bp;
    for (double s : bq.scales) bp.scale.push_back(static_cast<float>(s));
    bp.zero_point.assign(bp.scale.size(), 0);
    bp.axis = 0;
    bp.storage = DType::kS32;
    SetConstantInput(n, 2, Tensor::FromVector<int32_t>({static_cast<int64_t>(bq.values.size())},
                                                       bq.values),
                     bp);
    return Status::Ok();
  }

  Status RewriteMac(Node* n) {
    TQ_ASSIGN_OR_RETURN(MacWeights mw, MacWeightsOutputFirst(g_, *n));
    if (n->op() == OpKind::kConv) return QuantizeWeights(n, mw.weights, std::move(mw.bias));
    // Gemm / MatMul -> Gemm(transA 0, transB 1, alpha 1, beta 1) with W' [N, K].
    if (n->op() == OpKind::kMatMul) {
      std::vector<Value*> inputs = n->inputs();
      std::vector<Value*> outputs = n->outputs();
      const std::string name = n->name();
      g_.RemoveNode(n);
      n = g_.AddNode(OpKind::kGemm, name, inputs, outputs);
    }
    n->mutable_attrs().erase("transA");
    n->mutable_attrs().erase("alpha");
    n->mutable_attrs().erase("beta");
    n->SetInt("transB", 1);
    return QuantizeWeights(n, mw.weights, std::move(mw.bias));
  }

  // A float constant operand of Add/Mul/Concat becomes an s8 per-tensor constant.
  Status RewriteConstOperands(Node* n) {
    for (int i : DataInputs(*n)) {
      Value* v = n->input(i);
      if (!v->is_constant() || v->dtype() != DType::kF32) continue;
      const std::vector<float> f = ToFloats(*v->constant());
      float lo = 0.0f, hi = 0.0f;
      for (float x : f) lo = std::min(lo, x), hi = std::max(hi, x);
      TQ_ASSIGN_OR_RETURN(quant::QuantParamsS8 p, quant::ChooseAsymmetricParams(lo, hi));
      TQ_ASSIGN_OR_RETURN(Tensor q, quant::QuantizeTensorS8(*v->constant(), p.scale, p.zero_point));
      SetConstantInput(n, i, std::move(q), ToIr(p));
    }
    return Status::Ok();
  }

  Status RewriteNode(Node* n) {
    switch (KindOf(n->op())) {
      case Kind::kMac: return RewriteMac(n);
      case Kind::kBinary: case Kind::kConcat: return RewriteConstOperands(n);
      default: return Status::Ok();
    }
  }

  Graph& g_;
  const QuantizeInt8Options& o_;
  PassStats* stats_;
  std::set<std::string> qnodes_;
  std::map<const Value*, quant::QuantParamsS8> params_;
};

}  // namespace

StatusOr<MacWeights> MacWeightsOutputFirst(const Graph& graph, const Node& n) {
  const Value* wv = n.input(1);
  const Value* bv = n.input(2);
  if (!IsConstF32(wv) || (bv && !IsConstF32(bv)))
    return InvalidArgument(graph.Where(&n) + "weights and bias must be float constants");
  MacWeights mw;
  if (n.op() == OpKind::kConv) {
    mw.weights = *wv->constant();
    if (bv) mw.bias = ToFloats(*bv->constant());
    return mw;
  }
  if ((n.op() != OpKind::kGemm && n.op() != OpKind::kMatMul) || wv->shape().size() != 2)
    return InvalidArgument(graph.Where(&n) + "expected a Conv, or a Gemm/MatMul with a 2-D B");
  const Tensor& b = *wv->constant();
  const bool trans_b = n.op() == OpKind::kGemm && n.GetInt("transB", 0) != 0;
  const float alpha = n.op() == OpKind::kGemm ? n.GetFloat("alpha", 1.0f) : 1.0f;
  const float beta = n.op() == OpKind::kGemm ? n.GetFloat("beta", 1.0f) : 1.0f;
  const int64_t nout = trans_b ? b.dim(0) : b.dim(1);
  const int64_t k = trans_b ? b.dim(1) : b.dim(0);
  std::vector<float> w(static_cast<size_t>(nout * k));
  const float* src = b.data<float>();
  for (int64_t o = 0; o < nout; ++o)
    for (int64_t i = 0; i < k; ++i)
      w[static_cast<size_t>(o * k + i)] = alpha * (trans_b ? src[o * k + i] : src[i * nout + o]);
  mw.weights = Tensor::FromVector<float>({nout, k}, w);
  if (bv) {
    const Tensor& c = *bv->constant();
    for (int64_t o = 0; o < nout; ++o)
      mw.bias.push_back(beta * c.data<float>()[c.numel() == 1 ? 0 : o]);
  }
  return mw;
}

bool IsInt8QuantizableOp(OpKind op) { return KindOf(op) != Kind::kNone; }

bool IsQuantizedGraph(const Graph& graph) {
  for (const auto& v : graph.values())
    if (v->quant()) return true;
  for (const auto& n : graph.nodes())
    if (n->op() == OpKind::kQuantizeLinear || n->op() == OpKind::kDequantizeLinear) return true;
  return false;
}

Status QuantizeInt8Pass::Run(Graph& graph, PassStats* stats) {
  return Quantizer(graph, options_, stats).Run();
}

}  // namespace tinyq
