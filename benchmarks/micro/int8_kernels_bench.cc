// Google Benchmark micro-benchmarks of the int8 runtime kernels (src/runtime, the C99 code that
// the int8 executor calls and the generated MCU code contains): tq_conv2d_s8 (3x3 and the 1x1
// fast path), tq_depthwise_conv2d_s8 and tq_fully_connected_s8 on NHWC layers of the zoo models.
// Weights, biases and inputs are seeded random int8/int32 values; every output channel has the
// requantization multiplier 0.75 * 2^-8 (a typical s_in * s_w / s_out). Batch 1.
//
//   build/benchmarks/micro/tinyq_microbench --benchmark_filter=S8
#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>
#include <vector>

#include "src/runtime/tq_conv.h"
#include "src/runtime/tq_depthwise.h"
#include "src/runtime/tq_fully_connected.h"

namespace tinyq {
namespace {

std::vector<int8_t> RandomS8(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> dist(-127, 127);
  std::vector<int8_t> v(n);
  for (int8_t& x : v) x = static_cast<int8_t>(dist(rng));
  return v;
}

std::vector<int32_t> RandomBias(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int32_t> dist(-20000, 20000);
  std::vector<int32_t> v(n);
  for (int32_t& x : v) x = dist(rng);
  return v;
}

// Per-channel requantization by 0.75 * 2^-8: multiplier 0.75 * 2^31, shift -8.
struct Requant {
  explicit Requant(size_t channels)
      : multiplier(channels, 1610612736),
        shift(channels, -8),
        params{multiplier.data(), shift.data()} {}
  std::vector<int32_t> multiplier, shift;
  tq_per_channel_quant_params params;
};

void Report(benchmark::State& state, tq_status status, int64_t macs) {
  if (status != TQ_OK) state.SkipWithError("kernel returned an error status");
  state.counters["macs"] = static_cast<double>(macs);
  state.counters["MACs/s"] =
      benchmark::Counter(static_cast<double>(macs), benchmark::Counter::kIsIterationInvariantRate);
}

// Conv of x [1, h, w, cin] with a k x k kernel, stride s, padding k/2, ReLU-like clamp.
void ConvS8(benchmark::State& state, int32_t cin, int32_t cout, int32_t h, int32_t w, int32_t k,
            int32_t s) {
  const int32_t pad = k / 2, oh = (h + 2 * pad - k) / s + 1, ow = (w + 2 * pad - k) / s + 1;
  const tq_dims in{1, h, w, cin}, filt{cout, k, k, cin}, out{1, oh, ow, cout};
  tq_conv_params p{};
  p.input_offset = 5;
  p.output_offset = -128;
  p.stride = {s, s};
  p.padding = {pad, pad};
  p.dilation = {1, 1};
  p.groups = 1;
  p.activation = {-128, 127};
  if (tq_conv2d_s8_validate(&p, &in, &filt, &out) != TQ_OK) {
    state.SkipWithError("tq_conv2d_s8_validate refused the shapes");
    return;
  }
  const auto x = RandomS8(static_cast<size_t>(h) * w * cin, 1);
  const auto wt = RandomS8(static_cast<size_t>(cout) * k * k * cin, 2);
  const auto bias = RandomBias(static_cast<size_t>(cout), 3);
  std::vector<int8_t> y(static_cast<size_t>(oh) * ow * cout);
  std::vector<int32_t> scratch((tq_conv2d_s8_get_buffer_size(&filt) + 3) / 4);
  const tq_context ctx{scratch.data(), scratch.size() * sizeof(int32_t)};
  Requant rq(static_cast<size_t>(cout));
  tq_status st = TQ_OK;
  for (auto _ : state) {
    st = tq_conv2d_s8(&ctx, &p, &rq.params, &in, x.data(), &filt, wt.data(), bias.data(), &out,
                      y.data());
    benchmark::DoNotOptimize(y.data());
    benchmark::ClobberMemory();
  }
  Report(state, st, static_cast<int64_t>(oh) * ow * cout * cin * k * k);
}

// Depthwise k x k, multiplier 1, stride s, padding k/2.
void DepthwiseS8(benchmark::State& state, int32_t c, int32_t h, int32_t w, int32_t k, int32_t s) {
  const int32_t pad = k / 2, oh = (h + 2 * pad - k) / s + 1, ow = (w + 2 * pad - k) / s + 1;
  const tq_dims in{1, h, w, c}, filt{1, k, k, c}, out{1, oh, ow, c};
  tq_dw_conv_params p{};
  p.input_offset = 5;
  p.output_offset = -128;
  p.depth_multiplier = 1;
  p.stride = {s, s};
  p.padding = {pad, pad};
  p.dilation = {1, 1};
  p.activation = {-128, 127};
  if (tq_depthwise_conv2d_s8_validate(&p, &in, &filt, &out) != TQ_OK) {
    state.SkipWithError("tq_depthwise_conv2d_s8_validate refused the shapes");
    return;
  }
  const auto x = RandomS8(static_cast<size_t>(h) * w * c, 1);
  const auto wt = RandomS8(static_cast<size_t>(k) * k * c, 2);
  const auto bias = RandomBias(static_cast<size_t>(c), 3);
  std::vector<int8_t> y(static_cast<size_t>(oh) * ow * c);
  std::vector<int32_t> scratch((tq_depthwise_conv2d_s8_get_buffer_size(&p, &filt, &out) + 3) / 4 + 1);
  const tq_context ctx{scratch.data(), scratch.size() * sizeof(int32_t)};
  Requant rq(static_cast<size_t>(c));
  tq_status st = TQ_OK;
  for (auto _ : state) {
    st = tq_depthwise_conv2d_s8(&ctx, &p, &rq.params, &in, x.data(), &filt, wt.data(), bias.data(),
                                &out, y.data());
    benchmark::DoNotOptimize(y.data());
    benchmark::ClobberMemory();
  }
  Report(state, st, static_cast<int64_t>(oh) * ow * c * k * k);
}

// Fully connected, batch 1, per-channel requantization.
void FullyConnectedS8(benchmark::State& state, int32_t in_features, int32_t out_features) {
  const tq_fc_dims d{1, in_features, out_features};
  tq_fc_params p{};
  p.input_offset = 5;
  p.output_offset = -128;
  p.per_channel = 1;
  p.activation = {-128, 127};
  if (tq_fully_connected_s8_validate(&p, &d) != TQ_OK) {
    state.SkipWithError("tq_fully_connected_s8_validate refused the shapes");
    return;
  }
  const auto x = RandomS8(static_cast<size_t>(in_features), 1);
  const auto wt = RandomS8(static_cast<size_t>(in_features) * out_features, 2);
  const auto bias = RandomBias(static_cast<size_t>(out_features), 3);
  std::vector<int8_t> y(static_cast<size_t>(out_features));
  std::vector<int32_t> scratch((tq_fully_connected_s8_get_buffer_size(&d) + 3) / 4);
  const tq_context ctx{scratch.data(), scratch.size() * sizeof(int32_t)};
  Requant rq(static_cast<size_t>(out_features));
  tq_status st = TQ_OK;
  for (auto _ : state) {
    st =
        tq_fully_connected_s8(&ctx, &p, &rq.params, &d, x.data(), wt.data(), bias.data(), y.data());
    benchmark::DoNotOptimize(y.data());
    benchmark::ClobberMemory();
  }
  Report(state, st, static_cast<int64_t>(in_features) * out_features);
}

// The same zoo layers as float_kernels_bench.cc, NHWC.
BENCHMARK_CAPTURE(ConvS8, conv3x3_16to16_28x28_resnet8, 16, 16, 28, 28, 3, 1);
BENCHMARK_CAPTURE(ConvS8, conv3x3_64to64_14x14_teacher, 64, 64, 14, 14, 3, 1);
BENCHMARK_CAPTURE(ConvS8, pointwise_64to64_14x14_dscnn, 64, 64, 14, 14, 1, 1);
BENCHMARK_CAPTURE(ConvS8, pointwise_64to64_25x5_kws, 64, 64, 25, 5, 1, 1);
BENCHMARK_CAPTURE(DepthwiseS8, depthwise3x3_64_14x14_dscnn, 64, 14, 14, 3, 1);
BENCHMARK_CAPTURE(DepthwiseS8, depthwise3x3_64_25x5_kws, 64, 25, 5, 3, 1);
BENCHMARK_CAPTURE(DepthwiseS8, depthwise3x3_s2_96_32x32_mobilenet, 96, 32, 32, 3, 2);
BENCHMARK_CAPTURE(FullyConnectedS8, fc_64to128_digits, 64, 128);
BENCHMARK_CAPTURE(FullyConnectedS8, fc_128to128_vibration, 128, 128);
BENCHMARK_CAPTURE(FullyConnectedS8, fc_1152to256_teacher, 1152, 256);

}  // namespace
}  // namespace tinyq
