// src/onnx/import.h - ONNX bytes -> Graph, before shape inference and folding.
//
// LoadOnnx (load.cc) = ImportGraphWithoutShapes + InferShapesAndFold. This half depends only on
// the protobuf: it is tested on its own (tests/onnx/import_test.cc) without any shape rule.
#ifndef TINYQ_SRC_ONNX_IMPORT_H_
#define TINYQ_SRC_ONNX_IMPORT_H_

#include <memory>
#include <string>

#include "tinyq/ir.h"
#include "tinyq/onnx.h"

namespace tinyq {

// Parses `bytes` and builds the graph: graph inputs get static shapes (dynamic dims -> 1 unless
// `options.input_shapes` overrides), initializers and Constant nodes become constant Values, nodes
// are normalized to the canonical IR forms; intermediate values have no shape yet. Errors start
// with `source`: InvalidModel (parse failure, inconsistent model, cycle, bad tensor data),
// Unsupported (ONE error listing every unsupported op; opset outside 7..18; unsupported dtypes),
// InvalidArgument (bad input_shapes). External data is read relative to `base_dir` ("" refuses).
StatusOr<std::unique_ptr<Graph>> ImportGraphWithoutShapes(const std::string& bytes,
                                                          const std::string& source,
                                                          const std::string& base_dir,
                                                          const LoadOptions& options);

}  // namespace tinyq

#endif  // TINYQ_SRC_ONNX_IMPORT_H_
