#include "src/exec/plane2d_f32.h"

#include <algorithm>

namespace tinyq {

void PadPlane2dF32(const Plane2dF32& g, const float* x, float pad_value, float* padded) {
  const int64_t right = g.padded_w - g.pad_left - g.in_w;
  std::fill(padded, padded + g.pad_top * g.padded_w, pad_value);
  for (int64_t y = 0; y < g.in_h; ++y) {
    float* row = padded + (y + g.pad_top) * g.padded_w;
    std::fill(row, row + g.pad_left, pad_value);
    std::copy(x + y * g.in_w, x + (y + 1) * g.in_w, row + g.pad_left);
    std::fill(row + g.pad_left + g.in_w, row + g.pad_left + g.in_w + right, pad_value);
  }
  std::fill(padded + (g.pad_top + g.in_h) * g.padded_w, padded + g.PaddedSize(), pad_value);
}

}  // namespace tinyq
