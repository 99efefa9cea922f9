// src/ir/tensor_limits.h - the largest tensor tinyq accepts, checked without overflowing.
//
// Every shape read from a file (initializers and graph inputs at import) or derived from one
// (shape inference of every node, so also Tile/Expand/Resize/ConstantOfShape outputs) passes
// CheckTensorSize before anything is allocated or multiplied: dims >= 0, at most 2^31 elements and
// at most 2 GiB of data. The int8 runtime indexes with int32 and a microcontroller has a few MiB
// at most, so a larger tensor could only overflow size arithmetic or exhaust the host's memory.
#ifndef TINYQ_SRC_IR_TENSOR_LIMITS_H_
#define TINYQ_SRC_IR_TENSOR_LIMITS_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "tinyq/status.h"
#include "tinyq/tensor.h"

namespace tinyq {

constexpr int64_t kMaxTensorElements = int64_t{1} << 31;
constexpr int64_t kMaxTensorBytes = int64_t{1} << 31;

// OK when every dim is >= 0, the element count is <= kMaxTensorElements and the byte count (for
// `elem_size`-byte elements) <= kMaxTensorBytes; else InvalidModel prefixed with `where`
// ("negative dimension in [..]", "shape [..] has too many elements (limit 2^31)", "shape [..] is
// too large (limit 2 GiB)"). The product is checked before each multiplication.
Status CheckTensorSize(const Shape& shape, size_t elem_size, const std::string& where);

}  // namespace tinyq

#endif  // TINYQ_SRC_IR_TENSOR_LIMITS_H_
