#include "src/exec/reduce_f32.h"

#include <algorithm>
#include <limits>

namespace tinyq {
namespace {

template <bool kMax>
void Accumulate(const ReduceParamsF32& p, size_t d, const float* x, float* out) {
  const int64_t n = p.dims[d];
  const int64_t si = p.in_stride[d], so = p.out_stride[d];
  if (d + 1 == p.dims.size()) {
    if (so == 0) {
      float acc = *out;
      for (int64_t i = 0; i < n; ++i) acc = kMax ? std::max(acc, x[i * si]) : acc + x[i * si];
      *out = acc;
    } else {
      for (int64_t i = 0; i < n; ++i)
        out[i * so] = kMax ? std::max(out[i * so], x[i * si]) : out[i * so] + x[i * si];
    }
    return;
  }
  for (int64_t i = 0; i < n; ++i) Accumulate<kMax>(p, d + 1, x + i * si, out + i * so);
}

}  // namespace

ReduceParamsF32 MakeReduceParamsF32(ReduceKind kind, const std::vector<int64_t>& shape,
                                    const std::vector<bool>& reduce_axis) {
  ReduceParamsF32 p;
  p.kind = kind;
  for (size_t d = 0; d < shape.size(); ++d) {
    if (reduce_axis[d])
      p.reduce_count *= shape[d];
    else
      p.out_size *= shape[d];
    if (shape[d] == 1) continue;  // size-1 dims change nothing
    if (!p.dims.empty() && p.reduced.back() == reduce_axis[d]) {
      p.dims.back() *= shape[d];
    } else {
      p.dims.push_back(shape[d]);
      p.reduced.push_back(reduce_axis[d]);
    }
  }
  if (p.dims.empty()) {
    p.dims.push_back(1);
    p.reduced.push_back(false);
  }
  const size_t n = p.dims.size();
  p.in_stride.assign(n, 1);
  p.out_stride.assign(n, 0);
  int64_t si = 1, so = 1;
  for (size_t d = n; d-- > 0;) {
    p.in_stride[d] = si;
    si *= p.dims[d];
    if (!p.reduced[d]) {
      p.out_stride[d] = so;
      so *= p.dims[d];
    }
  }
  return p;
}

void ReduceF32(const ReduceParamsF32& p, const float* x, float* out) {
  if (p.kind == ReduceKind::kMax) {
    std::fill(out, out + p.out_size, -std::numeric_limits<float>::infinity());
    Accumulate<true>(p, 0, x, out);
    return;
  }
  std::fill(out, out + p.out_size, 0.0f);
  Accumulate<false>(p, 0, x, out);
  if (p.kind == ReduceKind::kMean) {
    const float inv = 1.0f / static_cast<float>(p.reduce_count);
    for (int64_t i = 0; i < p.out_size; ++i) out[i] *= inv;
  }
}

}  // namespace tinyq
