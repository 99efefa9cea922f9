// src/exec/float_fallback_plan.h - the runtime calls of the float-fallback nodes of an int8
// graph (QOp form, docs/quantized_ir.md: nodes whose values are f32).
//
// One plan per node: the parameters and constant arrays of the src/runtime tq_*_f32 kernel that
// runs it, derived from the node's attributes and constants. The int8 executor's float-fallback
// kernels (int8_float_fallback.cc) and the C code generator (src/codegen/lower_float.cc) both
// build their calls from these plans, so the two run the same C code on the same constants and
// give the same bits (the kernels' order of operations is fixed, tq_common_f32.h).
//
// Shapes are the IR's NCHW shapes; plans give NHWC runtime dims (1-D [N,C,L] as H = 1). A plan
// function returns Unsupported (naming the node) for what the runtime kernels do not cover (the
// executor then runs the float executor's kernel and codegen refuses the node), InvalidModel
// for malformed nodes.
#ifndef TINYQ_SRC_EXEC_FLOAT_FALLBACK_PLAN_H_
#define TINYQ_SRC_EXEC_FLOAT_FALLBACK_PLAN_H_

#include <cstdint>
#include <vector>

#include "src/runtime/tq_conv_f32.h"
#include "src/runtime/tq_elementwise_f32.h"
#include "src/runtime/tq_fully_connected_f32.h"
#include "src/runtime/tq_pool_f32.h"
#include "tinyq/ir.h"
#include "tinyq/status.h"

namespace tinyq {

// Conv (1-D / 2-D, any group count, depthwise included), f32 X, constant f32 W and B, optional
// fused tq_act.
struct ConvF32Plan {
  tq_conv_f32_params params{};
  tq_dims in{}, filter{}, out{};
  std::vector<float> weights;  // [KH][KW][Cin/groups][Cout] (HWIO)
  std::vector<float> bias;     // Cout entries, or empty
};
StatusOr<ConvF32Plan> PlanConvF32(const Graph& graph, const Node& node);

// Gemm (transA = 0, any transB, alpha, beta, C broadcast along rows) and MatMul with a constant
// 2-D B (A of any rank >= 2: its leading dims are rows), optional fused tq_act.
struct FullyConnectedF32Plan {
  tq_fc_f32_params params{};
  tq_fc_f32_dims dims{};
  std::vector<float> weights;  // [K][N]
  std::vector<float> bias;     // beta * C broadcast to N entries, or empty
};
StatusOr<FullyConnectedF32Plan> PlanFullyConnectedF32(const Graph& graph, const Node& node);

// MaxPool, AveragePool (2-D or 1-D windows, no dilation, no Indices output, pads / auto_pad /
// ceil_mode / count_include_pad) and GlobalMaxPool / GlobalAveragePool of an [N,C,H,W] or
// [N,C,L] f32 input.
struct PoolF32Plan {
  bool max = false;
  tq_pool_f32_params params{};
  tq_dims in{}, out{};
};
StatusOr<PoolF32Plan> PlanPoolF32(const Graph& graph, const Node& node);

// Add, Sub, Mul, Div of f32 values (the op and its fused tq_act; broadcasting depends on the
// caller's layout).
StatusOr<tq_binary_f32_params> PlanBinaryF32(const Graph& graph, const Node& node);

// Relu, Clip (constant min / max), LeakyRelu, HardSigmoid, HardSwish, Sigmoid, Tanh, Exp, Neg,
// Abs of an f32 value.
StatusOr<tq_unary_f32_params> PlanUnaryF32(const Graph& graph, const Node& node);

// BatchNormalization (inference) as the channel affine map y = x * scale[c] + shift[c], with
// scale = gamma / sqrt(var + eps) and shift = beta - scale * mean computed here in f32.
struct ChannelAffineF32Plan {
  std::vector<float> scale, shift;
};
StatusOr<ChannelAffineF32Plan> PlanBatchNormF32(const Graph& graph, const Node& node);

// Softmax of an f32 value: the axis as a non-negative dim of the input, and whether the
// opset < 13 "coerce to 2-D" rule (attribute tq_coerce_2d) makes the row all dims from the axis
// on.
struct SoftmaxF32Plan {
  int axis = 0;
  bool coerce_2d = false;
};
StatusOr<SoftmaxF32Plan> PlanSoftmaxF32(const Graph& graph, const Node& node);

// QuantizeLinear f32 -> s8 / DequantizeLinear s8 -> f32 with a constant per-tensor scale and
// zero point.
struct QdqF32Plan {
  float scale = 1.0f;
  int32_t zero_point = 0;
};
StatusOr<QdqF32Plan> PlanQdqF32(const Graph& graph, const Node& node);

// The runtime clamp of the bounds [lo, hi]: infinite bounds clamp nothing (flag unset).
tq_clamp_f32 ClampF32(float lo, float hi);

}  // namespace tinyq

#endif  // TINYQ_SRC_EXEC_FLOAT_FALLBACK_PLAN_H_
