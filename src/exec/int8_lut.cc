// int8 node kernels of the elementwise unary ops as 256-entry lookup tables (tq_lut_s8).
//
// prepare builds the table with MakeLutS8 (int8_params.h, shared with the C code generator): the
// op's FLOAT kernel run on the 256 dequantized input codes, each result requantized in double and
// clamped by a fused tq_act. Eval is one table lookup per element.
#include <memory>
#include <string>
#include <vector>

#include "src/exec/int8_common.h"
#include "src/exec/int8_params.h"
#include "src/runtime/tq_unary.h"

namespace tinyq {
namespace {

StatusOr<std::unique_ptr<KernelInstance>> PrepareLutS8(const Graph& graph, const Node& node) {
  const Value* x = node.input(0);
  const Value* y = node.output(0);
  if (!x || !y) return InvalidModel(graph.Where(&node) + "expects one input and one output");
  TQ_RETURN_IF_ERROR(CheckS8Output(graph, node, 0, x->shape()));
  if (NumElements(x->shape()) > INT32_MAX)
    return Unsupported(graph.Where(&node) + "tensor too large for the int8 runtime");
  TQ_ASSIGN_OR_RETURN(std::vector<int8_t> table, MakeLutS8(graph, node));
  const int32_t size = static_cast<int32_t>(NumElements(x->shape()));
  return MakeKernel([table = std::move(table), size](KernelIO& io) {
    tq_lut_s8(table.data(), io.inputs[0]->data<int8_t>(), size, io.outputs[0]->data<int8_t>());
  });
}

}  // namespace

void AppendInt8LutKernels(std::vector<KernelRegistration>* table) {
  for (OpKind op : kInt8LutOps) table->push_back({op, ExecMode::kInt8, PrepareLutS8});
}

}  // namespace tinyq
