#include "src/exec/strided_copy.h"

#include <algorithm>
#include <cstring>

namespace tinyq {

std::vector<int64_t> ContiguousStrides(const std::vector<int64_t>& shape) {
  std::vector<int64_t> s(shape.size(), 1);
  for (size_t i = shape.size(); i-- > 1;) s[i - 1] = s[i] * shape[i];
  return s;
}

StridedCopyPlan MakePadCopyPlan(const std::vector<int64_t>& in, const std::vector<int64_t>& out,
                                const std::vector<int64_t>& begin, const std::vector<int64_t>& end,
                                size_t elem_size) {
  const std::vector<int64_t> in_stride = ContiguousStrides(in);
  const std::vector<int64_t> out_stride = ContiguousStrides(out);
  std::vector<int64_t> box(in.size());
  int64_t src_off = 0, dst_off = 0;
  for (size_t d = 0; d < in.size(); ++d) {
    const int64_t crop_lo = std::max<int64_t>(0, -begin[d]);
    const int64_t crop_hi = std::max<int64_t>(0, -end[d]);
    box[d] = std::max<int64_t>(0, in[d] - crop_lo - crop_hi);
    src_off += crop_lo * in_stride[d];
    dst_off += std::max<int64_t>(0, begin[d]) * out_stride[d];
  }
  return MakeStridedCopyPlan(box, in_stride, out_stride, src_off, dst_off, elem_size);
}

StridedCopyPlan MakeStridedCopyPlan(const std::vector<int64_t>& shape,
                                    const std::vector<int64_t>& src_stride,
                                    const std::vector<int64_t>& dst_stride, int64_t src_offset,
                                    int64_t dst_offset, size_t elem_size) {
  StridedCopyPlan p;
  p.elem_size = elem_size;
  p.src_offset = src_offset;
  p.dst_offset = dst_offset;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == 0) p.empty = true;
    if (shape[i] == 1) continue;  // contributes no offset
    // Merge into the previous dim when both tensors step over it contiguously.
    if (!p.shape.empty() && p.src_stride.back() == src_stride[i] * shape[i] &&
        p.dst_stride.back() == dst_stride[i] * shape[i]) {
      p.shape.back() *= shape[i];
      p.src_stride.back() = src_stride[i];
      p.dst_stride.back() = dst_stride[i];
      continue;
    }
    p.shape.push_back(shape[i]);
    p.src_stride.push_back(src_stride[i]);
    p.dst_stride.push_back(dst_stride[i]);
  }
  return p;
}

namespace {

// Copies one element of E bytes (memcpy of a constant size compiles to one load/store and is
// free of the aliasing problems of casting float data to an integer pointer).
template <size_t E>
inline void Elem(uint8_t* d, const uint8_t* s) {
  std::memcpy(d, s, E);
}

// The innermost loop kinds, chosen once per Run.
enum class Inner { kRows, kTranspose2d, kStrided };

// Cache-blocked copy of a [rows][cols] box whose source is column-major (src stride 1 along rows)
// and whose destination is row-major (dst stride 1 along cols).
template <size_t E>
void Transpose2d(const uint8_t* s, uint8_t* d, int64_t rows, int64_t cols, int64_t s_col,
                 int64_t d_row) {
  constexpr int64_t kTile = 32;
  for (int64_t r0 = 0; r0 < rows; r0 += kTile) {
    const int64_t r1 = std::min(rows, r0 + kTile);
    for (int64_t c0 = 0; c0 < cols; c0 += kTile) {
      const int64_t c1 = std::min(cols, c0 + kTile);
      for (int64_t r = r0; r < r1; ++r) {
        uint8_t* drow = d + static_cast<ptrdiff_t>(r * d_row * static_cast<int64_t>(E));
        const uint8_t* scol = s + static_cast<ptrdiff_t>(r * static_cast<int64_t>(E));
        for (int64_t c = c0; c < c1; ++c)
          Elem<E>(drow + c * static_cast<int64_t>(E), scol + c * s_col * static_cast<int64_t>(E));
      }
    }
  }
}

template <size_t E>
void Run(const StridedCopyPlan& p, const uint8_t* src, uint8_t* dst) {
  constexpr int64_t kE = static_cast<int64_t>(E);
  const uint8_t* s0 = src + p.src_offset * kE;
  uint8_t* d0 = dst + p.dst_offset * kE;
  const size_t rank = p.shape.size();
  if (rank == 0) {
    Elem<E>(d0, s0);
    return;
  }
  const size_t last = rank - 1;
  Inner inner = Inner::kStrided;
  size_t inner_dims = 1;
  if (p.src_stride[last] == 1 && p.dst_stride[last] == 1) {
    inner = Inner::kRows;
  } else if (rank >= 2 && p.dst_stride[last] == 1 && p.src_stride[last - 1] == 1) {
    inner = Inner::kTranspose2d;
    inner_dims = 2;
  }
  const size_t outer = rank - inner_dims;
  int64_t outer_count = 1;
  for (size_t k = 0; k < outer; ++k) outer_count *= p.shape[k];
  std::vector<int64_t> idx(outer, 0);
  int64_t so = 0, dof = 0;
  const int64_t n = p.shape[last];
  const int64_t ss = p.src_stride[last] * kE, ds = p.dst_stride[last] * kE;
  for (int64_t it = 0; it < outer_count; ++it) {
    const uint8_t* s = s0 + so * kE;
    uint8_t* d = d0 + dof * kE;
    switch (inner) {
      case Inner::kRows:
        std::memcpy(d, s, static_cast<size_t>(n * kE));
        break;
      case Inner::kTranspose2d:
        Transpose2d<E>(s, d, p.shape[last - 1], n, p.src_stride[last], p.dst_stride[last - 1]);
        break;
      case Inner::kStrided:
        for (int64_t i = 0; i < n; ++i) Elem<E>(d + i * ds, s + i * ss);
        break;
    }
    for (size_t k = outer; k-- > 0;) {  // odometer over the outer dims
      so += p.src_stride[k];
      dof += p.dst_stride[k];
      if (++idx[k] < p.shape[k]) break;
      so -= p.src_stride[k] * p.shape[k];
      dof -= p.dst_stride[k] * p.shape[k];
      idx[k] = 0;
    }
  }
}

}  // namespace

void RunStridedCopy(const StridedCopyPlan& plan, const void* src, void* dst) {
  if (plan.empty) return;
  const auto* s = static_cast<const uint8_t*>(src);
  auto* d = static_cast<uint8_t*>(dst);
  switch (plan.elem_size) {
    case 1:
      Run<1>(plan, s, d);
      break;
    case 2:
      Run<2>(plan, s, d);
      break;
    case 4:
      Run<4>(plan, s, d);
      break;
    default:
      Run<8>(plan, s, d);
      break;  // every tinyq dtype is 1, 2, 4 or 8 bytes
  }
}

}  // namespace tinyq
