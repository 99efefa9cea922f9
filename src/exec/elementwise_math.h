// src/exec/elementwise_math.h - pure elementwise math: scalar binary functors, unary array
// functions and dtype conversion. Nothing here knows about graphs; node kernels live in
// kernels_binary.cc / kernels_unary.cc.
//
// Integer semantics (chosen so that no input can trigger undefined behaviour):
//   - Add, Sub, Mul, Neg, Abs on integers wrap around modulo 2^bits (two's complement), as the
//     hardware does; Abs(INT_MIN) == INT_MIN, Neg(INT_MIN) == INT_MIN.
//   - Div truncates toward zero like C. Division by zero yields 0, and INT_MIN / -1 yields INT_MIN
//     (the wrapped quotient). ONNX leaves both undefined.
//   - Pow with an integer base and integer exponent multiplies with wraparound; a negative
//     exponent yields the truncated real result: 1 for base 1, +-1 for base -1, else 0 (and 0 for
//     base 0, where the real result would be infinite).
// Float conversion to integers (Cast, Pow with integer base and float exponent) truncates toward
// zero like ONNX/C, but saturates out-of-range values to the target's min/max and maps NaN to 0,
// where C++ would have undefined behaviour. Float to bool is `x != 0` (NaN -> true, as numpy).
// Max/Min on floats propagate NaN (as numpy.maximum/minimum).
#ifndef TINYQ_SRC_EXEC_ELEMENTWISE_MATH_H_
#define TINYQ_SRC_EXEC_ELEMENTWISE_MATH_H_

#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "tinyq/tensor.h"

namespace tinyq {

namespace internal {
// The unsigned type integer arithmetic is done in, so overflow wraps instead of being undefined:
// at least `unsigned int`, because 8/16-bit operands would otherwise promote to signed int (where
// u16 * u16 can overflow). Floats map to themselves.
template <typename T, bool = std::is_integral_v<T>>
struct WrapType {
  using type = T;
};
template <typename T>
struct WrapType<T, true> {
  using type = std::make_unsigned_t<std::common_type_t<T, int>>;
};
template <typename T>
using Wrap = typename WrapType<T>::type;
}  // namespace internal

template <typename T>
struct AddFn {
  T operator()(T a, T b) const {
    using U = internal::Wrap<T>;
    return static_cast<T>(static_cast<U>(a) + static_cast<U>(b));
  }
};
template <typename T>
struct SubFn {
  T operator()(T a, T b) const {
    using U = internal::Wrap<T>;
    return static_cast<T>(static_cast<U>(a) - static_cast<U>(b));
  }
};
template <typename T>
struct MulFn {
  T operator()(T a, T b) const {
    using U = internal::Wrap<T>;
    return static_cast<T>(static_cast<U>(a) * static_cast<U>(b));
  }
};
template <typename T>
struct DivFn {
  T operator()(T a, T b) const {
    if constexpr (std::is_integral_v<T>) {
      if (b == 0) return 0;
      if constexpr (std::is_signed_v<T>) {
        if (b == -1) return static_cast<T>(0 - static_cast<internal::Wrap<T>>(a));
      }
      return static_cast<T>(a / b);
    } else {
      return a / b;
    }
  }
};
template <typename T>
struct MaxFn {
  T operator()(T a, T b) const {
    if constexpr (std::is_floating_point_v<T>) {
      if (a != a) return a;  // NaN in a; a NaN in b falls through `a > b` to b
    }
    return a > b ? a : b;
  }
};
template <typename T>
struct MinFn {
  T operator()(T a, T b) const {
    if constexpr (std::is_floating_point_v<T>) {
      if (a != a) return a;
    }
    return a < b ? a : b;
  }
};
// PRelu: y = x < 0 ? slope * x : x.
template <typename T>
struct PReluFn {
  T operator()(T x, T slope) const { return x < 0 ? static_cast<T>(slope * x) : x; }
};

// Float (or double) to integer T: truncation toward zero, saturating, NaN -> 0.
template <typename T, typename F>
T SaturatingFloatToInt(F x) {
  static_assert(std::is_integral_v<T> && std::is_floating_point_v<F>, "float -> int only");
  const double v = static_cast<double>(x);
  if (v != v) return 0;
  // Bounds as doubles: 2^digits is exact; for 64-bit types lo - 1 rounds to lo, which is fine
  // because every v <= lo then truncates to lo anyway.
  const double hi = std::ldexp(1.0, std::numeric_limits<T>::digits);  // first value above max
  const double lo = static_cast<double>(std::numeric_limits<T>::min());
  if (v >= hi) return std::numeric_limits<T>::max();
  if (v <= lo - 1.0) return std::numeric_limits<T>::min();
  return static_cast<T>(v);
}

// One element of Cast, with the semantics in the file comment.
template <typename To, typename From>
To ConvertValue(From x) {
  if constexpr (std::is_same_v<To, bool>) {
    return x != From(0);
  } else if constexpr (std::is_floating_point_v<From> && std::is_integral_v<To>) {
    return SaturatingFloatToInt<To>(x);
  } else if constexpr (std::is_same_v<From, double> && std::is_same_v<To, float>) {
    // Finite doubles beyond float range become +-inf (the C++ conversion would be undefined).
    const double m = static_cast<double>(std::numeric_limits<float>::max());
    if (x > m) return std::numeric_limits<float>::infinity();
    if (x < -m) return -std::numeric_limits<float>::infinity();
    return static_cast<float>(x);
  } else if constexpr (std::is_integral_v<From> && std::is_integral_v<To>) {
    // Narrowing wraps modulo 2^bits (two's complement), as ONNX Runtime and numpy do.
    return static_cast<To>(static_cast<internal::Wrap<To>>(x));
  } else {
    return static_cast<To>(x);
  }
}

// Converts n elements from dtype `from` to dtype `to` (both any of f32, f64, s8, u8, s16, u16,
// s32, s64, bool).
void CastArray(DType from, const void* in, DType to, void* out, int64_t n);

// Integer power with wraparound; see the file comment for negative exponents.
template <typename T, typename E>
T IntPow(T base, E exp) {
  using U = internal::Wrap<T>;
  if (exp < 0) {
    if (base == 1) return 1;
    if (base == -1) return (exp % 2 == 0) ? 1 : -1;
    return 0;
  }
  U result = 1, b = static_cast<U>(base);
  for (E e = exp; e > 0; e >>= 1) {
    if (e & 1) result = static_cast<U>(result * b);
    b = static_cast<U>(b * b);
  }
  return static_cast<T>(result);
}

// Unary array functions: y[i] = f(x[i]) for i in [0, n). x and y may be the same array.
void SqrtF32(const float* x, float* y, int64_t n);
void ExpF32(const float* x, float* y, int64_t n);
void LogF32(const float* x, float* y, int64_t n);
void ReluF32(const float* x, float* y, int64_t n);  // NaN stays NaN
void LeakyReluF32(const float* x, float* y, int64_t n, float alpha);
// y = min(max(x, lo), hi); NaN stays NaN; lo > hi gives hi everywhere (numpy.clip).
template <typename T>
void ClipArray(const T* x, T* y, int64_t n, T lo, T hi) {
  for (int64_t i = 0; i < n; ++i) {
    const T v = x[i] < lo ? lo : x[i];
    y[i] = v > hi ? hi : v;
  }
}
// Overflow-free form: e = exp(-|x|), y = x >= 0 ? 1/(1+e) : e/(1+e).
void SigmoidF32(const float* x, float* y, int64_t n);
void TanhF32(const float* x, float* y, int64_t n);
void HardSigmoidF32(const float* x, float* y, int64_t n, float alpha, float beta);
// y = x * max(0, min(1, x/6 + 1/2)).
void HardSwishF32(const float* x, float* y, int64_t n);

// Neg (floats and signed integers) and Abs (floats and integers); integers wrap, see the file
// comment.
template <typename T>
void NegArray(const T* x, T* y, int64_t n) {
  if constexpr (std::is_floating_point_v<T>) {
    for (int64_t i = 0; i < n; ++i) y[i] = -x[i];
  } else {
    using U = internal::Wrap<T>;
    for (int64_t i = 0; i < n; ++i) y[i] = static_cast<T>(U(0) - static_cast<U>(x[i]));
  }
}
template <typename T>
void AbsArray(const T* x, T* y, int64_t n) {
  using U = internal::Wrap<T>;
  if constexpr (std::is_floating_point_v<T>) {
    for (int64_t i = 0; i < n; ++i) y[i] = std::fabs(x[i]);
  } else if constexpr (std::is_unsigned_v<T>) {
    for (int64_t i = 0; i < n; ++i) y[i] = x[i];
  } else {
    for (int64_t i = 0; i < n; ++i)
      y[i] = x[i] < 0 ? static_cast<T>(U(0) - static_cast<U>(x[i])) : x[i];
  }
}

}  // namespace tinyq

#endif  // TINYQ_SRC_EXEC_ELEMENTWISE_MATH_H_
