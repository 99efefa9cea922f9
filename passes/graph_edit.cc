#include "passes/graph_edit.h"

#include <algorithm>

namespace tinyq {

bool IsGraphOutput(const Graph& graph, const Value* value) {
  const auto& outs = graph.outputs();
  return std::find(outs.begin(), outs.end(), value) != outs.end();
}

bool IsGraphInput(const Graph& graph, const Value* value) {
  const auto& ins = graph.inputs();
  return std::find(ins.begin(), ins.end(), value) != ins.end();
}

bool IsUnused(const Graph& graph, const Value* value) {
  return value->uses().empty() && !IsGraphOutput(graph, value);
}

Node* SoleConsumer(const Graph& graph, const Value* value) {
  if (value->uses().size() != 1 || IsGraphOutput(graph, value)) return nullptr;
  return value->uses()[0].node;
}

Node* RebindOutput(Graph& graph, Node* producer, Value* from, Value* to) {
  std::vector<Value*> outputs = producer->outputs();
  std::replace(outputs.begin(), outputs.end(), from, to);
  const std::vector<Value*> inputs = producer->inputs();
  const OpKind op = producer->op();
  const std::string name = producer->name();
  auto attrs = producer->attrs();
  graph.RemoveNode(producer);
  Node* node = graph.AddNode(op, name, inputs, outputs);
  node->mutable_attrs() = std::move(attrs);
  return node;
}

void RemoveIfUnused(Graph& graph, Value* value) {
  if (value && !value->producer() && IsUnused(graph, value) && !IsGraphInput(graph, value))
    graph.RemoveValue(value);
}

Value* AddF32Constant(Graph& graph, const std::string& prefix, Shape shape,
                      const std::vector<float>& data) {
  return graph.AddConstant(graph.UniqueName(prefix),
                           Tensor::FromVector<float>(std::move(shape), data));
}

}  // namespace tinyq
