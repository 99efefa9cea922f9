// Verify(graph): the structural invariants every pass must preserve. Tests run it after each pass.
#include <cmath>
#include <limits>
#include <set>
#include <unordered_map>

#include "tinyq/ir.h"

namespace tinyq {
namespace {

Status Bad(const Graph& g, const Node* n, const std::string& msg) {
  return InvalidModel(g.Where(n) + msg);
}

std::pair<int64_t, int64_t> StorageRange(DType t) {
  switch (t) {
    case DType::kS8: return {-128, 127};
    case DType::kU8: return {0, 255};
    case DType::kS16: return {-32768, 32767};
    case DType::kU16: return {0, 65535};
    case DType::kS32:
      return {std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max()};
    default: return {0, -1};
  }
}

Status VerifyValue(const Graph& g, const Value& v) {
  const std::string where = g.Where() + "value '" + v.name() + "': ";
  if (!v.shape_known()) return InvalidModel(where + "shape is not known");
  for (int64_t d : v.shape())
    if (d < 0) return InvalidModel(where + "negative dimension in " + ShapeToString(v.shape()));
  if (const Tensor* t = v.constant()) {
    if (t->dtype() != v.dtype())
      return InvalidModel(where + "constant dtype " + DTypeName(t->dtype()) +
                          " differs from value dtype " + DTypeName(v.dtype()));
    if (t->shape() != v.shape())
      return InvalidModel(where + "constant shape " + ShapeToString(t->shape()) +
                          " differs from value shape " + ShapeToString(v.shape()));
  }
  if (const auto& q = v.quant()) {
    if (q->scale.empty() || q->scale.size() != q->zero_point.size())
      return InvalidModel(where + "quant params need as many zero points as scales (>= 1)");
    for (float s : q->scale)
      if (!(s > 0.0f) || !std::isfinite(s))
        return InvalidModel(where + "quant scale " + std::to_string(s) +
                            " must be finite and > 0");
    auto [lo, hi] = StorageRange(q->storage);
    if (lo > hi) return InvalidModel(where + "quant storage type must be an integer type");
    for (int32_t z : q->zero_point)
      if (z < lo || z > hi)
        return InvalidModel(where + "zero point " + std::to_string(z) + " out of range for " +
                            DTypeName(q->storage));
    if (q->scale.size() > 1) {
      int rank = static_cast<int>(v.shape().size());
      if (q->axis < 0 || q->axis >= rank ||
          v.shape()[static_cast<size_t>(q->axis)] != static_cast<int64_t>(q->scale.size()))
        return InvalidModel(where + "per-channel quant axis " + std::to_string(q->axis) +
                            " does not match " + std::to_string(q->scale.size()) + " scales");
    }
  }
  return Status::Ok();
}

}  // namespace

Status Verify(const Graph& g) {
  std::set<std::string> names;
  std::set<const Value*> owned;
  for (const auto& v : g.values()) {
    if (!names.insert(v->name()).second)
      return InvalidModel(g.Where() + "duplicate value name '" + v->name() + "'");
    owned.insert(v.get());
  }
  std::set<std::string> node_names;
  std::unordered_map<const Value*, const Node*> producer;
  std::set<const Node*> node_set;
  for (const auto& n : g.nodes()) node_set.insert(n.get());
  for (const auto& up : g.nodes()) {
    const Node* n = up.get();
    if (!n->name().empty() && !node_names.insert(n->name()).second)
      return Bad(g, n, "duplicate node name");
    for (const Value* o : n->outputs()) {
      if (!o) continue;
      if (!owned.count(o)) return Bad(g, n, "output is not a value of this graph");
      if (producer.count(o))
        return Bad(g, n, "value '" + o->name() + "' is also produced by node '" +
                             producer[o]->name() + "'");
      producer[o] = n;
      if (o->producer() != n) return Bad(g, n, "output '" + o->name() + "' has a wrong producer");
      if (o->is_constant()) return Bad(g, n, "output '" + o->name() + "' is also a constant");
    }
  }
  std::set<const Value*> graph_inputs(g.inputs().begin(), g.inputs().end());
  for (const auto& up : g.nodes()) {
    const Node* n = up.get();
    for (int i = 0; i < n->num_inputs(); ++i) {
      const Value* v = n->input(i);
      if (!v) continue;
      if (!owned.count(v)) return Bad(g, n, "input " + std::to_string(i) + " is not a value");
      if (!producer.count(v) && !v->is_constant() && !graph_inputs.count(v))
        return Bad(g, n, "input '" + v->name() +
                             "' is not produced by any node, not a constant and not a graph input");
      bool listed = false;
      for (const Use& u : v->uses())
        if (u.node == n && u.index == i) listed = true;
      if (!listed) return Bad(g, n, "use list of '" + v->name() + "' misses this node");
    }
  }
  for (const auto& v : g.values()) {
    for (const Use& u : v->uses())
      if (!node_set.count(u.node) || u.node->input(u.index) != v.get())
        return InvalidModel(g.Where() + "value '" + v->name() + "' has a stale use");
    if (v->producer() && !node_set.count(v->producer()))
      return InvalidModel(g.Where() + "value '" + v->name() + "' has a removed producer");
  }
  for (const Value* v : g.inputs()) {
    if (!owned.count(v)) return InvalidModel(g.Where() + "graph input is not a value");
    if (v->producer())
      return InvalidModel(g.Where() + "graph input '" + v->name() + "' has a producer");
  }
  for (const Value* v : g.outputs()) {
    if (!owned.count(v)) return InvalidModel(g.Where() + "graph output is not a value");
    if (!v->producer() && !v->is_constant() && !graph_inputs.count(v))
      return InvalidModel(g.Where() + "graph output '" + v->name() + "' is never computed");
  }
  auto order = g.TopoOrder();
  if (order.size() != g.nodes().size()) {
    std::set<const Node*> seen(order.begin(), order.end());
    for (const auto& n : g.nodes())
      if (!seen.count(n.get())) return Bad(g, n.get(), "node is on a cycle");
  }
  for (const auto& v : g.values()) {
    bool used = v->producer() || !v->uses().empty() || graph_inputs.count(v.get());
    if (!used) continue;
    TQ_RETURN_IF_ERROR(VerifyValue(g, *v));
  }
  return Status::Ok();
}

}  // namespace tinyq
