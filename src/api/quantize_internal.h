// src/api/quantize_internal.h - the pieces of the quantize pipeline (src/api/quantize*.cc).
#ifndef TINYQ_SRC_API_QUANTIZE_INTERNAL_H_
#define TINYQ_SRC_API_QUANTIZE_INTERNAL_H_

#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "tinyq/quantize.h"

namespace tinyq {

// "node#i" for output i of its producer ("" for graph inputs/constants). quantize_int8 keeps node
// names, so the key matches a float tensor with its int8 counterpart.
inline std::string NodeOutputKey(const Value& v) {
  const Node* p = v.producer();
  if (!p) return "";
  for (int i = 0; i < p->num_outputs(); ++i)
    if (p->output(i) == &v) return p->name() + "#" + std::to_string(i);
  return "";
}

struct QuantizedGraph {
  std::unique_ptr<Graph> graph;
  std::vector<std::string> notes;  // nodes left in float and why
  int64_t int8_nodes = 0;
};

// quantize_int8 on a clone of `float_graph`, then an int8 executor is prepared; a node the int8
// kernels refuse is moved to float (noted) and the graph rebuilt, until it prepares.
StatusOr<QuantizedGraph> BuildQuantizedGraph(const Graph& float_graph,
                                             const CalibrationTable& table, const QuantizeOptions& o,
                                             std::set<std::string> float_nodes,
                                             std::vector<std::string>* notes);

// Runs the first `limit` samples of `data` through the float graph and the quantized graph, batch
// by batch: for each batch, `on_float` sees every float tensor, then `on_int8` every tensor of the
// int8 run (int8 tensors already dequantized to f32). A null visitor skips that executor.
using TensorVisitor = std::function<void(const Value&, const Tensor&)>;
Status StreamFloatAndInt8(const Graph& float_graph, const Graph& int8_graph, const Dataset& data,
                          const std::string& data_path, const QuantizeOptions& o, int64_t limit,
                          const TensorVisitor& on_float, const TensorVisitor& on_int8);

// Empirical bias correction: for every quantized Conv/Gemm, the per-channel mean output error
// (float - int8) over the calibration samples is added to its int32 bias.
Status CorrectBias(const Graph& float_graph, Graph& int8_graph, const Dataset& calib,
                   const std::string& calib_path, const QuantizeOptions& o,
                   std::vector<std::string>* notes);

// SQNR / cosine of every int8 tensor against the float tensor of the same node output.
StatusOr<std::vector<LayerError>> AnalyzeLayers(const Graph& float_graph, const Graph& int8_graph,
                                                const Dataset& calib, const std::string& calib_path,
                                                const QuantizeOptions& o);

}  // namespace tinyq

#endif  // TINYQ_SRC_API_QUANTIZE_INTERNAL_H_
