#include "src/exec/shifted_plane_f32.h"

#include <algorithm>

#include "src/quant/simd_f32.h"

namespace tinyq {

bool IsSameSizeStride1(const Plane2dF32& g) {
  return g.stride_h == 1 && g.stride_w == 1 && g.out_h == g.in_h && g.out_w == g.in_w;
}

ShiftedPlaneF32 MakeShiftedPlaneF32(const Plane2dF32& g) {
  ShiftedPlaneF32 s;
  s.g = g;
  s.positions = (g.out_h * g.out_w + kF32Lanes - 1) / kF32Lanes * kF32Lanes;
  s.masks.assign(static_cast<size_t>(g.kernel_w * s.positions), 0.0f);
  for (int64_t kx = 0; kx < g.kernel_w; ++kx) {
    const int64_t dx = kx * g.dilation_w - g.pad_left;
    s.masked.push_back(dx != 0);
    for (int64_t i = 0; i < s.positions; ++i) {
      const int64_t col = i % g.in_w + dx;
      s.masks[static_cast<size_t>(kx * s.positions + i)] = col >= 0 && col < g.in_w ? 1.0f : 0.0f;
    }
  }
  return s;
}

void Im2ColShiftedF32(const ShiftedPlaneF32& s, const float* x, float* col) {
  const Plane2dF32& g = s.g;
  const int64_t n = g.out_h * g.out_w;
  for (int64_t ky = 0; ky < g.kernel_h; ++ky)
    for (int64_t kx = 0; kx < g.kernel_w; ++kx) {
      float* dst = col + (ky * g.kernel_w + kx) * n;
      const int64_t off = s.TapOffset(ky, kx);
      // Outputs whose input row is inside the plane and whose read stays inside x; the others
      // are padding (a read that would leave x is a wrapped column, masked to 0 anyway).
      const int64_t dy = ky * g.dilation_h - g.pad_top;
      const int64_t lo = std::clamp<int64_t>(std::max(-dy * g.in_w, -off), 0, n);
      const int64_t hi =
          std::clamp<int64_t>(std::min((g.in_h - dy) * g.in_w, g.in_h * g.in_w - off), lo, n);
      std::fill(dst, dst + lo, 0.0f);
      const float* src = x + off;
      if (s.masked[static_cast<size_t>(kx)]) {
        const float* mask = s.Mask(kx);
        for (int64_t i = lo; i < hi; ++i) dst[i] = mask[i] != 0.0f ? src[i] : 0.0f;
      } else {
        std::copy(src + lo, src + hi, dst + lo);
      }
      std::fill(dst + hi, dst + n, 0.0f);
    }
}

}  // namespace tinyq
