// src/ir/tensor_op_params.h - static parameters of the shape & data-movement ops, resolved once.
//
// The shape rules (shape_rules_tensor.cc) and the kernels (src/exec/kernels_tensor*.cc) must agree
// on every detail of ONNX's index arithmetic (negative axes, clamped Slice ends, Pad crops, uneven
// Split chunks). Both call the resolvers below, which read the node's attributes, input shapes and
// constant inputs, validate them, and return plain structs. Errors are InvalidModel (the model is
// inconsistent) or Unsupported (valid ONNX that tinyq does not implement, e.g. a Reshape whose
// shape input is not constant), each message prefixed with graph.Where(&node).
#ifndef TINYQ_SRC_IR_TENSOR_OP_PARAMS_H_
#define TINYQ_SRC_IR_TENSOR_OP_PARAMS_H_

#include <cstdint>
#include <vector>

#include "tinyq/ir.h"

namespace tinyq {

// Flatten: output [prod(in[:axis]), prod(in[axis:])]; axis in [-r, r].
StatusOr<Shape> ResolveFlatten(const Graph& graph, const Node& node);

// Reshape: the target shape with 0 (copy, unless allowzero=1) and -1 (inferred) resolved.
StatusOr<Shape> ResolveReshape(const Graph& graph, const Node& node);

// Transpose: the permutation (default: reversed dims), validated.
StatusOr<std::vector<int>> ResolveTransposePerm(const Graph& graph, const Node& node);

// Concat: the normalized axis; all inputs share rank, dtype and every dim except `axis`.
StatusOr<int> ResolveConcatAxis(const Graph& graph, const Node& node);

struct SplitParams {
  int axis = 0;
  std::vector<int64_t> sizes;  // one per output, summing to the input dim along axis
};
// Split: from attribute `split`, opset-18 `num_outputs` (last chunk may be smaller), or an equal
// split across the outputs.
StatusOr<SplitParams> ResolveSplit(const Graph& graph, const Node& node);

// Slice as one range per input dim: out[d] has `size[d]` elements taken at start[d] + k*step[d].
struct SliceParams {
  std::vector<int64_t> start;
  std::vector<int64_t> step;
  Shape out_shape;
};
// Slice: starts/ends/axes/steps must be constant. ONNX semantics: negative indices count from
// the end, then clamp to [0, dim] (step > 0) or [-1, dim-1] (step < 0); step 0 is invalid.
StatusOr<SliceParams> ResolveSlice(const Graph& graph, const Node& node);

struct GatherParams {
  int axis = 0;
  Shape out_shape;  // data[:axis] + indices.shape + data[axis+1:]
};
// Gather: indices must be s32/s64; constant indices are range-checked ([-dim, dim-1]).
StatusOr<GatherParams> ResolveGather(const Graph& graph, const Node& node);

// Squeeze: output shape (axes attribute; absent = drop every 1-dim). Axes must name 1-dims.
StatusOr<Shape> ResolveSqueeze(const Graph& graph, const Node& node);
// Unsqueeze: output shape; axes are relative to the output rank r + len(axes).
StatusOr<Shape> ResolveUnsqueeze(const Graph& graph, const Node& node);

struct PadParams {
  std::vector<int64_t> begin;  // per input dim; negative = crop
  std::vector<int64_t> end;
  Shape out_shape;
};
// Pad: mode "constant" only; pads (and opset-18 axes) must be constant.
StatusOr<PadParams> ResolvePad(const Graph& graph, const Node& node);

struct ShapeOpParams {
  int start = 0;
  int end = 0;  // output holds input dims [start, end)
};
// Shape: opset-15 start/end, negative counted from the end, clamped to [0, rank].
StatusOr<ShapeOpParams> ResolveShapeOp(const Graph& graph, const Node& node);

// Range: the number of elements max(ceil((limit - start) / delta), 0); inputs must be constant
// scalars of one dtype (f32, s32 or s64).
StatusOr<int64_t> ResolveRangeCount(const Graph& graph, const Node& node);

// QuantizeLinear (input 0 = x) and DequantizeLinear (input 0 = quantized x).
struct QdqParams {
  DType quant_dtype = DType::kU8;  // s8/u8 (Quantize); s8/u8/s32 (Dequantize)
  int axis = -1;                   // per-axis when >= 0; per-tensor when -1
  int64_t channels = 1;            // number of scales
};
StatusOr<QdqParams> ResolveQuantizeLinear(const Graph& graph, const Node& node);
StatusOr<QdqParams> ResolveDequantizeLinear(const Graph& graph, const Node& node);

}  // namespace tinyq

#endif  // TINYQ_SRC_IR_TENSOR_OP_PARAMS_H_
