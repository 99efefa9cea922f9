#include "src/exec/norm_f32.h"

#include <cmath>

namespace tinyq {

void BatchNormF32(int64_t n, int64_t c, int64_t inner, const float* x, const float* scale,
                  const float* bias, const float* mean, const float* var, float epsilon,
                  float* out) {
  for (int64_t b = 0; b < n; ++b)
    for (int64_t ch = 0; ch < c; ++ch) {
      const float a = scale[ch] / std::sqrt(var[ch] + epsilon);
      const float s = bias[ch] - a * mean[ch];
      const float* xi = x + (b * c + ch) * inner;
      float* o = out + (b * c + ch) * inner;
      for (int64_t i = 0; i < inner; ++i) o[i] = a * xi[i] + s;
    }
}

void InstanceNormF32(int64_t n, int64_t c, int64_t inner, const float* x, const float* scale,
                     const float* bias, float epsilon, float* out) {
  for (int64_t b = 0; b < n; ++b)
    for (int64_t ch = 0; ch < c; ++ch) {
      const float* xi = x + (b * c + ch) * inner;
      float* o = out + (b * c + ch) * inner;
      double sum = 0.0;
      for (int64_t i = 0; i < inner; ++i) sum += xi[i];
      const double mean = sum / static_cast<double>(inner);
      double sq = 0.0;
      for (int64_t i = 0; i < inner; ++i) sq += (xi[i] - mean) * (xi[i] - mean);
      const double var = sq / static_cast<double>(inner);
      const float a = static_cast<float>(scale[ch] / std::sqrt(var + epsilon));
      const float s = bias[ch] - a * static_cast<float>(mean);
      for (int64_t i = 0; i < inner; ++i) o[i] = a * xi[i] + s;
    }
}

}  // namespace tinyq
