/* tq_unary.c - int8 rescale and lookup-table kernels. */
#include "tq_unary.h"

tq_status tq_rescale_s8_validate(const tq_rescale_params* p, int32_t size) {
  if (p == NULL || size < 0) return TQ_ARG_ERROR;
  if (p->input_zero_point < -128 || p->input_zero_point > 127 || p->output_zero_point < -128 ||
      p->output_zero_point > 127) {
    return TQ_ARG_ERROR;
  }
  if (tq_activation_validate(&p->activation) != TQ_OK) return TQ_ARG_ERROR;
  return tq_multiplier_validate(p->multiplier, p->shift);
}

size_t tq_rescale_s8_get_buffer_size(void) { return 0; }

void tq_rescale_s8(const tq_rescale_params* p, const int8_t* input, int32_t size, int8_t* output) {
  int32_t i;
  for (i = 0; i < size; ++i) {
    const int32_t v =
        tq_requantize((int32_t)input[i] - p->input_zero_point, p->multiplier, p->shift) +
        p->output_zero_point;
    output[i] = (int8_t)tq_clamp_s32(v, p->activation.min, p->activation.max);
  }
}

tq_status tq_lut_s8_validate(const int8_t* table, int32_t size) {
  return (table == NULL || size < 0) ? TQ_ARG_ERROR : TQ_OK;
}

size_t tq_lut_s8_get_buffer_size(void) { return 0; }

void tq_lut_s8(const int8_t* table, const int8_t* input, int32_t size, int8_t* output) {
  int32_t i;
  for (i = 0; i < size; ++i) output[i] = table[(int32_t)input[i] + 128];
}
