#include "src/exec/kernels_nn.h"

#include <string>

namespace tinyq {

Status CheckNnNode(const Graph& graph, const Node& node, int required, int f32_inputs,
                   const Shape& expected) {
  for (int i = 0; i < required; ++i)
    if (!node.input(i))
      return InvalidModel(graph.Where(&node) + "required input " + std::to_string(i) +
                          " is absent");
  for (int i = 0; i < f32_inputs; ++i) {
    const Value* v = node.input(i);
    if (v && v->dtype() != DType::kF32)
      return Unsupported(graph.Where(&node) + "input '" + v->name() + "' has dtype " +
                         DTypeName(v->dtype()) + "; the float kernel needs f32");
  }
  const Value* out = node.output(0);
  if (!out) return InvalidModel(graph.Where(&node) + "has no output");
  if (out->dtype() != DType::kF32)
    return Unsupported(graph.Where(&node) + "output dtype " + DTypeName(out->dtype()) +
                       " is not f32");
  if (out->shape() != expected)
    return InvalidModel(graph.Where(&node) + "output '" + out->name() + "' has shape " +
                        ShapeToString(out->shape()) + ", the op computes " +
                        ShapeToString(expected));
  return Status::Ok();
}

void AppendNnKernels(std::vector<KernelRegistration>* table) {
  AppendConvKernels(table);
  AppendGemmKernels(table);
  AppendPoolKernels(table);
  AppendNormKernels(table);
  AppendResizeKernels(table);
  AppendSoftmaxReduceKernels(table);
}

}  // namespace tinyq
