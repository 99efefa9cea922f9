#include "src/exec/softmax_f32.h"

#include <algorithm>
#include <cmath>

namespace tinyq {
namespace {

template <bool kLog>
void SoftmaxImpl(int64_t outer, int64_t n, int64_t inner, const float* x, float* out) {
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t j = 0; j < inner; ++j) {
      const float* xi = x + o * n * inner + j;
      float* yi = out + o * n * inner + j;
      float mx = xi[0];
      for (int64_t i = 1; i < n; ++i) mx = std::max(mx, xi[i * inner]);
      float sum = 0.0f;
      for (int64_t i = 0; i < n; ++i) {
        const float e = std::exp(xi[i * inner] - mx);
        if (!kLog) yi[i * inner] = e;
        sum += e;
      }
      if (kLog) {
        const float log_sum = std::log(sum);
        for (int64_t i = 0; i < n; ++i) yi[i * inner] = xi[i * inner] - mx - log_sum;
      } else {
        const float inv = 1.0f / sum;
        for (int64_t i = 0; i < n; ++i) yi[i * inner] *= inv;
      }
    }
}

}  // namespace

void SoftmaxF32(int64_t outer, int64_t n, int64_t inner, const float* x, float* out) {
  SoftmaxImpl<false>(outer, n, inner, x, out);
}
void LogSoftmaxF32(int64_t outer, int64_t n, int64_t inner, const float* x, float* out) {
  SoftmaxImpl<true>(outer, n, inner, x, out);
}

}  // namespace tinyq
