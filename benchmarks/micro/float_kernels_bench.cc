// Google Benchmark micro-benchmarks of the float executor's hot kernels: Conv (im2col + GEMM,
// pointwise 1x1) and depthwise Conv (src/exec/conv_f32.cc, depthwise_f32.cc) and the fully
// connected Gemm (gemm_f32.cc), each run through its node kernel exactly as the executor runs
// it (prepare once, then Eval per iteration; batch 1). Shapes are layers of the zoo models.
//
//   build/benchmarks/micro/tinyq_microbench --benchmark_filter=F32
//
// Counters: MACs/s ("macs" is per iteration, rate = macs / time). Not a test: no assertion on
// speed; benchmarks/run compares whole models against ONNX Runtime.
#include <benchmark/benchmark.h>

#include <limits>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "src/exec/kernel.h"
#include "src/ir/shape_inference.h"
#include "tinyq/ir.h"

namespace tinyq {
namespace {

Tensor Random(const Shape& shape, uint32_t seed) {
  Tensor t(DType::kF32, shape);
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  float* p = t.data<float>();
  for (int64_t i = 0; i < t.numel(); ++i) p[i] = dist(rng);
  return t;
}

// One prepared node: input x is fed, the other inputs are constants.
class PreparedNode {
 public:
  PreparedNode(OpKind op, const Shape& x_shape, std::vector<Tensor> constants)
      : x_(Random(x_shape, 1)) {
    std::vector<Value*> ins = {graph_.AddValue("x", DType::kF32, x_shape)};
    graph_.inputs() = {ins[0]};
    for (size_t i = 0; i < constants.size(); ++i)
      ins.push_back(graph_.AddConstant("c" + std::to_string(i), std::move(constants[i])));
    node_ = graph_.AddNode(op, "n", ins, {graph_.AddValue("y")});
    graph_.outputs() = {node_->output(0)};
  }
  Node& node() { return *node_; }

  // Shape inference + the float kernel's prepare; false (with the error in `state`) on failure.
  bool Prepare(benchmark::State& state) {
    Status s = InferNodeShapes(graph_, *node_);
    const KernelRegistration* reg = FindKernel(node_->op(), ExecMode::kFloat);
    if (s.ok() && reg) {
      auto k = reg->prepare(graph_, *node_);
      s = k.status();
      if (s.ok()) kernel_ = std::move(k).value();
    }
    if (!s.ok() || !reg) {
      state.SkipWithError(s.ok() ? "no float kernel" : s.ToString().c_str());
      return false;
    }
    y_ = Tensor(DType::kF32, node_->output(0)->shape());
    for (const Value* v : node_->inputs())
      io_.inputs.push_back(v->is_constant() ? v->constant() : &x_);
    io_.outputs = {&y_};
    return true;
  }
  void Eval() { kernel_->Eval(io_); }
  float* out() { return y_.data<float>(); }

 private:
  Graph graph_;
  Node* node_ = nullptr;
  Tensor x_, y_;
  KernelIO io_;
  std::unique_ptr<KernelInstance> kernel_;
};

void Run(benchmark::State& state, PreparedNode& n, int64_t macs) {
  if (!n.Prepare(state)) return;
  for (auto _ : state) {
    n.Eval();
    benchmark::DoNotOptimize(n.out());
    benchmark::ClobberMemory();
  }
  state.counters["macs"] = static_cast<double>(macs);
  state.counters["MACs/s"] =
      benchmark::Counter(static_cast<double>(macs), benchmark::Counter::kIsIterationInvariantRate);
}

// Conv of x [1, cin, h, w] with a kh x kw kernel, stride s, pads (pt, pl, pb, pr), `groups`
// groups; relu fused.
void ConvRectF32(benchmark::State& state, int64_t cin, int64_t cout, int64_t h, int64_t w,
                 int64_t kh, int64_t kw, int64_t s, int64_t groups, std::vector<int64_t> pads) {
  PreparedNode n(OpKind::kConv, {1, cin, h, w},
                 {Random({cout, cin / groups, kh, kw}, 2), Random({cout}, 3)});
  n.node().SetInt("group", groups);
  n.node().SetInts("strides", {s, s});
  n.node().SetInts("pads", pads);
  n.node().SetString("tq_act", "relu");
  n.node().SetFloat("tq_act_min", 0.0f);
  n.node().SetFloat("tq_act_max", std::numeric_limits<float>::infinity());
  const int64_t oh = (h + pads[0] + pads[2] - kh) / s + 1,
                ow = (w + pads[1] + pads[3] - kw) / s + 1;
  Run(state, n, cout * oh * ow * (cin / groups) * kh * kw);
}

// The square case: a k x k kernel with padding k/2.
void ConvF32(benchmark::State& state, int64_t cin, int64_t cout, int64_t h, int64_t w, int64_t k,
             int64_t s, int64_t groups) {
  ConvRectF32(state, cin, cout, h, w, k, k, s, groups, {k / 2, k / 2, k / 2, k / 2});
}

// Fully connected: Gemm x [1, in] * W^T (W [out, in], transB) + b.
void GemmF32(benchmark::State& state, int64_t in, int64_t out) {
  PreparedNode n(OpKind::kGemm, {1, in}, {Random({out, in}, 2), Random({out}, 3)});
  n.node().SetInt("transB", 1);
  Run(state, n, in * out);
}

// Layers of the zoo: kws_dscnn (25x5 planes of 64 channels), fmnist_dscnn (14x14x64),
// fmnist_resnet8 / fmnist_teacher (3x3 convs), a mobilenet_v2-like stride-2 depthwise layer,
// and the fully connected layers of digits_mlp, vibration_ae and fmnist_teacher.
BENCHMARK_CAPTURE(ConvF32, conv3x3_16to16_28x28_resnet8, 16, 16, 28, 28, 3, 1, 1);
BENCHMARK_CAPTURE(ConvF32, conv3x3_64to64_14x14_teacher, 64, 64, 14, 14, 3, 1, 1);
BENCHMARK_CAPTURE(ConvF32, conv3x3_s2_1to64_28x28_dscnn_stem, 1, 64, 28, 28, 3, 2, 1);
BENCHMARK_CAPTURE(ConvRectF32, conv10x4_s2_1to64_49x10_kws_stem, 1, 64, 49, 10, 10, 4, 2, 1,
                  {5, 1, 5, 1});
BENCHMARK_CAPTURE(ConvF32, pointwise_64to64_14x14_dscnn, 64, 64, 14, 14, 1, 1, 1);
BENCHMARK_CAPTURE(ConvF32, pointwise_64to64_25x5_kws, 64, 64, 25, 5, 1, 1, 1);
BENCHMARK_CAPTURE(ConvF32, depthwise3x3_64_14x14_dscnn, 64, 64, 14, 14, 3, 1, 64);
BENCHMARK_CAPTURE(ConvF32, depthwise3x3_64_25x5_kws, 64, 64, 25, 5, 3, 1, 64);
BENCHMARK_CAPTURE(ConvF32, depthwise3x3_s2_96_32x32_mobilenet, 96, 96, 32, 32, 3, 2, 96);
BENCHMARK_CAPTURE(GemmF32, fc_64to128_digits, 64, 128);
BENCHMARK_CAPTURE(GemmF32, fc_128to128_vibration, 128, 128);
BENCHMARK_CAPTURE(GemmF32, fc_1152to256_teacher, 1152, 256);

}  // namespace
}  // namespace tinyq
