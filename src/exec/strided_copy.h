// src/exec/strided_copy.h - one dtype-generic engine for Transpose, Slice and Pad.
//
// Copies the elements of an N-D box: for every index i (row-major over `shape`),
//   dst[dst_offset + sum_d i[d]*dst_stride[d]] = src[src_offset + sum_d i[d]*src_stride[d]]
// with strides in elements (src strides may be negative: Slice with step < 0). The plan is built
// once in a kernel's prepare: dims of size 1 are dropped and adjacent dims that are contiguous in
// both tensors are merged, so e.g. NCHW->NHWC becomes a batched 2-D transpose
// [N][C][HW]->[N][HW][C]. Run then picks the fastest loop: memcpy of contiguous rows, a
// cache-blocked 2-D transpose, or a plain strided loop, each instantiated per element size (1, 2,
// 4, 8 bytes).
#ifndef TINYQ_SRC_EXEC_STRIDED_COPY_H_
#define TINYQ_SRC_EXEC_STRIDED_COPY_H_

#include <cstddef>
#include <cstdint>
#include <vector>

namespace tinyq {

struct StridedCopyPlan {
  size_t elem_size = 1;
  std::vector<int64_t> shape;  // after dropping 1-dims and merging; empty = one element
  std::vector<int64_t> src_stride;
  std::vector<int64_t> dst_stride;
  int64_t src_offset = 0;
  int64_t dst_offset = 0;
  bool empty = false;  // some dim is 0: nothing to copy
};

// Builds the plan. All vectors have one entry per dim; every index the box reaches must lie inside
// the buffers later given to RunStridedCopy (callers guarantee this from validated shapes).
StridedCopyPlan MakeStridedCopyPlan(const std::vector<int64_t>& shape,
                                    const std::vector<int64_t>& src_stride,
                                    const std::vector<int64_t>& dst_stride, int64_t src_offset,
                                    int64_t dst_offset, size_t elem_size);

// Executes the plan. No checks; cannot fail.
void RunStridedCopy(const StridedCopyPlan& plan, const void* src, void* dst);

// Row-major strides (in elements) of a shape.
std::vector<int64_t> ContiguousStrides(const std::vector<int64_t>& shape);

// Pad (constant mode): the copy of the part of an input of shape `in` that survives the crops
// (negative pads) into its place in the output of shape `out`, with per-axis pads `begin`/`end`
// (negative = crop). The caller fills the output with the pad value first.
StridedCopyPlan MakePadCopyPlan(const std::vector<int64_t>& in, const std::vector<int64_t>& out,
                                const std::vector<int64_t>& begin, const std::vector<int64_t>& end,
                                size_t elem_size);

}  // namespace tinyq

#endif  // TINYQ_SRC_EXEC_STRIDED_COPY_H_
