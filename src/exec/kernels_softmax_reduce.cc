// Float kernels of Softmax / LogSoftmax (attribute axis, plus tq_coerce_2d for the opset < 13
// "flatten to 2-D at axis" semantics, see docs/ir_ops.md) and ReduceMean / ReduceMax / ReduceSum
// (axes attribute, keepdims, noop_with_empty_axes).
#include <memory>
#include <string>
#include <vector>

#include "src/exec/kernels_nn.h"
#include "src/exec/reduce_f32.h"
#include "src/exec/softmax_f32.h"
#include "src/ir/reduce_axes.h"
#include "src/ir/shape_inference.h"

namespace tinyq {
namespace {

StatusOr<std::unique_ptr<KernelInstance>> PrepareSoftmax(const Graph& graph, const Node& node) {
  const Value* x = node.input(0);
  if (!x || x->shape().empty())
    return InvalidModel(graph.Where(&node) + "input must be present with rank >= 1");
  TQ_RETURN_IF_ERROR(CheckNnNode(graph, node, 1, 1, x->shape()));
  const Shape& s = x->shape();
  const bool coerce = node.GetInt("tq_coerce_2d", 0) != 0;
  TQ_ASSIGN_OR_RETURN(int axis, NormalizeAxis(node.GetInt("axis", coerce ? 1 : -1),
                                              static_cast<int>(s.size()), graph.Where(&node)));
  // [outer, n, inner]: the normalized axis alone, or (coerce_2d) every dim from axis on.
  int64_t outer = 1, n = 1, inner = 1;
  for (size_t d = 0; d < s.size(); ++d) {
    const int di = static_cast<int>(d);
    if (di < axis)
      outer *= s[d];
    else if (di == axis || coerce)
      n *= s[d];
    else
      inner *= s[d];
  }
  if (n == 0) return MakeKernel([](KernelIO&) {});
  if (node.op() == OpKind::kLogSoftmax)
    return MakeKernel([outer, n, inner](KernelIO& io) {
      LogSoftmaxF32(outer, n, inner, io.inputs[0]->data<float>(), io.outputs[0]->data<float>());
    });
  return MakeKernel([outer, n, inner](KernelIO& io) {
    SoftmaxF32(outer, n, inner, io.inputs[0]->data<float>(), io.outputs[0]->data<float>());
  });
}

StatusOr<std::unique_ptr<KernelInstance>> PrepareReduce(const Graph& graph, const Node& node) {
  const Value* x = node.input(0);
  if (!x) return InvalidModel(graph.Where(&node) + "input is absent");
  const Shape& s = x->shape();
  TQ_ASSIGN_OR_RETURN(ReduceAxes axes, ResolveReduceAxes(graph, node, s));
  TQ_RETURN_IF_ERROR(CheckNnNode(graph, node, 1, 1, axes.out_shape));
  const ReduceKind kind = node.op() == OpKind::kReduceMax    ? ReduceKind::kMax
                          : node.op() == OpKind::kReduceMean ? ReduceKind::kMean
                                                             : ReduceKind::kSum;
  ReduceParamsF32 p = MakeReduceParamsF32(kind, s, axes.reduced);
  return MakeKernel([p](KernelIO& io) {
    ReduceF32(p, io.inputs[0]->data<float>(), io.outputs[0]->data<float>());
  });
}

}  // namespace

void AppendSoftmaxReduceKernels(std::vector<KernelRegistration>* table) {
  table->push_back({OpKind::kSoftmax, ExecMode::kFloat, PrepareSoftmax});
  table->push_back({OpKind::kLogSoftmax, ExecMode::kFloat, PrepareSoftmax});
  table->push_back({OpKind::kReduceMean, ExecMode::kFloat, PrepareReduce});
  table->push_back({OpKind::kReduceMax, ExecMode::kFloat, PrepareReduce});
  table->push_back({OpKind::kReduceSum, ExecMode::kFloat, PrepareReduce});
}

}  // namespace tinyq
