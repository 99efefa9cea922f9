// tests/exec/nn_test_util.h - helpers for the nn kernel tests: seeded random data and a one-node
// graph that is shape-inferred, prepared with the float kernel and evaluated.
#ifndef TINYQ_TESTS_EXEC_NN_TEST_UTIL_H_
#define TINYQ_TESTS_EXEC_NN_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "src/exec/kernel.h"
#include "src/ir/shape_inference.h"
#include "tinyq/ir.h"

namespace tinyq {
namespace testing_nn {

// n floats uniform in [-1, 1) from a fixed seed (std::mt19937).
inline std::vector<float> RandomVector(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> v(n);
  for (float& x : v) x = dist(rng);
  return v;
}

inline Tensor RandomTensor(const Shape& shape, uint32_t seed) {
  return Tensor::FromVector<float>(shape,
                                   RandomVector(static_cast<size_t>(NumElements(shape)), seed));
}

// A graph with one node: input 0 is a graph input (fed at Run), the other inputs are constants
// (nullptr = absent optional input).
struct OneNode {
  Graph graph;
  Node* node = nullptr;
  Tensor x;

  OneNode(OpKind op, Tensor input, std::vector<const Tensor*> others, int num_outputs = 1)
      : x(std::move(input)) {
    graph.set_source("test.onnx");
    std::vector<Value*> ins = {graph.AddValue("x", x.dtype(), x.shape())};
    graph.inputs() = {ins[0]};
    for (size_t i = 0; i < others.size(); ++i)
      ins.push_back(others[i] ? graph.AddConstant("in" + std::to_string(i + 1), *others[i])
                              : nullptr);
    std::vector<Value*> outs;
    for (int i = 0; i < num_outputs; ++i) outs.push_back(graph.AddValue("y" + std::to_string(i)));
    node = graph.AddNode(op, "n1", ins, outs);
    graph.outputs() = {outs[0]};
  }

  // Shape inference + prepare. Returns the first error.
  Status Prepare() {
    TQ_RETURN_IF_ERROR(InferNodeShapes(graph, *node));
    const KernelRegistration* reg = FindKernel(node->op(), ExecMode::kFloat);
    if (!reg) return Unsupported("no kernel");
    TQ_ASSIGN_OR_RETURN(kernel, reg->prepare(graph, *node));
    return Status::Ok();
  }

  // Evaluates (after a successful Prepare) and returns output 0.
  Tensor Eval() {
    std::vector<Tensor> outs;
    for (const Value* o : node->outputs()) outs.emplace_back(o->dtype(), o->shape());
    KernelIO io;
    for (const Value* v : node->inputs())
      io.inputs.push_back(!v ? nullptr : v->is_constant() ? v->constant() : &x);
    for (Tensor& t : outs) io.outputs.push_back(&t);
    kernel->Eval(io);
    return outs[0];
  }

  std::unique_ptr<KernelInstance> kernel;
};

// Expects |got - want| <= tol elementwise and equal sizes.
inline void ExpectNear(const std::vector<float>& got, const std::vector<float>& want,
                       float tol = 1e-5f) {
  ASSERT_EQ(got.size(), want.size());
  int bad = 0;
  for (size_t i = 0; i < got.size(); ++i)
    if (!(std::fabs(got[i] - want[i]) <= tol) && ++bad <= 5)
      ADD_FAILURE() << "index " << i << ": got " << got[i] << ", want " << want[i];
}

inline std::vector<float> Values(const Tensor& t) { return t.ToFloatVector(); }

}  // namespace testing_nn
}  // namespace tinyq

#endif  // TINYQ_TESTS_EXEC_NN_TEST_UTIL_H_
