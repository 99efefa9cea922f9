// tinyq/onnx.h - ONNX import and export.
#ifndef TINYQ_ONNX_H_
#define TINYQ_ONNX_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tinyq/ir.h"
#include "tinyq/status.h"

namespace tinyq {

struct LoadOptions {
  // Overrides for graph input shapes ("input" -> {8,1,28,28}). Dynamic dimensions not covered
  // here become 1.
  std::map<std::string, Shape> input_shapes;
  // Inputs frozen to a known value: each becomes a constant of the graph (and is no longer an
  // input), so shape parameters fed as inputs (a Reshape target, Slice starts) fold away.
  std::map<std::string, Tensor> constant_inputs;
  // Fold QuantizeLinear/DequantizeLinear patterns into the quantized IR (QOp form,
  // docs/quantized_ir.md). false keeps them as nodes: a float graph of the file's exact semantics
  // (int8 weights then stay int8 constants read by their DequantizeLinear).
  bool fold_qdq = true;
};

// Reads an ONNX model (opsets 7..18, default domain) into a Graph with static shapes; shape
// subgraphs are folded to constants; QDQ patterns become QOp form (LoadOptions::fold_qdq).
// Errors: IoError (cannot read), InvalidModel (malformed, inconsistent), Unsupported (ONE error
// listing every unsupported op with its node name).
StatusOr<std::unique_ptr<Graph>> LoadOnnx(const std::string& path, const LoadOptions& options = {});
// Same, from bytes in memory; `source` names the model in error messages, `base_dir` is where
// external data files are looked up ("" refuses external data).
StatusOr<std::unique_ptr<Graph>> LoadOnnxFromBytes(const std::string& bytes,
                                                   const std::string& source,
                                                   const std::string& base_dir,
                                                   const LoadOptions& options = {});

// Writes the graph as an ONNX model (opset of the graph, at least 13). The file is written to a
// temporary name and renamed, so a failure never leaves a partial file.
Status SaveOnnx(const Graph& graph, const std::string& path);
StatusOr<std::string> SerializeOnnx(const Graph& graph);

// Reads a serialized TensorProto file (the ONNX test-data format, e.g. input_0.pb).
StatusOr<Tensor> ReadTensorProtoFile(const std::string& path);

// What a model file declares, read without importing it (no validation beyond parsing).
struct OnnxFileInfo {
  std::vector<std::string> ops;     // node op types in file order ("Conv", or "domain:Op")
  std::vector<std::string> inputs;  // graph inputs that are not initializers, in order
  // For each graph input: the (op type, input index) of every node input it feeds.
  std::map<std::string, std::vector<std::pair<std::string, int>>> input_uses;
};
StatusOr<OnnxFileInfo> InspectOnnxFile(const std::string& path);

}  // namespace tinyq

#endif  // TINYQ_ONNX_H_
