// IDX reader (the MNIST format), plain or gzip-compressed.
//
// Layout, all big-endian: two zero bytes, a type code (0x08 u8, 0x09 s8, 0x0B s16, 0x0C s32,
// 0x0D f32, 0x0E f64), the rank, `rank` u32 dimensions, then the elements in C order. The data must
// be exactly as long as the dimensions say. A gzip file (magic 1f 8b) is inflated as a stream
// straight into the result tensor; the tensor is only allocated after checking that the
// compressed input could possibly hold that many bytes.
#include <cstring>
#include <string>

#include "src/data/byte_order.h"
#include "src/data/file_io.h"
#include "src/data/inflate.h"
#include "tinyq/data.h"

namespace tinyq {
namespace {

struct IdxType {
  DType dtype;
  bool ok;
};

IdxType TypeForCode(uint8_t code) {
  switch (code) {
    case 0x08:
      return {DType::kU8, true};
    case 0x09:
      return {DType::kS8, true};
    case 0x0B:
      return {DType::kS16, true};
    case 0x0C:
      return {DType::kS32, true};
    case 0x0D:
      return {DType::kF32, true};
    case 0x0E:
      return {DType::kF64, true};
    default:
      return {DType::kU8, false};
  }
}

template <size_t N>
void SwapAll(uint8_t* p, size_t count) {
  for (size_t i = 0; i < count; ++i) data::ReverseBytes<N>(p + i * N);
}

}  // namespace

StatusOr<Tensor> ReadIdx(const std::string& path) {
  TQ_ASSIGN_OR_RETURN(std::string bytes, data::ReadWholeFile(path));
  const std::string where = path + ": ";
  if (bytes.empty()) return InvalidArgument(where + "file is empty, not an IDX file");
  auto src = data::MakeByteSource(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  uint8_t magic[4];
  Status s = src->Read(magic, 4);
  if (!s.ok()) return s.WithPrefix(where + "IDX header: ");
  if (magic[0] != 0 || magic[1] != 0) {
    return InvalidArgument(where + "not an IDX file (magic must start with two zero bytes)");
  }
  const IdxType type = TypeForCode(magic[2]);
  if (!type.ok) {
    return InvalidArgument(where + "unsupported IDX type code " + std::to_string(magic[2]) +
                           " (supported: 0x08 0x09 0x0B 0x0C 0x0D 0x0E)");
  }
  const int rank = magic[3];
  if (rank == 0) return InvalidArgument(where + "IDX rank is 0");
  uint8_t dims_be[255 * 4];
  s = src->Read(dims_be, static_cast<size_t>(rank) * 4);
  if (!s.ok()) return s.WithPrefix(where + "IDX header: ");
  Shape shape;
  const size_t item = DTypeSize(type.dtype);
  // Each dim < 2^32 and `span` is kept <= kMaxDataBytes + 1, so nothing overflows. A 0 dim counts
  // as 1 in `span`: an empty array cannot carry dims whose product overflows later arithmetic.
  uint64_t span = item;
  bool zero = false;
  for (int i = 0; i < rank; ++i) {
    const uint64_t d = data::LoadU32BE(dims_be + 4 * i);
    shape.push_back(static_cast<int64_t>(d));
    zero = zero || d == 0;
    const uint64_t f = d == 0 ? 1 : d;
    span = span > data::kMaxDataBytes / f ? data::kMaxDataBytes + 1 : span * f;
  }
  const uint64_t bytes_needed = zero ? 0 : span;
  if (span > data::kMaxDataBytes || bytes_needed > src->MaxRemaining()) {
    return InvalidArgument(where + "IDX shape " + ShapeToString(shape) +
                           " needs more data than the file can hold (file truncated?)");
  }
  Tensor t(type.dtype, shape);
  s = src->Read(static_cast<uint8_t*>(t.raw()), t.nbytes());
  if (!s.ok()) {
    return s.WithPrefix(where + "IDX data for shape " + ShapeToString(shape) + ": ");
  }
  s = src->ExpectEnd();
  if (!s.ok())
    return s.WithPrefix(where + "IDX data longer than shape " + ShapeToString(shape) + ": ");
  if (item > 1 && data::HostIsLittleEndian()) {
    auto* p = static_cast<uint8_t*>(t.raw());
    const size_t n = static_cast<size_t>(t.numel());
    switch (item) {
      case 2:
        SwapAll<2>(p, n);
        break;
      case 4:
        SwapAll<4>(p, n);
        break;
      default:
        SwapAll<8>(p, n);
        break;
    }
  }
  return t;
}

}  // namespace tinyq
