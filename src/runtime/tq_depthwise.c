/* tq_depthwise.c - int8 depthwise convolution.
 *
 * One output channel at a time over all output pixels (channel-outer), so the channel's bias,
 * requantization and weights are read once per call. For each channel the kernel derives
 *   S = sum of the channel's taps,   kbias = bias + input_offset * S,
 * and evaluates a window lying inside the input as kbias + sum x*w (no per-tap offset), a
 * border window as bias + sum over its in-bound taps of (x + input_offset)*w: both equal the
 * formula of tq_depthwise.h. Interior 3x3 windows with unit dilation, the common case, have the
 * taps unrolled.
 */
#include "tq_depthwise.h"

#include "tq_dot.h"

tq_status tq_depthwise_conv2d_s8_validate(const tq_dw_conv_params* params,
                                          const tq_dims* input_dims, const tq_dims* filter_dims,
                                          const tq_dims* output_dims) {
  if (params == NULL ||
      tq_conv_window_validate(&params->activation, params->input_offset, params->output_offset,
                              params->stride, params->padding, params->dilation, input_dims,
                              filter_dims, output_dims) != TQ_OK) {
    return TQ_ARG_ERROR;
  }
  if (params->depth_multiplier < 1) return TQ_ARG_ERROR;
  if (filter_dims->n != 1) return TQ_ARG_ERROR;
  if ((int64_t)input_dims->c * params->depth_multiplier != filter_dims->c) return TQ_ARG_ERROR;
  if (output_dims->n != input_dims->n || output_dims->c != filter_dims->c) return TQ_ARG_ERROR;
  return TQ_OK;
}

/* Extent of the padded plane along one axis: every tap any output reads. */
static int32_t tq_dw_plane_extent(int32_t out, int32_t stride, int32_t k, int32_t dil) {
  return (out - 1) * stride + (k - 1) * dil + 1;
}

size_t tq_depthwise_conv2d_s8_get_buffer_size(const tq_dw_conv_params* params,
                                              const tq_dims* filter_dims,
                                              const tq_dims* output_dims) {
  return (size_t)tq_dw_plane_extent(output_dims->h, params->stride.h, filter_dims->h,
                                    params->dilation.h) *
         (size_t)tq_dw_plane_extent(output_dims->w, params->stride.w, filter_dims->w,
                                    params->dilation.w);
}

int64_t tq_depthwise_conv2d_s8_acc_bound(const tq_dims* filter_dims, const int8_t* filter,
                                         const int32_t* bias, int32_t input_offset) {
  const int32_t taps = filter_dims->h * filter_dims->w;
  const int32_t oc_n = filter_dims->c;
  const int64_t x_max = 128 + (input_offset < 0 ? -(int64_t)input_offset : input_offset);
  int64_t worst = 0;
  int32_t oc, t;
  for (oc = 0; oc < oc_n; ++oc) {
    int64_t s = 0;
    int64_t bound;
    for (t = 0; t < taps; ++t) {
      const int8_t w = filter[(size_t)t * oc_n + oc];
      s += w < 0 ? -(int64_t)w : w;
    }
    bound = (bias == NULL ? 0 : (bias[oc] < 0 ? -(int64_t)bias[oc] : bias[oc])) + x_max * s;
    if (bound > worst) worst = bound;
  }
  return worst;
}

/* One channel over the padded plane: its taps, kernel bias, requantization and the geometry. */
typedef struct {
  int32_t w[9];  /* taps of an unrolled 3x3 window, row-major */
  int32_t kbias; /* bias + input_offset * sum(w) */
  int32_t multiplier, shift, out_offset, act_min, act_max;
  int32_t pw;     /* plane row stride */
  int32_t sx, sy; /* strides in the plane between output columns / rows */
  int32_t ys;     /* output step between output pixels (channels) */
  int32_t out_h, out_w;
} tq_dw_plane;

/* Every output of one channel from 3x3 unit-dilation windows of the padded plane: 9 loads with
 * immediate offsets, 9 multiply-accumulates and the output stage per output. Out of line
 * (external linkage) so that -Os gives the loop the core's registers. */
void tq_dw3x3_plane_s8(const tq_dw_plane* d, const int8_t* plane, int8_t* y);
void tq_dw3x3_plane_s8(const tq_dw_plane* d, const int8_t* plane, int8_t* y) {
  /* Locals: the int8 stores below could alias *d as far as the compiler knows. */
  const int32_t w0 = d->w[0], w1 = d->w[1], w2 = d->w[2], w3 = d->w[3], w4 = d->w[4];
  const int32_t w5 = d->w[5], w6 = d->w[6], w7 = d->w[7], w8 = d->w[8];
  const int32_t kbias = d->kbias, m0 = d->multiplier, shift = d->shift, zp = d->out_offset;
  const int32_t lo = d->act_min, hi = d->act_max, pw = d->pw, sx = d->sx, ys = d->ys;
  const int32_t row_skip = d->sy - d->out_w * sx;
  int32_t oy, ox;
  for (oy = 0; oy < d->out_h; ++oy) {
    for (ox = 0; ox < d->out_w; ++ox) {
      const int8_t* p = plane;
      int32_t acc = kbias + p[0] * w0 + p[1] * w1 + p[2] * w2;
      p += pw;
      acc += p[0] * w3 + p[1] * w4 + p[2] * w5;
      p += pw;
      acc += p[0] * w6 + p[1] * w7 + p[2] * w8;
      *y = tq_output_stage(acc, m0, shift, zp, lo, hi);
      y += ys;
      plane += sx;
    }
    plane += row_skip;
  }
}

tq_status tq_depthwise_conv2d_s8(const tq_context* ctx, const tq_dw_conv_params* params,
                                 const tq_per_channel_quant_params* quant,
                                 const tq_dims* input_dims, const int8_t* input,
                                 const tq_dims* filter_dims, const int8_t* filter,
                                 const int32_t* bias, const tq_dims* output_dims, int8_t* output) {
  const int32_t in_h = input_dims->h, in_w = input_dims->w, in_c = input_dims->c;
  const int32_t kh = filter_dims->h, kw = filter_dims->w;
  const int32_t out_h = output_dims->h, out_w = output_dims->w, out_c = output_dims->c;
  const int32_t dil_h = params->dilation.h, dil_w = params->dilation.w;
  const int32_t ph = tq_dw_plane_extent(out_h, params->stride.h, kh, dil_h);
  const int32_t pw = tq_dw_plane_extent(out_w, params->stride.w, kw, dil_w);
  const int32_t zp = -params->input_offset;
  tq_dw_plane d;
  int8_t* plane;
  int32_t n, c, i, j, t;
  if (ctx == NULL || ctx->buf == NULL ||
      ctx->size < tq_depthwise_conv2d_s8_get_buffer_size(params, filter_dims, output_dims)) {
    return TQ_ARG_ERROR;
  }
  plane = (int8_t*)ctx->buf;
  d.out_offset = params->output_offset;
  d.act_min = params->activation.min;
  d.act_max = params->activation.max;
  d.pw = pw;
  d.sx = params->stride.w;
  d.sy = params->stride.h * pw;
  d.ys = out_c;
  d.out_h = out_h;
  d.out_w = out_w;
  for (n = 0; n < input_dims->n; ++n) {
    const int8_t* in_n = input + (size_t)n * in_h * in_w * in_c;
    int8_t* out_n = output + (size_t)n * out_h * out_w * out_c;
    for (c = 0; c < out_c; ++c) {
      const tq_channel_quant cq = tq_get_channel_quant(bias, quant, c, c);
      const int8_t* x_c = in_n + c / params->depth_multiplier;
      const int8_t* w_c = filter + c; /* tap t at w_c[t * out_c] */
      int32_t s = 0;
      /* The channel's input plane with the zero point around it (and wherever a tap falls
       * outside the input): afterwards every window is a plain window of the plane. */
      for (i = 0; i < ph; ++i) {
        const int32_t iy = i - params->padding.h;
        int8_t* dst = plane + (size_t)i * pw;
        if (iy < 0 || iy >= in_h) {
          for (j = 0; j < pw; ++j) dst[j] = (int8_t)zp;
        } else {
          const int8_t* src = x_c + (size_t)iy * in_w * in_c;
          for (j = 0; j < pw; ++j) {
            const int32_t ix = j - params->padding.w;
            dst[j] = ix >= 0 && ix < in_w ? src[ix * in_c] : (int8_t)zp;
          }
        }
      }
      for (t = 0; t < kh * kw; ++t) {
        const int32_t w = w_c[(size_t)t * out_c];
        s += w;
        if (t < 9) d.w[t] = w;
      }
      d.kbias = cq.bias + params->input_offset * s;
      d.multiplier = cq.multiplier;
      d.shift = cq.shift;
      if (kh == 3 && kw == 3 && dil_h == 1 && dil_w == 1) {
        tq_dw3x3_plane_s8(&d, plane, out_n + c);
      } else {
        int32_t oy, ox, ky, kx;
        for (oy = 0; oy < out_h; ++oy) {
          for (ox = 0; ox < out_w; ++ox) {
            const int8_t* p = plane + (size_t)oy * d.sy + (size_t)ox * d.sx;
            int32_t acc = d.kbias;
            for (ky = 0; ky < kh; ++ky) {
              for (kx = 0; kx < kw; ++kx) {
                acc += p[(size_t)ky * dil_h * pw + (size_t)kx * dil_w] *
                       w_c[((size_t)ky * kw + kx) * out_c];
              }
            }
            out_n[((size_t)oy * out_w + ox) * out_c + c] =
                tq_output_stage(acc, d.multiplier, d.shift, d.out_offset, d.act_min, d.act_max);
          }
        }
      }
    }
  }
  return TQ_OK;
}
