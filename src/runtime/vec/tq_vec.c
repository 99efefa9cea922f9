/* tq_vec.c - host variants of the int8 MAC kernels (see tq_vec.h). */
#include "tq_vec.h"

#include "../tq_dot.h"

/* Output pixels per block of the conv/FC kernels: their patches and accumulators share the
 * scratch buffer. */
#define TQ_VEC_PIXELS 8

static size_t tq_vec_align4(size_t n) { return (n + 3u) & ~(size_t)3u; }

void tq_vec_kernel_bias(const int8_t* w, int32_t rows, int32_t cols, const int32_t* bias,
                        int32_t input_offset, int32_t* kernel_bias) {
  int32_t r;
  for (r = 0; r < rows; ++r) {
    kernel_bias[r] =
        (bias == NULL ? 0 : bias[r]) + (input_offset - 128) * tq_sum_s8(w + (size_t)r * cols, cols);
  }
}

int32_t tq_vec_right_rounds(const int32_t* shift, int32_t n, int64_t* round) {
  int32_t i;
  for (i = 0; i < n; ++i) {
    if (shift[i] >= 0) return 0;
  }
  for (i = 0; i < n; ++i) round[i] = tq_requantize_right_round(-shift[i]);
  return 1;
}

int64_t tq_vec_kernel_bias_bound(const int8_t* w, int32_t rows, int32_t cols, const int32_t* bias) {
  int64_t worst = 0;
  int32_t r;
  for (r = 0; r < rows; ++r) {
    const int64_t b = bias == NULL ? 0 : (bias[r] < 0 ? -(int64_t)bias[r] : bias[r]);
    const int64_t bound = b + 256 * tq_sum_abs_s8(w + (size_t)r * cols, cols);
    if (bound > worst) worst = bound;
  }
  return worst;
}

/* y[c] = clamp(requantize(acc[c] + bias[c], m0[c], shift[c]) + zp, lo, hi) for c < n: one
 * pixel's output channels. Two passes (int32 in place, then the narrowing to int8) because gcc
 * does not vectorize a loop mixing 8-, 32- and 64-bit lanes. With right shifts only (q->round)
 * the loop is tq_requantize_right_r's with the precomputed rounding constants, about a third of
 * the vector instructions of tq_vec_requantize's. */
static void tq_vec_output_stage(int32_t* acc, const tq_vec_quant* q, int32_t n, int32_t zp,
                                int32_t lo, int32_t hi, int8_t* y) {
  const int32_t* bias = q->bias;
  const int32_t* m0 = q->multiplier;
  const int32_t* shift = q->shift;
  const int64_t* round = q->round;
  int32_t c;
  if (round != NULL) {
    for (c = 0; c < n; ++c) {
      const int32_t v =
          tq_requantize_right_r(acc[c] + bias[c], m0[c], round[c], -shift[c] - 1) + zp;
      acc[c] = v < lo ? lo : (v > hi ? hi : v);
    }
  } else {
    for (c = 0; c < n; ++c) {
      const int32_t v = tq_vec_requantize(acc[c] + bias[c], m0[c], shift[c]) + zp;
      acc[c] = v < lo ? lo : (v > hi ? hi : v);
    }
  }
  for (c = 0; c < n; ++c) y[c] = (int8_t)acc[c];
}

/* a[2 * j + i] = sum_t xi[t] * wj[t] for the two unsigned rows x0, x1 and four weight rows:
 * eight dot products in one pass over k (each a u8 x s8 reduction the compiler vectorizes). */
static void tq_vec_dot2x4(const uint8_t* x0, const uint8_t* x1, const int8_t* w0, const int8_t* w1,
                          const int8_t* w2, const int8_t* w3, int32_t k, int32_t* a) {
  int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0, b0 = 0, b1 = 0, b2 = 0, b3 = 0;
  int32_t t;
  for (t = 0; t < k; ++t) {
    const int32_t u = x0[t], v = x1[t];
    a0 += u * w0[t];
    b0 += v * w0[t];
    a1 += u * w1[t];
    b1 += v * w1[t];
    a2 += u * w2[t];
    b2 += v * w2[t];
    a3 += u * w3[t];
    b3 += v * w3[t];
  }
  a[0] = a0;
  a[1] = b0;
  a[2] = a1;
  a[3] = b1;
  a[4] = a2;
  a[5] = b2;
  a[6] = a3;
  a[7] = b3;
}

/* acc[p * stride + r] = sum_t xs[p * k + t] * w[r * k + t] for p < pixels, r in [r0, r1): the
 * GEMM of a pixel block (unsigned rows) with weight rows, pixels in pairs and rows in fours (a
 * short block repeats its last row or pixel; the repeats write the same values again). */
static void tq_vec_gemm(const uint8_t* xs, int32_t pixels, int32_t k, const int8_t* w, int32_t r0,
                        int32_t r1, int32_t* acc, int32_t stride) {
  int32_t p, r, j;
  for (p = 0; p < pixels; p += 2) {
    const int32_t p1 = p + 1 < pixels ? p + 1 : p;
    for (r = r0; r < r1; r += 4) {
      const int32_t n = r1 - r < 4 ? r1 - r : 4;
      const int8_t* w0 = w + (size_t)r * k;
      const int8_t* w1 = n > 1 ? w0 + k : w0;
      const int8_t* w2 = n > 2 ? w1 + k : w1;
      const int8_t* w3 = n > 3 ? w2 + k : w2;
      int32_t a[8];
      tq_vec_dot2x4(xs + (size_t)p * k, xs + (size_t)p1 * k, w0, w1, w2, w3, k, a);
      for (j = 0; j < n; ++j) {
        acc[(size_t)p * stride + r + j] = a[2 * j];
        acc[(size_t)p1 * stride + r + j] = a[2 * j + 1];
      }
    }
  }
}

/* dst[i] = src[i * step] + 128 as unsigned bytes, i < n (step 1: contiguous). */
static void tq_vec_to_u8(const int8_t* src, int32_t step, int32_t n, uint8_t* dst) {
  int32_t i;
  if (step == 1) {
    for (i = 0; i < n; ++i) dst[i] = (uint8_t)((uint8_t)src[i] ^ 0x80u);
  } else {
    for (i = 0; i < n; ++i) dst[i] = (uint8_t)((uint8_t)src[(size_t)i * step] ^ 0x80u);
  }
}

size_t tq_conv2d_vec_s8_get_buffer_size(const tq_dims* filter_dims, const tq_dims* output_dims) {
  const size_t k = (size_t)filter_dims->h * filter_dims->w * filter_dims->c;
  return tq_vec_align4(TQ_VEC_PIXELS * k) +
         (size_t)TQ_VEC_PIXELS * output_dims->c * sizeof(int32_t);
}

tq_status tq_conv2d_vec_s8(const tq_context* ctx, const tq_conv_params* params,
                           const tq_vec_quant* quant, const tq_dims* input_dims,
                           const int8_t* input, const tq_dims* filter_dims, const int8_t* filter,
                           const tq_dims* output_dims, int8_t* output) {
  const int32_t in_h = input_dims->h, in_w = input_dims->w, in_c = input_dims->c;
  const int32_t kh = filter_dims->h, kw = filter_dims->w, cg = filter_dims->c;
  const int32_t k = kh * kw * cg;
  const int32_t out_w = output_dims->w, out_c = output_dims->c;
  const int32_t pixels = output_dims->h * out_w;
  const int32_t cout_g = out_c / params->groups;
  const uint8_t zp_u8 = (uint8_t)((uint8_t)(int8_t)(-params->input_offset) ^ 0x80u);
  uint8_t* xs;
  int32_t* acc;
  int32_t n, p0, p, g, ky, kx, i;
  if (ctx == NULL || ctx->buf == NULL ||
      ctx->size < tq_conv2d_vec_s8_get_buffer_size(filter_dims, output_dims)) {
    return TQ_ARG_ERROR;
  }
  xs = (uint8_t*)ctx->buf;
  acc = (int32_t*)(void*)(xs + tq_vec_align4((size_t)TQ_VEC_PIXELS * k));
  for (n = 0; n < input_dims->n; ++n) {
    const int8_t* in_n = input + (size_t)n * in_h * in_w * in_c;
    int8_t* out_n = output + (size_t)n * pixels * out_c;
    for (p0 = 0; p0 < pixels; p0 += TQ_VEC_PIXELS) {
      const int32_t pb = pixels - p0 < TQ_VEC_PIXELS ? pixels - p0 : TQ_VEC_PIXELS;
      for (g = 0; g < params->groups; ++g) {
        /* The block's patches as unsigned bytes; taps outside the input read the zero point. */
        for (p = 0; p < pb; ++p) {
          const int32_t oy = (p0 + p) / out_w, ox = (p0 + p) % out_w;
          const int32_t iy0 = oy * params->stride.h - params->padding.h;
          const int32_t ix0 = ox * params->stride.w - params->padding.w;
          uint8_t* dst = xs + (size_t)p * k;
          for (ky = 0; ky < kh; ++ky) {
            const int32_t iy = iy0 + ky * params->dilation.h;
            for (kx = 0; kx < kw; ++kx) {
              const int32_t ix = ix0 + kx * params->dilation.w;
              if (iy >= 0 && iy < in_h && ix >= 0 && ix < in_w) {
                tq_vec_to_u8(in_n + ((size_t)iy * in_w + ix) * in_c + (size_t)g * cg, 1, cg, dst);
              } else {
                for (i = 0; i < cg; ++i) dst[i] = zp_u8;
              }
              dst += cg;
            }
          }
        }
        tq_vec_gemm(xs, pb, k, filter, g * cout_g, (g + 1) * cout_g, acc, out_c);
      }
      for (p = 0; p < pb; ++p) {
        tq_vec_output_stage(acc + (size_t)p * out_c, quant, out_c, params->output_offset,
                            params->activation.min, params->activation.max,
                            out_n + (size_t)(p0 + p) * out_c);
      }
    }
  }
  return TQ_OK;
}

size_t tq_fully_connected_vec_s8_get_buffer_size(const tq_fc_dims* dims) {
  return tq_vec_align4((size_t)TQ_VEC_PIXELS * dims->input_features) +
         (size_t)TQ_VEC_PIXELS * dims->output_features * sizeof(int32_t);
}

tq_status tq_fully_connected_vec_s8(const tq_context* ctx, const tq_fc_params* params,
                                    const tq_vec_quant* quant, const tq_fc_dims* dims,
                                    const int8_t* input, const int8_t* filter, int8_t* output) {
  const int32_t k = dims->input_features, cout = dims->output_features;
  uint8_t* xs;
  int32_t* acc;
  int32_t b0, p;
  if (ctx == NULL || ctx->buf == NULL ||
      ctx->size < tq_fully_connected_vec_s8_get_buffer_size(dims)) {
    return TQ_ARG_ERROR;
  }
  xs = (uint8_t*)ctx->buf;
  acc = (int32_t*)(void*)(xs + tq_vec_align4((size_t)TQ_VEC_PIXELS * k));
  for (b0 = 0; b0 < dims->batches; b0 += TQ_VEC_PIXELS) {
    const int32_t pb = dims->batches - b0 < TQ_VEC_PIXELS ? dims->batches - b0 : TQ_VEC_PIXELS;
    tq_vec_to_u8(input + (size_t)b0 * k, 1, pb * k, xs);
    tq_vec_gemm(xs, pb, k, filter, 0, cout, acc, cout);
    for (p = 0; p < pb; ++p) {
      tq_vec_output_stage(acc + (size_t)p * cout, quant, cout, params->output_offset,
                          params->activation.min, params->activation.max,
                          output + (size_t)(b0 + p) * cout);
    }
  }
  return TQ_OK;
}

size_t tq_depthwise_conv2d_vec_s8_get_buffer_size(const tq_dims* output_dims) {
  return (size_t)output_dims->c * sizeof(int32_t);
}

tq_status tq_depthwise_conv2d_vec_s8(const tq_context* ctx, const tq_dw_conv_params* params,
                                     const tq_vec_quant* quant, const tq_dims* input_dims,
                                     const int8_t* input, const tq_dims* filter_dims,
                                     const int8_t* filter, const tq_dims* output_dims,
                                     int8_t* output) {
  const int32_t in_h = input_dims->h, in_w = input_dims->w, in_c = input_dims->c;
  const int32_t kh = filter_dims->h, kw = filter_dims->w;
  const int32_t out_h = output_dims->h, out_w = output_dims->w, out_c = output_dims->c;
  const int32_t mult = params->depth_multiplier, off = params->input_offset;
  int32_t* acc;
  int32_t n, oy, ox, ky, kx, c;
  if (ctx == NULL || ctx->buf == NULL ||
      ctx->size < tq_depthwise_conv2d_vec_s8_get_buffer_size(output_dims)) {
    return TQ_ARG_ERROR;
  }
  acc = (int32_t*)ctx->buf;
  for (n = 0; n < input_dims->n; ++n) {
    const int8_t* in_n = input + (size_t)n * in_h * in_w * in_c;
    for (oy = 0; oy < out_h; ++oy) {
      const int32_t iy0 = oy * params->stride.h - params->padding.h;
      for (ox = 0; ox < out_w; ++ox) {
        const int32_t ix0 = ox * params->stride.w - params->padding.w;
        int8_t* y = output + (((size_t)n * out_h + oy) * out_w + ox) * out_c;
        for (c = 0; c < out_c; ++c) acc[c] = 0;
        for (ky = 0; ky < kh; ++ky) {
          const int32_t iy = iy0 + ky * params->dilation.h;
          if (iy < 0 || iy >= in_h) continue;
          for (kx = 0; kx < kw; ++kx) {
            const int32_t ix = ix0 + kx * params->dilation.w;
            const int8_t* xp;
            const int8_t* wp;
            if (ix < 0 || ix >= in_w) continue; /* before forming a pointer outside the input */
            xp = in_n + ((size_t)iy * in_w + ix) * in_c;
            wp = filter + ((size_t)ky * kw + kx) * out_c;
            if (mult == 1) {
              /* |x + off| <= 255, |w| <= 127: the product is exact in 16 bits. */
              for (c = 0; c < out_c; ++c) {
                acc[c] += (int16_t)((int16_t)(xp[c] + off) * (int16_t)wp[c]);
              }
            } else {
              for (c = 0; c < out_c; ++c) acc[c] += (xp[c / mult] + off) * wp[c];
            }
          }
        }
        tq_vec_output_stage(acc, quant, out_c, params->output_offset, params->activation.min,
                            params->activation.max, y);
      }
    }
  }
  return TQ_OK;
}
