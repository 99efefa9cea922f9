#include "src/exec/int8_sparse.h"

namespace tinyq {

std::optional<SparseWeightsS8> EncodeIfSmaller(const int8_t* dense, int64_t rows, int64_t cols) {
  if (rows < 1 || cols < 1 || rows > INT32_MAX || cols > INT32_MAX) return std::nullopt;
  const auto r = static_cast<int32_t>(rows);
  const auto c = static_cast<int32_t>(cols);
  const size_t encoded = tq_sparse_encoded_size(dense, r, c);
  if (encoded >= static_cast<size_t>(rows * cols)) return std::nullopt;
  SparseWeightsS8 s;
  s.rows = r;
  s.cols = c;
  s.mask.resize(static_cast<size_t>(rows) * static_cast<size_t>((cols + 7) / 8));
  s.values.resize(encoded - s.mask.size());
  tq_sparse_encode(dense, r, c, s.mask.data(), s.values.data());
  return s;
}

}  // namespace tinyq
