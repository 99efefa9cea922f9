// Summarize: the `inspect` view of a model (inputs, outputs, per-node shapes, params, MACs).
#include <iomanip>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tinyq/api.h"

namespace tinyq {

ModelSummary Summarize(const Graph& graph) {
  ModelSummary s;
  s.source = graph.source();
  s.opset = graph.opset();
  for (const Value* v : graph.inputs()) s.inputs.push_back({v->name(), DTypeName(v->dtype()), v->shape()});
  for (const Value* v : graph.outputs())
    s.outputs.push_back({v->name(), DTypeName(v->dtype()), v->shape()});
  for (const Node* n : graph.TopoOrder()) {
    NodeSummary ns;
    ns.name = n->name();
    ns.op = OpKindName(n->op());
    for (const Value* o : n->outputs())
      if (o) ns.output_shapes.push_back(o->shape());
    ns.params = NodeParams(*n);
    ns.macs = NodeMacs(*n);
    s.total_macs += ns.macs;
    s.nodes.push_back(std::move(ns));
  }
  for (const auto& v : graph.values()) {
    if (!v->is_constant() || v->uses().empty()) continue;
    const DType t = v->dtype();
    if (t == DType::kF32 || t == DType::kS8 || t == DType::kU8 || t == DType::kS32) {
      s.total_params += v->constant()->numel();
      s.weight_bytes += static_cast<int64_t>(v->constant()->nbytes());
    }
  }
  return s;
}

std::string SummaryToJson(const ModelSummary& s) {
  using nlohmann::json;
  auto values = [](const std::vector<ValueSummary>& vs) {
    json a = json::array();
    for (const auto& v : vs) a.push_back({{"name", v.name}, {"dtype", v.dtype}, {"shape", v.shape}});
    return a;
  };
  json nodes = json::array();
  for (const auto& n : s.nodes)
    nodes.push_back({{"name", n.name}, {"op", n.op}, {"output_shapes", n.output_shapes},
                     {"params", n.params}, {"macs", n.macs}});
  json j = {{"model", s.source},          {"opset", s.opset},
            {"inputs", values(s.inputs)}, {"outputs", values(s.outputs)},
            {"nodes", nodes},             {"total_params", s.total_params},
            {"total_macs", s.total_macs}, {"weight_bytes", s.weight_bytes}};
  return j.dump(2);
}

std::string SummaryToText(const ModelSummary& s) {
  std::ostringstream os;
  os << "model  " << s.source << "  (opset " << s.opset << ")\n";
  for (const auto& v : s.inputs)
    os << "input  " << v.name << "  " << v.dtype << ShapeToString(v.shape) << "\n";
  for (const auto& v : s.outputs)
    os << "output " << v.name << "  " << v.dtype << ShapeToString(v.shape) << "\n";
  size_t wname = 4, wop = 2;
  for (const auto& n : s.nodes) {
    wname = std::max(wname, n.name.size());
    wop = std::max(wop, n.op.size());
  }
  os << "\n" << std::left << std::setw(static_cast<int>(wname) + 2) << "node"
     << std::setw(static_cast<int>(wop) + 2) << "op" << std::setw(22) << "output"
     << std::right << std::setw(10) << "params" << std::setw(14) << "MACs" << "\n";
  for (const auto& n : s.nodes) {
    std::string shapes;
    for (size_t i = 0; i < n.output_shapes.size(); ++i)
      shapes += (i ? " " : "") + ShapeToString(n.output_shapes[i]);
    os << std::left << std::setw(static_cast<int>(wname) + 2) << n.name
       << std::setw(static_cast<int>(wop) + 2) << n.op << std::setw(22) << shapes << std::right
       << std::setw(10) << n.params << std::setw(14) << n.macs << "\n";
  }
  os << "\n" << s.nodes.size() << " nodes, " << s.total_params << " parameters ("
     << s.weight_bytes << " bytes), " << s.total_macs << " MACs\n";
  return os.str();
}

}  // namespace tinyq
