#include "src/exec/resize_f32.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <utility>

namespace tinyq {
namespace {

double SourceCoordinate(int64_t j, int64_t in, double out, double scale, ResizeCoordMode m) {
  const double x = static_cast<double>(j);
  switch (m) {
    case ResizeCoordMode::kHalfPixel:
      return (x + 0.5) / scale - 0.5;
    case ResizeCoordMode::kPytorchHalfPixel:
      return out > 1.0 ? (x + 0.5) / scale - 0.5 : 0.0;
    case ResizeCoordMode::kAlignCorners:
      return out == 1.0 ? 0.0 : x * static_cast<double>(in - 1) / (out - 1.0);
    case ResizeCoordMode::kAsymmetric:
      return x / scale;
    case ResizeCoordMode::kTfHalfPixelForNearest:
      return (x + 0.5) / scale;
  }
  return x;
}

int64_t NearestIndex(double x, ResizeNearestMode m) {
  switch (m) {
    case ResizeNearestMode::kRoundPreferFloor:
      return x == std::floor(x) + 0.5 ? static_cast<int64_t>(std::floor(x))
                                      : static_cast<int64_t>(std::round(x));
    case ResizeNearestMode::kRoundPreferCeil:
      return x == std::floor(x) + 0.5 ? static_cast<int64_t>(std::ceil(x))
                                      : static_cast<int64_t>(std::round(x));
    case ResizeNearestMode::kFloor:
      return static_cast<int64_t>(std::floor(x));
    case ResizeNearestMode::kCeil:
      return static_cast<int64_t>(std::ceil(x));
  }
  return 0;
}

// Nearest: out[...] = x[lo_0[j0], lo_1[j1], ...], recursively over dims.
void Gather(const ResizeParamsF32& p, size_t d, const float* x, float** out) {
  const ResizeAxisF32& a = p.axes[d];
  for (int64_t j = 0; j < a.out_size; ++j) {
    const float* src = x + a.lo[static_cast<size_t>(j)] * p.in_strides[d];
    if (d + 1 == p.axes.size()) {
      *(*out)++ = *src;
    } else {
      Gather(p, d + 1, src, out);
    }
  }
}

}  // namespace

bool ResizeAxisF32::IsIdentity() const {
  if (in_size != out_size) return false;
  for (int64_t j = 0; j < out_size; ++j)
    if (lo[static_cast<size_t>(j)] != j || frac[static_cast<size_t>(j)] != 0.0f) return false;
  return true;
}

ResizeAxisF32 MakeResizeAxisF32(int64_t in_size, int64_t out_size, float scale,
                                double resized_length, ResizeCoordMode coord, bool linear,
                                ResizeNearestMode nearest) {
  ResizeAxisF32 a;
  a.in_size = in_size;
  a.out_size = out_size;
  const size_t n = static_cast<size_t>(out_size);
  a.lo.resize(n);
  a.hi.resize(n);
  a.frac.assign(n, 0.0f);
  for (int64_t j = 0; j < out_size; ++j) {
    const size_t i = static_cast<size_t>(j);
    const double x = SourceCoordinate(j, in_size, resized_length, scale, coord);
    if (linear) {
      const double c = std::min(std::max(x, 0.0), static_cast<double>(in_size - 1));
      a.lo[i] = static_cast<int64_t>(std::floor(c));
      a.hi[i] = std::min(a.lo[i] + 1, in_size - 1);
      a.frac[i] = static_cast<float>(c - static_cast<double>(a.lo[i]));
    } else {
      a.lo[i] = a.hi[i] = std::min(std::max<int64_t>(NearestIndex(x, nearest), 0), in_size - 1);
    }
  }
  return a;
}

int64_t ResizeScratchSizeF32(const ResizeParamsF32& p) {
  if (!p.linear) return 0;
  // Two ping-pong buffers, each as large as the biggest intermediate shape.
  int64_t biggest = 0;
  std::vector<int64_t> shape;
  for (const ResizeAxisF32& a : p.axes) shape.push_back(a.in_size);
  for (size_t d = 0; d < p.axes.size(); ++d) {
    shape[d] = p.axes[d].out_size;
    int64_t n = 1;
    for (int64_t s : shape) n *= s;
    biggest = std::max(biggest, n);
  }
  return 2 * biggest;
}

ResizeParamsF32 MakeResizeParamsF32(std::vector<ResizeAxisF32> axes, bool linear) {
  ResizeParamsF32 p;
  p.axes = std::move(axes);
  p.linear = linear;
  const size_t rank = p.axes.size();
  p.in_strides.assign(rank, 1);
  for (size_t d = rank; d-- > 1;) p.in_strides[d - 1] = p.in_strides[d] * p.axes[d].in_size;
  for (size_t d = 0; d < rank; ++d)
    if (!p.axes[d].IsIdentity()) p.passes.push_back(d);
  return p;
}

void ResizeF32(const ResizeParamsF32& p, const float* x, float* scratch, float* out) {
  const size_t rank = p.axes.size();
  if (!p.linear) {
    float* o = out;
    Gather(p, 0, x, &o);
    return;
  }
  if (p.passes.empty()) {
    int64_t total = 1;
    for (const ResizeAxisF32& a : p.axes) total *= a.in_size;
    std::memcpy(out, x, static_cast<size_t>(total) * sizeof(float));
    return;
  }
  const int64_t half = ResizeScratchSizeF32(p) / 2;
  const float* src = x;
  for (size_t k = 0; k < p.passes.size(); ++k) {
    const size_t d = p.passes[k];
    const ResizeAxisF32& a = p.axes[d];
    float* dst = k + 1 == p.passes.size() ? out : scratch + (k % 2) * half;
    // Axes before d are already resampled (or identity), axes after d not yet.
    int64_t outer = 1, inner = 1;
    for (size_t i = 0; i < d; ++i) outer *= p.axes[i].out_size;
    for (size_t i = d + 1; i < rank; ++i) inner *= p.axes[i].in_size;
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t j = 0; j < a.out_size; ++j) {
        const size_t js = static_cast<size_t>(j);
        const float f = a.frac[js];
        const float* s0 = src + (o * a.in_size + a.lo[js]) * inner;
        const float* s1 = src + (o * a.in_size + a.hi[js]) * inner;
        float* t = dst + (o * a.out_size + j) * inner;
        for (int64_t i = 0; i < inner; ++i) t[i] = s0[i] + f * (s1[i] - s0[i]);
      }
    src = dst;
  }
}

}  // namespace tinyq
