// src/exec/int8_params.h - runtime parameters of int8 kernels that both the int8 executor
// (int8_binary.cc, int8_lut.cc, int8_softmax.cc) and the C code generator (src/codegen) derive
// from a node. One implementation, so the generated C cannot drift from the executor.
//
// Add (TFLite int8 rescaling, src/runtime/tq_elementwise.h), in double:
//   twice_max = 2 * max(s1, s2), left_shift = 20,
//   input_i multiplier = s_i / twice_max (<= 1/2), output multiplier = twice_max / (2^20 * s_out).
// Mul: one multiplier s1 * s2 / s_out.
// LUT (tq_lut_s8): the op's FLOAT kernel (the float executor's math, attributes and constant
//   inputs included) runs on the 256 dequantized inputs x_j = s_in * (j - 128 - zp_in); then
//   table[j] = clamp(round_half_away(f(x_j) / s_out) + zp_out, act)   (+-inf saturate)
//   where act is the fused tq_act clamp; a NaN result is refused (InvalidModel: the input params
//   admit codes the op is undefined on).
// Softmax (tq_softmax_s8): exp_table[d] = round(2^20 * exp(-s_in * d)), d = 0..255.
#ifndef TINYQ_SRC_EXEC_INT8_PARAMS_H_
#define TINYQ_SRC_EXEC_INT8_PARAMS_H_

#include <cstdint>
#include <vector>

#include "src/runtime/tq_elementwise.h"
#include "tinyq/ir.h"
#include "tinyq/status.h"

namespace tinyq {

// The tq_add_params of an int8 Add node (input/output QuantParams, fused tq_act). Errors of
// GetActQuant / FusedActivationS8 / MakeMultiplier (int8_common.h); Unsupported when the
// multipliers are outside the runtime's range.
StatusOr<tq_add_params> MakeAddParamsS8(const Graph& graph, const Node& node);

// The tq_mul_params of an int8 Mul node (no fused activation allowed).
StatusOr<tq_mul_params> MakeMulParamsS8(const Graph& graph, const Node& node);

// The unary ops that run as a 256-entry lookup table (MakeLutS8, tq_lut_s8) in the int8 executor
// and in generated code.
inline constexpr OpKind kInt8LutOps[] = {OpKind::kRelu,      OpKind::kClip, OpKind::kLeakyRelu,
                                         OpKind::kSigmoid,   OpKind::kTanh, OpKind::kHardSigmoid,
                                         OpKind::kHardSwish, OpKind::kExp,  OpKind::kSqrt,
                                         OpKind::kLog,       OpKind::kNeg,  OpKind::kAbs};
bool IsInt8LutOp(OpKind op);

// The 256-entry table of an int8 elementwise unary node (an op of kInt8LutOps).
StatusOr<std::vector<int8_t>> MakeLutS8(const Graph& graph, const Node& node);

// The Q20 exp table of tq_softmax_s8 for input scale `input_scale`.
std::vector<int32_t> SoftmaxExpTableS8(float input_scale);

}  // namespace tinyq

#endif  // TINYQ_SRC_EXEC_INT8_PARAMS_H_
