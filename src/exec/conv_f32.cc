#include "src/exec/conv_f32.h"

#include <algorithm>

#include "src/exec/gemm_f32.h"

namespace tinyq {
namespace {

bool IsDepthwise(const ConvParamsF32& p) { return p.in_channels == p.groups; }

// Direct depthwise loop: each output channel reads one input channel.
void DepthwiseConvF32(const ConvParamsF32& p, const float* x, const float* w, float* out) {
  const int64_t mult = p.out_channels / p.groups;
  const int64_t n = p.out_size;
  for (int64_t oc = 0; oc < p.out_channels; ++oc) {
    const float* xc = x + (oc / mult) * p.in_size;
    const float* wc = w + oc * p.kernel_size;
    float* o = out + oc * n;
    for (int64_t k = 0; k < p.kernel_size; ++k) {
      const float wk = wc[k];
      const int32_t* off = p.window_offsets + k * n;
      for (int64_t i = 0; i < n; ++i) o[i] += off[i] >= 0 ? wk * xc[off[i]] : 0.0f;
    }
  }
}

}  // namespace

int64_t ConvScratchSizeF32(const ConvParamsF32& p) {
  if (p.window_offsets == nullptr || IsDepthwise(p)) return 0;
  return (p.in_channels / p.groups) * p.kernel_size * p.out_size;
}

void ConvF32(const ConvParamsF32& p, const float* x, const float* w, const float* bias,
             float* scratch, float* out) {
  const int64_t n = p.out_size;
  for (int64_t oc = 0; oc < p.out_channels; ++oc)
    std::fill(out + oc * n, out + (oc + 1) * n, bias ? bias[oc] : 0.0f);
  if (p.window_offsets != nullptr && IsDepthwise(p)) {
    DepthwiseConvF32(p, x, w, out);
    return;
  }
  const int64_t cin_g = p.in_channels / p.groups;
  const int64_t cout_g = p.out_channels / p.groups;
  const int64_t rows = cin_g * p.kernel_size;
  for (int64_t g = 0; g < p.groups; ++g) {
    const float* xg = x + g * cin_g * p.in_size;
    const float* col = xg;
    if (p.window_offsets != nullptr) {
      for (int64_t c = 0; c < cin_g; ++c) {
        const float* xc = xg + c * p.in_size;
        for (int64_t k = 0; k < p.kernel_size; ++k) {
          const int32_t* off = p.window_offsets + k * n;
          float* dst = scratch + (c * p.kernel_size + k) * n;
          for (int64_t i = 0; i < n; ++i) dst[i] = off[i] >= 0 ? xc[off[i]] : 0.0f;
        }
      }
      col = scratch;
    }
    MatMulF32(w + g * cout_g * rows, col, out + g * cout_g * n, cout_g, rows, n,
              /*trans_a=*/false, /*trans_b=*/false, 1.0f, /*accumulate=*/true);
  }
}

int64_t ConvTransposeScratchSizeF32(const ConvTransposeParamsF32& p) {
  return (p.out_channels / p.groups) * p.kernel_size * p.in_size;
}

void ConvTransposeF32(const ConvTransposeParamsF32& p, const float* x, const float* w,
                      const float* bias, float* scratch, float* out) {
  const int64_t n_in = p.in_size;
  for (int64_t oc = 0; oc < p.out_channels; ++oc)
    std::fill(out + oc * p.out_size, out + (oc + 1) * p.out_size, bias ? bias[oc] : 0.0f);
  const int64_t cin_g = p.in_channels / p.groups;
  const int64_t cout_g = p.out_channels / p.groups;
  const int64_t rows = cout_g * p.kernel_size;
  for (int64_t g = 0; g < p.groups; ++g) {
    // col[rows, n_in] = w_g^T [rows, cin_g] * x_g [cin_g, n_in]; w_g is stored [cin_g, rows].
    MatMulF32(w + g * cin_g * rows, x + g * cin_g * n_in, scratch, rows, cin_g, n_in,
              /*trans_a=*/true);
    for (int64_t oc = 0; oc < cout_g; ++oc) {
      float* o = out + (g * cout_g + oc) * p.out_size;
      for (int64_t k = 0; k < p.kernel_size; ++k) {
        const float* src = scratch + (oc * p.kernel_size + k) * n_in;
        const int32_t* off = p.scatter_offsets + k * n_in;
        for (int64_t i = 0; i < n_in; ++i)
          if (off[i] >= 0) o[off[i]] += src[i];
      }
    }
  }
}

}  // namespace tinyq
