#include "src/ir/reduce_axes.h"

#include <string>

#include "src/ir/shape_inference.h"

namespace tinyq {

StatusOr<ReduceAxes> ResolveReduceAxes(const Graph& graph, const Node& node, const Shape& in) {
  std::vector<int64_t> axes = node.GetInts("axes");
  if (const Value* a = node.input(1)) {
    if (!a->is_constant())
      return Unsupported(graph.Where(&node) + "axes input '" + a->name() + "' must be constant");
    axes = a->constant()->ToInt64Vector();
  }
  ReduceAxes r;
  r.reduced.assign(in.size(), axes.empty() && node.GetInt("noop_with_empty_axes", 0) == 0);
  for (int64_t a : axes) {
    TQ_ASSIGN_OR_RETURN(int axis,
                        NormalizeAxis(a, static_cast<int>(in.size()), graph.Where(&node)));
    if (r.reduced[static_cast<size_t>(axis)])
      return InvalidModel(graph.Where(&node) + "axis " + std::to_string(a) + " is repeated");
    r.reduced[static_cast<size_t>(axis)] = true;
  }
  const bool keepdims = node.GetInt("keepdims", 1) != 0;
  for (size_t d = 0; d < in.size(); ++d) {
    if (r.reduced[d] && in[d] == 0)
      return InvalidModel(graph.Where(&node) + "cannot reduce the empty dim " + std::to_string(d));
    if (!r.reduced[d])
      r.out_shape.push_back(in[d]);
    else if (keepdims)
      r.out_shape.push_back(1);
  }
  return r;
}

}  // namespace tinyq
