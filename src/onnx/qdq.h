// src/onnx/qdq.h - QOp form (docs/quantized_ir.md) <-> QDQ form, on the IR.
//
// ONNX has no int8 Conv that keeps tinyq's per-channel, fused-activation semantics, so a quantized
// graph is written the standard "QDQ" way and folded back when read:
//
//   QOp form (IR)                         QDQ form (ONNX file)
//   x:s8 ─┐                               x:s8 → DequantizeLinear(s_x, zp_x) ─┐
//   w:s8 ─┼→ Conv{tq_act=relu} → y:s8     w:s8 → DequantizeLinear(s_w[], axis 0) ─┼→ Conv → Relu
//   b:s32 ┘                               b:s32 → DequantizeLinear(s_b[], axis 0) ─┘     │
//                                                       y:s8 ← QuantizeLinear(s_y, zp_y) ←┘
//
// Both directions work on the IR only (no protobuf); export.cc and load.cc call them.
#ifndef TINYQ_SRC_ONNX_QDQ_H_
#define TINYQ_SRC_ONNX_QDQ_H_

#include <memory>

#include "tinyq/ir.h"
#include "tinyq/status.h"

namespace tinyq {

// True if ExpandToQdq has anything to do: some non-Q/DQ node reads or writes a value with
// QuantParams, or carries a fused activation (`tq_act`).
bool NeedsQdqExpansion(const Graph& graph);

// Returns a copy of `graph` in which
//  - every node with quantized inputs/outputs (any Q/DQ excepted) reads DequantizeLinear(v) for
//    each input v that has QuantParams (weights keep their s8/s32 constant, per-axis scales along
//    the params' axis), and writes a new f32 value that QuantizeLinear turns into the original
//    s8 output value (same name, so names survive the round trip);
//  - a fused activation (`tq_act`, any node, also in float graphs) becomes a Relu (relu, or clip
//    with [0, +inf]) or Clip(min, max) node after the op (an infinite bound is an omitted input).
// Scales are f32 constants (scalar per-tensor, 1-D per-axis), zero points constants of the
// storage type (omitted for s32 storage, where ONNX fixes them to 0).
// Errors: FailedPrecondition (graph.Where(node)) when a quantized node has a value with quant
// params but a dtype other than s8/s32 (outputs: s8), or an s8 input / s8 or s32 output without
// quant params; Unsupported for an unknown `tq_act`.
StatusOr<std::unique_ptr<Graph>> ExpandToQdq(const Graph& graph);

// Import side. `InferShapesAndFold` (src/exec/fold.h) would evaluate DequantizeLinear on an int8
// weight initializer into a float constant, so the int8 form would be lost before FoldQdqToQOp
// sees it. This runs it with every s8/s32 constant read by a DequantizeLinear temporarily turned
// into a graph input, then restores those constants. Same errors as InferShapesAndFold.
Status InferShapesAndFoldKeepingQdq(Graph& graph);

// Folds QDQ patterns of a fully shaped graph into QOp form (docs/quantized_ir.md):
//   DQ(x:s8) [, DQ(w:s8 const, zp 0), DQ(b:s32 const, s_b = s_x*s_w)] -> op [-> Relu/Clip]
//   -> Q(:s8)      becomes      op{tq_act}(x, w, b) -> y:s8
// for the ops of the quantized region (Conv, Gemm, Add, Mul, Concat, pools, element-wise unary
// ops, Softmax, data movement), with each op's constraints on its params (e.g. MaxPool output
// params == input params, Softmax output 1/256, -128). Activations must be s8 per-tensor; weights
// s8 with zero points 0 and values in [-127, 127] (per-tensor scales are widened to per-channel).
// Anything else (uint8, per-axis activations, non-zero weight zero points, a Q/DQ pair whose
// params disagree, a value also read by float code) stays as QuantizeLinear/DequantizeLinear
// nodes, which compute exactly what the file says. Every s8/s32 value met by a kept or folded
// Q/DQ gets its QuantParams. Returns Verify(graph).
Status FoldQdqToQOp(Graph& graph);

}  // namespace tinyq

#endif  // TINYQ_SRC_ONNX_QDQ_H_
