// src/exec/conv_f32.h - N-d float convolution and transposed convolution of one image.
//
// Layout: x [C_in, in_size], w [C_out, C_in/groups, kernel_size] (Conv) or
// [C_in, C_out/groups, kernel_size] (ConvTranspose), out [C_out, out_size]; the spatial dims are
// flattened row-major and their geometry lives in the offset tables of window_table.h.
#ifndef TINYQ_SRC_EXEC_CONV_F32_H_
#define TINYQ_SRC_EXEC_CONV_F32_H_

#include <cstdint>
#include <limits>

#include "src/exec/depthwise_f32.h"
#include "src/exec/plane2d_f32.h"
#include "src/exec/shifted_plane_f32.h"

namespace tinyq {

struct ConvParamsF32 {
  int64_t in_channels = 0;
  int64_t out_channels = 0;
  int64_t groups = 1;
  int64_t in_size = 0;      // elements of one input channel plane
  int64_t out_size = 0;     // elements of one output channel plane
  int64_t kernel_size = 0;  // taps of one filter plane
  // How windows are gathered, in order of preference:
  //  - pointwise (1x1 kernel, stride 1, no padding): window_offsets == nullptr, !use_plane2d and
  //    shifted == nullptr; the input already is the im2col matrix.
  //  - shifted: 2-D, stride 1, output size == input size: each im2col row is one shifted,
  //    column-masked run of the input plane (shifted_plane_f32.h).
  //  - use_plane2d: 2-D convolutions copy each input plane into a zero-padded scratch plane so
  //    the gather loops are contiguous and branch-free.
  //  - otherwise the BuildWindowOffsets table (kernel_size * out_size entries, any rank).
  const int32_t* window_offsets = nullptr;
  bool use_plane2d = false;
  Plane2dF32 plane2d;
  const ShiftedPlaneF32* shifted = nullptr;
  // 2-D depthwise convolutions (groups == C_in) run DepthwiseConv2dF32 with this plan instead.
  const DepthwisePlanF32* depthwise = nullptr;
  // The fused activation (docs/ir_ops.md tq_act): out = min(max(out, act_lo), act_hi).
  float act_lo = -std::numeric_limits<float>::infinity();
  float act_hi = std::numeric_limits<float>::infinity();
};

// Floats of scratch ConvF32 needs (the im2col matrix of one group unless pointwise or depthwise,
// plus one padded plane for the 2-D path).
int64_t ConvScratchSizeF32(const ConvParamsF32& p);

// out = clamp(conv(x, w) + bias, act_lo, act_hi) (bias may be nullptr). Depthwise convolutions (one
// input channel per group) run DepthwiseConv2dF32 (2-D) or a direct loop; the others im2col + GEMM
// per group. `scratch` holds ConvScratchSizeF32(p) floats.
void ConvF32(const ConvParamsF32& p, const float* x, const float* w, const float* bias,
             float* scratch, float* out);

struct ConvTransposeParamsF32 {
  int64_t in_channels = 0;
  int64_t out_channels = 0;
  int64_t groups = 1;
  int64_t in_size = 0;
  int64_t out_size = 0;
  int64_t kernel_size = 0;
  const int32_t* scatter_offsets = nullptr;  // BuildTransposeScatterOffsets table
};

// Floats of scratch ConvTransposeF32 needs ((C_out/groups) * kernel_size * in_size).
int64_t ConvTransposeScratchSizeF32(const ConvTransposeParamsF32& p);

// out = conv_transpose(x, w) + bias: per group a GEMM w_g^T x_g, then col2im scatter-add.
void ConvTransposeF32(const ConvTransposeParamsF32& p, const float* x, const float* w,
                      const float* bias, float* scratch, float* out);

}  // namespace tinyq

#endif  // TINYQ_SRC_EXEC_CONV_F32_H_
