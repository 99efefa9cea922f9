// int8_float_twin.cc - one-node f32 copies of int8 nodes, evaluated at prepare time with the
// float kernels (see MakeFloatTwin in int8_common.h).
#include <memory>
#include <string>

#include "src/exec/int8_common.h"

namespace tinyq {
namespace {

// f32 copy of a constant input; quantized integer constants are dequantized (per tensor).
StatusOr<Tensor> FloatConstant(const Graph& graph, const Node& node, const Value& v) {
  const Tensor& t = *v.constant();
  if (t.dtype() == DType::kF32 || !v.quant()) return t;
  const QuantParams& q = *v.quant();
  if (q.scale.size() != 1 || q.zero_point.size() != 1)
    return Unsupported(graph.Where(&node) + "constant input '" + v.name() +
                       "' must be f32 or per-tensor quantized");
  const std::vector<float> raw = t.ToFloatVector();
  Tensor out(DType::kF32, t.shape());
  for (size_t i = 0; i < raw.size(); ++i)
    out.data<float>()[i] = q.scale[0] * (raw[i] - static_cast<float>(q.zero_point[0]));
  return out;
}

}  // namespace

StatusOr<std::unique_ptr<Graph>> MakeFloatTwin(const Graph& graph, const Node& node,
                                               const Shape& x_shape, const Shape& y_shape) {
  auto twin = std::make_unique<Graph>();
  twin->set_source(graph.source());
  twin->set_opset(graph.opset());
  std::vector<Value*> ins;
  for (int i = 0; i < node.num_inputs(); ++i) {
    const Value* v = node.input(i);
    const std::string name = "in" + std::to_string(i);
    if (!v) {
      ins.push_back(nullptr);
    } else if (i == 0) {
      ins.push_back(twin->AddValue(name, DType::kF32, x_shape));
      twin->inputs().push_back(ins.back());
    } else if (v->is_constant()) {
      TQ_ASSIGN_OR_RETURN(Tensor t, FloatConstant(graph, node, *v));
      ins.push_back(twin->AddConstant(name, std::move(t)));
    } else {
      return Unsupported(graph.Where(&node) + "input '" + v->name() +
                         "' must be constant for the int8 kernel");
    }
  }
  Value* y = twin->AddValue("out0", DType::kF32, y_shape);
  twin->outputs().push_back(y);
  Node* n = twin->AddNode(node.op(), node.name(), ins, {y});
  n->mutable_attrs() = node.attrs();
  return twin;
}

Status RunFloatTwin(const Graph& twin, const Tensor& x, Tensor* y) {
  const Node& node = *twin.nodes()[0];
  const KernelRegistration* reg = FindKernel(node.op(), ExecMode::kFloat);
  if (!reg) return Unsupported(twin.Where(&node) + "no float kernel to build the int8 kernel from");
  TQ_ASSIGN_OR_RETURN(auto kernel, reg->prepare(twin, node));
  KernelIO io;
  for (const Value* v : node.inputs())
    io.inputs.push_back(!v ? nullptr : (v->is_constant() ? v->constant() : &x));
  io.outputs.push_back(y);
  kernel->Eval(io);
  return Status::Ok();
}

}  // namespace tinyq
