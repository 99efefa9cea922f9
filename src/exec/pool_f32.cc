#include "src/exec/pool_f32.h"

#include <algorithm>
#include <limits>

namespace tinyq {
namespace {

// out (out_h x out_w) = max or sum over each window of the padded plane.
template <bool kMax>
void PoolPlane2d(const Plane2dF32& g, const float* padded, float* out) {
  for (int64_t oy = 0; oy < g.out_h; ++oy) {
    float* o = out + oy * g.out_w;
    std::fill(o, o + g.out_w, kMax ? -std::numeric_limits<float>::infinity() : 0.0f);
    for (int64_t ky = 0; ky < g.kernel_h; ++ky) {
      const float* row = padded + (oy * g.stride_h + ky * g.dilation_h) * g.padded_w;
      for (int64_t kx = 0; kx < g.kernel_w; ++kx) {
        const float* src = row + kx * g.dilation_w;
        const int64_t s = g.stride_w;
        for (int64_t ox = 0; ox < g.out_w; ++ox)
          o[ox] = kMax ? std::max(o[ox], src[ox * s]) : o[ox] + src[ox * s];
      }
    }
  }
}

}  // namespace

int64_t PoolScratchSizeF32(const PoolParamsF32& p) {
  return p.use_plane2d ? p.plane2d.PaddedSize() : 0;
}

void MaxPoolF32(const PoolParamsF32& p, const float* x, float* scratch, float* out) {
  const int64_t n = p.out_size;
  if (p.use_plane2d) {
    for (int64_t c = 0; c < p.planes; ++c) {
      PadPlane2dF32(p.plane2d, x + c * p.in_size, -std::numeric_limits<float>::infinity(), scratch);
      PoolPlane2d<true>(p.plane2d, scratch, out + c * n);
    }
    return;
  }
  for (int64_t c = 0; c < p.planes; ++c) {
    const float* xc = x + c * p.in_size;
    float* o = out + c * n;
    std::fill(o, o + n, -std::numeric_limits<float>::infinity());
    for (int64_t k = 0; k < p.kernel_size; ++k) {
      const int32_t* off = p.window_offsets + k * n;
      for (int64_t i = 0; i < n; ++i)
        if (off[i] >= 0) o[i] = std::max(o[i], xc[off[i]]);
    }
  }
}

void AveragePoolF32(const PoolParamsF32& p, const float* inv_divisor, const float* x,
                    float* scratch, float* out) {
  const int64_t n = p.out_size;
  if (p.use_plane2d) {
    for (int64_t c = 0; c < p.planes; ++c) {
      float* o = out + c * n;
      PadPlane2dF32(p.plane2d, x + c * p.in_size, 0.0f, scratch);
      PoolPlane2d<false>(p.plane2d, scratch, o);
      for (int64_t i = 0; i < n; ++i) o[i] *= inv_divisor[i];
    }
    return;
  }
  for (int64_t c = 0; c < p.planes; ++c) {
    const float* xc = x + c * p.in_size;
    float* o = out + c * n;
    std::fill(o, o + n, 0.0f);
    for (int64_t k = 0; k < p.kernel_size; ++k) {
      const int32_t* off = p.window_offsets + k * n;
      for (int64_t i = 0; i < n; ++i) o[i] += off[i] >= 0 ? xc[off[i]] : 0.0f;
    }
    for (int64_t i = 0; i < n; ++i) o[i] *= inv_divisor[i];
  }
}

void GlobalMaxPoolF32(int64_t planes, int64_t size, const float* x, float* out) {
  for (int64_t c = 0; c < planes; ++c) out[c] = *std::max_element(x + c * size, x + (c + 1) * size);
}

void GlobalAveragePoolF32(int64_t planes, int64_t size, const float* x, float* out) {
  for (int64_t c = 0; c < planes; ++c) {
    float sum = 0.0f;
    for (int64_t i = 0; i < size; ++i) sum += x[c * size + i];
    out[c] = sum / static_cast<float>(size);
  }
}

}  // namespace tinyq
