// src/exec/shifted_plane_f32.h - 2-D zero padding as shifted flat reads plus column masks, for
// stride-1 windows whose output is as large as the input ("same" padding: 3x3 pad 1, 5x5 pad 2).
//
// Before: gathering a window tap over a padded copy of the plane runs one short loop (or memmove)
// per output row and tap.
// After: with W = in_w = out_w, the tap (ky, kx) of every output position i = oy*W + ox reads the
// UNPADDED plane at one flat offset:
//   x[i + off],   off = (ky*dh - pad_top)*W + kx*dw - pad_left
// which is one contiguous run per tap. Two things differ from zero padding, both handled here:
// a column ox + kx*dw - pad_left outside [0, W) wraps into the neighbouring row - the 0/1 mask of
// kernel column kx (1 where the column is inside) selects 0 there (a select, not a product, so an
// infinite neighbour cannot turn the padding into NaN); and a row outside [0, H) lies
// outside the plane - callers either read between zero rows (a buffer) or clip the run.
#ifndef TINYQ_SRC_EXEC_SHIFTED_PLANE_F32_H_
#define TINYQ_SRC_EXEC_SHIFTED_PLANE_F32_H_

#include <cstdint>
#include <vector>

#include "src/exec/plane2d_f32.h"

namespace tinyq {

struct ShiftedPlaneF32 {
  Plane2dF32 g;
  int64_t positions = 0;        // masks cover [0, positions): out_h*out_w rounded up to kF32Lanes
  std::vector<uint8_t> masked;  // per kernel column: can its taps leave the row (offset != 0)?
  std::vector<float> masks;     // [kernel_w, positions]: 1 where column kx is inside the row

  // The flat offset of tap (ky, kx) from output position i to its input element.
  int64_t TapOffset(int64_t ky, int64_t kx) const {
    return (ky * g.dilation_h - g.pad_top) * g.in_w + kx * g.dilation_w - g.pad_left;
  }
  const float* Mask(int64_t kx) const { return masks.data() + kx * positions; }
};

// True when the shifted form applies: stride 1 and output size == input size.
bool IsSameSizeStride1(const Plane2dF32& g);

// The masks of geometry g (IsSameSizeStride1(g) must hold).
ShiftedPlaneF32 MakeShiftedPlaneF32(const Plane2dF32& g);

// im2col rows of one input plane x: col[t * n + i] = x at tap t of output i, or 0 in the padding,
// for the kernel_h * kernel_w taps t (row-major) and n = out_h * out_w outputs. Reads x only
// inside [0, in_h * in_w).
void Im2ColShiftedF32(const ShiftedPlaneF32& s, const float* x, float* col);

}  // namespace tinyq

#endif  // TINYQ_SRC_EXEC_SHIFTED_PLANE_F32_H_
