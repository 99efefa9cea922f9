#include "src/exec/window_table.h"

#include <algorithm>

namespace tinyq {
namespace {

// Calls f(index vector) for every index of the box `dims`, row-major.
template <typename F>
void ForEachIndex(const std::vector<int64_t>& dims, F f) {
  std::vector<int64_t> idx(dims.size(), 0);
  for (int64_t d : dims)
    if (d <= 0) return;
  while (true) {
    f(idx);
    int d = static_cast<int>(dims.size()) - 1;
    for (; d >= 0; --d) {
      const size_t i = static_cast<size_t>(d);
      if (++idx[i] < dims[i]) break;
      idx[i] = 0;
    }
    if (d < 0) return;
  }
}

// Fills table[k*P + p] by mapping (tap index, position index) -> coordinate per dim with `coord`;
// a coordinate outside [0, limit[d]) makes the entry -1.
template <typename Coord>
std::vector<int32_t> BuildTable(const std::vector<int64_t>& kernel,
                                const std::vector<int64_t>& positions,
                                const std::vector<int64_t>& limit, Coord coord) {
  int64_t num_taps = 1, num_pos = 1;
  for (int64_t k : kernel) num_taps *= k;
  for (int64_t p : positions) num_pos *= p;
  std::vector<int32_t> table(static_cast<size_t>(num_taps * num_pos), -1);
  const size_t n = kernel.size();
  int64_t k_lin = 0;
  ForEachIndex(kernel, [&](const std::vector<int64_t>& k) {
    int64_t p_lin = 0;
    ForEachIndex(positions, [&](const std::vector<int64_t>& p) {
      int64_t off = 0;
      bool inside = true;
      for (size_t d = 0; d < n && inside; ++d) {
        const int64_t c = coord(d, k[d], p[d]);
        inside = c >= 0 && c < limit[d];
        off = off * limit[d] + c;
      }
      if (inside) table[static_cast<size_t>(k_lin * num_pos + p_lin)] = static_cast<int32_t>(off);
      ++p_lin;
    });
    ++k_lin;
  });
  return table;
}

}  // namespace

std::vector<int32_t> BuildWindowOffsets(const ConvGeometry& g) {
  return BuildTable(g.kernel, g.out, g.in, [&](size_t d, int64_t k, int64_t o) {
    return o * g.strides[d] - g.pad_begin[d] + k * g.dilations[d];
  });
}

std::vector<int32_t> BuildTransposeScatterOffsets(const ConvGeometry& g) {
  return BuildTable(g.kernel, g.in, g.out, [&](size_t d, int64_t k, int64_t i) {
    return i * g.strides[d] - g.pad_begin[d] + k * g.dilations[d];
  });
}

std::vector<int32_t> CountTapsInsidePaddedInput(const ConvGeometry& g) {
  std::vector<int64_t> padded(g.in.size());
  for (size_t d = 0; d < g.in.size(); ++d) padded[d] = g.in[d] + g.pad_begin[d] + g.pad_end[d];
  // Coordinates shifted by pad_begin so "inside the padded input" is [0, padded).
  const std::vector<int32_t> table = BuildTable(
      g.kernel, g.out, padded,
      [&](size_t d, int64_t k, int64_t o) { return o * g.strides[d] + k * g.dilations[d]; });
  const size_t num_pos = static_cast<size_t>(g.OutSize());
  std::vector<int32_t> count(num_pos, 0);
  for (size_t i = 0; i < table.size(); ++i)
    if (table[i] >= 0) ++count[i % num_pos];
  return count;
}

Plane2dF32 MakePlane2dF32(const ConvGeometry& g) {
  Plane2dF32 q;
  q.in_h = g.in[0], q.in_w = g.in[1], q.out_h = g.out[0], q.out_w = g.out[1];
  q.kernel_h = g.kernel[0], q.kernel_w = g.kernel[1];
  q.stride_h = g.strides[0], q.stride_w = g.strides[1];
  q.dilation_h = g.dilations[0], q.dilation_w = g.dilations[1];
  q.pad_top = g.pad_begin[0], q.pad_left = g.pad_begin[1];
  const int64_t need_h = (q.out_h - 1) * q.stride_h + (q.kernel_h - 1) * q.dilation_h + 1;
  const int64_t need_w = (q.out_w - 1) * q.stride_w + (q.kernel_w - 1) * q.dilation_w + 1;
  q.padded_h = std::max(g.in[0] + g.pad_begin[0] + g.pad_end[0], need_h);
  q.padded_w = std::max(g.in[1] + g.pad_begin[1] + g.pad_end[1], need_w);
  return q;
}

}  // namespace tinyq
