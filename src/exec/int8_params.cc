// Runtime parameters of the int8 Add, Mul, LUT and Softmax kernels (int8_params.h).
#include "src/exec/int8_params.h"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <string>

#include "src/exec/int8_common.h"
#include "src/quant/quant_math.h"

namespace tinyq {
namespace {

struct BinaryQuant {
  ActQuant a, b, y;
};

StatusOr<BinaryQuant> ReadBinaryQuant(const Graph& graph, const Node& node) {
  BinaryQuant q;
  TQ_ASSIGN_OR_RETURN(q.a, GetActQuant(graph, node, node.input(0), "input A"));
  TQ_ASSIGN_OR_RETURN(q.b, GetActQuant(graph, node, node.input(1), "input B"));
  TQ_ASSIGN_OR_RETURN(q.y, GetActQuant(graph, node, node.output(0), "output C"));
  return q;
}

}  // namespace

StatusOr<tq_add_params> MakeAddParamsS8(const Graph& graph, const Node& node) {
  TQ_ASSIGN_OR_RETURN(BinaryQuant q, ReadBinaryQuant(graph, node));
  TQ_ASSIGN_OR_RETURN(tq_activation act, FusedActivationS8(graph, node, q.y));
  constexpr int kLeftShift = 20;
  const double twice_max = 2.0 * std::max<double>(q.a.scale, q.b.scale);
  TQ_ASSIGN_OR_RETURN(ChannelMultipliers m1, MakeMultiplier(graph, node, q.a.scale / twice_max));
  TQ_ASSIGN_OR_RETURN(ChannelMultipliers m2, MakeMultiplier(graph, node, q.b.scale / twice_max));
  TQ_ASSIGN_OR_RETURN(
      ChannelMultipliers mo,
      MakeMultiplier(graph, node, twice_max / (static_cast<double>(1 << kLeftShift) * q.y.scale)));
  tq_add_params p{};
  p.input1_offset = -q.a.zero_point;
  p.input1_multiplier = m1.multiplier[0];
  p.input1_shift = m1.shift[0];
  p.input2_offset = -q.b.zero_point;
  p.input2_multiplier = m2.multiplier[0];
  p.input2_shift = m2.shift[0];
  p.left_shift = kLeftShift;
  p.output_multiplier = mo.multiplier[0];
  p.output_shift = mo.shift[0];
  p.output_offset = q.y.zero_point;
  p.activation = act;
  const tq_dims one{1, 1, 1, 1};
  if (tq_add_s8_validate(&p, &one) != TQ_OK)
    return Unsupported(graph.Where(&node) + "scales give multipliers outside the runtime's range");
  return p;
}

StatusOr<tq_mul_params> MakeMulParamsS8(const Graph& graph, const Node& node) {
  TQ_ASSIGN_OR_RETURN(BinaryQuant q, ReadBinaryQuant(graph, node));
  TQ_ASSIGN_OR_RETURN(tq_activation act, FusedActivationS8(graph, node, q.y, false));
  TQ_ASSIGN_OR_RETURN(
      ChannelMultipliers mo,
      MakeMultiplier(graph, node, static_cast<double>(q.a.scale) * q.b.scale / q.y.scale));
  tq_mul_params p{};
  p.input1_offset = -q.a.zero_point;
  p.input2_offset = -q.b.zero_point;
  p.output_multiplier = mo.multiplier[0];
  p.output_shift = mo.shift[0];
  p.output_offset = q.y.zero_point;
  p.activation = act;
  const tq_dims one{1, 1, 1, 1};
  if (tq_mul_s8_validate(&p, &one) != TQ_OK)
    return Unsupported(graph.Where(&node) + "scales give a multiplier outside the runtime's range");
  return p;
}

bool IsInt8LutOp(OpKind op) {
  return std::find(std::begin(kInt8LutOps), std::end(kInt8LutOps), op) != std::end(kInt8LutOps);
}

StatusOr<std::vector<int8_t>> MakeLutS8(const Graph& graph, const Node& node) {
  const Value* x = node.input(0);
  TQ_ASSIGN_OR_RETURN(ActQuant xq, GetActQuant(graph, node, x, "input X"));
  TQ_ASSIGN_OR_RETURN(ActQuant yq, GetActQuant(graph, node, node.output(0), "output Y"));
  TQ_ASSIGN_OR_RETURN(tq_activation act, FusedActivationS8(graph, node, yq));
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
  return table;
}

std::vector<int32_t> SoftmaxExpTableS8(float input_scale) {
  std::vector<int32_t> table(256);
  for (int d = 0; d < 256; ++d)
    table[static_cast<size_t>(d)] = static_cast<int32_t>(
        std::lround(std::ldexp(std::exp(-static_cast<double>(input_scale) * d), 20)));
  return table;
}

}  // namespace tinyq
