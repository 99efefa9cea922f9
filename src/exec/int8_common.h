// src/exec/int8_common.h - what the int8 node kernels (ExecMode::kInt8) share: reading and
// validating the QuantParams of QOp-form values (docs/quantized_ir.md), requantization
// multipliers, the fused-activation clamp, NCHW <-> NHWC copy plans and the region test used by
// the executor's dispatch.
//
// Every function here runs at prepare time; errors are Status values prefixed with
// graph.Where(&node). Eval code never calls into this file except RunStridedCopy plans.
#ifndef TINYQ_SRC_EXEC_INT8_COMMON_H_
#define TINYQ_SRC_EXEC_INT8_COMMON_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "src/exec/kernel.h"
#include "src/exec/strided_copy.h"
#include "src/runtime/tq_common.h"
#include "src/runtime/tq_elementwise.h"

namespace tinyq {

// True when `node` belongs to the quantized region of a QOp graph: it is not a
// QuantizeLinear/DequantizeLinear border and its output 0 is s8 with QuantParams.
bool InQuantizedRegion(const Node& node);

// True for the ops that only move elements (Reshape, Flatten, Transpose, Squeeze, Unsqueeze,
// Identity, Slice, Split, Gather, Pad, Resize, Concat): their float kernels can run on s8 data in
// a QDQ graph on the float executor.
bool IsDataMovementOp(OpKind op);

// Per-tensor parameters of an s8 activation: real = scale * (q - zero_point).
struct ActQuant {
  float scale = 1.0f;
  int32_t zero_point = 0;
};

// The per-tensor s8 QuantParams of `v` (an input or output of `node`; `role` names it in errors,
// e.g. "input X"). InvalidModel when `v` is absent, not s8, has no QuantParams, more than one
// scale/zero point, a scale that is not positive and finite, or a zero point outside [-128, 127].
StatusOr<ActQuant> GetActQuant(const Graph& graph, const Node& node, const Value* v,
                               const std::string& role);

// InvalidModel unless `out` and `in` have identical scale and zero point (data-movement ops,
// max pooling: the output reuses the input's codes).
Status CheckSameQuant(const Graph& graph, const Node& node, const ActQuant& in,
                      const ActQuant& out);

// Per-output-channel scales of a constant s8 weight with `channels` output channels along axis
// 0: one scale per channel (a single scale is broadcast), zero points all 0. InvalidModel
// otherwise (not constant, not s8, missing QuantParams, wrong axis/counts, bad scale).
StatusOr<std::vector<float>> GetWeightScales(const Graph& graph, const Node& node, const Value* w,
                                             int64_t channels);

// The int32 bias values (zeros when `b` is absent). `b` must be a constant s32 with `channels`
// elements whose QuantParams scale[c] equals s_in * s_w[c] (relative tolerance 1e-5: the pass
// may have computed the product in float) and whose zero points are 0. InvalidModel otherwise.
StatusOr<std::vector<int32_t>> GetBiasS32(const Graph& graph, const Node& node, const Value* b,
                                          int64_t channels, float input_scale,
                                          const std::vector<float>& weight_scales);

// Fixed-point requantization multipliers, one per channel: M[c] = s_in * s_w[c] / s_out as
// (m0, shift) (src/quant QuantizeMultiplier; TFLite convention).
struct ChannelMultipliers {
  std::vector<int32_t> multiplier;
  std::vector<int32_t> shift;
};
StatusOr<ChannelMultipliers> MakeChannelMultipliers(const Graph& graph, const Node& node,
                                                    float input_scale,
                                                    const std::vector<float>& weight_scales,
                                                    float output_scale);

// The bias and requantization arrays of a MAC kernel (conv, fully connected) in the runtime's
// packed form when possible (tq_common.h: each bias word also holds its channel's shift, so a
// channel costs 8 bytes, bias + multiplier), else in the separate form (bias, multiplier, shift).
// Either form gives the same results; `Params()` points into this object.
struct ChannelQuantArrays {
  std::vector<int32_t> bias;  // packed words, or the plain biases
  std::vector<int32_t> multiplier;
  std::vector<int32_t> shift;  // empty in the packed form
  tq_per_channel_quant_params Params() const {
    return {multiplier.data(), shift.empty() ? nullptr : shift.data()};
  }
};
// Packs `bias` (one per channel) with per-channel `m` (m.shift.size() == bias.size()).
ChannelQuantArrays PackChannelQuant(const std::vector<int32_t>& bias, const ChannelMultipliers& m);

// One (m0, shift) for a positive real multiplier; InvalidModel if it is not finite/positive.
StatusOr<ChannelMultipliers> MakeMultiplier(const Graph& graph, const Node& node, double real);

// The output clamp of a node in the output's quantized domain. Without a tq_act attribute the
// full range {-128, 127}; with tq_act ("relu" or "clip", float tq_act_min/tq_act_max, either may
// be +-inf) the range [max(-128, zp + round(lo/s)), min(127, zp + round(hi/s))] (round half away
// from zero, in double). lo > hi (ONNX Clip gives hi everywhere) yields {q(hi), q(hi)}.
// InvalidModel for a malformed tq_act; Unsupported when `allowed` is false and tq_act is present.
StatusOr<tq_activation> FusedActivationS8(const Graph& graph, const Node& node, const ActQuant& out,
                                          bool allowed = true);

// Copy plans between an [N,C,H,W] tensor and its [N,H,W,C] form (exact data movement) of
// elements of `elem_size` bytes (1: s8, 4: f32).
StridedCopyPlan NchwToNhwcPlan(int64_t n, int64_t c, int64_t h, int64_t w, size_t elem_size = 1);
StridedCopyPlan NhwcToNchwPlan(int64_t n, int64_t c, int64_t h, int64_t w, size_t elem_size = 1);

// Numpy broadcasting of a binary elementwise node (inputs 0 and 1 to output 0) up to 4-D, as
// the runtime's elementwise kernels take it: the output's shape padded to 4-D as their
// (n, h, w, c) index space (the IR's layout unchanged: elementwise ops do not care) and each
// input's element strides in it (0 along broadcast axes). Unsupported above 4-D, InvalidModel
// when the shapes do not broadcast to the output.
struct BroadcastPlan {
  tq_dims out{};
  tq_strides s1{}, s2{};
};
StatusOr<BroadcastPlan> PlanBroadcast(const Graph& graph, const Node& node);

// InvalidModel unless output `i` of `node` is s8 with shape `shape`.
Status CheckS8Output(const Graph& graph, const Node& node, int i, const Shape& shape);

// Shape as a runtime tq_dims (NHWC naming); InvalidModel when an extent exceeds int32.
StatusOr<tq_dims> ToDims(const Graph& graph, const Node& node, int64_t n, int64_t h, int64_t w,
                         int64_t c);

// A one-node f32 copy of `node` (same op, name and attributes) for running the op's float kernel
// at prepare time (lookup tables, index maps): input 0 becomes a graph input f32 `x_shape`, output
// 0 an f32 `y_shape`; the other inputs must be constants and are copied (s8/s32 constants with
// per-tensor QuantParams are dequantized to f32). Unsupported for a non-constant extra input.
StatusOr<std::unique_ptr<Graph>> MakeFloatTwin(const Graph& graph, const Node& node,
                                               const Shape& x_shape, const Shape& y_shape);

// Prepares the float kernel of the single node of `twin` and evaluates it on `x`, writing `y`
// (shape/dtype of the twin's output). Errors from the float prepare are returned unchanged.
Status RunFloatTwin(const Graph& twin, const Tensor& x, Tensor* y);

// Kernel groups of the int8 executor, appended by AppendInt8Kernels (int8_kernels.cc).
void AppendInt8ConvKernels(std::vector<KernelRegistration>* table);     // Conv
void AppendInt8GemmKernels(std::vector<KernelRegistration>* table);     // Gemm
void AppendInt8BinaryKernels(std::vector<KernelRegistration>* table);   // Add, Mul
void AppendInt8PoolKernels(std::vector<KernelRegistration>* table);     // pools
void AppendInt8LutKernels(std::vector<KernelRegistration>* table);      // unary via LUT
void AppendInt8SoftmaxKernels(std::vector<KernelRegistration>* table);  // Softmax
void AppendInt8TensorKernels(std::vector<KernelRegistration>* table);   // data movement, Concat
// ExecMode::kFloatFallback: f32 nodes and Q/DQ borders on the runtime's float kernels.
void AppendInt8FloatFallbackKernels(std::vector<KernelRegistration>* table);

}  // namespace tinyq

#endif  // TINYQ_SRC_EXEC_INT8_COMMON_H_
