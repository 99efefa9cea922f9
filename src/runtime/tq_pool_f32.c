/* tq_pool_f32.c - float32 max / average pooling, NHWC (tq_pool_f32.h). */
#include "tq_pool_f32.h"

tq_status tq_pool2d_f32_validate(const tq_pool_f32_params* p, const tq_dims* in,
                                 const tq_dims* out) {
  if (p == NULL || in == NULL || out == NULL) return TQ_ARG_ERROR;
  if (in->n < 1 || in->h < 1 || in->w < 1 || in->c < 1 || out->n != in->n || out->c != in->c ||
      out->h < 1 || out->w < 1) {
    return TQ_ARG_ERROR;
  }
  if (p->filter.h < 1 || p->filter.w < 1 || p->stride.h < 1 || p->stride.w < 1 ||
      p->padding.h < 0 || p->padding.w < 0 || p->padding_end.h < 0 || p->padding_end.w < 0 ||
      (p->count_include_pad != 0 && p->count_include_pad != 1)) {
    return TQ_ARG_ERROR;
  }
  if (p->filter.h <= p->padding.h || p->filter.w <= p->padding.w ||
      (out->h - 1) * p->stride.h - p->padding.h > in->h - 1 ||
      (out->w - 1) * p->stride.w - p->padding.w > in->w - 1) {
    return TQ_ARG_ERROR;
  }
  return TQ_OK;
}

/* The in-bound positions [*lo, *hi) of the window of output index o along one axis. */
static void tq_pool_f32_window(int32_t o, int32_t stride, int32_t pad, int32_t filter, int32_t size,
                               int32_t* lo, int32_t* hi) {
  const int32_t start = o * stride - pad;
  *lo = start < 0 ? 0 : start;
  *hi = start + filter > size ? size : start + filter;
}

static void tq_pool2d_f32(const tq_pool_f32_params* p, const tq_dims* in, const float* input,
                          const tq_dims* out, float* output, int32_t is_max) {
  const int32_t c_n = in->c;
  int32_t n, oy, ox, iy, ix, c;
  for (n = 0; n < in->n; ++n) {
    for (oy = 0; oy < out->h; ++oy) {
      int32_t y0, y1;
      tq_pool_f32_window(oy, p->stride.h, p->padding.h, p->filter.h, in->h, &y0, &y1);
      for (ox = 0; ox < out->w; ++ox) {
        float* y = output + (((size_t)n * out->h + oy) * out->w + ox) * c_n;
        int32_t x0, x1, count;
        tq_pool_f32_window(ox, p->stride.w, p->padding.w, p->filter.w, in->w, &x0, &x1);
        for (iy = y0; iy < y1; ++iy) {
          for (ix = x0; ix < x1; ++ix) {
            const float* x = input + (((size_t)n * in->h + iy) * in->w + ix) * c_n;
            if (iy == y0 && ix == x0) {
              for (c = 0; c < c_n; ++c) y[c] = x[c];
            } else if (is_max) {
              for (c = 0; c < c_n; ++c) y[c] = x[c] > y[c] ? x[c] : y[c];
            } else {
              for (c = 0; c < c_n; ++c) y[c] = y[c] + x[c];
            }
          }
        }
        if (is_max) continue;
        count = (y1 - y0) * (x1 - x0);
        if (p->count_include_pad) {
          const int32_t sy = oy * p->stride.h - p->padding.h;
          const int32_t sx = ox * p->stride.w - p->padding.w;
          const int32_t ey = sy + p->filter.h, ex = sx + p->filter.w;
          const int32_t hy = in->h + p->padding_end.h, hx = in->w + p->padding_end.w;
          count = ((ey < hy ? ey : hy) - sy) * ((ex < hx ? ex : hx) - sx);
        }
        {
          const float inv = 1.0f / (float)count;
          for (c = 0; c < c_n; ++c) y[c] = y[c] * inv;
        }
      }
    }
  }
}

void tq_max_pool2d_f32(const tq_pool_f32_params* params, const tq_dims* input_dims,
                       const float* input, const tq_dims* output_dims, float* output) {
  tq_pool2d_f32(params, input_dims, input, output_dims, output, 1);
}

void tq_avg_pool2d_f32(const tq_pool_f32_params* params, const tq_dims* input_dims,
                       const float* input, const tq_dims* output_dims, float* output) {
  tq_pool2d_f32(params, input_dims, input, output_dims, output, 0);
}
