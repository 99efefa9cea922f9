// src/exec/pool_f32.h - N-d max / average pooling over flattened channel planes.
//
// x [planes, in_size] (planes = N*C), out [planes, out_size]. Windows come from the
// BuildWindowOffsets table (kernel_size * out_size entries, -1 = padding), or for 2-D pools from
// a padded copy of each plane (plane2d_f32.h).
#ifndef TINYQ_SRC_EXEC_POOL_F32_H_
#define TINYQ_SRC_EXEC_POOL_F32_H_

#include <cstdint>

#include "src/exec/plane2d_f32.h"

namespace tinyq {

struct PoolParamsF32 {
  int64_t planes = 0;
  int64_t in_size = 0;
  int64_t out_size = 0;
  int64_t kernel_size = 0;
  const int32_t* window_offsets = nullptr;  // used when !use_plane2d
  bool use_plane2d = false;
  Plane2dF32 plane2d;
};

// Floats of scratch the pools need (one padded plane for the 2-D path, else 0).
int64_t PoolScratchSizeF32(const PoolParamsF32& p);

// Max over the taps inside the input (padding never wins). Every window has >= 1 valid tap.
void MaxPoolF32(const PoolParamsF32& p, const float* x, float* scratch, float* out);

// Sum over the taps inside the input times inv_divisor[position] (out_size entries: 1/valid taps,
// or 1/taps inside the padded input for count_include_pad).
void AveragePoolF32(const PoolParamsF32& p, const float* inv_divisor, const float* x,
                    float* scratch, float* out);

// out[plane] = max / mean of x[plane, 0..size).
void GlobalMaxPoolF32(int64_t planes, int64_t size, const float* x, float* out);
void GlobalAveragePoolF32(int64_t planes, int64_t size, const float* x, float* out);

}  // namespace tinyq

#endif  // TINYQ_SRC_EXEC_POOL_F32_H_
