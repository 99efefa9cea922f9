// int8 node kernels of the elementwise unary ops as 256-entry lookup tables (tq_lut_s8).
//
// prepare builds the table by running the op's FLOAT kernel (the same math the float executor
// uses, attributes and constant inputs included, e.g. Clip's min/max or LeakyRelu's alpha) on the
// 256 dequantized inputs x_j = s_in * (j - 128 - zp_in), then quantizes each result in double:
//   table[j] = clamp(round_half_away(f(x_j) / s_out) + zp_out, -128, 127)   (+-inf saturate)
// A NaN result (Sqrt/Log of a negative code) is refused: the input params admit codes the op is
// undefined on. A fused tq_act, if present, clamps the table. Eval is one table lookup per element.
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "src/exec/int8_common.h"
#include "src/quant/quant_math.h"
#include "src/runtime/tq_unary.h"

namespace tinyq {
namespace {

StatusOr<std::unique_ptr<KernelInstance>> PrepareLutS8(const Graph& graph, const Node& node) {
  const Value* x = node.input(0);
  const Value* y = node.output(0);
  if (!x || !y) return InvalidModel(graph.Where(&node) + "expects one input and one output");
  TQ_RETURN_IF_ERROR(CheckS8Output(graph, node, 0, x->shape()));
  TQ_ASSIGN_OR_RETURN(ActQuant xq, GetActQuant(graph, node, x, "input X"));
  TQ_ASSIGN_OR_RETURN(ActQuant yq, GetActQuant(graph, node, y, "output Y"));
  TQ_ASSIGN_OR_RETURN(tq_activation act, FusedActivationS8(graph, node, yq));
  if (NumElements(x->shape()) > INT32_MAX)
    return Unsupported(graph.Where(&node) + "tensor too large for the int8 runtime");

  TQ_ASSIGN_OR_RETURN(auto twin, MakeFloatTwin(graph, node, Shape{256}, Shape{256}));
  Tensor in(DType::kF32, Shape{256});
  for (int j = 0; j < 256; ++j)
    in.data<float>()[j] =
        quant::DequantizeValueS8(static_cast<int8_t>(j - 128), xq.scale, xq.zero_point);
  Tensor out(DType::kF32, Shape{256});
  TQ_RETURN_IF_ERROR(RunFloatTwin(*twin, in, &out));
  std::vector<int8_t> table(256);
  for (int j = 0; j < 256; ++j) {
    const double v = out.data<float>()[j];
    if (std::isnan(v))
      return InvalidModel(graph.Where(&node) + "the op is undefined (NaN) on input code " +
                          std::to_string(j - 128) + " (real " +
                          std::to_string(in.data<float>()[j]) + ") allowed by the input params");
    const int32_t q = quant::RoundAndSaturate(v / yq.scale + yq.zero_point, -128, 127);
    table[static_cast<size_t>(j)] = static_cast<int8_t>(tq_clamp_s32(q, act.min, act.max));
  }
  const int32_t size = static_cast<int32_t>(NumElements(x->shape()));
  return MakeKernel([table = std::move(table), size](KernelIO& io) {
    tq_lut_s8(table.data(), io.inputs[0]->data<int8_t>(), size, io.outputs[0]->data<int8_t>());
  });
}

}  // namespace

void AppendInt8LutKernels(std::vector<KernelRegistration>* table) {
  for (OpKind op : {OpKind::kRelu, OpKind::kClip, OpKind::kLeakyRelu, OpKind::kSigmoid,
                    OpKind::kTanh, OpKind::kHardSigmoid, OpKind::kHardSwish, OpKind::kExp,
                    OpKind::kSqrt, OpKind::kLog, OpKind::kNeg, OpKind::kAbs})
    table->push_back({op, ExecMode::kInt8, PrepareLutS8});
}

}  // namespace tinyq
