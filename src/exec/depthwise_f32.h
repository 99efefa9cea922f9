// src/exec/depthwise_f32.h - 2-D depthwise convolution of one NCHW image on stride-phase planes.
//
// Before: each output row was accumulated tap by tap, one pass over out_w floats per tap (short
// loops when out_w is small, a strided gather when stride_w > 1).
// After: the zero-padded input plane is split into stride_h * stride_w phase planes of one common
// pitch P = ceil(padded_w / stride_w); phase (py, px) holds padded[r*sh + py][c*sw + px]. Tap
// (ky, kx) of output (oy, ox) reads
//   padded[oy*sh + ky*dh][ox*sw + kx*dw]
//     = phase(ky*dh % sh, kx*dw % sw)[oy + ky*dh/sh][ox + kx*dw/sw]
// so with i = oy*P + ox every tap is a contiguous run with the same pitch:
//   wide[i] = bias + sum_t w_t * phase_t[i + (ky*dh/sh)*P + kx*dw/sw],   i in [0, out_h*P)
// One long loop per channel (eight vectors of outputs at a time, all taps accumulated in
// registers) replaces out_h * taps short ones. Columns ox >= out_w of `wide` are junk and
// dropped when copying out; a valid output never reads across a row end, since
// (out_w-1)*sw + (kw-1)*dw <= padded_w - 1 gives ox + kx*dw/sw <= P - 1. Summation order per
// output: bias, then the taps row-major, the same products as the direct loop (results may
// differ from it by FMA contraction only).
//
// Same-size stride-1 convolutions (3x3 / 5x5 with "same" padding: most depthwise layers) use a
// cheaper layout (shifted_plane_f32.h): the plane is copied whole between zero rows with its own
// pitch W = in_w = out_w, so that wide == out and no compaction is needed, and a column mask
// drops the taps whose column wraps into the neighbouring row:
//   out[i] = b + sum_kx (mask_kx[i] ? sum_ky w[ky,kx] * plane[i + (ky*dh - pt)*W + kx*dw - pl] : 0)
// (summation grouped by kernel column; same products, another order).
#ifndef TINYQ_SRC_EXEC_DEPTHWISE_F32_H_
#define TINYQ_SRC_EXEC_DEPTHWISE_F32_H_

#include <cstdint>
#include <vector>

#include "src/exec/plane2d_f32.h"
#include "src/exec/shifted_plane_f32.h"

namespace tinyq {

// Geometry of a depthwise convolution, built once at prepare.
struct DepthwisePlanF32 {
  Plane2dF32 g;
  int64_t out_channels = 0;
  int64_t multiplier = 1;   // output channels per input channel (C_out / C_in)
  int64_t buffer_size = 0;  // floats of the zero-padded input buffer
  int64_t wide_size = 0;    // outputs computed per channel (whole vectors; junk beyond)
  // Phase-plane path (any geometry):
  int64_t pitch = 0;                   // P: floats per phase-plane row
  int64_t phase_rows = 0;              // rows per phase plane, zero slack included
  std::vector<int64_t> tap_offsets;    // per tap (row-major ky, kx): offset into the phase buffer
  std::vector<int32_t> compact_index;  // out_w < one vector: wide index of each output, row-major
  // Same-size path (stride 1, output size = input size, e.g. 3x3 with padding 1):
  bool same_size = false;
  int64_t front = 0;  // offset of the plane in the buffer (zero rows above it)
  ShiftedPlaneF32 shifted;
};

// The plan of a 2-D depthwise convolution with geometry `g` (g.padded_* cover every window).
DepthwisePlanF32 MakeDepthwisePlanF32(const Plane2dF32& g, int64_t out_channels,
                                      int64_t multiplier);

// Floats of scratch DepthwiseConv2dF32 needs (the phase planes and one wide output plane).
int64_t DepthwiseScratchSizeF32(const DepthwisePlanF32& plan);

// out[oc] = clamp(bias[oc] + depthwise window sums of x[oc / multiplier] with w[oc], lo, hi)
// (the fused activation; lo = -inf, hi = +inf without one). x [C_in, in_h, in_w],
// w [C_out, 1, kh, kw], bias [C_out] or nullptr, out [C_out, out_h, out_w]; `scratch` holds
// DepthwiseScratchSizeF32(plan) floats (any contents).
void DepthwiseConv2dF32(const DepthwisePlanF32& plan, const float* x, const float* w,
                        const float* bias, float lo, float hi, float* scratch, float* out);

}  // namespace tinyq

#endif  // TINYQ_SRC_EXEC_DEPTHWISE_F32_H_
