// tests/train/grad_check.h - a small graph builder and a central finite-difference gradient check
// for the trainer's ops.
//
// The checked scalar is L = sum_j r_j * y_j (r fixed random, y = graph output over a batch of 2),
// so dL/dy = r. Every parameter element w_k is compared with (L(w_k + h) - L(w_k - h)) / 2h.
// To check an op's input gradient the test graphs put a trained Add (a per-sample bias) in front
// of it: that bias's gradient is the batch sum of the op's dx.
#ifndef TINYQ_TESTS_TRAIN_GRAD_CHECK_H_
#define TINYQ_TESTS_TRAIN_GRAD_CHECK_H_

#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "src/ir/shape_inference.h"
#include "src/train/tape.h"
#include "tinyq/executor.h"
#include "tinyq/ir.h"

namespace tinyq::train::testing {

inline std::vector<float> RandomVector(size_t n, uint32_t seed, float lo = -1.0f, float hi = 1.0f) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(n);
  for (float& x : v) x = dist(rng);
  return v;
}

inline Tensor RandomTensor(const Shape& shape, uint32_t seed, float lo = -1.0f, float hi = 1.0f) {
  return Tensor::FromVector<float>(
      shape, RandomVector(static_cast<size_t>(NumElements(shape)), seed, lo, hi));
}

// Builds a chain on a graph with input "x" of `x_shape` (batch dim 1).
class NetBuilder {
 public:
  explicit NetBuilder(const Shape& x_shape) {
    graph.set_source("net.onnx");
    cur = graph.AddValue("x", DType::kF32, x_shape);
    graph.inputs() = {cur};
  }
  Value* Const(const Shape& shape, uint32_t seed, float lo = -1.0f, float hi = 1.0f) {
    return graph.AddConstant(graph.UniqueName("c"), RandomTensor(shape, seed, lo, hi));
  }
  // Appends a node whose first input is the current value (unless `inputs` says otherwise).
  Node* Add(OpKind op, std::vector<Value*> extra = {}, bool chain = true) {
    std::vector<Value*> ins;
    if (chain) ins.push_back(cur);
    for (Value* v : extra) ins.push_back(v);
    Value* out = graph.AddValue(graph.UniqueName("v"));
    Node* n = graph.AddNode(op, graph.UniqueName(OpKindName(op)), ins, {out});
    last = n;
    return n;
  }
  // Infers shapes of the last node and makes its output current.
  void Done() {
    EXPECT_TRUE(InferNodeShapes(graph, *last).ok()) << InferNodeShapes(graph, *last).ToString();
    cur = last->output(0);
  }
  // A trained per-sample bias in front of the next op.
  void Bias(uint32_t seed) {
    Shape s = cur->shape();
    Add(OpKind::kAdd, {Const(s, seed)});
    Done();
  }
  void Finish() { graph.outputs() = {cur}; }

  Graph graph;
  Value* cur = nullptr;
  Node* last = nullptr;
};

inline double WeightedSum(TrainProgram& p, const std::vector<float>& x, int64_t batch,
                          const std::vector<float>& r) {
  p.Forward(x.data(), batch);
  const float* y = p.Output();
  double s = 0.0;
  for (size_t i = 0; i < r.size(); ++i) s += static_cast<double>(r[i]) * y[i];
  return s;
}

// Checks every parameter gradient of program `p` (in its current BatchNormalization mode) against
// central differences with step h on a random batch.
inline void ExpectProgramGradientsMatch(TrainProgram& p, int64_t batch, float h, double tol) {
  const std::vector<float> x = RandomVector(static_cast<size_t>(batch * p.InputSampleSize()), 101);
  const std::vector<float> r = RandomVector(static_cast<size_t>(batch * p.OutputSampleSize()), 202);
  p.Forward(x.data(), batch);
  p.ZeroParamGrads();
  p.Backward(r.data());
  ASSERT_FALSE(p.params().empty());
  for (const Param& prm : p.params()) {
    const FloatVec analytic = p.ParamGrad(prm);
    FloatVec& w = p.ParamData(prm);
    for (size_t k = 0; k < w.size(); ++k) {
      const float w0 = w[k];
      w[k] = w0 + h;
      const double up = WeightedSum(p, x, batch, r);
      w[k] = w0 - h;
      const double down = WeightedSum(p, x, batch, r);
      w[k] = w0;
      const double fd = (up - down) / (2.0 * h);
      EXPECT_NEAR(analytic[k], fd, tol * std::max(1.0, std::fabs(fd)))
          << "param " << prm.name << "[" << k << "]";
    }
  }
}

// Checks every parameter gradient of `graph` against central differences with step h.
inline void ExpectGradientsMatch(const Graph& graph, float h = 1e-3f, double tol = 1e-2,
                                 int64_t batch = 2) {
  auto created = TrainProgram::Create(graph);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  ExpectProgramGradientsMatch(**created, batch, h, tol);
}

// The trainer's batched forward equals the float executor run sample by sample.
inline void ExpectForwardMatchesExecutor(const Graph& graph, int64_t batch = 2) {
  auto created = TrainProgram::Create(graph);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  TrainProgram& p = **created;
  auto exec = Executor::Create(graph);
  ASSERT_TRUE(exec.ok()) << exec.status().ToString();
  const int64_t in = p.InputSampleSize(), out = p.OutputSampleSize();
  const std::vector<float> x = RandomVector(static_cast<size_t>(batch * in), 303);
  p.Forward(x.data(), batch);
  for (int64_t b = 0; b < batch; ++b) {
    Tensor t(DType::kF32, graph.inputs()[0]->shape());
    std::copy(x.begin() + b * in, x.begin() + (b + 1) * in, t.data<float>());
    TensorMap feeds;
    feeds.emplace(graph.inputs()[0]->name(), std::move(t));
    auto res = (*exec)->Run(feeds);
    ASSERT_TRUE(res.ok()) << res.status().ToString();
    const Tensor& y = res->at(graph.outputs()[0]->name());
    ASSERT_EQ(y.numel(), out);
    for (int64_t j = 0; j < out; ++j)
      EXPECT_NEAR(p.Output()[b * out + j], y.data<float>()[j], 1e-4f) << "sample " << b << " " << j;
  }
}

// Forward against the executor, then every gradient against finite differences.
inline void CheckNet(NetBuilder& net, float h = 1e-3f) {
  net.Finish();
  ASSERT_TRUE(Verify(net.graph).ok()) << Verify(net.graph).ToString();
  ExpectForwardMatchesExecutor(net.graph);
  ExpectGradientsMatch(net.graph, h);
}

}  // namespace tinyq::train::testing

#endif  // TINYQ_TESTS_TRAIN_GRAD_CHECK_H_
