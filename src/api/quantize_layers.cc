// Per-layer error analysis: every int8 tensor against the float tensor of the same node output.
#include <cmath>
#include <map>

#include "src/api/quantize_internal.h"
#include "src/quant/error_stats.h"

namespace tinyq {

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
  std::map<std::string, quant::ErrorAccumulator> acc;
  Status err = Status::Ok();
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
        if (i < it->second.size() && it->second[i].numel() == t.numel() && err.ok())
          err = acc.try_emplace(k, k).first->second.Add(it->second[i].data<float>(),
                                                        t.data<float>(), t.numel());
        if (++i == it->second.size()) {
          pending.erase(it);
          seen.erase(k);
        }
      }));
  TQ_RETURN_IF_ERROR(err);
  std::vector<LayerError> rows;
  for (const Node* n : int8_graph.TopoOrder()) {
    for (int i = 0; i < n->num_outputs(); ++i) {
      const std::string k = n->name() + "#" + std::to_string(i);
      auto a = acc.find(k);
      if (a == acc.end()) continue;
      TQ_ASSIGN_OR_RETURN(quant::ErrorStats st, a->second.Stats());
      LayerError e;
      e.tensor = float_graph.FindNode(n->name())->output(i)->name();
      e.node = n->name();
      e.op = OpKindName(n->op());
      // The report's finite stand-ins for an exact match (+inf) or an all-zero reference (-inf).
      e.sqnr_db = std::isinf(st.sqnr_db) ? (st.sqnr_db > 0 ? 999.0 : -999.0) : st.sqnr_db;
      e.cosine = st.cosine;
      e.max_abs_error = st.max_abs_error;
      rows.push_back(e);
    }
  }
  return rows;
}

}  // namespace tinyq
