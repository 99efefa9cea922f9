// ExpandToQdq: QOp form -> QDQ form on a copy of the graph (see qdq.h for the sketch).
//
// Per quantized node N (some input or output has QuantParams; Q/DQ border nodes excepted):
//   input v with params  ->  DequantizeLinear(v, scale, [zero_point]) -> "<v>_dq" (f32), shared by
//                            every reader of v
//   output o with params ->  N writes "<o>_f32" (f32), QuantizeLinear(.., scale, zp) writes o
//   tq_act on N          ->  N writes "<out>_preact", Relu/Clip writes what N wrote before
// Real value of a quantized element: real = scale * (q - zero_point) (ONNX DequantizeLinear).
#include <cmath>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "src/onnx/qdq.h"

namespace tinyq {
namespace {

bool IsQdqOp(OpKind op) { return op == OpKind::kQuantizeLinear || op == OpKind::kDequantizeLinear; }

bool IsQuantizedNode(const Node& n) {
  if (IsQdqOp(n.op())) return false;
  for (const Value* v : n.inputs())
    if (v && v->quant()) return true;
  for (const Value* v : n.outputs())
    if (v && v->quant()) return true;
  return false;
}

class Expander {
 public:
  explicit Expander(Graph& g) : g_(g) {}

  Status Run() {
    for (Node* n : g_.TopoOrder()) {
      const bool quantized = IsQuantizedNode(*n);
      if (!quantized && !n->HasAttr("tq_act")) continue;
      TQ_RETURN_IF_ERROR(ExpandNode(n, quantized));
    }
    return Status::Ok();
  }

 private:
  // Scale and zero-point constants of `q` for a value of rank `rank`: per-axis (1-D, `axis`
  // attribute) when q.axis >= 0, else scalars. No zero point for s32 storage.
  void AddParams(const QuantParams& q, const std::string& base, Value** scale, Value** zp) {
    const bool per_axis = q.axis >= 0;
    const Shape shape = per_axis ? Shape{static_cast<int64_t>(q.scale.size())} : Shape{};
    *scale =
        g_.AddConstant(g_.UniqueName(base + "_scale"), Tensor::FromVector<float>(shape, q.scale));
    *zp = nullptr;
    if (q.storage == DType::kS32) return;
    std::vector<int32_t> z = q.zero_point;
    Tensor t = Tensor::FromVector<int32_t>(shape, z).CastTo(q.storage);
    *zp = g_.AddConstant(g_.UniqueName(base + "_zero_point"), std::move(t));
  }

  Node* AddQdqNode(OpKind op, const std::string& base, Value* x, const QuantParams& q, Value* y) {
    Value* scale = nullptr;
    Value* zp = nullptr;
    AddParams(q, y->name(), &scale, &zp);
    std::vector<Value*> inputs = {x, scale};
    if (zp) inputs.push_back(zp);
    Node* node = g_.AddNode(op, g_.UniqueName(base), inputs, {y});
    if (q.axis >= 0) node->SetInt("axis", q.axis);
    return node;
  }

  StatusOr<Value*> Dequantized(const Node& n, Value* v) {
    auto it = dq_.find(v);
    if (it != dq_.end()) return it->second;
    if (v->dtype() != DType::kS8 && v->dtype() != DType::kS32)
      return FailedPrecondition(g_.Where(&n) + "input '" + v->name() +
                                "' has quant params but dtype " + DTypeName(v->dtype()) +
                                " (s8/s32 expected)");
    if (v->quant()->storage != v->dtype())
      return FailedPrecondition(g_.Where(&n) + "input '" + v->name() + "' has storage " +
                                DTypeName(v->quant()->storage) + " but dtype " +
                                DTypeName(v->dtype()));
    Value* f = g_.AddValue(g_.UniqueName(v->name() + "_dq"), DType::kF32);
    if (v->shape_known()) f->set_shape(v->shape());
    AddQdqNode(OpKind::kDequantizeLinear, v->name() + "_dequantize", v, *v->quant(), f);
    dq_[v] = f;
    return f;
  }

  Value* FloatLike(const Value* v, const std::string& suffix) {
    Value* f = g_.AddValue(g_.UniqueName(v->name() + suffix), DType::kF32);
    if (v->shape_known()) f->set_shape(v->shape());
    return f;
  }

  Value* AddBound(const std::string& base, float v) {
    return g_.AddConstant(g_.UniqueName(base), Tensor::FromVector<float>({}, {v}));
  }

  // Re-emits the fused activation of `n` as a node reading `pre` and writing `out`.
  Status AddActivation(const Node& n, Value* pre, Value* out) {
    const std::string act = n.GetString("tq_act", "");
    const float inf = std::numeric_limits<float>::infinity();
    const float lo = n.GetFloat("tq_act_min", act == "relu" ? 0.0f : -inf);
    const float hi = n.GetFloat("tq_act_max", inf);
    if (act != "relu" && act != "clip")
      return Unsupported(g_.Where(&n) + "unknown fused activation tq_act='" + act + "'");
    if (act == "relu" || (lo == 0.0f && hi == inf)) {
      g_.AddNode(OpKind::kRelu, g_.UniqueName(n.name() + "_relu"), {pre}, {out});
      return Status::Ok();
    }
    Value* min = std::isinf(lo) && lo < 0 ? nullptr : AddBound(n.name() + "_clip_min", lo);
    Value* max = std::isinf(hi) && hi > 0 ? nullptr : AddBound(n.name() + "_clip_max", hi);
    std::vector<Value*> inputs = {pre, min};
    if (max) inputs.push_back(max);
    if (!max && !min) inputs.pop_back();
    g_.AddNode(OpKind::kClip, g_.UniqueName(n.name() + "_clip"), inputs, {out});
    return Status::Ok();
  }

  Status ExpandNode(Node* n, bool quantized) {
    if (quantized) {
      for (int i = 0; i < n->num_inputs(); ++i) {
        Value* v = n->input(i);
        if (v && !v->quant() && v->dtype() == DType::kS8)
          return FailedPrecondition(g_.Where(n) + "input '" + v->name() +
                                    "' is s8 without quant params");
        if (!v || !v->quant()) continue;
        TQ_ASSIGN_OR_RETURN(Value * f, Dequantized(*n, v));
        g_.SetInput(n, i, f);
      }
    }
    // Outputs of the float op: new f32 values for quantized outputs; output 0 goes through the
    // activation first when there is one.
    std::vector<Value*> outputs = n->outputs();
    std::vector<std::pair<Value*, Value*>> requantize;  // (f32 value, original s8 output)
    for (Value*& o : outputs) {
      if (quantized && o && !o->quant() && (o->dtype() == DType::kS8 || o->dtype() == DType::kS32))
        return FailedPrecondition(g_.Where(n) + "output '" + o->name() + "' is " +
                                  DTypeName(o->dtype()) + " without quant params");
      if (!o || !o->quant()) continue;
      if (o->dtype() != DType::kS8 || o->quant()->storage != DType::kS8)
        return FailedPrecondition(g_.Where(n) + "output '" + o->name() +
                                  "' has quant params but is not s8");
      Value* f = FloatLike(o, "_f32");
      requantize.emplace_back(f, o);
      o = f;
    }
    const bool has_act = n->HasAttr("tq_act");
    Value* act_out = nullptr;
    if (has_act && !outputs.empty() && outputs[0]) {
      act_out = outputs[0];
      outputs[0] = FloatLike(act_out, "_preact");
    }
    // The Graph API cannot retarget an output slot: re-create the node with the new outputs.
    const OpKind op = n->op();
    const std::string name = n->name();
    const std::vector<Value*> inputs = n->inputs();
    std::map<std::string, Attribute> attrs = n->attrs();
    g_.RemoveNode(n);
    Node* nn = g_.AddNode(op, name, inputs, outputs);
    nn->mutable_attrs() = attrs;
    if (has_act) {
      if (act_out) TQ_RETURN_IF_ERROR(AddActivation(*nn, outputs[0], act_out));
      for (const char* k : {"tq_act", "tq_act_min", "tq_act_max"}) nn->mutable_attrs().erase(k);
    }
    for (auto& [f, o] : requantize)
      AddQdqNode(OpKind::kQuantizeLinear, o->name() + "_quantize", f, *o->quant(), o);
    return Status::Ok();
  }

  Graph& g_;
  std::map<const Value*, Value*> dq_;  // s8/s32 value -> its DequantizeLinear output
};

}  // namespace

bool NeedsQdqExpansion(const Graph& graph) {
  for (const auto& n : graph.nodes())
    if (n->HasAttr("tq_act") || IsQuantizedNode(*n)) return true;
  return false;
}

StatusOr<std::unique_ptr<Graph>> ExpandToQdq(const Graph& graph) {
  std::unique_ptr<Graph> g = graph.Clone();
  Expander expander(*g);
  TQ_RETURN_IF_ERROR(expander.Run());
  return g;
}

}  // namespace tinyq
