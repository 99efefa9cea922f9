// Float kernels of BatchNormalization (inference form) and InstanceNormalization.
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "src/exec/kernels_nn.h"
#include "src/exec/norm_f32.h"

namespace tinyq {
namespace {

// Checks that inputs [1, last] are [C] vectors.
Status CheckChannelVectors(const Graph& graph, const Node& node, int last, int64_t c) {
  for (int i = 1; i <= last; ++i)
    if (node.input(i)->shape() != Shape{c})
      return InvalidModel(graph.Where(&node) + "input '" + node.input(i)->name() + "' has shape " +
                          ShapeToString(node.input(i)->shape()) + ", expected [" +
                          std::to_string(c) + "]");
  return Status::Ok();
}

StatusOr<std::unique_ptr<KernelInstance>> PrepareBatchNorm(const Graph& graph, const Node& node) {
  const Value* x = node.input(0);
  if (!x || x->shape().size() < 2)
    return InvalidModel(graph.Where(&node) + "input must be present with rank >= 2");
  TQ_RETURN_IF_ERROR(CheckNnNode(graph, node, 5, 5, x->shape()));
  if (node.GetInt("training_mode", 0) != 0)
    return Unsupported(graph.Where(&node) + "training_mode = 1 is not supported");
  for (int i = 1; i < node.num_outputs(); ++i) {
    const Value* o = node.output(i);
    bool used = o && !o->uses().empty();
    for (const Value* g : graph.outputs()) used = used || (o && g == o);
    if (used)
      return Unsupported(graph.Where(&node) + "training output " + std::to_string(i) +
                         " is used; only the inference form is supported");
  }
  const Shape& s = x->shape();
  const int64_t n = s[0], c = s[1], inner = NumElements(s) / std::max<int64_t>(n * c, 1);
  TQ_RETURN_IF_ERROR(CheckChannelVectors(graph, node, 4, c));
  const float eps = node.GetFloat("epsilon", 1e-5f);
  return MakeKernel([n, c, inner, eps](KernelIO& io) {
    BatchNormF32(n, c, inner, io.inputs[0]->data<float>(), io.inputs[1]->data<float>(),
                 io.inputs[2]->data<float>(), io.inputs[3]->data<float>(),
                 io.inputs[4]->data<float>(), eps, io.outputs[0]->data<float>());
  });
}

StatusOr<std::unique_ptr<KernelInstance>> PrepareInstanceNorm(const Graph& graph,
                                                              const Node& node) {
  const Value* x = node.input(0);
  if (!x || x->shape().size() < 3)
    return InvalidModel(graph.Where(&node) + "input must be present with rank >= 3");
  TQ_RETURN_IF_ERROR(CheckNnNode(graph, node, 3, 3, x->shape()));
  const Shape& s = x->shape();
  const int64_t n = s[0], c = s[1], inner = NumElements(s) / std::max<int64_t>(n * c, 1);
  TQ_RETURN_IF_ERROR(CheckChannelVectors(graph, node, 2, c));
  if (inner == 0) return InvalidModel(graph.Where(&node) + "input has empty spatial dims");
  const float eps = node.GetFloat("epsilon", 1e-5f);
  return MakeKernel([n, c, inner, eps](KernelIO& io) {
    InstanceNormF32(n, c, inner, io.inputs[0]->data<float>(), io.inputs[1]->data<float>(),
                    io.inputs[2]->data<float>(), eps, io.outputs[0]->data<float>());
  });
}

}  // namespace

void AppendNormKernels(std::vector<KernelRegistration>* table) {
  table->push_back({OpKind::kBatchNormalization, ExecMode::kFloat, PrepareBatchNorm});
  table->push_back({OpKind::kInstanceNormalization, ExecMode::kFloat, PrepareInstanceNorm});
}

}  // namespace tinyq
