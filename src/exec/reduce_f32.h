// src/exec/reduce_f32.h - sum / mean / max over a set of axes of a float tensor.
#ifndef TINYQ_SRC_EXEC_REDUCE_F32_H_
#define TINYQ_SRC_EXEC_REDUCE_F32_H_

#include <cstdint>
#include <vector>

namespace tinyq {

enum class ReduceKind { kSum, kMean, kMax };

// A reduction plan: the input shape with adjacent dims of the same kind (kept / reduced) merged.
struct ReduceParamsF32 {
  ReduceKind kind = ReduceKind::kSum;
  std::vector<int64_t> dims;        // merged dims
  std::vector<bool> reduced;        // per merged dim
  std::vector<int64_t> in_stride;   // row-major strides of the merged input
  std::vector<int64_t> out_stride;  // strides in the output (0 for reduced dims)
  int64_t out_size = 1;
  int64_t reduce_count = 1;  // elements reduced into each output
};

// Plan for reducing `shape` over the dims flagged in `reduce_axis` (same length as shape).
ReduceParamsF32 MakeReduceParamsF32(ReduceKind kind, const std::vector<int64_t>& shape,
                                    const std::vector<bool>& reduce_axis);

// out (p.out_size elements, row-major over the kept dims) = reduction of x.
void ReduceF32(const ReduceParamsF32& p, const float* x, float* out);

}  // namespace tinyq

#endif  // TINYQ_SRC_EXEC_REDUCE_F32_H_
