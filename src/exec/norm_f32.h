// src/exec/norm_f32.h - per-channel normalizations on [N, C, inner] float tensors.
#ifndef TINYQ_SRC_EXEC_NORM_F32_H_
#define TINYQ_SRC_EXEC_NORM_F32_H_

#include <cstdint>

namespace tinyq {

// Inference batch norm: out = scale[c] * (x - mean[c]) / sqrt(var[c] + epsilon) + bias[c].
void BatchNormF32(int64_t n, int64_t c, int64_t inner, const float* x, const float* scale,
                  const float* bias, const float* mean, const float* var, float epsilon,
                  float* out);

// Instance norm: per (n, c) the mean and (biased) variance over `inner`, then
// out = scale[c] * (x - mean) / sqrt(var + epsilon) + bias[c]. Statistics accumulate in double.
void InstanceNormF32(int64_t n, int64_t c, int64_t inner, const float* x, const float* scale,
                     const float* bias, float epsilon, float* out);

}  // namespace tinyq

#endif  // TINYQ_SRC_EXEC_NORM_F32_H_
