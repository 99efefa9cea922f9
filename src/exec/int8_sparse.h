// src/exec/int8_sparse.h - the int8 executor's choice of the tq_sparse weight encoding.
//
// The int8 Conv (non-depthwise) and Gemm kernels store their weights in the bitmap encoding of
// src/runtime/tq_sparse.h whenever it takes fewer bytes than the dense int8 matrix (i.e. after
// magnitude pruning: more than about 1/8 of the weights are zero) and then run the sparse
// kernels, whose results are bit-identical to the dense ones.
#ifndef TINYQ_SRC_EXEC_INT8_SPARSE_H_
#define TINYQ_SRC_EXEC_INT8_SPARSE_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "src/runtime/tq_sparse.h"

namespace tinyq {

// Owns an encoded weight matrix; View() borrows it (valid while this object lives, also after
// a move: the vectors keep their buffers).
struct SparseWeightsS8 {
  int32_t rows = 0;
  int32_t cols = 0;
  std::vector<uint8_t> mask;
  std::vector<int8_t> values;
  tq_sparse_s8 View() const { return {rows, cols, mask.data(), values.data()}; }
  int64_t bytes() const { return static_cast<int64_t>(mask.size() + values.size()); }
};

// The encoding of `dense` [rows, cols] if it is smaller than rows * cols bytes, else nullopt.
std::optional<SparseWeightsS8> EncodeIfSmaller(const int8_t* dense, int64_t rows, int64_t cols);

}  // namespace tinyq

#endif  // TINYQ_SRC_EXEC_INT8_SPARSE_H_
