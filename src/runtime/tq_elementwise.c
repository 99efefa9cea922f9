/* tq_elementwise.c - int8 Add / Mul with stride-based broadcasting. */
#include "tq_elementwise.h"

tq_strides tq_dense_strides(const tq_dims* d) {
  tq_strides s;
  s.c = 1;
  s.w = d->c;
  s.h = d->w * d->c;
  s.n = d->h * d->w * d->c;
  return s;
}

static tq_status tq_offsets_validate(int32_t in1, int32_t in2, int32_t out,
                                     const tq_activation* act, const tq_dims* out_dims) {
  if (in1 < -127 || in1 > 128 || in2 < -127 || in2 > 128) return TQ_ARG_ERROR;
  if (out < -128 || out > 127) return TQ_ARG_ERROR;
  if (tq_activation_validate(act) != TQ_OK) return TQ_ARG_ERROR;
  return tq_dims_validate(out_dims);
}

tq_status tq_add_s8_validate(const tq_add_params* p, const tq_dims* out_dims) {
  if (p == NULL) return TQ_ARG_ERROR;
  if (tq_offsets_validate(p->input1_offset, p->input2_offset, p->output_offset, &p->activation,
                          out_dims) != TQ_OK) {
    return TQ_ARG_ERROR;
  }
  if (p->left_shift < 0 || p->left_shift > 22) return TQ_ARG_ERROR;
  if (p->input1_shift > 0 || p->input2_shift > 0) return TQ_ARG_ERROR;
  if (tq_multiplier_validate(p->input1_multiplier, p->input1_shift) != TQ_OK ||
      tq_multiplier_validate(p->input2_multiplier, p->input2_shift) != TQ_OK ||
      tq_multiplier_validate(p->output_multiplier, p->output_shift) != TQ_OK) {
    return TQ_ARG_ERROR;
  }
  return TQ_OK;
}

tq_status tq_mul_s8_validate(const tq_mul_params* p, const tq_dims* out_dims) {
  if (p == NULL) return TQ_ARG_ERROR;
  if (tq_offsets_validate(p->input1_offset, p->input2_offset, p->output_offset, &p->activation,
                          out_dims) != TQ_OK) {
    return TQ_ARG_ERROR;
  }
  return tq_multiplier_validate(p->output_multiplier, p->output_shift);
}

size_t tq_add_s8_get_buffer_size(void) { return 0; }
size_t tq_mul_s8_get_buffer_size(void) { return 0; }

/* Offset of pixel (n, h, w), channel 0, in a strided (possibly broadcast) input. */
static ptrdiff_t tq_pixel_offset(const tq_strides* s, int32_t n, int32_t h, int32_t w) {
  return (ptrdiff_t)n * s->n + (ptrdiff_t)h * s->h + (ptrdiff_t)w * s->w;
}

/* One output row of C elements for Add. */
static void tq_add_row(const tq_add_params* p, const int8_t* x1, int32_t sc1, const int8_t* x2,
                       int32_t sc2, int8_t* y, int32_t count) {
  const int32_t scale = (int32_t)1 << p->left_shift;
  int32_t i;
  for (i = 0; i < count; ++i) {
    const int32_t a = ((int32_t)x1[i * sc1] + p->input1_offset) * scale;
    const int32_t b = ((int32_t)x2[i * sc2] + p->input2_offset) * scale;
    const int32_t sa = tq_requantize(a, p->input1_multiplier, p->input1_shift);
    const int32_t sb = tq_requantize(b, p->input2_multiplier, p->input2_shift);
    const int32_t out = tq_requantize(sa + sb, p->output_multiplier, p->output_shift);
    y[i] = (int8_t)tq_clamp_s32(out + p->output_offset, p->activation.min, p->activation.max);
  }
}

/* One output row of C elements for Mul. */
static void tq_mul_row(const tq_mul_params* p, const int8_t* x1, int32_t sc1, const int8_t* x2,
                       int32_t sc2, int8_t* y, int32_t count) {
  int32_t i;
  for (i = 0; i < count; ++i) {
    const int32_t prod =
        ((int32_t)x1[i * sc1] + p->input1_offset) * ((int32_t)x2[i * sc2] + p->input2_offset);
    const int32_t out = tq_requantize(prod, p->output_multiplier, p->output_shift);
    y[i] = (int8_t)tq_clamp_s32(out + p->output_offset, p->activation.min, p->activation.max);
  }
}

void tq_add_s8(const tq_add_params* params, const tq_dims* d, const int8_t* input1,
               const tq_strides* s1, const int8_t* input2, const tq_strides* s2, int8_t* output) {
  int32_t n, h, w;
  for (n = 0; n < d->n; ++n) {
    for (h = 0; h < d->h; ++h) {
      for (w = 0; w < d->w; ++w) {
        tq_add_row(params, input1 + tq_pixel_offset(s1, n, h, w), s1->c,
                   input2 + tq_pixel_offset(s2, n, h, w), s2->c,
                   output + (((size_t)n * d->h + h) * d->w + w) * d->c, d->c);
      }
    }
  }
}

void tq_mul_s8(const tq_mul_params* params, const tq_dims* d, const int8_t* input1,
               const tq_strides* s1, const int8_t* input2, const tq_strides* s2, int8_t* output) {
  int32_t n, h, w;
  for (n = 0; n < d->n; ++n) {
    for (h = 0; h < d->h; ++h) {
      for (w = 0; w < d->w; ++w) {
        tq_mul_row(params, input1 + tq_pixel_offset(s1, n, h, w), s1->c,
                   input2 + tq_pixel_offset(s2, n, h, w), s2->c,
                   output + (((size_t)n * d->h + h) * d->w + w) * d->c, d->c);
      }
    }
  }
}
