// src/ir/reduce_axes.h - which dims a ReduceMean/ReduceMax/ReduceSum node reduces, and its output
// shape. Shared by the shape rule and the float kernel.
#ifndef TINYQ_SRC_IR_REDUCE_AXES_H_
#define TINYQ_SRC_IR_REDUCE_AXES_H_

#include <vector>

#include "tinyq/ir.h"

namespace tinyq {

struct ReduceAxes {
  std::vector<bool> reduced;  // per input dim
  Shape out_shape;            // with keepdims applied
};

// Axes come from the `axes` attribute (canonical form, docs/ir_ops.md) or, if the node still has
// one, a constant second input. No/empty axes: all dims, or none when noop_with_empty_axes = 1.
// InvalidModel for out-of-range or repeated axes, a non-constant axes input, or reducing an empty
// dim; messages start with graph.Where(&node).
StatusOr<ReduceAxes> ResolveReduceAxes(const Graph& graph, const Node& node, const Shape& in);

}  // namespace tinyq

#endif  // TINYQ_SRC_IR_REDUCE_AXES_H_
