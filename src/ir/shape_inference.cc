#include "src/ir/shape_inference.h"

#include <algorithm>

#include "src/ir/tensor_limits.h"

namespace tinyq {

Status InferNodeShapes(const Graph& graph, const Node& node) {
  static const std::vector<ShapeRule> table = [] {
    std::vector<ShapeRule> t;
    AppendNnShapeRules(&t);
    AppendElementwiseShapeRules(&t);
    AppendTensorShapeRules(&t);
    return t;
  }();
  for (int i = 0; i < node.num_inputs(); ++i) {
    const Value* v = node.input(i);
    if (v && !v->shape_known())
      return Internal(graph.Where(&node) + "input '" + v->name() + "' has no shape yet");
  }
  for (const ShapeRule& r : table) {
    if (r.op != node.op()) continue;
    TQ_RETURN_IF_ERROR(r.infer(graph, node));
    // An output derived from small inputs can still be huge (Tile, Expand, Resize, padding).
    for (const Value* o : node.outputs()) {
      if (o == nullptr) continue;
      TQ_RETURN_IF_ERROR(CheckTensorSize(o->shape(), DTypeSize(o->dtype()),
                                         graph.Where(&node) + "output '" + o->name() + "': "));
    }
    return Status::Ok();
  }
  return Unsupported(graph.Where(&node) + "no shape inference rule for this op");
}

StatusOr<Shape> BroadcastShapes(const Shape& a, const Shape& b, const std::string& where) {
  const size_t rank = std::max(a.size(), b.size());
  Shape out(rank);
  for (size_t i = 0; i < rank; ++i) {
    int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da != db && da != 1 && db != 1)
      return InvalidModel(where + "shapes " + ShapeToString(a) + " and " + ShapeToString(b) +
                          " do not broadcast");
    out[i] = da == 1 ? db : da;
  }
  return out;
}

StatusOr<int> NormalizeAxis(int64_t axis, int rank, const std::string& where, bool allow_end) {
  const int64_t hi = allow_end ? rank : rank - 1;
  const int64_t lo = allow_end ? -rank - 1 : -rank;
  if (axis < lo || axis > hi)
    return InvalidModel(where + "axis " + std::to_string(axis) + " out of range for rank " +
                        std::to_string(rank));
  return static_cast<int>(axis < 0 ? axis + (allow_end ? rank + 1 : rank) : axis);
}

}  // namespace tinyq
