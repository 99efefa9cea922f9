// quant_math.cc - int8 quantization parameters, multipliers, quantize/dequantize, bias.
#include "src/quant/quant_math.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>

namespace tinyq {
namespace quant {
namespace {

std::string Num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.9g", v);
  return buf;
}

Status CheckScaleZp(float scale, int32_t zero_point) {
  if (!std::isfinite(scale) || !(scale > 0.0f)) {
    return InvalidArgument("scale must be a positive finite number, got " + Num(scale));
  }
  if (zero_point < -128 || zero_point > 127) {
    return InvalidArgument("zero_point must be in [-128, 127], got " + std::to_string(zero_point));
  }
  return Status::Ok();
}

// Splits `shape` around `axis` into outer * channels * inner.
struct AxisSplit {
  int64_t outer = 1, channels = 1, inner = 1;
};

StatusOr<AxisSplit> SplitAtAxis(const Shape& shape, int axis) {
  const int rank = static_cast<int>(shape.size());
  const int a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) {
    return InvalidArgument("channel axis " + std::to_string(axis) + " is out of range for shape " +
                           ShapeToString(shape));
  }
  AxisSplit s;
  for (int i = 0; i < a; ++i) s.outer *= shape[i];
  s.channels = shape[a];
  for (int i = a + 1; i < rank; ++i) s.inner *= shape[i];
  return s;
}

Status CheckFiniteF32(const Tensor& t, const char* what) {
  if (t.dtype() != DType::kF32) {
    return InvalidArgument(std::string(what) + " must be f32, got " + DTypeName(t.dtype()));
  }
  const float* d = t.data<float>();
  for (int64_t i = 0; i < t.numel(); ++i) {
    if (!std::isfinite(d[i])) {
      return InvalidArgument(std::string(what) + " has a non-finite value " + Num(d[i]) +
                             " at flat index " + std::to_string(i));
    }
  }
  return Status::Ok();
}

}  // namespace

StatusOr<QuantParamsS8> ChooseAsymmetricParams(float min, float max, int qmin, int qmax) {
  if (!std::isfinite(min) || !std::isfinite(max)) {
    return InvalidArgument("quantization range [" + Num(min) + ", " + Num(max) + "] is not finite");
  }
  if (min > max) {
    return InvalidArgument("quantization range has min " + Num(min) + " > max " + Num(max));
  }
  if (qmin >= qmax) {
    return InvalidArgument("integer range [" + std::to_string(qmin) + ", " + std::to_string(qmax) +
                           "] is empty");
  }
  const double levels = static_cast<double>(qmax) - qmin;
  double rmin = std::min<double>(min, 0.0);
  double rmax = std::max<double>(max, 0.0);
  QuantParamsS8 p;
  if (rmin == 0.0 && rmax == 0.0) {
    p.scale = 1.0f;
    p.zero_point = std::clamp(0, qmin, qmax);
    return p;
  }
  const double min_width = levels * static_cast<double>(kMinScale);
  if (rmax - rmin < min_width) rmax = rmin + min_width;
  // As TFLite: the zero point is derived from the double scale; only the stored scale is float.
  const double s = (rmax - rmin) / levels;
  const float scale = static_cast<float>(s);
  if (!std::isfinite(scale)) {
    return InvalidArgument("quantization range [" + Num(min) + ", " + Num(max) +
                           "] is too wide for a float scale");
  }
  const double zp_from_min = qmin - rmin / s;
  const double zp_from_max = qmax - rmax / s;
  const double err_min = std::abs(static_cast<double>(qmin)) + std::abs(rmin / s);
  const double err_max = std::abs(static_cast<double>(qmax)) + std::abs(rmax / s);
  const double zp_real = err_min < err_max ? zp_from_min : zp_from_max;
  p.scale = scale;
  p.zero_point = RoundAndSaturate(zp_real, qmin, qmax);
  return p;
}

StatusOr<std::vector<float>> ChooseSymmetricWeightScales(const Tensor& weights, int axis) {
  TQ_RETURN_IF_ERROR(CheckFiniteF32(weights, "weights"));
  TQ_ASSIGN_OR_RETURN(AxisSplit sp, SplitAtAxis(weights.shape(), axis));
  std::vector<float> max_abs(static_cast<size_t>(sp.channels), 0.0f);
  const float* w = weights.data<float>();
  for (int64_t o = 0; o < sp.outer; ++o) {
    for (int64_t c = 0; c < sp.channels; ++c) {
      const float* row = w + (o * sp.channels + c) * sp.inner;
      float& m = max_abs[static_cast<size_t>(c)];
      for (int64_t i = 0; i < sp.inner; ++i) m = std::max(m, std::abs(row[i]));
    }
  }
  std::vector<float> scales(max_abs.size());
  for (size_t c = 0; c < max_abs.size(); ++c) {
    scales[c] = std::max(static_cast<float>(static_cast<double>(max_abs[c]) / 127.0), kMinScale);
  }
  return scales;
}

StatusOr<Tensor> QuantizeWeightsPerChannelS8(const Tensor& weights, int axis,
                                             const std::vector<float>& scales) {
  TQ_RETURN_IF_ERROR(CheckFiniteF32(weights, "weights"));
  TQ_ASSIGN_OR_RETURN(AxisSplit sp, SplitAtAxis(weights.shape(), axis));
  if (scales.size() != 1 && static_cast<int64_t>(scales.size()) != sp.channels) {
    return InvalidArgument("weights have " + std::to_string(sp.channels) + " channels but " +
                           std::to_string(scales.size()) + " scales were given");
  }
  for (float s : scales) {
    if (!std::isfinite(s) || !(s > 0.0f)) {
      return InvalidArgument("weight scale must be a positive finite number, got " + Num(s));
    }
  }
  Tensor q(DType::kS8, weights.shape());
  const float* w = weights.data<float>();
  int8_t* out = q.data<int8_t>();
  for (int64_t o = 0; o < sp.outer; ++o) {
    for (int64_t c = 0; c < sp.channels; ++c) {
      const float s = scales.size() == 1 ? scales[0] : scales[static_cast<size_t>(c)];
      const int64_t base = (o * sp.channels + c) * sp.inner;
      for (int64_t i = 0; i < sp.inner; ++i) {
        out[base + i] = static_cast<int8_t>(RoundAndSaturate(w[base + i] / s, -127, 127));
      }
    }
  }
  return q;
}

StatusOr<QuantizedMultiplier> QuantizeMultiplier(double real) {
  if (!std::isfinite(real) || real < 0.0) {
    return InvalidArgument("requantization multiplier must be finite and >= 0, got " + Num(real));
  }
  QuantizedMultiplier qm;
  if (real == 0.0) return qm;
  int exponent = 0;
  const double fraction = std::frexp(real, &exponent);  // real = fraction * 2^exponent
  int64_t m0 = static_cast<int64_t>(std::round(fraction * 2147483648.0));
  // fraction in [0.5, 1): m0 in [2^30, 2^31]; 2^31 happens when fraction rounds up to 1.0.
  if (m0 == (int64_t{1} << 31)) {
    m0 /= 2;
    ++exponent;
  }
  if (exponent < -31) return QuantizedMultiplier{};  // below 2^-32: every product rounds to 0
  if (exponent > 30) return QuantizedMultiplier{std::numeric_limits<int32_t>::max(), 30};
  qm.m0 = static_cast<int32_t>(m0);
  qm.shift = exponent;
  return qm;
}

StatusOr<QuantizedMultiplier> QuantizeMultiplierSmallerThanOne(double real) {
  if (!(real > 0.0 && real < 1.0)) {
    return InvalidArgument("multiplier must be in (0, 1), got " + Num(real));
  }
  return QuantizeMultiplier(real);
}

int32_t RoundAndSaturate(double x, int32_t qmin, int32_t qmax) {
  if (std::isnan(x)) return qmin;
  const double r = std::round(x);
  if (r <= qmin) return qmin;
  if (r >= qmax) return qmax;
  return static_cast<int32_t>(r);
}

int8_t QuantizeValueS8(float x, float scale, int32_t zero_point) {
  const float r = std::round(x / scale);
  // Add the zero point in double: exact for every float-rounded integer and no int overflow.
  return static_cast<int8_t>(RoundAndSaturate(static_cast<double>(r) + zero_point, -128, 127));
}

StatusOr<Tensor> QuantizeTensorS8(const Tensor& x, float scale, int32_t zero_point) {
  TQ_RETURN_IF_ERROR(CheckScaleZp(scale, zero_point));
  TQ_RETURN_IF_ERROR(CheckFiniteF32(x, "tensor"));
  Tensor q(DType::kS8, x.shape());
  const float* in = x.data<float>();
  int8_t* out = q.data<int8_t>();
  for (int64_t i = 0; i < x.numel(); ++i) out[i] = QuantizeValueS8(in[i], scale, zero_point);
  return q;
}

StatusOr<Tensor> DequantizeTensorS8(const Tensor& q, float scale, int32_t zero_point) {
  TQ_RETURN_IF_ERROR(CheckScaleZp(scale, zero_point));
  if (q.dtype() != DType::kS8) {
    return InvalidArgument(std::string("tensor must be s8, got ") + DTypeName(q.dtype()));
  }
  Tensor x(DType::kF32, q.shape());
  const int8_t* in = q.data<int8_t>();
  float* out = x.data<float>();
  for (int64_t i = 0; i < q.numel(); ++i) out[i] = DequantizeValueS8(in[i], scale, zero_point);
  return x;
}

StatusOr<BiasS32> QuantizeBiasS32(const std::vector<float>& bias, float input_scale,
                                  const std::vector<float>& weight_scales) {
  if (!std::isfinite(input_scale) || !(input_scale > 0.0f)) {
    return InvalidArgument("input scale must be a positive finite number, got " + Num(input_scale));
  }
  if (weight_scales.size() != 1 && weight_scales.size() != bias.size()) {
    return InvalidArgument("bias has " + std::to_string(bias.size()) + " values but " +
                           std::to_string(weight_scales.size()) + " weight scales were given");
  }
  BiasS32 out;
  out.values.resize(bias.size());
  out.scales.resize(bias.size());
  constexpr double kLo = std::numeric_limits<int32_t>::min();
  constexpr double kHi = std::numeric_limits<int32_t>::max();
  for (size_t c = 0; c < bias.size(); ++c) {
    const float ws = weight_scales.size() == 1 ? weight_scales[0] : weight_scales[c];
    if (!std::isfinite(ws) || !(ws > 0.0f)) {
      return InvalidArgument("weight scale must be a positive finite number, got " + Num(ws));
    }
    if (!std::isfinite(bias[c])) {
      return InvalidArgument("bias has a non-finite value " + Num(bias[c]) + " at index " +
                             std::to_string(c));
    }
    const double s = static_cast<double>(input_scale) * static_cast<double>(ws);
    const double r = std::round(static_cast<double>(bias[c]) / s);
    if (r < kLo || r > kHi) ++out.num_saturated;
    out.values[c] = static_cast<int32_t>(std::clamp(r, kLo, kHi));
    out.scales[c] = s;
  }
  return out;
}

}  // namespace quant
}  // namespace tinyq
