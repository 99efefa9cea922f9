// PrintGraph, NodeMacs, NodeParams: read-only views of a graph.
#include <sstream>

#include "tinyq/ir.h"

namespace tinyq {

int64_t NodeParams(const Node& node) {
  int64_t n = 0;
  for (const Value* v : node.inputs())
    if (v && v->is_constant() && (v->dtype() == DType::kF32 || v->dtype() == DType::kS8 ||
                                  v->dtype() == DType::kS32 || v->dtype() == DType::kU8))
      n += v->constant()->numel();
  return n;
}

int64_t NodeMacs(const Node& node) {
  const Value* out = node.output(0);
  if (!out || !out->shape_known()) return 0;
  const int64_t out_elems = NumElements(out->shape());
  switch (node.op()) {
    case OpKind::kConv: {
      const Value* w = node.input(1);
      if (!w || w->shape().size() < 2) return 0;
      int64_t per_out = 1;  // (Cin/groups) * kernel elements
      for (size_t i = 1; i < w->shape().size(); ++i) per_out *= w->shape()[i];
      return out_elems * per_out;
    }
    case OpKind::kConvTranspose: {
      const Value* x = node.input(0);
      const Value* w = node.input(1);
      if (!x || !w || w->shape().size() < 2) return 0;
      int64_t per_in = 1;  // (Cout/groups) * kernel elements per input element
      for (size_t i = 1; i < w->shape().size(); ++i) per_in *= w->shape()[i];
      return NumElements(x->shape()) * per_in;
    }
    case OpKind::kGemm:
    case OpKind::kMatMul: {
      const Value* a = node.input(0);
      if (!a || a->shape().empty()) return 0;
      int64_t k = a->shape().back();
      if (node.op() == OpKind::kGemm && node.GetInt("transA", 0) && a->shape().size() == 2)
        k = a->shape()[0];
      return out_elems * k;
    }
    default:
      return 0;
  }
}

std::string PrintGraph(const Graph& g) {
  std::ostringstream os;
  auto val = [](const Value* v) {
    if (!v) return std::string("<none>");
    std::string s = "%" + v->name() + ":" + DTypeName(v->dtype()) + ShapeToString(v->shape());
    if (v->is_constant()) s += "(const)";
    return s;
  };
  os << "graph " << (g.name().empty() ? "<unnamed>" : g.name()) << " (opset " << g.opset()
     << ")\n";
  for (const Value* v : g.inputs()) os << "  input  " << val(v) << "\n";
  for (const Value* v : g.outputs()) os << "  output " << val(v) << "\n";
  for (const Node* n : g.TopoOrder()) {
    os << "  ";
    for (size_t i = 0; i < n->outputs().size(); ++i) os << (i ? ", " : "") << val(n->outputs()[i]);
    os << " = " << OpKindName(n->op()) << "[" << n->name() << "](";
    for (size_t i = 0; i < n->inputs().size(); ++i) os << (i ? ", " : "") << val(n->inputs()[i]);
    os << ")\n";
  }
  return os.str();
}

}  // namespace tinyq
