// TensorProto <-> Tensor. All sizes come from an untrusted file and are checked before any
// allocation: a 100-byte model must not be able to request terabytes.
#include "src/onnx/tensor_proto.h"

#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <system_error>

namespace tinyq {
namespace {

namespace fs = std::filesystem;
using onnx::TensorProto;

// Copies `n` typed proto values into t.data<T>(), checking the range of narrow types.
template <typename T, typename Src>
Status CopyTyped(const google::protobuf::RepeatedField<Src>& src, Tensor* t,
                 const std::string& where) {
  T* out = t->data<T>();
  for (int i = 0; i < src.size(); ++i) {
    const Src v = src.Get(i);
    if constexpr (std::is_integral_v<T> && !std::is_same_v<T, Src>) {
      using L = std::numeric_limits<T>;
      if (v < static_cast<Src>(L::min()) || v > static_cast<Src>(L::max()))
        return InvalidModel(where + "value " + std::to_string(v) + " at index " +
                            std::to_string(i) + " does not fit " + DTypeName(t->dtype()));
    }
    out[i] = static_cast<T>(v);
  }
  return Status::Ok();
}

// Number of values stored in the typed field that carries `t`'s dtype.
int TypedCount(const TensorProto& p, DType t) {
  switch (t) {
    case DType::kF32:
      return p.float_data_size();
    case DType::kF64:
      return p.double_data_size();
    case DType::kS64:
      return p.int64_data_size();
    default:
      return p.int32_data_size();  // s8/u8/s16/u16/s32/bool
  }
}

Status ReadTyped(const TensorProto& p, Tensor* t, const std::string& where) {
  switch (t->dtype()) {
    case DType::kF32:
      return CopyTyped<float>(p.float_data(), t, where);
    case DType::kF64:
      return CopyTyped<double>(p.double_data(), t, where);
    case DType::kS64:
      return CopyTyped<int64_t>(p.int64_data(), t, where);
    case DType::kS32:
      return CopyTyped<int32_t>(p.int32_data(), t, where);
    case DType::kS16:
      return CopyTyped<int16_t>(p.int32_data(), t, where);
    case DType::kU16:
      return CopyTyped<uint16_t>(p.int32_data(), t, where);
    case DType::kS8:
      return CopyTyped<int8_t>(p.int32_data(), t, where);
    case DType::kU8:
      return CopyTyped<uint8_t>(p.int32_data(), t, where);
    case DType::kBool: {
      uint8_t* out = t->data<uint8_t>();
      for (int i = 0; i < p.int32_data_size(); ++i) out[i] = p.int32_data(i) != 0;
      return Status::Ok();
    }
    case DType::kCount:
      break;
  }
  return Internal(where + "bad dtype");
}

// True if `path` is `base` or inside it (both canonical, component-wise comparison).
bool IsInside(const fs::path& base, const fs::path& path) {
  auto b = base.begin();
  auto p = path.begin();
  for (; b != base.end(); ++b, ++p)
    if (p == path.end() || *p != *b) return false;
  return true;
}

StatusOr<int64_t> ParseKey(const std::string& key, const std::string& value,
                           const std::string& where) {
  try {
    size_t used = 0;
    long long v = std::stoll(value, &used);
    if (used == value.size() && v >= 0) return static_cast<int64_t>(v);
  } catch (const std::exception&) {
  }
  return InvalidModel(where + "external data " + key + " '" + value + "' is not a number >= 0");
}

// Where `nbytes` of external data lie: validated before the tensor is allocated.
struct ExternalSpan {
  fs::path file;
  std::string location;
  int64_t offset = 0;
};

// Checks the location (relative, inside the model's folder), the length key and that the file
// holds `nbytes` at the offset.
StatusOr<ExternalSpan> FindExternal(const TensorProto& p, const ExternalDataContext& ctx,
                                    int64_t nbytes, const std::string& where) {
  std::string location;
  int64_t offset = 0;
  int64_t length = -1;
  for (const auto& kv : p.external_data()) {
    if (kv.key() == "location") {
      location = kv.value();
    } else if (kv.key() == "offset") {
      TQ_ASSIGN_OR_RETURN(offset, ParseKey("offset", kv.value(), where));
    } else if (kv.key() == "length") {
      TQ_ASSIGN_OR_RETURN(length, ParseKey("length", kv.value(), where));
    }
  }
  if (location.empty()) return InvalidModel(where + "external data without a location");
  if (ctx.base_dir.empty())
    return InvalidModel(where + "external data '" + location +
                        "' cannot be read: the model was not loaded from a file");
  const fs::path rel(location);
  if (rel.is_absolute() || rel.has_root_name() || rel.has_root_directory())
    return InvalidModel(where + "external data path '" + location +
                        "' is absolute; it must be relative to the model's folder");
  std::error_code ec;
  const fs::path base = fs::weakly_canonical(fs::absolute(ctx.base_dir, ec), ec);
  if (ec) return IoError(where + "cannot resolve model folder '" + ctx.base_dir + "'");
  // weakly_canonical resolves symlinks and ".." of the existing part, so a link pointing out of
  // the folder is caught like a "../" path.
  const fs::path full = fs::weakly_canonical(base / rel, ec);
  if (ec || !IsInside(base, full))
    return InvalidModel(where + "external data path '" + location + "' escapes the model's folder");
  if (length >= 0 && length != nbytes)
    return InvalidModel(where + "external data length " + std::to_string(length) +
                        " does not match " + std::to_string(nbytes) + " bytes of the tensor");
  const uintmax_t size = fs::file_size(full, ec);
  if (ec) return IoError(where + "cannot open external data file '" + location + "'");
  if (static_cast<uintmax_t>(offset) > size ||
      size - static_cast<uintmax_t>(offset) < static_cast<uintmax_t>(nbytes))
    return InvalidModel(where + "external data file '" + location + "' has " +
                        std::to_string(size) + " bytes, needs " + std::to_string(nbytes) +
                        " at offset " + std::to_string(offset));
  return ExternalSpan{full, location, offset};
}

Status ReadExternal(const ExternalSpan& span, Tensor* t, const std::string& where) {
  std::ifstream in(span.file, std::ios::binary);
  if (!in) return IoError(where + "cannot open external data file '" + span.location + "'");
  in.seekg(span.offset);
  in.read(static_cast<char*>(t->raw()), static_cast<std::streamsize>(t->nbytes()));
  if (!in) return IoError(where + "cannot read external data file '" + span.location + "'");
  return Status::Ok();
}

}  // namespace

std::optional<DType> DTypeFromOnnx(int32_t onnx_type) {
  switch (onnx_type) {
    case TensorProto::FLOAT:
      return DType::kF32;
    case TensorProto::DOUBLE:
      return DType::kF64;
    case TensorProto::INT8:
      return DType::kS8;
    case TensorProto::UINT8:
      return DType::kU8;
    case TensorProto::INT16:
      return DType::kS16;
    case TensorProto::UINT16:
      return DType::kU16;
    case TensorProto::INT32:
      return DType::kS32;
    case TensorProto::INT64:
      return DType::kS64;
    case TensorProto::BOOL:
      return DType::kBool;
    default:
      return std::nullopt;
  }
}

int32_t OnnxFromDType(DType t) {
  switch (t) {
    case DType::kF32:
      return TensorProto::FLOAT;
    case DType::kF64:
      return TensorProto::DOUBLE;
    case DType::kS8:
      return TensorProto::INT8;
    case DType::kU8:
      return TensorProto::UINT8;
    case DType::kS16:
      return TensorProto::INT16;
    case DType::kU16:
      return TensorProto::UINT16;
    case DType::kS32:
      return TensorProto::INT32;
    case DType::kS64:
      return TensorProto::INT64;
    case DType::kBool:
      return TensorProto::BOOL;
    case DType::kCount:
      break;
  }
  return TensorProto::UNDEFINED;
}

std::string OnnxTypeName(int32_t onnx_type) {
  if (onnx::TensorProto_DataType_IsValid(onnx_type))
    return onnx::TensorProto_DataType_Name(static_cast<TensorProto::DataType>(onnx_type));
  return "type " + std::to_string(onnx_type);
}

StatusOr<Shape> CheckedShape(const google::protobuf::RepeatedField<int64_t>& dims, size_t elem_size,
                             const std::string& where) {
  Shape shape(dims.begin(), dims.end());
  TQ_RETURN_IF_ERROR(CheckTensorSize(shape, elem_size, where));
  return shape;
}

StatusOr<Tensor> TensorFromProto(const TensorProto& p, const ExternalDataContext& ctx,
                                 const std::string& where) {
  const std::optional<DType> dtype = DTypeFromOnnx(p.data_type());
  if (!dtype) return Unsupported(where + "unsupported element type " + OnnxTypeName(p.data_type()));
  if (p.has_segment()) return Unsupported(where + "segmented tensors are not supported");
  TQ_ASSIGN_OR_RETURN(Shape shape, CheckedShape(p.dims(), DTypeSize(*dtype), where));
  // Every size is checked against what the file holds before the tensor is allocated.
  const int64_t numel = NumElements(shape);
  const int64_t nbytes = numel * static_cast<int64_t>(DTypeSize(*dtype));
  if (p.data_location() == TensorProto::EXTERNAL) {
    TQ_ASSIGN_OR_RETURN(ExternalSpan span, FindExternal(p, ctx, nbytes, where));
    Tensor t(*dtype, shape);
    TQ_RETURN_IF_ERROR(ReadExternal(span, &t, where));
    return t;
  }
  if (p.has_raw_data()) {
    if (static_cast<int64_t>(p.raw_data().size()) != nbytes)
      return InvalidModel(where + "raw_data has " + std::to_string(p.raw_data().size()) +
                          " bytes, shape " + ShapeToString(shape) + " of " + DTypeName(*dtype) +
                          " needs " + std::to_string(nbytes));
    Tensor t(*dtype, shape);
    if (nbytes) std::memcpy(t.raw(), p.raw_data().data(), t.nbytes());
    if (*dtype == DType::kBool) {
      uint8_t* b = t.data<uint8_t>();
      for (int64_t i = 0; i < numel; ++i) b[i] = b[i] != 0;
    }
    return t;
  }
  const int count = TypedCount(p, *dtype);
  if (count != numel)
    return InvalidModel(where + "has " + std::to_string(count) + " values, shape " +
                        ShapeToString(shape) + " needs " + std::to_string(numel));
  Tensor t(*dtype, shape);
  TQ_RETURN_IF_ERROR(ReadTyped(p, &t, where));
  return t;
}

void TensorToProto(const Tensor& t, const std::string& name, TensorProto* proto) {
  proto->set_name(name);
  proto->set_data_type(OnnxFromDType(t.dtype()));
  for (int64_t d : t.shape()) proto->add_dims(d);
  proto->set_raw_data(std::string(static_cast<const char*>(t.raw()), t.nbytes()));
}

}  // namespace tinyq
