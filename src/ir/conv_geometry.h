// src/ir/conv_geometry.h - sliding-window geometry of Conv, ConvTranspose and the pools.
//
// One implementation of the ONNX rules for kernel_shape / strides / dilations / pads / auto_pad /
// ceil_mode (and output_padding / output_shape for ConvTranspose), used by the shape rules (to
// produce output shapes) and by the kernels (to precompute padded index tables), so the two can
// never disagree.
#ifndef TINYQ_SRC_IR_CONV_GEOMETRY_H_
#define TINYQ_SRC_IR_CONV_GEOMETRY_H_

#include <cstdint>
#include <vector>

#include "tinyq/ir.h"

namespace tinyq {

// Per spatial dimension d (0 = first spatial dim after N, C):
//   conv/pool:      out[d] = (in[d] + pad_begin[d] + pad_end[d] - ((kernel[d]-1)*dilation[d]+1))
//                            / stride[d] + 1                          (floor, or ceil in ceil_mode)
//   conv transpose: out[d] = stride[d]*(in[d]-1) + output_padding[d] + (kernel[d]-1)*dilation[d]
//                            + 1 - pad_begin[d] - pad_end[d]
struct ConvGeometry {
  std::vector<int64_t> in;
  std::vector<int64_t> kernel;
  std::vector<int64_t> strides;
  std::vector<int64_t> dilations;
  std::vector<int64_t> pad_begin;
  std::vector<int64_t> pad_end;
  std::vector<int64_t> output_padding;  // ConvTranspose only (zeros otherwise)
  std::vector<int64_t> out;

  int rank() const { return static_cast<int>(in.size()); }
  int64_t InSize() const;      // product of in
  int64_t OutSize() const;     // product of out
  int64_t KernelSize() const;  // product of kernel
};

// Geometry of a Conv / MaxPool / AveragePool node whose input X has shape `x_shape`
// ([N, C, D1..Dn]) and whose window is `kernel` (n entries, from W or kernel_shape). Reads the
// attributes strides, dilations, pads, auto_pad and (when `allow_ceil_mode`) ceil_mode.
// InvalidModel (prefixed with graph.Where(&node)) for wrong attribute lengths, non-positive
// strides/dilations/kernel, negative pads, an unknown auto_pad, or an output size < 1.
StatusOr<ConvGeometry> ComputeConvGeometry(const Graph& graph, const Node& node,
                                           const Shape& x_shape, const std::vector<int64_t>& kernel,
                                           bool allow_ceil_mode);

// Geometry of a ConvTranspose node (attributes as ONNX: strides, dilations, pads, auto_pad,
// output_padding, output_shape). `in` is the input spatial size, `out` the output spatial size.
StatusOr<ConvGeometry> ComputeConvTransposeGeometry(const Graph& graph, const Node& node,
                                                    const Shape& x_shape,
                                                    const std::vector<int64_t>& kernel);

}  // namespace tinyq

#endif  // TINYQ_SRC_IR_CONV_GEOMETRY_H_
