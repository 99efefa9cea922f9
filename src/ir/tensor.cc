#include "tinyq/tensor.h"

#include <cstdlib>
#include <new>

namespace tinyq {

const char* DTypeName(DType t) {
  switch (t) {
    case DType::kF32: return "f32";
    case DType::kF64: return "f64";
    case DType::kS8: return "s8";
    case DType::kU8: return "u8";
    case DType::kS16: return "s16";
    case DType::kU16: return "u16";
    case DType::kS32: return "s32";
    case DType::kS64: return "s64";
    case DType::kBool: return "bool";
    case DType::kCount: break;
  }
  return "?";
}

size_t DTypeSize(DType t) {
  switch (t) {
    case DType::kF32: return 4;
    case DType::kF64: return 8;
    case DType::kS8: return 1;
    case DType::kU8: return 1;
    case DType::kS16: return 2;
    case DType::kU16: return 2;
    case DType::kS32: return 4;
    case DType::kS64: return 8;
    case DType::kBool: return 1;
    case DType::kCount: break;
  }
  return 1;
}

int64_t NumElements(const Shape& shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

std::string ShapeToString(const Shape& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ",";
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

void Tensor::FreeDeleter::operator()(uint8_t* p) const { std::free(p); }

Tensor::Tensor(DType dtype, Shape shape)
    : dtype_(dtype), shape_(std::move(shape)), numel_(NumElements(shape_)) {
  // 64-byte alignment for SIMD loads; at least 64 bytes so empty tensors have a valid pointer.
  size_t bytes = nbytes();
  size_t alloc = ((bytes + 63) / 64) * 64;
  if (alloc == 0) alloc = 64;
  void* p = std::aligned_alloc(64, alloc);
  if (p == nullptr) throw std::bad_alloc();
  std::memset(p, 0, alloc);
  data_.reset(static_cast<uint8_t*>(p));
}

Tensor::Tensor(const Tensor& other) : Tensor(other.dtype_, other.shape_) {
  if (other.data_ && nbytes()) std::memcpy(data_.get(), other.data_.get(), nbytes());
}

Tensor& Tensor::operator=(const Tensor& other) {
  if (this != &other) {
    Tensor copy(other);
    *this = std::move(copy);
  }
  return *this;
}

void Tensor::Reshape(Shape shape) {
  shape_ = std::move(shape);
  numel_ = NumElements(shape_);
}

namespace {
template <typename To>
void ConvertAll(const Tensor& t, To* out) {
  const int64_t n = t.numel();
  switch (t.dtype()) {
#define TQ_CASE(DT, CT)                                                          \
  case DT: {                                                                     \
    const CT* p = t.data<CT>();                                                  \
    for (int64_t i = 0; i < n; ++i) out[i] = static_cast<To>(p[i]);              \
    break;                                                                       \
  }
    TQ_CASE(DType::kF32, float)
    TQ_CASE(DType::kF64, double)
    TQ_CASE(DType::kS8, int8_t)
    TQ_CASE(DType::kU8, uint8_t)
    TQ_CASE(DType::kS16, int16_t)
    TQ_CASE(DType::kU16, uint16_t)
    TQ_CASE(DType::kS32, int32_t)
    TQ_CASE(DType::kS64, int64_t)
    TQ_CASE(DType::kBool, bool)
#undef TQ_CASE
    case DType::kCount: break;
  }
}
}  // namespace

std::vector<int64_t> Tensor::ToInt64Vector() const {
  std::vector<int64_t> v(static_cast<size_t>(numel_));
  if (dtype_ == DType::kF32 || dtype_ == DType::kF64) {
    std::vector<double> d(v.size());
    ConvertAll(*this, d.data());
    for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<int64_t>(d[i]);
  } else {
    ConvertAll(*this, v.data());
  }
  return v;
}

std::vector<float> Tensor::ToFloatVector() const {
  std::vector<float> v(static_cast<size_t>(numel_));
  ConvertAll(*this, v.data());
  return v;
}

Tensor Tensor::CastTo(DType dtype) const {
  Tensor out(dtype, shape_);
  switch (dtype) {
    case DType::kF32: ConvertAll(*this, out.data<float>()); break;
    case DType::kF64: ConvertAll(*this, out.data<double>()); break;
    case DType::kS8: ConvertAll(*this, out.data<int8_t>()); break;
    case DType::kU8: ConvertAll(*this, out.data<uint8_t>()); break;
    case DType::kS16: ConvertAll(*this, out.data<int16_t>()); break;
    case DType::kU16: ConvertAll(*this, out.data<uint16_t>()); break;
    case DType::kS32: ConvertAll(*this, out.data<int32_t>()); break;
    case DType::kS64: ConvertAll(*this, out.data<int64_t>()); break;
    case DType::kBool: {
      std::vector<double> d(static_cast<size_t>(numel_));
      ConvertAll(*this, d.data());
      bool* o = out.data<bool>();
      for (size_t i = 0; i < d.size(); ++i) o[i] = d[i] != 0.0;
      break;
    }
    case DType::kCount: break;
  }
  return out;
}

}  // namespace tinyq
