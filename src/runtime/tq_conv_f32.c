/* tq_conv_f32.c - float32 2-D convolution, NHWC input, HWIO filter (tq_conv_f32.h). */
#include "tq_conv_f32.h"

tq_status tq_conv2d_f32_validate(const tq_conv_f32_params* p, const tq_dims* in, const tq_dims* f,
                                 const tq_dims* out) {
  if (p == NULL || in == NULL || f == NULL || out == NULL) return TQ_ARG_ERROR;
  if (in->n < 1 || in->h < 1 || in->w < 1 || in->c < 1 || f->n < 1 || f->h < 1 || f->w < 1 ||
      f->c < 1 || out->h < 1 || out->w < 1) {
    return TQ_ARG_ERROR;
  }
  if (p->groups < 1 || in->c % p->groups != 0 || f->c != in->c / p->groups ||
      f->n % p->groups != 0 || out->n != in->n || out->c != f->n) {
    return TQ_ARG_ERROR;
  }
  if (p->stride.h < 1 || p->stride.w < 1 || p->dilation.h < 1 || p->dilation.w < 1 ||
      p->padding.h < 0 || p->padding.w < 0) {
    return TQ_ARG_ERROR;
  }
  return TQ_OK;
}

void tq_conv2d_f32(const tq_conv_f32_params* p, const tq_dims* in, const float* input,
                   const tq_dims* f, const float* filter, const float* bias, const tq_dims* out,
                   float* output) {
  const int32_t in_h = in->h, in_w = in->w, in_c = in->c;
  const int32_t kh = f->h, kw = f->w, cg = f->c;
  const int32_t out_c = out->c, cout_g = out_c / p->groups, groups = p->groups;
  const int32_t depthwise = cg == 1 && cout_g == 1;
  int32_t n, oy, ox, ky, kx, g, ci, oc;
  for (n = 0; n < in->n; ++n) {
    const float* in_n = input + (size_t)n * in_h * in_w * in_c;
    for (oy = 0; oy < out->h; ++oy) {
      const int32_t iy0 = oy * p->stride.h - p->padding.h;
      for (ox = 0; ox < out->w; ++ox) {
        const int32_t ix0 = ox * p->stride.w - p->padding.w;
        float* y = output + (((size_t)n * out->h + oy) * out->w + ox) * out_c;
        for (oc = 0; oc < out_c; ++oc) y[oc] = bias != NULL ? bias[oc] : 0.0f;
        for (ky = 0; ky < kh; ++ky) {
          const int32_t iy = iy0 + ky * p->dilation.h;
          if (iy < 0 || iy >= in_h) continue;
          for (kx = 0; kx < kw; ++kx) {
            const int32_t ix = ix0 + kx * p->dilation.w;
            const float* x;
            const float* w;
            if (ix < 0 || ix >= in_w) continue;
            x = in_n + ((size_t)iy * in_w + ix) * in_c;
            w = filter + (size_t)(ky * kw + kx) * cg * out_c;
            if (depthwise) {
              for (oc = 0; oc < out_c; ++oc) y[oc] = y[oc] + x[oc] * w[oc];
              continue;
            }
            for (g = 0; g < groups; ++g) {
              float* yg = y + (size_t)g * cout_g;
              for (ci = 0; ci < cg; ++ci) {
                const float xv = x[g * cg + ci];
                const float* wr = w + (size_t)ci * out_c + (size_t)g * cout_g;
                for (oc = 0; oc < cout_g; ++oc) yg[oc] = yg[oc] + xv * wr[oc];
              }
            }
          }
        }
        for (oc = 0; oc < out_c; ++oc) y[oc] = tq_clamp_f32_apply(&p->activation, y[oc]);
      }
    }
  }
}
