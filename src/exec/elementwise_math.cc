#include "src/exec/elementwise_math.h"

namespace tinyq {

namespace {

template <typename From, typename To>
void CastTyped(const From* in, To* out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] = ConvertValue<To>(in[i]);
}

template <typename From>
void CastFrom(const From* in, DType to, void* out, int64_t n) {
  switch (to) {
    case DType::kF32:
      CastTyped(in, static_cast<float*>(out), n);
      break;
    case DType::kF64:
      CastTyped(in, static_cast<double*>(out), n);
      break;
    case DType::kS8:
      CastTyped(in, static_cast<int8_t*>(out), n);
      break;
    case DType::kU8:
      CastTyped(in, static_cast<uint8_t*>(out), n);
      break;
    case DType::kS16:
      CastTyped(in, static_cast<int16_t*>(out), n);
      break;
    case DType::kU16:
      CastTyped(in, static_cast<uint16_t*>(out), n);
      break;
    case DType::kS32:
      CastTyped(in, static_cast<int32_t*>(out), n);
      break;
    case DType::kS64:
      CastTyped(in, static_cast<int64_t*>(out), n);
      break;
    case DType::kBool:
      CastTyped(in, static_cast<bool*>(out), n);
      break;
    case DType::kCount:
      break;
  }
}

}  // namespace

void CastArray(DType from, const void* in, DType to, void* out, int64_t n) {
  switch (from) {
    case DType::kF32:
      CastFrom(static_cast<const float*>(in), to, out, n);
      break;
    case DType::kF64:
      CastFrom(static_cast<const double*>(in), to, out, n);
      break;
    case DType::kS8:
      CastFrom(static_cast<const int8_t*>(in), to, out, n);
      break;
    case DType::kU8:
      CastFrom(static_cast<const uint8_t*>(in), to, out, n);
      break;
    case DType::kS16:
      CastFrom(static_cast<const int16_t*>(in), to, out, n);
      break;
    case DType::kU16:
      CastFrom(static_cast<const uint16_t*>(in), to, out, n);
      break;
    case DType::kS32:
      CastFrom(static_cast<const int32_t*>(in), to, out, n);
      break;
    case DType::kS64:
      CastFrom(static_cast<const int64_t*>(in), to, out, n);
      break;
    case DType::kBool:
      CastFrom(static_cast<const bool*>(in), to, out, n);
      break;
    case DType::kCount:
      break;
  }
}

void SqrtF32(const float* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = std::sqrt(x[i]);
}

void ExpF32(const float* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = std::exp(x[i]);
}

void LogF32(const float* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = std::log(x[i]);
}

void ReluF32(const float* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = x[i] < 0.0f ? 0.0f : x[i];
}

void LeakyReluF32(const float* x, float* y, int64_t n, float alpha) {
  for (int64_t i = 0; i < n; ++i) y[i] = x[i] < 0.0f ? alpha * x[i] : x[i];
}

void SigmoidF32(const float* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    const float e = std::exp(-std::fabs(x[i]));
    const float r = 1.0f / (1.0f + e);
    y[i] = x[i] >= 0.0f ? r : e * r;
  }
}

void TanhF32(const float* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = std::tanh(x[i]);
}

void HardSigmoidF32(const float* x, float* y, int64_t n, float alpha, float beta) {
  for (int64_t i = 0; i < n; ++i) {
    const float v = alpha * x[i] + beta;
    y[i] = v < 0.0f ? 0.0f : (v > 1.0f ? 1.0f : v);
  }
}

void HardSwishF32(const float* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    const float v = x[i] * (1.0f / 6.0f) + 0.5f;
    y[i] = x[i] * (v < 0.0f ? 0.0f : (v > 1.0f ? 1.0f : v));
  }
}

}  // namespace tinyq
