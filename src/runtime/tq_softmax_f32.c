/* tq_softmax_f32.c - float32 softmax over strided rows (tq_softmax_f32.h). */
#include "tq_softmax_f32.h"

#include "tq_math_f32.h"

void tq_softmax_f32(const float* input, int32_t outer, int32_t depth, int32_t inner,
                    float* output) {
  int32_t o, i, d;
  for (o = 0; o < outer; ++o) {
    for (i = 0; i < inner; ++i) {
      const size_t base = (size_t)o * depth * inner + i;
      const float* x = input + base;
      float* y = output + base;
      float m = x[0], s = 0.0f;
      for (d = 1; d < depth; ++d) m = x[(size_t)d * inner] > m ? x[(size_t)d * inner] : m;
      for (d = 0; d < depth; ++d) {
        const float e = tq_exp_f32(x[(size_t)d * inner] - m);
        y[(size_t)d * inner] = e;
        s = s + e;
      }
      for (d = 0; d < depth; ++d) y[(size_t)d * inner] = y[(size_t)d * inner] / s;
    }
  }
}
