#include "src/ir/tensor_limits.h"

namespace tinyq {

Status CheckTensorSize(const Shape& shape, size_t elem_size, const std::string& where) {
  // `span` multiplies the dims with 0 read as 1: an empty [0, 2^40, 2^40] is refused too, since
  // strides and per-sample sizes are products of the trailing dims.
  int64_t n = 1, span = 1;
  for (int64_t d : shape) {
    if (d < 0) return InvalidModel(where + "negative dimension in " + ShapeToString(shape));
    const int64_t f = d == 0 ? 1 : d;
    // span <= 2^31 and f < 2^63: check before multiplying so nothing overflows.
    if (span > kMaxTensorElements / f)
      return InvalidModel(where + "shape " + ShapeToString(shape) +
                          " has too many elements (limit 2^31)");
    span *= f;
    n *= d;
  }
  if (n * static_cast<int64_t>(elem_size) > kMaxTensorBytes)
    return InvalidModel(where + "shape " + ShapeToString(shape) + " is too large (limit 2 GiB)");
  return Status::Ok();
}

}  // namespace tinyq
