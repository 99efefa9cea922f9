/* tq_softmax.c - int8 softmax with a Q20 exp table (format in tq_softmax.h). */
#include "tq_softmax.h"

tq_status tq_softmax_s8_validate(const int32_t* exp_table, int32_t rows, int32_t depth) {
  int32_t d;
  if (exp_table == NULL || rows < 1 || depth < 1 || depth > TQ_SOFTMAX_MAX_DEPTH) {
    return TQ_ARG_ERROR;
  }
  if (exp_table[0] != TQ_SOFTMAX_TABLE_ONE) return TQ_ARG_ERROR;
  for (d = 0; d < 256; ++d) {
    if (exp_table[d] < 0 || exp_table[d] > TQ_SOFTMAX_TABLE_ONE) return TQ_ARG_ERROR;
  }
  return TQ_OK;
}

size_t tq_softmax_s8_get_buffer_size(void) { return 0; }

void tq_softmax_s8(const int32_t* exp_table, const int8_t* input, int32_t rows, int32_t depth,
                   int8_t* output) {
  int32_t r, i;
  for (r = 0; r < rows; ++r) {
    const int8_t* x = input + (size_t)r * depth;
    int8_t* y = output + (size_t)r * depth;
    int32_t m = x[0];
    int32_t sum = 0;
    int64_t recip;
    for (i = 1; i < depth; ++i) m = x[i] > m ? x[i] : m;
    for (i = 0; i < depth; ++i) sum += exp_table[m - x[i]];
    recip = ((int64_t)1 << 50) / sum;
    for (i = 0; i < depth; ++i) {
      const int32_t v =
          (int32_t)(((int64_t)exp_table[m - x[i]] * recip + ((int64_t)1 << 41)) >> 42) - 128;
      y[i] = (int8_t)(v > 127 ? 127 : v);
    }
  }
}
