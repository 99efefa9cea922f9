// src/exec/broadcast.h - numpy-style broadcasting plans and the strided loop that executes them.
//
// A BroadcastPlan describes out[i] = op(a[ia], b[ib]) for an output shape and two input shapes that
// each broadcast to it. MakeBroadcastPlan (run once, in a kernel's prepare) right-aligns the
// shapes, drops output dims of size 1 and merges neighbouring dims that every operand walks the
// same way (all contiguous or all broadcast), so the common cases collapse to a single inner loop:
//
//   same shape           [2,3,4] + [2,3,4]   -> 1 dim  of 24, strides a=1 b=1
//   scalar               [2,3,4] + []        -> 1 dim  of 24, strides a=1 b=0
//   row (last dim)       [5,8]   + [8]       -> dims [5,8],   b strides [0,1]
//   column               [5,8]   + [5,1]     -> dims [5,8],   b strides [1,0]
//   per-channel NCHW     [N,C,H,W] + [C,1,1] -> dims [N,C,HW], b strides [0,1,0]
//
// ApplyBroadcast then runs an odometer over the outer dims and one of four inner loops
// (vector-vector, vector-scalar, scalar-vector, or a fill when neither operand moves); each is a
// plain indexed loop the compiler vectorizes. `out` may alias `a` when a's shape equals the output
// shape (variadic Max/Min fold their inputs into the output this way).
#ifndef TINYQ_SRC_EXEC_BROADCAST_H_
#define TINYQ_SRC_EXEC_BROADCAST_H_

#include <cstdint>
#include <vector>

#include "tinyq/tensor.h"

namespace tinyq {

struct BroadcastPlan {
  // Collapsed output dims (outermost first); empty means a single element.
  std::vector<int64_t> dims;
  // Element strides of a and b per collapsed dim (0 where the operand is broadcast).
  std::vector<int64_t> stride_a;
  std::vector<int64_t> stride_b;
  int64_t numel = 1;  // output element count
};

// Plan for out = op(a, b). Precondition (checked by the shape rule): `a` and `b` each broadcast to
// `out` (every right-aligned dim equals the output dim or is 1, ranks <= out rank).
BroadcastPlan MakeBroadcastPlan(const Shape& out, const Shape& a, const Shape& b);

// Runs out[i] = op(a[ia], b[ib]) over the plan. TA/TB/TO may differ (Pow with an integer exponent).
template <typename TA, typename TB, typename TO, typename Op>
void ApplyBroadcast(const BroadcastPlan& plan, const TA* a, const TB* b, TO* out, Op op) {
  const int rank = static_cast<int>(plan.dims.size());
  if (rank == 0) {
    if (plan.numel > 0) out[0] = op(a[0], b[0]);
    return;
  }
  const int64_t n = plan.dims[rank - 1];
  const int64_t sa = plan.stride_a[rank - 1];
  const int64_t sb = plan.stride_b[rank - 1];
  if (plan.numel == 0) return;
  // Odometer over the outer dims; offsets of a and b are updated incrementally. The counter lives
  // on the stack (Eval may run concurrently on one plan, and must not allocate); only collapsed
  // ranks above kStackRank, which real models do not reach, fall back to the heap.
  constexpr int kStackRank = 16;
  int64_t stack_idx[kStackRank] = {};
  std::vector<int64_t> heap_idx;
  int64_t* idx = stack_idx;
  if (rank > kStackRank) {
    heap_idx.assign(static_cast<size_t>(rank), 0);
    idx = heap_idx.data();
  }
  int64_t off_a = 0, off_b = 0;
  for (int64_t base = 0; base < plan.numel; base += n) {
    const TA* pa = a + off_a;
    const TB* pb = b + off_b;
    TO* po = out + base;
    if (sa != 0 && sb != 0) {
      for (int64_t i = 0; i < n; ++i) po[i] = op(pa[i], pb[i]);
    } else if (sa != 0) {
      const TB vb = pb[0];
      for (int64_t i = 0; i < n; ++i) po[i] = op(pa[i], vb);
    } else if (sb != 0) {
      const TA va = pa[0];
      for (int64_t i = 0; i < n; ++i) po[i] = op(va, pb[i]);
    } else {  // both broadcast along the inner dim (variadic ops whose output is wider)
      const TO v = op(pa[0], pb[0]);
      for (int64_t i = 0; i < n; ++i) po[i] = v;
    }
    for (int d = rank - 2; d >= 0; --d) {
      const size_t du = static_cast<size_t>(d);
      off_a += plan.stride_a[du];
      off_b += plan.stride_b[du];
      if (++idx[d] < plan.dims[du]) break;
      off_a -= plan.stride_a[du] * plan.dims[du];
      off_b -= plan.stride_b[du] * plan.dims[du];
      idx[d] = 0;
    }
  }
}

}  // namespace tinyq

#endif  // TINYQ_SRC_EXEC_BROADCAST_H_
