// src/exec/kernels_tensor_util.h - small helpers shared by the tensor-op kernel files.
#ifndef TINYQ_SRC_EXEC_KERNELS_TENSOR_UTIL_H_
#define TINYQ_SRC_EXEC_KERNELS_TENSOR_UTIL_H_

#include <string>
#include <vector>

#include "src/exec/kernel.h"

namespace tinyq {

// FailedPrecondition unless output `i` of `node` exists with exactly `dtype`/`shape` (what the
// kernel will write); Eval relies on this to stay inside the executor's output buffer.
inline Status CheckOutput(const Graph& graph, const Node& node, int i, DType dtype,
                          const Shape& shape) {
  const Value* v = node.output(i);
  if (!v) return FailedPrecondition(graph.Where(&node) + "output " + std::to_string(i) + " absent");
  if (!v->shape_known() || v->dtype() != dtype || v->shape() != shape)
    return FailedPrecondition(graph.Where(&node) + "output '" + v->name() + "' is " +
                              DTypeName(v->dtype()) + ShapeToString(v->shape()) + ", expected " +
                              DTypeName(dtype) + ShapeToString(shape) +
                              " (run shape inference first)");
  return Status::Ok();
}

// Quantize/Dequantize kernels (kernels_qdq.cc), appended by AppendTensorKernels.
void AppendQdqKernels(std::vector<KernelRegistration>* table);

}  // namespace tinyq

#endif  // TINYQ_SRC_EXEC_KERNELS_TENSOR_UTIL_H_
