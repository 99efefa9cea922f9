// src/exec/softmax_f32.h - softmax / log-softmax along the middle axis of [outer, n, inner].
#ifndef TINYQ_SRC_EXEC_SOFTMAX_F32_H_
#define TINYQ_SRC_EXEC_SOFTMAX_F32_H_

#include <cstdint>

namespace tinyq {

// out[o, i, j] = exp(x[o, i, j] - max_i) / sum_i exp(x[o, i, j] - max_i) (max subtracted for
// stability; the log form returns x - max - log(sum)). `out` may alias `x`.
void SoftmaxF32(int64_t outer, int64_t n, int64_t inner, const float* x, float* out);
void LogSoftmaxF32(int64_t outer, int64_t n, int64_t inner, const float* x, float* out);

}  // namespace tinyq

#endif  // TINYQ_SRC_EXEC_SOFTMAX_F32_H_
