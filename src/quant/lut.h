// lut.h - 256-entry lookup tables for elementwise unary ops on int8 (sigmoid, tanh, hard-sigmoid,
// hard-swish, leaky-relu, exp in softmax, ...), built once at prepare time.
//
// Entry i of a table is the int8 output for the int8 input q_in = i - 128, i.e. tables are
// indexed by (q_in + 128):
//   x     = in_scale * (q_in - in_zero_point)                      (double)
//   y     = f(x)                                                   (double)
//   table = saturate_s8(round_half_away(y / out_scale) + out_zero_point)
// Everything is computed in double, so a table differs from the exact real function only by the
// one output rounding.
#ifndef TINYQ_SRC_QUANT_LUT_H_
#define TINYQ_SRC_QUANT_LUT_H_

#include <array>
#include <cstdint>
#include <functional>

#include "tinyq/status.h"

namespace tinyq {
namespace quant {

using LutS8 = std::array<int8_t, 256>;

// Quantization of the input and output of a table op.
struct LutQuant {
  float in_scale = 1.0f;
  int32_t in_zero_point = 0;
  float out_scale = 1.0f;
  int32_t out_zero_point = 0;
};

// Builds the table of f. A float(float) callable converts to the double(double) std::function.
// InvalidArgument if a scale is not positive and finite, a zero point is outside [-128, 127], or
// f returns NaN (+-inf saturate, which is the correct int8 answer).
StatusOr<LutS8> BuildLut(const std::function<double(double)>& f, const LutQuant& q);

// Logistic sigmoid 1 / (1 + e^-x). (TFLite fixes its output to scale 1/256, zero point -128.)
StatusOr<LutS8> BuildSigmoidLut(const LutQuant& q);
// tanh(x). (TFLite fixes its output to scale 1/128, zero point 0.)
StatusOr<LutS8> BuildTanhLut(const LutQuant& q);
// ONNX HardSigmoid: max(0, min(1, alpha * x + beta)); ONNX defaults alpha 0.2, beta 0.5.
StatusOr<LutS8> BuildHardSigmoidLut(const LutQuant& q, double alpha = 0.2, double beta = 0.5);
// ONNX HardSwish: x * max(0, min(1, x / 6 + 0.5)).
StatusOr<LutS8> BuildHardSwishLut(const LutQuant& q);
// ONNX LeakyRelu: x >= 0 ? x : alpha * x; ONNX default alpha 0.01.
StatusOr<LutS8> BuildLeakyReluLut(const LutQuant& q, double alpha = 0.01);

}  // namespace quant
}  // namespace tinyq

#endif  // TINYQ_SRC_QUANT_LUT_H_
