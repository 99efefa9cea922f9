// tests/exec/tensor_op_runner.h - builds a one-node graph, infers its shapes, prepares the float
// kernel and evaluates it; used by the tensor-op kernel tests.
#ifndef TINYQ_TESTS_EXEC_TENSOR_OP_RUNNER_H_
#define TINYQ_TESTS_EXEC_TENSOR_OP_RUNNER_H_

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "src/exec/kernel.h"
#include "src/ir/shape_inference.h"
#include "tinyq/ir.h"

namespace tinyq {

class OneNodeRunner {
 public:
  OneNodeRunner() { graph_.set_source("test.onnx"); }

  // A non-constant input whose tensor is fed at Eval.
  Value* Input(Tensor t) {
    Value* v = graph_.AddValue("in" + std::to_string(feeds_.size()), t.dtype(), t.shape());
    feeds_.emplace_back(v, std::move(t));
    return v;
  }
  // A constant input.
  Value* Const(Tensor t) {
    return graph_.AddConstant("c" + std::to_string(graph_.values().size()), std::move(t));
  }
  // The node under test, named "n", with `num_outputs` fresh output values (shapes unknown).
  Node* Add(OpKind op, std::vector<Value*> inputs, int num_outputs = 1) {
    std::vector<Value*> outs;
    for (int i = 0; i < num_outputs; ++i)
      outs.push_back(graph_.AddValue("out" + std::to_string(i)));
    node_ = graph_.AddNode(op, "n", std::move(inputs), std::move(outs));
    return node_;
  }

  // Shape inference then kernel prepare; the first error of either.
  Status Prepare() {
    TQ_RETURN_IF_ERROR(InferNodeShapes(graph_, *node_));
    const KernelRegistration* reg = FindKernel(node_->op(), ExecMode::kFloat);
    if (!reg) return Internal("no kernel");
    TQ_ASSIGN_OR_RETURN(kernel_, reg->prepare(graph_, *node_));
    return Status::Ok();
  }

  // Evaluates the prepared kernel; outputs have the inferred dtype/shape.
  std::vector<Tensor> Eval() {
    std::vector<Tensor> outs;
    for (const Value* v : node_->outputs()) outs.emplace_back(v->dtype(), v->shape());
    KernelIO io;
    for (const Value* v : node_->inputs()) {
      const Tensor* t = nullptr;
      if (v && v->is_constant()) t = v->constant();
      for (auto& f : feeds_)
        if (f.first == v) t = &f.second;
      io.inputs.push_back(t);
    }
    for (Tensor& t : outs) io.outputs.push_back(&t);
    kernel_->Eval(io);
    return outs;
  }

  // Prepare (must succeed) + Eval.
  std::vector<Tensor> Run() {
    Status s = Prepare();
    if (!s.ok()) {
      ADD_FAILURE() << s.ToString();
      return {};
    }
    return Eval();
  }

  Graph& graph() { return graph_; }
  Node* node() { return node_; }

 private:
  Graph graph_;
  Node* node_ = nullptr;
  std::vector<std::pair<const Value*, Tensor>> feeds_;
  std::unique_ptr<KernelInstance> kernel_;
};

template <typename T>
std::vector<T> Values(const Tensor& t) {
  return std::vector<T>(t.data<T>(), t.data<T>() + t.numel());
}

}  // namespace tinyq

#endif  // TINYQ_TESTS_EXEC_TENSOR_OP_RUNNER_H_
