#include "src/exec/broadcast.h"

namespace tinyq {

BroadcastPlan MakeBroadcastPlan(const Shape& out, const Shape& a, const Shape& b) {
  const size_t rank = out.size();
  // Right-align a and b to the output rank (missing leading dims are 1).
  auto aligned = [rank](const Shape& s) {
    Shape r(rank, 1);
    for (size_t i = 0; i < s.size(); ++i) r[rank - s.size() + i] = s[i];
    return r;
  };
  const Shape pa = aligned(a), pb = aligned(b);
  // Row-major element strides of a and b in their own (aligned) shapes; 0 where broadcast.
  std::vector<int64_t> sa(rank, 0), sb(rank, 0);
  int64_t acc_a = 1, acc_b = 1;
  for (size_t i = rank; i-- > 0;) {
    sa[i] = (pa[i] == 1) ? 0 : acc_a;
    sb[i] = (pb[i] == 1) ? 0 : acc_b;
    acc_a *= pa[i];
    acc_b *= pb[i];
  }
  BroadcastPlan plan;
  plan.numel = NumElements(out);
  for (size_t i = 0; i < rank; ++i) {
    if (out[i] == 1) continue;  // size-1 output dims contribute nothing to any offset
    if (!plan.dims.empty()) {
      // Merge with the previous kept dim when both operands walk the two dims as one: either
      // broadcast in both, or contiguous across them (outer stride == inner stride * inner dim).
      const size_t last = plan.dims.size() - 1;
      auto joins = [&](int64_t prev_stride, int64_t cur_stride) {
        if (prev_stride == 0 || cur_stride == 0) return prev_stride == 0 && cur_stride == 0;
        return prev_stride == cur_stride * out[i];
      };
      if (joins(plan.stride_a[last], sa[i]) && joins(plan.stride_b[last], sb[i])) {
        plan.dims[last] *= out[i];
        plan.stride_a[last] = sa[i];
        plan.stride_b[last] = sb[i];
        continue;
      }
    }
    plan.dims.push_back(out[i]);
    plan.stride_a.push_back(sa[i]);
    plan.stride_b.push_back(sb[i]);
  }
  return plan;
}

}  // namespace tinyq
