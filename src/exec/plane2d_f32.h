// src/exec/plane2d_f32.h - 2-D sliding-window geometry over a padded copy of one channel plane.
//
// Copying an input plane into a scratch plane surrounded by the padding value (0 for conv and
// average pooling, -inf for max pooling) turns every window gather into branch-free loops whose
// stride-1 rows vectorize. Conv and the pools use this for 2-D inputs.
#ifndef TINYQ_SRC_EXEC_PLANE2D_F32_H_
#define TINYQ_SRC_EXEC_PLANE2D_F32_H_

#include <cstdint>

namespace tinyq {

struct Plane2dF32 {
  int64_t in_h = 0, in_w = 0, out_h = 0, out_w = 0;
  int64_t kernel_h = 0, kernel_w = 0, stride_h = 1, stride_w = 1, dilation_h = 1, dilation_w = 1;
  int64_t pad_top = 0, pad_left = 0;
  int64_t padded_h = 0, padded_w = 0;  // large enough that every window lies inside
  int64_t PaddedSize() const { return padded_h * padded_w; }
};

// Copies the in_h x in_w plane x into `padded` (padded_h x padded_w) at (pad_top, pad_left) and
// fills the rest with `pad_value`.
void PadPlane2dF32(const Plane2dF32& g, const float* x, float pad_value, float* padded);

}  // namespace tinyq

#endif  // TINYQ_SRC_EXEC_PLANE2D_F32_H_
