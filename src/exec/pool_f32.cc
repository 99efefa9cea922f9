#include "src/exec/pool_f32.h"

#include <algorithm>
#include <limits>

namespace tinyq {

void MaxPoolF32(const PoolParamsF32& p, const float* x, float* out) {
  const int64_t n = p.out_size;
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

void AveragePoolF32(const PoolParamsF32& p, const float* inv_divisor, const float* x, float* out) {
  const int64_t n = p.out_size;
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
