// Per-layer error analysis: every int8 tensor against the float tensor of the same node output.
#include <cmath>
#include <map>

#include "src/api/quantize_internal.h"

namespace tinyq {
namespace {

struct Acc {
  double ref2 = 0, err2 = 0, dot = 0, test2 = 0, max_abs = 0;
  void Add(const float* r, const float* t, int64_t n) {
    for (int64_t i = 0; i < n; ++i) {
      const double a = r[i], b = t[i], d = a - b;
      ref2 += a * a;
      test2 += b * b;
      err2 += d * d;
      dot += a * b;
      max_abs = std::max(max_abs, std::fabs(d));
    }
  }
};

}  // namespace

StatusOr<std::vector<LayerError>> AnalyzeLayers(const Graph& float_graph, const Graph& int8_graph,
                                                const Dataset& calib, const std::string& calib_path,
                                                const QuantizeOptions& o) {
  std::map<std::string, const Node*> quantized;  // key -> int8 node
  for (const auto& n : int8_graph.nodes())
    for (int i = 0; i < n->num_outputs(); ++i)
      if (n->output(i) && n->output(i)->dtype() == DType::kS8 && float_graph.FindNode(n->name()))
        quantized[n->name() + "#" + std::to_string(i)] = n.get();
  std::map<std::string, std::vector<Tensor>> pending;  // float tensors of the current batch
  std::map<std::string, size_t> seen;
  std::map<std::string, Acc> acc;
  TQ_RETURN_IF_ERROR(StreamFloatAndInt8(
      float_graph, int8_graph, calib, calib_path, o, o.analysis_samples,
      [&](const Value& v, const Tensor& t) {
        const std::string k = NodeOutputKey(v);
        if (quantized.count(k)) pending[k].push_back(t);
      },
      [&](const Value& v, const Tensor& t) {
        const std::string k = NodeOutputKey(v);
        auto it = pending.find(k);
        if (it == pending.end() || !quantized.count(k)) return;
        size_t& i = seen[k];
        if (i < it->second.size() && it->second[i].numel() == t.numel())
          acc[k].Add(it->second[i].data<float>(), t.data<float>(), t.numel());
        if (++i == it->second.size()) {
          pending.erase(it);
          seen.erase(k);
        }
      }));
  std::vector<LayerError> rows;
  for (const Node* n : int8_graph.TopoOrder()) {
    for (int i = 0; i < n->num_outputs(); ++i) {
      const std::string k = n->name() + "#" + std::to_string(i);
      auto a = acc.find(k);
      if (a == acc.end()) continue;
      LayerError e;
      e.tensor = float_graph.FindNode(n->name())->output(i)->name();
      e.node = n->name();
      e.op = OpKindName(n->op());
      e.sqnr_db = a->second.err2 == 0 ? 999.0
                  : a->second.ref2 == 0 ? -999.0
                  : 10.0 * std::log10(a->second.ref2 / a->second.err2);
      const double den = std::sqrt(a->second.ref2 * a->second.test2);
      e.cosine = den == 0 ? (a->second.err2 == 0 ? 1.0 : 0.0) : a->second.dot / den;
      e.max_abs_error = a->second.max_abs;
      rows.push_back(e);
    }
  }
  return rows;
}

}  // namespace tinyq
