#include "src/exec/conv_f32.h"

#include <algorithm>

#include "src/exec/gemm_f32.h"
#include "src/quant/simd_f32.h"

namespace tinyq {
namespace {

// One input channel with groups == 1 is a plain convolution (im2col + GEMM shares the columns).
bool IsDepthwise(const ConvParamsF32& p) { return p.in_channels == p.groups && p.groups > 1; }
bool IsPointwise(const ConvParamsF32& p) {
  return !p.use_plane2d && p.window_offsets == nullptr && p.shifted == nullptr;
}

// Rows (c * kh + ky) * kw + kx of the im2col matrix for one padded input plane.
void Im2ColPlane2d(const Plane2dF32& g, const float* padded, float* col) {
  const int64_t n = g.out_h * g.out_w;
  for (int64_t ky = 0; ky < g.kernel_h; ++ky)
    for (int64_t kx = 0; kx < g.kernel_w; ++kx) {
      float* dst = col + (ky * g.kernel_w + kx) * n;
      for (int64_t oy = 0; oy < g.out_h; ++oy) {
        const float* src =
            padded + (oy * g.stride_h + ky * g.dilation_h) * g.padded_w + kx * g.dilation_w;
        float* d = dst + oy * g.out_w;
        if (g.stride_w == 1) {
          std::copy(src, src + g.out_w, d);
        } else if (g.stride_w == 2) {  // a constant stride: the gather vectorizes (permutes)
          for (int64_t ox = 0; ox < g.out_w; ++ox) d[ox] = src[2 * ox];
        } else {
          for (int64_t ox = 0; ox < g.out_w; ++ox) d[ox] = src[ox * g.stride_w];
        }
      }
    }
}

// out += depthwise window sums of one padded plane with the kh x kw filter w.
void DepthwisePlane2d(const Plane2dF32& g, const float* padded, const float* w, float* out) {
  for (int64_t oy = 0; oy < g.out_h; ++oy) {
    float* o = out + oy * g.out_w;
    for (int64_t ky = 0; ky < g.kernel_h; ++ky) {
      const float* row = padded + (oy * g.stride_h + ky * g.dilation_h) * g.padded_w;
      for (int64_t kx = 0; kx < g.kernel_w; ++kx) {
        const float wk = w[ky * g.kernel_w + kx];
        const float* src = row + kx * g.dilation_w;
        if (g.stride_w == 1) {
          for (int64_t ox = 0; ox < g.out_w; ++ox) o[ox] += wk * src[ox];
        } else {
          for (int64_t ox = 0; ox < g.out_w; ++ox) o[ox] += wk * src[ox * g.stride_w];
        }
      }
    }
  }
}

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

// ConvF32 without the fused activation, for all but the 2-D depthwise path.
void ConvUnclampedF32(const ConvParamsF32& p, const float* x, const float* w, const float* bias,
                      float* scratch, float* out) {
  const int64_t n = p.out_size;
  for (int64_t oc = 0; oc < p.out_channels; ++oc)
    std::fill(out + oc * n, out + (oc + 1) * n, bias ? bias[oc] : 0.0f);
  if (!IsPointwise(p) && IsDepthwise(p)) {
    if (!p.use_plane2d) {
      DepthwiseConvF32(p, x, w, out);
      return;
    }
    const int64_t mult = p.out_channels / p.groups;
    for (int64_t ic = 0; ic < p.in_channels; ++ic) {
      PadPlane2dF32(p.plane2d, x + ic * p.in_size, 0.0f, scratch);
      for (int64_t m = 0; m < mult; ++m) {
        const int64_t oc = ic * mult + m;
        DepthwisePlane2d(p.plane2d, scratch, w + oc * p.kernel_size, out + oc * n);
      }
    }
    return;
  }
  const int64_t cin_g = p.in_channels / p.groups;
  const int64_t cout_g = p.out_channels / p.groups;
  const int64_t rows = cin_g * p.kernel_size;
  for (int64_t g = 0; g < p.groups; ++g) {
    const float* xg = x + g * cin_g * p.in_size;
    const float* col = xg;
    if (p.shifted) {
      for (int64_t c = 0; c < cin_g; ++c)
        Im2ColShiftedF32(*p.shifted, xg + c * p.in_size, scratch + c * p.kernel_size * n);
      col = scratch;
    } else if (p.use_plane2d) {
      float* padded = scratch + rows * n;
      for (int64_t c = 0; c < cin_g; ++c) {
        PadPlane2dF32(p.plane2d, xg + c * p.in_size, 0.0f, padded);
        Im2ColPlane2d(p.plane2d, padded, scratch + c * p.kernel_size * n);
      }
      col = scratch;
    } else if (p.window_offsets != nullptr) {
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

}  // namespace

int64_t ConvScratchSizeF32(const ConvParamsF32& p) {
  if (p.depthwise) return DepthwiseScratchSizeF32(*p.depthwise);
  const int64_t plane = p.use_plane2d ? p.plane2d.padded_h * p.plane2d.padded_w : 0;
  if (IsPointwise(p) || IsDepthwise(p)) return plane;
  return (p.in_channels / p.groups) * p.kernel_size * p.out_size + plane;
}

void ConvF32(const ConvParamsF32& p, const float* x, const float* w, const float* bias,
             float* scratch, float* out) {
  if (p.depthwise) {
    DepthwiseConv2dF32(*p.depthwise, x, w, bias, p.act_lo, p.act_hi, scratch, out);
    return;
  }
  ConvUnclampedF32(p, x, w, bias, scratch, out);
  if (p.act_lo == -std::numeric_limits<float>::infinity() &&
      p.act_hi == std::numeric_limits<float>::infinity())
    return;
  const float lo = p.act_lo, hi = p.act_hi;  // locals: `out` could alias `p` for the compiler
  const int64_t n = p.out_channels * p.out_size;
  for (int64_t i = 0; i < n; ++i) out[i] = ClampF32(out[i], lo, hi);
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
