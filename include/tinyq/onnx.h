// tinyq/onnx.h - ONNX import and export.
#ifndef TINYQ_ONNX_H_
#define TINYQ_ONNX_H_

#include <map>
#include <memory>
#include <string>

#include "tinyq/ir.h"
#include "tinyq/status.h"

namespace tinyq {

struct LoadOptions {
  // Overrides for graph input shapes ("input" -> {8,1,28,28}). Dynamic dimensions not covered
  // here become 1.
  std::map<std::string, Shape> input_shapes;
};

// Reads an ONNX model (opsets 7..18, default domain) into a Graph with static shapes; shape
// subgraphs are folded to constants. Errors: IoError (cannot read), InvalidModel (malformed,
// inconsistent), Unsupported (ONE error listing every unsupported op with its node name).
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

}  // namespace tinyq

#endif  // TINYQ_ONNX_H_
