// src/onnx/normalize.h - rewrites each opset's form of an op into the ONE canonical IR form of
// docs/ir_ops.md, so shape rules and kernels implement a single semantics.
#ifndef TINYQ_SRC_ONNX_NORMALIZE_H_
#define TINYQ_SRC_ONNX_NORMALIZE_H_

#include <map>
#include <set>
#include <string>
#include <vector>

#include "tinyq/ir.h"

namespace tinyq {

// A node as read from ONNX, before it is added to the Graph. Absent optional inputs/outputs are
// nullptr. Normalization edits it in place and may add constant Values to the graph.
struct PendingNode {
  OpKind op = OpKind::kIdentity;
  std::string name;
  std::vector<Value*> inputs;
  std::vector<Value*> outputs;
  std::map<std::string, Attribute> attrs;
};

// "model.onnx: node 'n' (Op): ".
std::string WhereNode(const Graph& graph, const PendingNode& node);

// Brings `node`, written for default-domain `opset`, into canonical form. Inputs that must be
// constant to become attributes (Squeeze/Unsqueeze/Reduce axes, Split sizes) are read from the
// graph's constants; a non-constant one is Unsupported. Attribute errors are InvalidModel.
// `consumed` holds every value name some node or graph output reads: training-only outputs
// (BatchNormalization's running stats) are dropped when unused, Unsupported when used. Also trims
// trailing absent inputs/outputs.
Status NormalizeNode(Graph& graph, int64_t opset, const std::set<std::string>& consumed,
                     PendingNode* node);

}  // namespace tinyq

#endif  // TINYQ_SRC_ONNX_NORMALIZE_H_
