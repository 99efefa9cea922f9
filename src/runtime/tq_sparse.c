/* tq_sparse.c - bitmap-encoded sparse int8 weights: encoder, fully connected and conv kernels. */
#include "tq_sparse.h"

#include "tq_dot.h"

size_t tq_sparse_encoded_size(const int8_t* dense, int32_t rows, int32_t cols) {
  const size_t total = (size_t)rows * (size_t)cols;
  size_t nnz = 0, i;
  for (i = 0; i < total; ++i) nnz += dense[i] != 0 ? 1u : 0u;
  return (size_t)rows * (size_t)((cols + 7) / 8) + nnz;
}

int32_t tq_sparse_encode(const int8_t* dense, int32_t rows, int32_t cols, uint8_t* mask,
                         int8_t* values) {
  const int32_t row_bytes = (cols + 7) / 8;
  int32_t r, j, nnz = 0;
  for (r = 0; r < rows; ++r) {
    uint8_t* m = mask + (size_t)r * row_bytes;
    for (j = 0; j < row_bytes; ++j) m[j] = 0;
    for (j = 0; j < cols; ++j) {
      const int8_t w = dense[(size_t)r * cols + j];
      if (w != 0) {
        m[j >> 3] = (uint8_t)(m[j >> 3] | (1u << (j & 7)));
        values[nnz++] = w;
      }
    }
  }
  return nnz;
}

/* acc + sum over the nonzero weights of one row of x16[j] * w[j]; advances *values. */
static int32_t tq_sparse_row_dot(const uint8_t* mask, int32_t row_bytes, const int16_t* x16,
                                 const int8_t** values, int32_t acc) {
  const int8_t* v = *values;
  int32_t j;
  for (j = 0; j < row_bytes; ++j) {
    uint32_t bits = mask[j];
    const int16_t* x = x16 + 8 * j;
    int32_t b = 0;
    while (bits != 0u) {
      if (bits & 1u) acc += (int32_t)x[b] * (int32_t)*v++;
      bits >>= 1;
      ++b;
    }
  }
  *values = v;
  return acc;
}

tq_status tq_fully_connected_sparse_s8(const tq_context* ctx, const tq_fc_params* params,
                                       const tq_per_channel_quant_params* quant,
                                       const tq_fc_dims* dims, const int8_t* input,
                                       const tq_sparse_s8* filter, const int32_t* bias,
                                       int8_t* output) {
  const int32_t cin = dims->input_features, cout = dims->output_features;
  const int32_t row_bytes = (cin + 7) / 8;
  const int32_t qstep = params->per_channel ? 1 : 0;
  /* Same scratch as tq_fully_connected_s8_get_buffer_size (not called: each runtime object file
   * stands alone, see tests/runtime/c99_compile_test.cc). */
  const size_t scratch = ((size_t)cin * sizeof(int16_t) + 3u) & ~(size_t)3u;
  int16_t* x16;
  int32_t b, i, o;
  if (ctx == NULL || ctx->buf == NULL || ctx->size < scratch || filter == NULL ||
      filter->rows != cout || filter->cols != cin) {
    return TQ_ARG_ERROR;
  }
  x16 = (int16_t*)ctx->buf;
  for (b = 0; b < dims->batches; ++b) {
    const int8_t* x = input + (size_t)b * cin;
    const int8_t* values = filter->values;
    int8_t* y = output + (size_t)b * cout;
    for (i = 0; i < cin; ++i) x16[i] = (int16_t)(x[i] + params->input_offset);
    for (o = 0; o < cout; ++o) {
      const tq_channel_quant cq = tq_get_channel_quant(bias, quant, o, o * qstep);
      const int32_t acc =
          tq_sparse_row_dot(filter->mask + (size_t)o * row_bytes, row_bytes, x16, &values, cq.bias);
      y[o] = tq_output_stage(acc, cq.multiplier, cq.shift, params->output_offset,
                             params->activation.min, params->activation.max);
    }
  }
  return TQ_OK;
}

tq_status tq_conv2d_sparse_s8(const tq_conv_params* params,
                              const tq_per_channel_quant_params* quant, const tq_dims* input_dims,
                              const int8_t* input, const tq_dims* filter_dims,
                              const tq_sparse_s8* filter, const int32_t* bias,
                              const tq_dims* output_dims, int8_t* output) {
  const int32_t in_h = input_dims->h, in_w = input_dims->w, in_c = input_dims->c;
  const int32_t kw = filter_dims->w, cg = filter_dims->c;
  const int32_t kwc = kw * cg;
  const int32_t cols = filter_dims->h * kwc;
  const int32_t row_bytes = (cols + 7) / 8;
  const int32_t out_h = output_dims->h, out_w = output_dims->w, out_c = output_dims->c;
  const int32_t cout_g = out_c / params->groups;
  const int32_t off = params->input_offset;
  int32_t n, oy, ox, oc;
  if (filter == NULL || filter->rows != filter_dims->n || filter->cols != cols) return TQ_ARG_ERROR;
  for (n = 0; n < input_dims->n; ++n) {
    const int8_t* in_n = input + (size_t)n * in_h * in_w * in_c;
    for (oy = 0; oy < out_h; ++oy) {
      const int32_t iy0 = oy * params->stride.h - params->padding.h;
      for (ox = 0; ox < out_w; ++ox) {
        const int32_t ix0 = ox * params->stride.w - params->padding.w;
        int8_t* out_px = output + (((size_t)n * out_h + oy) * out_w + ox) * out_c;
        const int8_t* v = filter->values;
        for (oc = 0; oc < out_c; ++oc) {
          const uint8_t* mask = filter->mask + (size_t)oc * row_bytes;
          const int8_t* in_g = in_n + (size_t)(oc / cout_g) * cg;
          const tq_channel_quant cq = tq_get_channel_quant(bias, quant, oc, oc);
          int32_t acc = cq.bias;
          int32_t j;
          /* (ky, kx, ci) of column `pos`, advanced incrementally (no division per weight). */
          int32_t pos = 0, ky = 0, kx = 0, ci = 0;
          for (j = 0; j < row_bytes; ++j) {
            uint32_t bits = mask[j];
            int32_t t = 8 * j;
            for (; bits != 0u; bits >>= 1, ++t) {
              int32_t iy, ix;
              if (!(bits & 1u)) continue;
              ci += t - pos;
              pos = t;
              while (ci >= cg) {
                ci -= cg;
                if (++kx == kw) {
                  kx = 0;
                  ++ky;
                }
              }
              iy = iy0 + ky * params->dilation.h;
              ix = ix0 + kx * params->dilation.w;
              if (iy >= 0 && iy < in_h && ix >= 0 && ix < in_w) {
                acc += ((int32_t)in_g[((size_t)iy * in_w + ix) * in_c + ci] + off) * (int32_t)*v;
              }
              ++v;
            }
          }
          out_px[oc] = tq_output_stage(acc, cq.multiplier, cq.shift, params->output_offset,
                                       params->activation.min, params->activation.max);
        }
      }
    }
  }
  return TQ_OK;
}
