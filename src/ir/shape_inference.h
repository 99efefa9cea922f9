// src/ir/shape_inference.h - static shape and dtype inference, one rule per op.
//
// A rule reads the node's inputs (dtype, shape, and the constant tensor where the output shape
// depends on a value, e.g. Reshape's shape input) and attributes, validates them, and sets dtype
// and shape on every output Value. Errors are InvalidModel/Unsupported with graph.Where(&node).
// The rules are grouped like the kernels (nn / elementwise / tensor ops); each group file appends
// its rules to the table.
#ifndef TINYQ_SRC_IR_SHAPE_INFERENCE_H_
#define TINYQ_SRC_IR_SHAPE_INFERENCE_H_

#include <vector>

#include "tinyq/ir.h"

namespace tinyq {

using ShapeFn = Status (*)(const Graph& graph, const Node& node);

struct ShapeRule {
  OpKind op;
  ShapeFn infer;
};

void AppendNnShapeRules(std::vector<ShapeRule>* table);
void AppendElementwiseShapeRules(std::vector<ShapeRule>* table);
void AppendTensorShapeRules(std::vector<ShapeRule>* table);

// Infers the outputs of one node (inputs must be known). Unsupported if no rule exists.
Status InferNodeShapes(const Graph& graph, const Node& node);

// Numpy-style multidirectional broadcast of two shapes; InvalidModel (with `where`) if they do
// not broadcast.
StatusOr<Shape> BroadcastShapes(const Shape& a, const Shape& b, const std::string& where);

// Resolves a possibly negative axis against `rank` (valid range [-rank, rank-1], or [-rank-1, rank]
// when `allow_end`); InvalidModel (with `where`) when out of range.
StatusOr<int> NormalizeAxis(int64_t axis, int rank, const std::string& where,
                            bool allow_end = false);

}  // namespace tinyq

#endif  // TINYQ_SRC_IR_SHAPE_INFERENCE_H_
