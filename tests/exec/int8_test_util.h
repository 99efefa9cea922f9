// tests/exec/int8_test_util.h - building small QOp-form graphs by hand (docs/quantized_ir.md)
// and the naive double references the int8 kernel tests compare against.
#ifndef TINYQ_TESTS_EXEC_INT8_TEST_UTIL_H_
#define TINYQ_TESTS_EXEC_INT8_TEST_UTIL_H_

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tinyq/executor.h"
#include "tinyq/ir.h"

namespace tinyq {
namespace testing {

inline QuantParams ActParams(float scale, int32_t zp) {
  QuantParams q;
  q.scale = {scale};
  q.zero_point = {zp};
  return q;
}

// Per-channel symmetric params along axis 0 (weights: storage s8; biases: storage s32).
inline QuantParams ChannelParams(const std::vector<float>& scales, DType storage) {
  QuantParams q;
  q.scale = scales;
  q.zero_point.assign(scales.size(), 0);
  q.axis = 0;
  q.storage = storage;
  return q;
}

// An s8 activation value with per-tensor params (not yet an input or output).
inline Value* AddS8(Graph& g, const std::string& name, const Shape& shape, float scale,
                    int32_t zp) {
  Value* v = g.AddValue(name, DType::kS8, shape);
  v->set_quant(ActParams(scale, zp));
  return v;
}
inline Value* AddS8Input(Graph& g, const std::string& name, const Shape& shape, float scale,
                         int32_t zp) {
  Value* v = AddS8(g, name, shape, scale, zp);
  g.inputs().push_back(v);
  return v;
}
inline Value* AddS8Output(Graph& g, const std::string& name, const Shape& shape, float scale,
                          int32_t zp) {
  Value* v = AddS8(g, name, shape, scale, zp);
  g.outputs().push_back(v);
  return v;
}
inline Value* AddWeights(Graph& g, const std::string& name, const Shape& shape,
                         const std::vector<int8_t>& values, const std::vector<float>& scales) {
  Value* v = g.AddConstant(name, Tensor::FromVector<int8_t>(shape, values));
  v->set_quant(ChannelParams(scales, DType::kS8));
  return v;
}
// Bias with scale s_in * s_w[c] (computed in float, as a pass storing float scales would).
inline Value* AddBias(Graph& g, const std::string& name, const std::vector<int32_t>& values,
                      float s_in, const std::vector<float>& w_scales) {
  Value* v = g.AddConstant(
      name, Tensor::FromVector<int32_t>(Shape{static_cast<int64_t>(values.size())}, values));
  std::vector<float> s;
  for (float sw : w_scales) s.push_back(s_in * sw);
  v->set_quant(ChannelParams(s, DType::kS32));
  return v;
}

inline std::vector<int8_t> RandomS8(size_t n, uint32_t seed, int lo = -128, int hi = 127) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> d(lo, hi);
  std::vector<int8_t> v(n);
  for (auto& x : v) x = static_cast<int8_t>(d(rng));
  return v;
}
inline std::vector<int32_t> RandomS32(size_t n, uint32_t seed, int lo, int hi) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> d(lo, hi);
  std::vector<int32_t> v(n);
  for (auto& x : v) x = d(rng);
  return v;
}

inline double Deq(int8_t q, float scale, int32_t zp) {
  return static_cast<double>(scale) * (static_cast<int32_t>(q) - zp);
}
// The int8 code of a real value: clamp(round_half_away(x / s) + zp, lo, hi), in double.
inline int QuantRef(double x, float scale, int32_t zp, int lo = -128, int hi = 127) {
  const double q = std::round(x / scale) + zp;
  return static_cast<int>(std::min<double>(hi, std::max<double>(lo, q)));
}

// Runs `g` on the int8 executor and returns output `name`.
inline Tensor RunInt8(const Graph& g, const TensorMap& feeds, const std::string& name) {
  auto ex = Executor::Create(g, {.int8 = true});
  EXPECT_TRUE(ex.ok()) << ex.status().ToString();
  if (!ex.ok()) return Tensor();
  auto out = (*ex)->Run(feeds);
  EXPECT_TRUE(out.ok()) << out.status().ToString();
  if (!out.ok()) return Tensor();
  return out->at(name);
}

// The Status of preparing `g` on the int8 executor.
inline Status PrepareInt8(const Graph& g) {
  auto ex = Executor::Create(g, {.int8 = true});
  return ex.status();
}

// Expects every code of `got` within `tol` of `want` and reports the first mismatches by index.
inline void ExpectCodesNear(const Tensor& got, const std::vector<int>& want, int tol) {
  ASSERT_EQ(got.dtype(), DType::kS8);
  ASSERT_EQ(static_cast<size_t>(got.numel()), want.size());
  int reported = 0;
  for (size_t i = 0; i < want.size(); ++i) {
    const int g = got.data<int8_t>()[i];
    if (std::abs(g - want[i]) > tol && reported++ < 10)
      ADD_FAILURE() << "index " << i << ": got " << g << ", want " << want[i] << " +- " << tol;
  }
}

}  // namespace testing
}  // namespace tinyq

#endif  // TINYQ_TESTS_EXEC_INT8_TEST_UTIL_H_
