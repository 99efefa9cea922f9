// quant_math.h - the int8 quantization arithmetic of tinyq (TFLite int8 spec), with no graph
// dependency. Used by the quantize_int8 pass (parameters, weights, bias) and the int8 node adapters
// (requantization multipliers).
//
//   real = scale * (q - zero_point)
//   activations: int8 asymmetric per tensor, q in [-128, 127], real 0 exactly representable
//   weights:     int8 symmetric per output channel, zero_point 0, q in [-127, 127]
//   bias:        int32, scale = s_in * s_w[c], zero_point 0
//
// Rounding: every float -> integer conversion here rounds half away from zero (std::round), like
// TFLite's reference Quantize and TfLiteRound.
#ifndef TINYQ_SRC_QUANT_QUANT_MATH_H_
#define TINYQ_SRC_QUANT_QUANT_MATH_H_

#include <cstdint>
#include <vector>

#include "tinyq/status.h"
#include "tinyq/tensor.h"

namespace tinyq {
namespace quant {

// Smallest scale tinyq produces. Narrower ranges are widened to 255 * kMinScale so that
// 1/scale, s_in*s_w (bias scales) and requantization multipliers stay normal, finite floats.
constexpr float kMinScale = 1e-9f;

struct QuantParamsS8 {
  float scale = 1.0f;
  int32_t zero_point = 0;
};

// Asymmetric per-tensor parameters for the real range [min, max] (TFLite ChooseQuantizationParams
// with nudging):
//   1. the range is extended to contain 0: rmin = min(min, 0), rmax = max(max, 0);
//   2. scale = (rmax - rmin) / (qmax - qmin), computed in double, stored as float; if the range is
//      narrower than (qmax - qmin) * kMinScale it is widened (rmax = rmin + that width);
//      degenerate case: min == max == 0 (an all-zero tensor carries no scale information) gives
//      {scale 1, zero_point 0 clamped into [qmin, qmax]}: 0 stays exact and the multipliers of
//      the neighbouring layers stay in a normal range;
//   3. the zero point is taken from whichever end (qmin - rmin/scale or qmax - rmax/scale) has the
//      smaller rounding error (using the double scale, as TFLite does), rounded half away from
//      zero and clamped to [qmin, qmax]. Because
//      the zero point is an integer, real 0 maps exactly to q = zero_point.
// The represented range afterwards is [scale*(qmin - zp), scale*(qmax - zp)], which may differ
// from [rmin, rmax] by up to half a step at each end.
// InvalidArgument if min or max is not finite, min > max, qmin >= qmax, or the scale overflows.
StatusOr<QuantParamsS8> ChooseAsymmetricParams(float min, float max, int qmin = -128,
                                               int qmax = 127);

// Symmetric per-output-channel weight scales: scale[c] = max|w[..., c, ...]| / 127 (zero point 0,
// q in [-127, 127]). `axis` is the output-channel axis (0 for Conv OIHW weights; negative counts
// from the end). A channel whose max|w| / 127 is below kMinScale (including an all-zero channel)
// gets kMinScale: its weights then quantize to 0 (or +-1 ulp of the tiny value), and its bias
// scale s_in * kMinScale stays a normal float. InvalidArgument if `weights` is not f32, `axis` is
// out of range, or a weight is not finite.
StatusOr<std::vector<float>> ChooseSymmetricWeightScales(const Tensor& weights, int axis);

// Quantizes f32 weights per channel along `axis` with zero point 0 to s8, clamped to [-127, 127].
// `scales` has one entry per channel (or one entry for per-tensor). InvalidArgument on mismatch,
// non-positive scales or non-finite weights.
StatusOr<Tensor> QuantizeWeightsPerChannelS8(const Tensor& weights, int axis,
                                             const std::vector<float>& scales);

// Fixed-point form of a positive real multiplier: real ~= m0 * 2^(shift - 31), where m0 is a Q31
// value in [2^30, 2^31 - 1] (or 0) and shift is a POWER-OF-TWO EXPONENT: shift > 0 means "shift
// left by shift", shift < 0 means "rounding shift right by -shift". This is the convention of
// TFLite's QuantizeMultiplier / MultiplyByQuantizedMultiplier(x, m0, shift):
//   left = max(shift, 0); right = max(-shift, 0);
//   RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(x * 2^left, m0), right)
struct QuantizedMultiplier {
  int32_t m0 = 0;
  int shift = 0;
};

// Algorithm (TFLite semantics):
//   real == 0            -> {0, 0}
//   frexp: real = f * 2^e with f in [0.5, 1); m0 = round(f * 2^31), shift = e;
//   m0 == 2^31 (f rounds up to 1.0) -> m0 = 2^30, shift = e + 1;
//   shift < -31          -> {0, 0}  (every product would shift out to 0 anyway)
//   shift > 30           -> {2^31 - 1, 30}  (saturates; the kernels cannot shift further left)
// InvalidArgument if real is negative or not finite.
StatusOr<QuantizedMultiplier> QuantizeMultiplier(double real);

// QuantizeMultiplier restricted to 0 < real < 1 (the usual requantization case, always a right
// shift): same m0/shift convention, so shift <= 0. (After rounding, a real just below 1 can give
// {2^30, 1}; this function returns it unchanged, as TFLite's QuantizeMultiplier does.)
// InvalidArgument if real is outside (0, 1).
StatusOr<QuantizedMultiplier> QuantizeMultiplierSmallerThanOne(double real);

// Rounds half away from zero and saturates to [qmin, qmax]; NaN maps to qmin.
int32_t RoundAndSaturate(double x, int32_t qmin, int32_t qmax);

// q = saturate(round(x / scale) + zero_point) to [-128, 127]. x / scale is a float division as
// in TFLite's reference Quantize. Non-finite x is handled without UB (NaN -> -128, +-inf saturate);
// callers that must reject them use QuantizeTensorS8.
int8_t QuantizeValueS8(float x, float scale, int32_t zero_point);
// real = scale * (q - zero_point).
inline float DequantizeValueS8(int8_t q, float scale, int32_t zero_point) {
  return scale * static_cast<float>(static_cast<int32_t>(q) - zero_point);
}

// Per-tensor quantize of an f32 tensor to s8 (same shape). InvalidArgument if the tensor is not
// f32, a value is not finite, scale is not a positive finite number, or zero_point is outside
// [-128, 127].
StatusOr<Tensor> QuantizeTensorS8(const Tensor& x, float scale, int32_t zero_point);
// Per-tensor dequantize of an s8 tensor to f32. InvalidArgument on a non-s8 tensor or bad params.
StatusOr<Tensor> DequantizeTensorS8(const Tensor& q, float scale, int32_t zero_point);

// int32 bias: q[c] = saturate_s32(round(bias[c] / (s_in * s_w[c]))), the bias scale computed in
// double from the two float scales. `weight_scales` has one entry (per tensor) or bias.size().
struct BiasS32 {
  std::vector<int32_t> values;
  std::vector<double> scales;  // the bias scale of each element
  int64_t num_saturated = 0;   // how many values did not fit int32 and were saturated
};
// InvalidArgument on non-finite bias values, bad scales or a size mismatch. Saturation is not an
// error here: it is reported in num_saturated so the pass can decide (and name the node).
StatusOr<BiasS32> QuantizeBiasS32(const std::vector<float>& bias, float input_scale,
                                  const std::vector<float>& weight_scales);

}  // namespace quant
}  // namespace tinyq

#endif  // TINYQ_SRC_QUANT_QUANT_MATH_H_
