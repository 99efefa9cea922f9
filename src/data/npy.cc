// .npy reader and writer.
//
// Format (numpy NEP 1): "\x93NUMPY", major, minor, header length (u16 LE for 1.0, u32 LE for 2.0
// and 3.0), the header dict (see npy_header.h), then the raw array bytes. The reader checks that
// the data is exactly numel * itemsize bytes, converts to host byte order, widens u4/u8 to s64 and
// turns Fortran-order data into C order.
#include "src/data/npy.h"

#include <cstdint>
#include <cstring>
#include <type_traits>
#include <utility>
#include <vector>

#include "src/data/byte_order.h"
#include "src/data/file_io.h"
#include "src/data/npy_header.h"
#include "tinyq/data.h"

namespace tinyq {
namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicLen = 6;

// How one descr ('<f4', '|u1', ...) maps onto tinyq storage.
enum class SrcKind { kF32, kF64, kS8, kU8, kS16, kU16, kS32, kU32, kS64, kU64, kBool };
struct SrcType {
  SrcKind kind;
  size_t itemsize;
  DType dtype;  // tinyq dtype of the result
  bool swap;    // file byte order differs from the host's
};

StatusOr<SrcType> ParseDescr(const std::string& descr) {
  const std::string bad = "unsupported dtype '" + descr + "'";
  if (descr.size() < 3) return InvalidArgument(bad);
  const char order = descr[0];
  const std::string code = descr.substr(1);
  if (order != '<' && order != '>' && order != '|') {
    return InvalidArgument(bad + " (byte order must be '<', '>' or '|')");
  }
  struct Row {
    const char* code;
    SrcType type;
  };
  static const Row kTable[] = {
      {"f4", {SrcKind::kF32, 4, DType::kF32, false}},
      {"f8", {SrcKind::kF64, 8, DType::kF64, false}},
      {"i1", {SrcKind::kS8, 1, DType::kS8, false}},
      {"u1", {SrcKind::kU8, 1, DType::kU8, false}},
      {"i2", {SrcKind::kS16, 2, DType::kS16, false}},
      {"u2", {SrcKind::kU16, 2, DType::kU16, false}},
      {"i4", {SrcKind::kS32, 4, DType::kS32, false}},
      {"u4", {SrcKind::kU32, 4, DType::kS64, false}},
      {"i8", {SrcKind::kS64, 8, DType::kS64, false}},
      {"u8", {SrcKind::kU64, 8, DType::kS64, false}},
      {"b1", {SrcKind::kBool, 1, DType::kBool, false}},
  };
  const Row* row = nullptr;
  for (const Row& r : kTable) {
    if (code == r.code) row = &r;
  }
  if (row == nullptr) {
    return InvalidArgument(bad + " (supported: f4 f8 i1 u1 i2 u2 i4 u4 i8 u8 b1)");
  }
  SrcType t = row->type;
  if (order == '|' && t.itemsize > 1) {
    return InvalidArgument(bad + " (byte order '|' is only valid for 1-byte types)");
  }
  const bool file_little = order != '>';
  t.swap = t.itemsize > 1 && file_little != data::HostIsLittleEndian();
  return t;
}

template <typename Src, typename Dst>
void Convert(const uint8_t* src, int64_t n, bool swap, Dst* dst) {
  if (!swap && sizeof(Src) == sizeof(Dst) && std::is_same<Src, Dst>::value) {
    std::memcpy(dst, src, static_cast<size_t>(n) * sizeof(Src));
    return;
  }
  for (int64_t i = 0; i < n; ++i) {
    dst[i] = static_cast<Dst>(data::LoadScalar<Src>(src + i * sizeof(Src), swap));
  }
}

// Decodes n elements in file order into t (same element order). Fails only for u8 > INT64_MAX.
Status DecodeElements(const uint8_t* src, int64_t n, const SrcType& st, Tensor* t) {
  switch (st.kind) {
    case SrcKind::kF32:
      Convert<float>(src, n, st.swap, t->data<float>());
      break;
    case SrcKind::kF64:
      Convert<double>(src, n, st.swap, t->data<double>());
      break;
    case SrcKind::kS8:
      Convert<int8_t>(src, n, false, t->data<int8_t>());
      break;
    case SrcKind::kU8:
      Convert<uint8_t>(src, n, false, t->data<uint8_t>());
      break;
    case SrcKind::kS16:
      Convert<int16_t>(src, n, st.swap, t->data<int16_t>());
      break;
    case SrcKind::kU16:
      Convert<uint16_t>(src, n, st.swap, t->data<uint16_t>());
      break;
    case SrcKind::kS32:
      Convert<int32_t>(src, n, st.swap, t->data<int32_t>());
      break;
    case SrcKind::kU32:
      Convert<uint32_t>(src, n, st.swap, t->data<int64_t>());
      break;
    case SrcKind::kS64:
      Convert<int64_t>(src, n, st.swap, t->data<int64_t>());
      break;
    case SrcKind::kU64: {
      int64_t* out = t->data<int64_t>();
      for (int64_t i = 0; i < n; ++i) {
        uint64_t v = data::LoadScalar<uint64_t>(src + i * 8, st.swap);
        if (v > static_cast<uint64_t>(INT64_MAX)) {
          return InvalidArgument("u8 value " + std::to_string(v) + " at element " +
                                 std::to_string(i) + " does not fit in s64");
        }
        out[i] = static_cast<int64_t>(v);
      }
      break;
    }
    case SrcKind::kBool: {
      // Any non-zero byte is True (as in numpy); store canonical 0/1 so bool reads are defined.
      bool* out = t->data<bool>();
      for (int64_t i = 0; i < n; ++i) out[i] = src[i] != 0;
      break;
    }
  }
  return Status::Ok();
}

// Copies Fortran-order elements `in` (shape `shape`) to C order `out`, element size N bytes.
template <size_t N>
void FortranToC(const uint8_t* in, const Shape& shape, uint8_t* out) {
  const size_t rank = shape.size();
  const int64_t n = NumElements(shape);
  if (n == 0) return;
  std::vector<int64_t> fstride(rank), idx(rank, 0);
  int64_t s = 1;
  for (size_t k = 0; k < rank; ++k) {
    fstride[k] = s;
    s *= shape[k];
  }
  int64_t off = 0;  // Fortran offset of the C-order position idx
  for (int64_t i = 0; i < n; ++i) {
    std::memcpy(out + i * N, in + off * N, N);
    for (size_t k = rank; k-- > 0;) {  // odometer over C order: last axis fastest
      if (++idx[k] < shape[k]) {
        off += fstride[k];
        break;
      }
      off -= (shape[k] - 1) * fstride[k];
      idx[k] = 0;
    }
  }
}

Tensor ToCOrder(const Tensor& f) {
  Tensor c(f.dtype(), f.shape());
  const auto* in = static_cast<const uint8_t*>(f.raw());
  auto* out = static_cast<uint8_t*>(c.raw());
  switch (DTypeSize(f.dtype())) {
    case 1:
      FortranToC<1>(in, f.shape(), out);
      break;
    case 2:
      FortranToC<2>(in, f.shape(), out);
      break;
    case 4:
      FortranToC<4>(in, f.shape(), out);
      break;
    default:
      FortranToC<8>(in, f.shape(), out);
      break;
  }
  return c;
}

std::string DescrFor(DType t) {
  switch (t) {
    case DType::kF32:
      return "<f4";
    case DType::kF64:
      return "<f8";
    case DType::kS8:
      return "|i1";
    case DType::kU8:
      return "|u1";
    case DType::kS16:
      return "<i2";
    case DType::kU16:
      return "<u2";
    case DType::kS32:
      return "<i4";
    case DType::kS64:
      return "<i8";
    case DType::kBool:
      return "|b1";
    case DType::kCount:
      break;
  }
  return "|u1";
}

}  // namespace

StatusOr<Tensor> ParseNpy(const std::string& bytes, const std::string& source) {
  const std::string where = source + ": ";
  if (bytes.empty()) return InvalidArgument(where + "file is empty, not a .npy file");
  const auto* b = reinterpret_cast<const uint8_t*>(bytes.data());
  if (bytes.size() < kMagicLen || std::memcmp(b, kMagic, kMagicLen) != 0) {
    return InvalidArgument(where + "not a .npy file (bad magic; expected \\x93NUMPY)");
  }
  if (bytes.size() < 10) return InvalidArgument(where + "truncated .npy header");
  const int major = b[6], minor = b[7];
  if ((major < 1 || major > 3) || minor != 0) {
    return InvalidArgument(where + "unsupported .npy format version " + std::to_string(major) +
                           "." + std::to_string(minor) + " (supported: 1.0, 2.0, 3.0)");
  }
  size_t header_start = 10;
  uint64_t header_len = data::LoadU16LE(b + 8);
  if (major >= 2) {
    if (bytes.size() < 12) return InvalidArgument(where + "truncated .npy header");
    header_start = 12;
    header_len = data::LoadU32LE(b + 8);
  }
  if (header_len > bytes.size() - header_start) {
    return InvalidArgument(where + "truncated .npy header (header says " +
                           std::to_string(header_len) + " bytes, file has " +
                           std::to_string(bytes.size() - header_start) + " after the prefix)");
  }
  auto parsed = data::ParseNpyHeaderDict(bytes.substr(header_start, header_len));
  if (!parsed.ok()) return parsed.status().WithPrefix(where);
  const data::NpyHeader& h = *parsed;
  auto st_or = ParseDescr(h.descr);
  if (!st_or.ok()) return st_or.status().WithPrefix(where);
  const SrcType st = *st_or;

  // numel * itemsize without overflow: every dim <= 2^62 (parser), and the running product is
  // checked against the byte limit before each multiplication. A 0 dim counts as 1 in that
  // bound, so an empty array cannot carry dims whose product overflows later size arithmetic.
  uint64_t span = 1;
  bool zero = false;
  for (int64_t d : h.shape) {
    const uint64_t f = d == 0 ? 1 : static_cast<uint64_t>(d);
    zero = zero || d == 0;
    if (span > data::kMaxDataBytes / st.itemsize / f) {
      return InvalidArgument(where + "shape " + ShapeToString(h.shape) +
                             " is too large (more than " + std::to_string(data::kMaxDataBytes) +
                             " bytes)");
    }
    span *= f;
  }
  const uint64_t numel = zero ? 0 : span;
  const uint64_t need = numel * st.itemsize;
  const uint64_t have = bytes.size() - header_start - header_len;
  if (have != need) {
    return InvalidArgument(where + "data is " + std::to_string(have) + " bytes but shape " +
                           ShapeToString(h.shape) + " of dtype '" + h.descr + "' needs " +
                           std::to_string(need) +
                           (have < need ? " (file truncated)" : " (trailing bytes)"));
  }
  // Fortran data of shape (a, b, c) is C-order data of shape (c, b, a); decode it that way first.
  Shape file_shape = h.shape;
  if (h.fortran_order) file_shape.assign(h.shape.rbegin(), h.shape.rend());
  Tensor t(st.dtype, file_shape);
  Status s = DecodeElements(b + header_start + header_len, static_cast<int64_t>(numel), st, &t);
  if (!s.ok()) return s.WithPrefix(where);
  if (!h.fortran_order || h.shape.size() < 2) {
    t.Reshape(h.shape);
    return t;
  }
  t.Reshape(h.shape);  // same bytes, now read as Fortran order of the real shape
  return ToCOrder(t);
}

StatusOr<Tensor> ReadNpy(const std::string& path) {
  TQ_ASSIGN_OR_RETURN(std::string bytes, data::ReadWholeFile(path));
  return ParseNpy(bytes, path);
}

Status WriteNpy(const std::string& path, const Tensor& t) {
  return data::WriteFileAtomic(path, data::EncodeNpy(t));
}

namespace data {

std::string EncodeNpy(const Tensor& t) {
  std::string dict = FormatNpyHeaderDict(DescrFor(t.dtype()), false, t.shape());
  // Prefix + dict + padding + '\n' must be a multiple of 64 (numpy's alignment).
  const bool v2 = dict.size() + 1 + 10 > 65535;
  const size_t prefix = v2 ? 12 : 10;
  size_t total = prefix + dict.size() + 1;
  total = (total + 63) / 64 * 64;
  dict.append(total - prefix - dict.size() - 1, ' ');
  dict.push_back('\n');
  std::string out(kMagic, kMagicLen);
  out.push_back(static_cast<char>(v2 ? 2 : 1));
  out.push_back('\0');
  if (v2) {
    AppendU32LE(&out, static_cast<uint32_t>(dict.size()));
  } else {
    AppendU16LE(&out, static_cast<uint16_t>(dict.size()));
  }
  out += dict;
  const size_t data_start = out.size();
  out.append(static_cast<const char*>(t.raw()), t.nbytes());
  const size_t item = DTypeSize(t.dtype());
  if (!HostIsLittleEndian() && item > 1) {
    auto* p = reinterpret_cast<uint8_t*>(&out[data_start]);
    for (size_t i = 0; i < t.nbytes(); i += item) {
      for (size_t k = 0; k < item / 2; ++k) std::swap(p[i + k], p[i + item - 1 - k]);
    }
  }
  return out;
}

}  // namespace data
}  // namespace tinyq
