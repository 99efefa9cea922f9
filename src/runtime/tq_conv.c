/* tq_conv.c - int8 2-D convolution: validator, bound helper, generic and 1x1 kernels. */
#include "tq_conv.h"

#include "tq_dot.h"

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
  return (size_t)filter_dims->n * sizeof(int32_t);
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

/* Writes S[oc] = sum of filter[oc,...] into ctx->buf; returns NULL if the scratch is unusable. */
static int32_t* tq_conv_kernel_sums(const tq_context* ctx, const tq_dims* filter_dims,
                                    const int8_t* filter) {
  const int32_t k = filter_dims->h * filter_dims->w * filter_dims->c;
  int32_t* sums;
  int32_t oc;
  if (ctx == NULL || ctx->buf == NULL || ctx->size < tq_conv2d_s8_get_buffer_size(filter_dims)) {
    return NULL;
  }
  sums = (int32_t*)ctx->buf;
  for (oc = 0; oc < filter_dims->n; ++oc) sums[oc] = tq_sum_s8(filter + (size_t)oc * k, k);
  return sums;
}

tq_status tq_conv2d_generic_s8(const tq_context* ctx, const tq_conv_params* params,
                               const tq_per_channel_quant_params* quant, const tq_dims* input_dims,
                               const int8_t* input, const tq_dims* filter_dims,
                               const int8_t* filter, const int32_t* bias,
                               const tq_dims* output_dims, int8_t* output) {
  const int32_t in_h = input_dims->h, in_w = input_dims->w, in_c = input_dims->c;
  const int32_t kh = filter_dims->h, kw = filter_dims->w, cg = filter_dims->c;
  const int32_t out_h = output_dims->h, out_w = output_dims->w, out_c = output_dims->c;
  const int32_t cout_g = out_c / params->groups;
  const int32_t k = kh * kw * cg;
  const int32_t off = params->input_offset;
  const int32_t dil_h = params->dilation.h, dil_w = params->dilation.w;
  /* A filter row (fixed ky) is one contiguous run of kw*cg values in the input too when the
   * taps of a row are adjacent pixels and a pixel holds only this group's channels. */
  const int32_t row_contiguous = dil_w == 1 && params->groups == 1;
  const int32_t* sums = tq_conv_kernel_sums(ctx, filter_dims, filter);
  int32_t n, oy, ox;
  if (sums == NULL) return TQ_ARG_ERROR;
  for (n = 0; n < input_dims->n; ++n) {
    const int8_t* in_n = input + (size_t)n * in_h * in_w * in_c;
    for (oy = 0; oy < out_h; ++oy) {
      const int32_t iy0 = oy * params->stride.h - params->padding.h;
      const int32_t ky0 = tq_first_tap(iy0, dil_h);
      const int32_t ky1 = tq_end_tap(iy0, dil_h, in_h, kh);
      for (ox = 0; ox < out_w; ++ox) {
        const int32_t ix0 = ox * params->stride.w - params->padding.w;
        const int32_t kx0 = tq_first_tap(ix0, dil_w);
        const int32_t kx1 = tq_end_tap(ix0, dil_w, in_w, kw);
        const int32_t full = ky0 == 0 && ky1 == kh && kx0 == 0 && kx1 == kw;
        int8_t* out_px = output + (((size_t)n * out_h + oy) * out_w + ox) * out_c;
        int32_t oc = 0;
        int32_t g;
        for (g = 0; g < params->groups; ++g) {
          const int32_t oc_end = (g + 1) * cout_g;
          const int8_t* in_g = in_n + (size_t)g * cg;
          for (oc = g * cout_g; oc < oc_end;) {
            const int32_t block = oc_end - oc >= 4 ? 4 : 1;
            int32_t acc[4];
            tq_channel_quant cq[4];
            int32_t j, ky, kx;
            for (j = 0; j < block; ++j) {
              cq[j] = tq_get_channel_quant(bias, quant, oc + j, oc + j);
              acc[j] = cq[j].bias;
            }
            if (full) {
              /* Hoisted zero point: only int8 x int8 products in the inner loops. */
              for (j = 0; j < block; ++j) acc[j] += off * sums[oc + j];
              for (ky = 0; ky < kh; ++ky) {
                const int8_t* in_row = in_g + ((size_t)(iy0 + ky * dil_h) * in_w + ix0) * in_c;
                const int8_t* w_row = filter + ((size_t)oc * kh + ky) * kw * cg;
                if (row_contiguous) {
                  if (block == 4) {
                    tq_dot4_s8(in_row, w_row, k, kw * cg, acc);
                  } else {
                    acc[0] = tq_dot_s8(in_row, w_row, kw * cg, acc[0]);
                  }
                } else {
                  for (kx = 0; kx < kw; ++kx) {
                    const int8_t* xp = in_row + (size_t)kx * dil_w * in_c;
                    if (block == 4) {
                      tq_dot4_s8(xp, w_row + kx * cg, k, cg, acc);
                    } else {
                      acc[0] = tq_dot_s8(xp, w_row + kx * cg, cg, acc[0]);
                    }
                  }
                }
              }
            } else {
              /* Border window: direct form (x + input_offset) * w over the in-bound taps. */
              for (ky = ky0; ky < ky1; ++ky) {
                const int32_t iy = iy0 + ky * dil_h;
                const int8_t* in_row = in_g + ((size_t)iy * in_w + ix0) * in_c;
                const int8_t* w_row = filter + ((size_t)oc * kh + ky) * kw * cg;
                if (row_contiguous) {
                  const int32_t run = (kx1 - kx0) * cg;
                  const int8_t* xp = in_row + (size_t)kx0 * in_c;
                  if (block == 4) {
                    tq_dot4_off_s8(xp, w_row + kx0 * cg, k, run, off, acc);
                  } else {
                    acc[0] = tq_dot_off_s8(xp, w_row + kx0 * cg, run, off, acc[0]);
                  }
                } else {
                  for (kx = kx0; kx < kx1; ++kx) {
                    const int8_t* xp = in_row + (size_t)kx * dil_w * in_c;
                    if (block == 4) {
                      tq_dot4_off_s8(xp, w_row + kx * cg, k, cg, off, acc);
                    } else {
                      acc[0] = tq_dot_off_s8(xp, w_row + kx * cg, cg, off, acc[0]);
                    }
                  }
                }
              }
            }
            for (j = 0; j < block; ++j) {
              out_px[oc + j] =
                  tq_output_stage(acc[j], cq[j].multiplier, cq[j].shift, params->output_offset,
                                  params->activation.min, params->activation.max);
            }
            oc += block;
          }
        }
      }
    }
  }
  return TQ_OK;
}

tq_status tq_conv2d_1x1_s8(const tq_context* ctx, const tq_conv_params* params,
                           const tq_per_channel_quant_params* quant, const tq_dims* input_dims,
                           const int8_t* input, const tq_dims* filter_dims, const int8_t* filter,
                           const int32_t* bias, const tq_dims* output_dims, int8_t* output) {
  const int32_t in_h = input_dims->h, in_w = input_dims->w, cin = input_dims->c;
  const int32_t out_h = output_dims->h, out_w = output_dims->w, cout = output_dims->c;
  const int32_t off = params->input_offset;
  const int32_t* sums = tq_conv_kernel_sums(ctx, filter_dims, filter);
  int32_t n, oy, ox;
  if (sums == NULL) return TQ_ARG_ERROR;
  for (n = 0; n < input_dims->n; ++n) {
    for (oy = 0; oy < out_h; ++oy) {
      for (ox = 0; ox < out_w; ++ox) {
        const int8_t* x = input + (((size_t)n * in_h + (size_t)oy * params->stride.h) * in_w +
                                   (size_t)ox * params->stride.w) *
                                      cin;
        int8_t* out_px = output + (((size_t)n * out_h + oy) * out_w + ox) * cout;
        int32_t oc = 0;
        for (; oc + 4 <= cout; oc += 4) {
          int32_t acc[4];
          tq_channel_quant cq[4];
          int32_t j;
          for (j = 0; j < 4; ++j) {
            cq[j] = tq_get_channel_quant(bias, quant, oc + j, oc + j);
            acc[j] = cq[j].bias + off * sums[oc + j];
          }
          tq_dot4_s8(x, filter + (size_t)oc * cin, cin, cin, acc);
          for (j = 0; j < 4; ++j) {
            out_px[oc + j] =
                tq_output_stage(acc[j], cq[j].multiplier, cq[j].shift, params->output_offset,
                                params->activation.min, params->activation.max);
          }
        }
        for (; oc < cout; ++oc) {
          const tq_channel_quant cq = tq_get_channel_quant(bias, quant, oc, oc);
          const int32_t acc =
              tq_dot_s8(x, filter + (size_t)oc * cin, cin, cq.bias + off * sums[oc]);
          out_px[oc] = tq_output_stage(acc, cq.multiplier, cq.shift, params->output_offset,
                                       params->activation.min, params->activation.max);
        }
      }
    }
  }
  return TQ_OK;
}

tq_status tq_conv2d_s8(const tq_context* ctx, const tq_conv_params* params,
                       const tq_per_channel_quant_params* quant, const tq_dims* input_dims,
                       const int8_t* input, const tq_dims* filter_dims, const int8_t* filter,
                       const int32_t* bias, const tq_dims* output_dims, int8_t* output) {
  if (filter_dims->h == 1 && filter_dims->w == 1 && params->padding.h == 0 &&
      params->padding.w == 0 && params->groups == 1) {
    return tq_conv2d_1x1_s8(ctx, params, quant, input_dims, input, filter_dims, filter, bias,
                            output_dims, output);
  }
  return tq_conv2d_generic_s8(ctx, params, quant, input_dims, input, filter_dims, filter, bias,
                              output_dims, output);
}
