/* tq_pool.c - int8 pooling kernels. */
#include "tq_pool.h"

tq_status tq_pool2d_s8_validate(const tq_pool_params* p, const tq_dims* in, const tq_dims* out) {
  if (p == NULL || tq_dims_validate(in) != TQ_OK || tq_dims_validate(out) != TQ_OK) {
    return TQ_ARG_ERROR;
  }
  if (tq_activation_validate(&p->activation) != TQ_OK) return TQ_ARG_ERROR;
  if (p->filter.h < 1 || p->filter.w < 1 || p->stride.h < 1 || p->stride.w < 1) {
    return TQ_ARG_ERROR;
  }
  if ((int64_t)p->filter.h * p->filter.w > ((int64_t)1 << 24)) return TQ_ARG_ERROR;
  if (p->padding.h < 0 || p->padding.w < 0 || p->padding.h >= p->filter.h ||
      p->padding.w >= p->filter.w) {
    return TQ_ARG_ERROR;
  }
  if (p->count_include_pad != 0 && p->count_include_pad != 1) return TQ_ARG_ERROR;
  if (p->input_zero_point < -128 || p->input_zero_point > 127) return TQ_ARG_ERROR;
  if (out->n != in->n || out->c != in->c) return TQ_ARG_ERROR;
  if ((int64_t)(out->h - 1) * p->stride.h - p->padding.h > in->h - 1 ||
      (int64_t)(out->w - 1) * p->stride.w - p->padding.w > in->w - 1) {
    return TQ_ARG_ERROR;
  }
  return TQ_OK;
}

tq_status tq_global_avg_pool_s8_validate(const tq_global_pool_params* p, const tq_dims* in,
                                         const tq_dims* out) {
  if (p == NULL || tq_dims_validate(in) != TQ_OK || tq_dims_validate(out) != TQ_OK) {
    return TQ_ARG_ERROR;
  }
  if (tq_activation_validate(&p->activation) != TQ_OK) return TQ_ARG_ERROR;
  if (p->input_zero_point < -128 || p->input_zero_point > 127 || p->output_zero_point < -128 ||
      p->output_zero_point > 127) {
    return TQ_ARG_ERROR;
  }
  if (tq_multiplier_validate(p->multiplier, p->shift) != TQ_OK) return TQ_ARG_ERROR;
  if ((int64_t)in->h * in->w > ((int64_t)1 << 23)) return TQ_ARG_ERROR;
  if (out->n != in->n || out->h != 1 || out->w != 1 || out->c != in->c) return TQ_ARG_ERROR;
  return TQ_OK;
}

size_t tq_max_pool2d_s8_get_buffer_size(void) { return 0; }
size_t tq_avg_pool2d_s8_get_buffer_size(void) { return 0; }
size_t tq_global_avg_pool_s8_get_buffer_size(void) { return 0; }

/* In-bound window range [*k0, *k1) of taps for a window starting at `start`. */
static void tq_window(int32_t start, int32_t taps, int32_t extent, int32_t* k0, int32_t* k1) {
  *k0 = start < 0 ? -start : 0;
  *k1 = extent - start < taps ? extent - start : taps;
}

void tq_max_pool2d_s8(const tq_pool_params* p, const tq_dims* in, const int8_t* input,
                      const tq_dims* out, int8_t* output) {
  const int32_t c_n = in->c;
  int32_t n, oy, ox, ky, kx, c;
  for (n = 0; n < in->n; ++n) {
    for (oy = 0; oy < out->h; ++oy) {
      const int32_t iy0 = oy * p->stride.h - p->padding.h;
      int32_t ky0, ky1;
      tq_window(iy0, p->filter.h, in->h, &ky0, &ky1);
      for (ox = 0; ox < out->w; ++ox) {
        const int32_t ix0 = ox * p->stride.w - p->padding.w;
        int8_t* y = output + (((size_t)n * out->h + oy) * out->w + ox) * c_n;
        int32_t kx0, kx1;
        tq_window(ix0, p->filter.w, in->w, &kx0, &kx1);
        for (c = 0; c < c_n; ++c) y[c] = -128;
        for (ky = ky0; ky < ky1; ++ky) {
          for (kx = kx0; kx < kx1; ++kx) {
            const int8_t* x = input + (((size_t)n * in->h + iy0 + ky) * in->w + ix0 + kx) * c_n;
            for (c = 0; c < c_n; ++c) y[c] = x[c] > y[c] ? x[c] : y[c];
          }
        }
        for (c = 0; c < c_n; ++c) {
          y[c] = (int8_t)tq_clamp_s32(y[c], p->activation.min, p->activation.max);
        }
      }
    }
  }
}

void tq_avg_pool2d_s8(const tq_pool_params* p, const tq_dims* in, const int8_t* input,
                      const tq_dims* out, int8_t* output) {
  const int32_t c_n = in->c;
  int32_t n, oy, ox, ky, kx, c;
  for (n = 0; n < in->n; ++n) {
    for (oy = 0; oy < out->h; ++oy) {
      const int32_t iy0 = oy * p->stride.h - p->padding.h;
      int32_t ky0, ky1;
      tq_window(iy0, p->filter.h, in->h, &ky0, &ky1);
      for (ox = 0; ox < out->w; ++ox) {
        const int32_t ix0 = ox * p->stride.w - p->padding.w;
        int8_t* y = output + (((size_t)n * out->h + oy) * out->w + ox) * c_n;
        int32_t kx0, kx1, inside, count, pad_sum;
        tq_window(ix0, p->filter.w, in->w, &kx0, &kx1);
        inside = (ky1 - ky0) * (kx1 - kx0);
        count = p->count_include_pad ? p->filter.h * p->filter.w : inside;
        pad_sum = p->count_include_pad ? p->input_zero_point * (count - inside) : 0;
        for (c = 0; c < c_n; ++c) {
          int32_t sum = pad_sum;
          int32_t avg;
          for (ky = ky0; ky < ky1; ++ky) {
            /* From the first column inside the input: no pointer before `input` is formed. */
            const int8_t* x =
                input + (((size_t)n * in->h + iy0 + ky) * in->w + ix0 + kx0) * c_n + c;
            for (kx = 0; kx < kx1 - kx0; ++kx) sum += x[(size_t)kx * c_n];
          }
          avg = sum > 0 ? (sum + count / 2) / count : (sum - count / 2) / count;
          y[c] = (int8_t)tq_clamp_s32(avg, p->activation.min, p->activation.max);
        }
      }
    }
  }
}

void tq_global_avg_pool_s8(const tq_global_pool_params* p, const tq_dims* in, const int8_t* input,
                           int8_t* output) {
  const int32_t hw = in->h * in->w, c_n = in->c;
  int32_t n, i, c;
  for (n = 0; n < in->n; ++n) {
    const int8_t* x = input + (size_t)n * hw * c_n;
    for (c = 0; c < c_n; ++c) {
      int32_t acc = -p->input_zero_point * hw;
      for (i = 0; i < hw; ++i) acc += x[(size_t)i * c_n + c];
      output[(size_t)n * c_n + c] =
          (int8_t)tq_clamp_s32(tq_requantize(acc, p->multiplier, p->shift) + p->output_zero_point,
                               p->activation.min, p->activation.max);
    }
  }
}
