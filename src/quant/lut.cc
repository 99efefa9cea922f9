// lut.cc - int8 lookup-table builders.
#include "src/quant/lut.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "src/quant/quant_math.h"

namespace tinyq {
namespace quant {
namespace {

Status CheckSide(const char* side, float scale, int32_t zero_point) {
  if (!std::isfinite(scale) || !(scale > 0.0f)) {
    char buf[64];
    std::snprintf(buf, sizeof(buf), "%.9g", scale);
    return InvalidArgument(std::string("lookup table ") + side +
                           " scale must be a positive finite number, got " + buf);
  }
  if (zero_point < -128 || zero_point > 127) {
    return InvalidArgument(std::string("lookup table ") + side +
                           " zero point must be in [-128, 127], got " + std::to_string(zero_point));
  }
  return Status::Ok();
}

}  // namespace

StatusOr<LutS8> BuildLut(const std::function<double(double)>& f, const LutQuant& q) {
  TQ_RETURN_IF_ERROR(CheckSide("input", q.in_scale, q.in_zero_point));
  TQ_RETURN_IF_ERROR(CheckSide("output", q.out_scale, q.out_zero_point));
  LutS8 table{};
  for (int i = 0; i < 256; ++i) {
    const int32_t q_in = i - 128;
    const double x = static_cast<double>(q.in_scale) * (q_in - q.in_zero_point);
    const double y = f(x);
    if (std::isnan(y)) {
      return InvalidArgument("lookup table function returned NaN for input " + std::to_string(x) +
                             " (q_in " + std::to_string(q_in) + ")");
    }
    table[static_cast<size_t>(i)] = static_cast<int8_t>(
        RoundAndSaturate(y / static_cast<double>(q.out_scale) + q.out_zero_point, -128, 127));
  }
  return table;
}

StatusOr<LutS8> BuildSigmoidLut(const LutQuant& q) {
  return BuildLut([](double x) { return 1.0 / (1.0 + std::exp(-x)); }, q);
}

StatusOr<LutS8> BuildTanhLut(const LutQuant& q) {
  return BuildLut([](double x) { return std::tanh(x); }, q);
}

StatusOr<LutS8> BuildHardSigmoidLut(const LutQuant& q, double alpha, double beta) {
  return BuildLut(
      [alpha, beta](double x) { return std::max(0.0, std::min(1.0, alpha * x + beta)); }, q);
}

StatusOr<LutS8> BuildHardSwishLut(const LutQuant& q) {
  return BuildLut([](double x) { return x * std::max(0.0, std::min(1.0, x / 6.0 + 0.5)); }, q);
}

StatusOr<LutS8> BuildLeakyReluLut(const LutQuant& q, double alpha) {
  return BuildLut([alpha](double x) { return x >= 0.0 ? x : alpha * x; }, q);
}

}  // namespace quant
}  // namespace tinyq
