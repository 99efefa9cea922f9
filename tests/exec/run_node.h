// tests/exec/run_node.h - builds a one-node graph, infers its shapes, prepares the float kernel
// and evaluates it. Shared by the elementwise kernel tests.
#ifndef TINYQ_TESTS_EXEC_RUN_NODE_H_
#define TINYQ_TESTS_EXEC_RUN_NODE_H_

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "src/exec/kernel.h"
#include "src/ir/shape_inference.h"
#include "tinyq/ir.h"

namespace tinyq {
namespace testing {

struct RunOptions {
  std::function<void(Node*)> set_attrs;  // sets node attributes before shape inference
  std::vector<bool> constant;            // input i becomes a constant value when constant[i]
  int num_outputs = 1;
};

// Runs `op` on `inputs` (nullptr = absent optional input) in a graph whose source is "t.onnx"
// and whose node is named "n". Errors from shape inference or prepare are returned unchanged.
inline StatusOr<std::vector<Tensor>> RunNode(OpKind op, const std::vector<const Tensor*>& inputs,
                                             const RunOptions& opt = {}) {
  Graph g;
  g.set_source("t.onnx");
  std::vector<Value*> ins;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Tensor* t = inputs[i];
    const std::string name = "in" + std::to_string(i);
    if (!t) {
      ins.push_back(nullptr);
    } else if (i < opt.constant.size() && opt.constant[i]) {
      ins.push_back(g.AddConstant(name, *t));
    } else {
      ins.push_back(g.AddValue(name, t->dtype(), t->shape()));
      g.inputs().push_back(ins.back());
    }
  }
  std::vector<Value*> outs;
  for (int i = 0; i < opt.num_outputs; ++i) outs.push_back(g.AddValue("out" + std::to_string(i)));
  Node* node = g.AddNode(op, "n", ins, outs);
  if (opt.set_attrs) opt.set_attrs(node);
  TQ_RETURN_IF_ERROR(InferNodeShapes(g, *node));
  const KernelRegistration* reg = FindKernel(op, ExecMode::kFloat);
  if (!reg) return Internal("no float kernel for " + std::string(OpKindName(op)));
  TQ_ASSIGN_OR_RETURN(auto kernel, reg->prepare(g, *node));
  std::vector<Tensor> results;
  for (Value* o : outs) results.emplace_back(o->dtype(), o->shape());
  KernelIO io;
  for (size_t i = 0; i < inputs.size(); ++i)
    io.inputs.push_back(ins[i] && ins[i]->is_constant() ? ins[i]->constant() : inputs[i]);
  for (Tensor& r : results) io.outputs.push_back(&r);
  kernel->Eval(io);
  return results;
}

// Tensor::FromVector cannot take std::vector<bool> (no data()), so bool tensors are built here.
inline Tensor BoolTensor(Shape shape, const std::vector<bool>& values) {
  Tensor t(DType::kBool, std::move(shape));
  for (size_t i = 0; i < values.size(); ++i) t.data<bool>()[i] = values[i];
  return t;
}

template <typename T>
std::vector<T> Values(const Tensor& t) {
  return std::vector<T>(t.data<T>(), t.data<T>() + t.numel());
}

}  // namespace testing
}  // namespace tinyq

#endif  // TINYQ_TESTS_EXEC_RUN_NODE_H_
