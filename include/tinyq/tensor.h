// tinyq/tensor.h - dense tensors with a static shape.
#ifndef TINYQ_TENSOR_H_
#define TINYQ_TENSOR_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

namespace tinyq {

// Element types tinyq stores. Arithmetic kernels work on kF32 (float executor) and kS8/kS32
// (int8 executor); the others exist so models load, shape subgraphs fold and data files read.
enum class DType : uint8_t {
  kF32 = 0,
  kF64,
  kS8,
  kU8,
  kS16,
  kU16,
  kS32,
  kS64,
  kBool,
  kCount  // number of dtypes, not a dtype
};

const char* DTypeName(DType t);   // "f32", "s8", ...
size_t DTypeSize(DType t);        // bytes per element

template <typename T>
struct DTypeOf;
template <> struct DTypeOf<float> { static constexpr DType value = DType::kF32; };
template <> struct DTypeOf<double> { static constexpr DType value = DType::kF64; };
template <> struct DTypeOf<int8_t> { static constexpr DType value = DType::kS8; };
template <> struct DTypeOf<uint8_t> { static constexpr DType value = DType::kU8; };
template <> struct DTypeOf<int16_t> { static constexpr DType value = DType::kS16; };
template <> struct DTypeOf<uint16_t> { static constexpr DType value = DType::kU16; };
template <> struct DTypeOf<int32_t> { static constexpr DType value = DType::kS32; };
template <> struct DTypeOf<int64_t> { static constexpr DType value = DType::kS64; };
template <> struct DTypeOf<bool> { static constexpr DType value = DType::kBool; };

using Shape = std::vector<int64_t>;

// Number of elements of a shape (1 for a scalar shape {}). Callers validate dims >= 0 first.
int64_t NumElements(const Shape& shape);
std::string ShapeToString(const Shape& shape);  // "[1,3,28,28]"

// A dense, row-major (C order) tensor that owns its 64-byte aligned storage. Copyable (deep copy).
class Tensor {
 public:
  Tensor() = default;
  // Zero-filled tensor. Shape dims must be >= 0.
  Tensor(DType dtype, Shape shape);
  Tensor(const Tensor& other);
  Tensor& operator=(const Tensor& other);
  Tensor(Tensor&&) noexcept = default;
  Tensor& operator=(Tensor&&) noexcept = default;

  template <typename T>
  static Tensor FromVector(Shape shape, const std::vector<T>& values) {
    Tensor t(DTypeOf<T>::value, std::move(shape));
    if (!values.empty()) std::memcpy(t.raw(), values.data(), values.size() * sizeof(T));
    return t;
  }

  DType dtype() const { return dtype_; }
  const Shape& shape() const { return shape_; }
  int64_t dim(int i) const { return shape_[static_cast<size_t>(i)]; }
  int rank() const { return static_cast<int>(shape_.size()); }
  int64_t numel() const { return numel_; }
  size_t nbytes() const { return static_cast<size_t>(numel_) * DTypeSize(dtype_); }

  // Typed access; T must match dtype() (checked only by the caller's contract).
  template <typename T>
  T* data() { return reinterpret_cast<T*>(data_.get()); }
  template <typename T>
  const T* data() const { return reinterpret_cast<const T*>(data_.get()); }
  void* raw() { return data_.get(); }
  const void* raw() const { return data_.get(); }

  // Same bytes, new shape with the same element count.
  void Reshape(Shape shape);
  // Values of an integer tensor (any integer dtype or bool) widened to int64.
  std::vector<int64_t> ToInt64Vector() const;
  // Values of a numeric tensor converted to float.
  std::vector<float> ToFloatVector() const;
  // Converts to another dtype (C-style casts; float->int truncates toward zero).
  Tensor CastTo(DType dtype) const;

 private:
  struct FreeDeleter {
    void operator()(uint8_t* p) const;
  };
  DType dtype_ = DType::kF32;
  Shape shape_;
  int64_t numel_ = 0;
  std::unique_ptr<uint8_t[], FreeDeleter> data_;
};

}  // namespace tinyq

#endif  // TINYQ_TENSOR_H_
