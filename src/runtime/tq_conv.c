/* tq_conv.c - int8 2-D convolution: validator, bound and kernel-bias helpers, the kernel.
 *
 * Two output pixels at a time (tq_conv.h): their input patches are packed into one int32 per
 * tap, X = x0 + x1 * 2^23, so that one 32x32->64 multiply-accumulate (smlal on Cortex-M4)
 * computes a MAC of both pixels: sum X*w = sum x0*w + 2^23 * sum x1*w. Over a chunk of at most
 * TQ_CONV_CHUNK taps |sum x0*w| <= 128 * 127 * 256 < 2^22, so the pixel-0 sum is the low 23
 * bits of the 64-bit sum read as a signed number and the pixel-1 sum is the rest divided by
 * 2^23: both exact. X itself fits int32: |x1 * 2^23| <= 2^30.
 */
#include "tq_conv.h"

#include "tq_dot.h"

#define TQ_CONV_CHUNK 256 /* taps per exact 64-bit chunk (see above) */

tq_status tq_conv2d_s8_validate(const tq_conv_params* params, const tq_dims* input_dims,
                                const tq_dims* filter_dims, const tq_dims* output_dims) {
  if (params == NULL ||
      tq_conv_window_validate(&params->activation, params->input_offset, params->output_offset,
                              params->stride, params->padding, params->dilation, input_dims,
                              filter_dims, output_dims) != TQ_OK) {
    return TQ_ARG_ERROR;
  }
  if (params->groups < 1 || input_dims->c % params->groups != 0 ||
      filter_dims->n % params->groups != 0) {
    return TQ_ARG_ERROR;
  }
  if (filter_dims->c * params->groups != input_dims->c) return TQ_ARG_ERROR;
  if (output_dims->n != input_dims->n || output_dims->c != filter_dims->n) return TQ_ARG_ERROR;
  return TQ_OK;
}

size_t tq_conv2d_s8_get_buffer_size(const tq_dims* filter_dims) {
  return (size_t)filter_dims->h * filter_dims->w * filter_dims->c * sizeof(int32_t);
}

int64_t tq_conv2d_s8_acc_bound(const tq_dims* filter_dims, const int8_t* filter,
                               const int32_t* bias, int32_t input_offset) {
  const int32_t k = filter_dims->h * filter_dims->w * filter_dims->c;
  const int64_t x_max = 128 + (input_offset < 0 ? -(int64_t)input_offset : input_offset);
  int64_t worst = 0;
  int32_t oc;
  for (oc = 0; oc < filter_dims->n; ++oc) {
    const int64_t b = bias == NULL ? 0 : (bias[oc] < 0 ? -(int64_t)bias[oc] : bias[oc]);
    const int64_t bound = b + x_max * tq_sum_abs_s8(filter + (size_t)oc * k, k);
    if (bound > worst) worst = bound;
  }
  return worst;
}

void tq_conv2d_s8_kernel_bias(const tq_dims* filter_dims, const int8_t* filter, const int32_t* bias,
                              int32_t input_offset, int32_t* kernel_bias) {
  const int32_t k = filter_dims->h * filter_dims->w * filter_dims->c;
  int32_t oc;
  for (oc = 0; oc < filter_dims->n; ++oc) {
    kernel_bias[oc] =
        (bias == NULL ? 0 : bias[oc]) + input_offset * tq_sum_s8(filter + (size_t)oc * k, k);
  }
}

/* The packed patch of output pixels p0 and p1 (flat indices oy * OW + ox) of image `in_n`,
 * group g: X[(ky*KW + kx)*Cg + ci] = v0 + v1 * 2^23, v = the input value of the tap or, outside
 * the input, the input zero point (-input_offset, which contributes nothing next to the kernel
 * bias). */
static void tq_conv_pack_pair(const tq_conv_params* p, const tq_dims* in_d, const tq_dims* f_d,
                              int32_t out_w, const int8_t* in_n, int32_t g, int32_t p0, int32_t p1,
                              int32_t* x) {
  const int32_t cg = f_d->c, zp = -p->input_offset;
  const int32_t y0 = (p0 / out_w) * p->stride.h - p->padding.h;
  const int32_t x0 = (p0 % out_w) * p->stride.w - p->padding.w;
  const int32_t y1 = (p1 / out_w) * p->stride.h - p->padding.h;
  const int32_t x1 = (p1 % out_w) * p->stride.w - p->padding.w;
  int32_t ky, kx, ci;
  for (ky = 0; ky < f_d->h; ++ky) {
    const int32_t iy0 = y0 + ky * p->dilation.h, iy1 = y1 + ky * p->dilation.h;
    for (kx = 0; kx < f_d->w; ++kx) {
      const int32_t ix0 = x0 + kx * p->dilation.w, ix1 = x1 + kx * p->dilation.w;
      const int8_t* a = NULL;
      const int8_t* b = NULL;
      if (iy0 >= 0 && iy0 < in_d->h && ix0 >= 0 && ix0 < in_d->w) {
        a = in_n + ((size_t)iy0 * in_d->w + ix0) * in_d->c + (size_t)g * cg;
      }
      if (iy1 >= 0 && iy1 < in_d->h && ix1 >= 0 && ix1 < in_d->w) {
        b = in_n + ((size_t)iy1 * in_d->w + ix1) * in_d->c + (size_t)g * cg;
      }
      if (a != NULL && b != NULL) {
        for (ci = 0; ci < cg; ++ci) *x++ = a[ci] + (int32_t)((uint32_t)b[ci] << 23);
      } else {
        for (ci = 0; ci < cg; ++ci) {
          const int32_t v0 = a == NULL ? zp : a[ci];
          const int32_t v1 = b == NULL ? zp : b[ci];
          *x++ = v0 + (int32_t)((uint32_t)v1 << 23);
        }
      }
    }
  }
}

/* acc[j] = sum_{i < n} x0[i] * wj[i] and acc[3 + j] = sum_{i < n} x1[i] * wj[i] for the three
 * weight rows wj and the two pixels packed in x (X = x0 + x1 * 2^23), 0 < n <= TQ_CONV_CHUNK.
 * Kept out of line (external linkage, so -Os does not inline it): the loop then has the
 * registers of the core to itself, 9 instructions for 6 MACs on Cortex-M4 (ldr, 3 ldrsb,
 * 3 smlal, cmp, bne). */
void tq_conv_dot_pair3_s8(const int32_t* x, const int8_t* w0, const int8_t* w1, const int8_t* w2,
                          int32_t n, int32_t* acc);
void tq_conv_dot_pair3_s8(const int32_t* x, const int8_t* w0, const int8_t* w1, const int8_t* w2,
                          int32_t n, int32_t* acc) {
  const int32_t* x_end = x + n;
  int64_t s0 = 0, s1 = 0, s2 = 0;
  int32_t low;
  do {
    const int32_t v = *x++;
    s0 += (int64_t)v * *w0++;
    s1 += (int64_t)v * *w1++;
    s2 += (int64_t)v * *w2++;
  } while (x != x_end);
  /* Pixel 0: the low 23 bits read as signed; pixel 1: the rest, exactly divisible by 2^23. */
  low = (int32_t)((uint32_t)s0 << 9) >> 9;
  acc[0] = low;
  acc[3] = (int32_t)((s0 - low) >> 23);
  low = (int32_t)((uint32_t)s1 << 9) >> 9;
  acc[1] = low;
  acc[4] = (int32_t)((s1 - low) >> 23);
  low = (int32_t)((uint32_t)s2 << 9) >> 9;
  acc[2] = low;
  acc[5] = (int32_t)((s2 - low) >> 23);
}

tq_status tq_conv2d_s8(const tq_context* ctx, const tq_conv_params* params,
                       const tq_per_channel_quant_params* quant, const tq_dims* input_dims,
                       const int8_t* input, const tq_dims* filter_dims, const int8_t* filter,
                       const int32_t* kernel_bias, const tq_dims* output_dims, int8_t* output) {
  const int32_t k = filter_dims->h * filter_dims->w * filter_dims->c;
  const int32_t out_c = output_dims->c, cout_g = out_c / params->groups;
  const int32_t pixels = output_dims->h * output_dims->w;
  const int32_t off = params->output_offset;
  const int32_t lo = params->activation.min, hi = params->activation.max;
  /* A local copy: the int8 stores below could alias *quant as far as the compiler knows. */
  const tq_per_channel_quant_params q = *quant;
  int32_t* x;
  int32_t n, p, g;
  if (ctx == NULL || ctx->buf == NULL || ctx->size < tq_conv2d_s8_get_buffer_size(filter_dims)) {
    return TQ_ARG_ERROR;
  }
  x = (int32_t*)ctx->buf;
  for (n = 0; n < input_dims->n; ++n) {
    const int8_t* in_n = input + (size_t)n * input_dims->h * input_dims->w * input_dims->c;
    int8_t* out_n = output + (size_t)n * pixels * out_c;
    /* Pixel pairs (p, p + 1); an odd last pixel is paired with itself. */
    for (p = 0; p < pixels; p += 2) {
      const int32_t p1 = p + 1 < pixels ? p + 1 : p;
      int8_t* y0 = out_n + (size_t)p * out_c;
      int8_t* y1 = out_n + (size_t)p1 * out_c;
      for (g = 0; g < params->groups; ++g) {
        const int32_t oc_end = (g + 1) * cout_g;
        int32_t oc;
        tq_conv_pack_pair(params, input_dims, filter_dims, output_dims->w, in_n, g, p, p1, x);
        /* Three output channels at a time; a short last block repeats its last channel. */
        for (oc = g * cout_g; oc < oc_end; oc += 3) {
          const int32_t rows = oc_end - oc < 3 ? oc_end - oc : 3;
          const int8_t* w0 = filter + (size_t)oc * k;
          const int8_t* w1 = rows > 1 ? w0 + k : w0;
          const int8_t* w2 = rows > 2 ? w1 + k : w1;
          int32_t acc[6], part[6]; /* pixel 0: channels 0..2, then pixel 1 */
          int32_t i, j;
          tq_conv_dot_pair3_s8(x, w0, w1, w2, k < TQ_CONV_CHUNK ? k : TQ_CONV_CHUNK, acc);
          for (i = TQ_CONV_CHUNK; i < k; i += TQ_CONV_CHUNK) {
            tq_conv_dot_pair3_s8(x + i, w0 + i, w1 + i, w2 + i,
                                 k - i < TQ_CONV_CHUNK ? k - i : TQ_CONV_CHUNK, part);
            for (j = 0; j < 6; ++j) acc[j] += part[j];
          }
          for (j = 0; j < rows; ++j) {
            const tq_channel_quant cq = tq_get_channel_quant(kernel_bias, &q, oc + j, oc + j);
            y0[oc + j] = tq_output_stage(cq.bias + acc[j], cq.multiplier, cq.shift, off, lo, hi);
            y1[oc + j] =
                tq_output_stage(cq.bias + acc[j + 3], cq.multiplier, cq.shift, off, lo, hi);
          }
        }
      }
    }
  }
  return TQ_OK;
}
