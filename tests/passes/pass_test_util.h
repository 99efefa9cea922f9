// tests/passes/pass_test_util.h - small graph builder and the before/after equivalence check
// shared by the pass tests.
#ifndef TINYQ_TESTS_PASSES_PASS_TEST_UTIL_H_
#define TINYQ_TESTS_PASSES_PASS_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "passes/registry.h"
#include "src/ir/shape_inference.h"
#include "tinyq/executor.h"
#include "tinyq/ir.h"

namespace tinyq {
namespace testing {

// Builds a float graph node by node; every node's shapes are inferred as it is added.
class GraphBuilder {
 public:
  explicit GraphBuilder(uint32_t seed = 1) : rng_(seed) { graph_.set_source("t.onnx"); }
  Graph& graph() { return graph_; }

  Value* Input(const std::string& name, Shape shape) {
    Value* v = graph_.AddValue(name, DType::kF32, std::move(shape));
    graph_.inputs().push_back(v);
    return v;
  }
  // f32 constant with values uniform in [lo, hi).
  Value* Const(const std::string& name, Shape shape, float lo = -1.0f, float hi = 1.0f) {
    std::uniform_real_distribution<float> dist(lo, hi);
    std::vector<float> data(static_cast<size_t>(NumElements(shape)));
    for (float& x : data) x = dist(rng_);
    return graph_.AddConstant(name, Tensor::FromVector<float>(std::move(shape), data));
  }
  Value* Scalar(const std::string& name, float x) {
    return graph_.AddConstant(name, Tensor::FromVector<float>({}, {x}));
  }
  // Adds `op` named `name` with one output "<name>_out" (or `outputs` outputs "<name>_out<i>").
  Node* Op(OpKind op, const std::string& name, std::vector<Value*> inputs,
           const std::function<void(Node*)>& attrs = nullptr, int outputs = 1) {
    std::vector<Value*> outs;
    for (int i = 0; i < outputs; ++i)
      outs.push_back(graph_.AddValue(name + "_out" + (outputs > 1 ? std::to_string(i) : "")));
    Node* n = graph_.AddNode(op, name, std::move(inputs), outs);
    if (attrs) attrs(n);
    Status s = InferNodeShapes(graph_, *n);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return n;
  }
  // Op(...)->output(0).
  Value* Out(OpKind op, const std::string& name, std::vector<Value*> inputs,
             const std::function<void(Node*)>& attrs = nullptr) {
    return Op(op, name, std::move(inputs), attrs)->output(0);
  }
  void Output(Value* v) { graph_.outputs().push_back(v); }

 private:
  Graph graph_;
  std::mt19937 rng_;
};

// Random f32 tensors for every graph input (uniform in [-1, 1), fixed seed).
inline TensorMap RandomInputs(const Graph& g, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  TensorMap feeds;
  for (const Value* v : g.inputs()) {
    Tensor t(v->dtype(), v->shape());
    for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = dist(rng);
    feeds.emplace(v->name(), std::move(t));
  }
  return feeds;
}

inline TensorMap RunFloat(const Graph& g, const TensorMap& feeds) {
  auto exec = Executor::Create(g);
  EXPECT_TRUE(exec.ok()) << exec.status().ToString();
  if (!exec.ok()) return {};
  auto out = (*exec)->Run(feeds);
  EXPECT_TRUE(out.ok()) << out.status().ToString();
  return out.ok() ? *out : TensorMap{};
}

// Runs both graphs on the same random inputs (3 draws) and expects every output to agree:
// |a - b| <= rel_tol * max(1, max |a|) elementwise. Output names must be the same.
inline void ExpectSameFunction(const Graph& before, const Graph& after, float rel_tol = 1e-5f) {
  for (uint32_t seed = 1; seed <= 3; ++seed) {
    const TensorMap feeds = RandomInputs(before, seed);
    const TensorMap a = RunFloat(before, feeds);
    const TensorMap b = RunFloat(after, feeds);
    ASSERT_EQ(a.size(), before.outputs().size());
    ASSERT_EQ(b.size(), a.size());
    for (const auto& [name, ta] : a) {
      auto it = b.find(name);
      ASSERT_NE(it, b.end()) << "output '" << name << "' missing after the pass";
      const Tensor& tb = it->second;
      ASSERT_EQ(ta.shape(), tb.shape()) << name;
      ASSERT_EQ(ta.dtype(), DType::kF32);
      float max_abs = 1.0f;
      for (int64_t i = 0; i < ta.numel(); ++i)
        max_abs = std::max(max_abs, std::fabs(ta.data<float>()[i]));
      float worst = 0.0f;
      int64_t worst_i = 0;
      for (int64_t i = 0; i < ta.numel(); ++i) {
        const float d = std::fabs(ta.data<float>()[i] - tb.data<float>()[i]);
        if (!(d <= worst)) worst = d, worst_i = i;
      }
      EXPECT_LE(worst, rel_tol * max_abs)
          << "output '" << name << "' index " << worst_i << ": " << ta.data<float>()[worst_i]
          << " vs " << tb.data<float>()[worst_i];
    }
  }
}

inline int CountOps(const Graph& g, OpKind op) {
  int n = 0;
  for (const auto& node : g.nodes()) n += node->op() == op;
  return n;
}

// A textual snapshot for "the pass changed nothing" checks: the printed graph, every node's
// attribute names and inputs, and every value with its constant's first bytes.
inline std::string Fingerprint(const Graph& g) {
  std::string s = PrintGraph(g);
  for (const auto& n : g.nodes()) {
    s += n->name() + ":";
    for (const auto& kv : n->attrs()) s += " " + kv.first;
    for (const Value* v : n->inputs()) s += " <" + (v ? v->name() : std::string("-"));
    s += "\n";
  }
  for (const auto& v : g.values()) {
    s += v->name() + " " + ShapeToString(v->shape());
    if (const Tensor* t = v->constant())
      for (int64_t i = 0; i < std::min<int64_t>(t->numel(), 8) && t->dtype() == DType::kF32; ++i)
        s += " " + std::to_string(t->data<float>()[i]);
    s += "\n";
  }
  return s;
}

// Output names in order.
// Runs `pass` on `graph` and expects it to succeed and leave the graph exactly as it was (same
// Fingerprint). `stats`, when given, receives the pass's statistics for further checks.
inline void ExpectPassKeepsGraph(Graph& graph, Pass& pass, PassStats* stats = nullptr) {
  const std::string fp = Fingerprint(graph);
  PassStats local;
  ASSERT_TRUE(RunPass(graph, pass, stats ? stats : &local).ok());
  EXPECT_EQ(Fingerprint(graph), fp);
}

inline std::vector<std::string> OutputNames(const Graph& g) {
  std::vector<std::string> names;
  for (const Value* v : g.outputs()) names.push_back(v->name());
  return names;
}

}  // namespace testing
}  // namespace tinyq

#endif  // TINYQ_TESTS_PASSES_PASS_TEST_UTIL_H_
