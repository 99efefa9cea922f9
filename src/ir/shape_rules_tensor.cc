// Shape rules of the shape & data-movement ops and of QuantizeLinear/DequantizeLinear. The index
// arithmetic lives in tensor_op_params.cc, shared with the kernels; each rule here only maps the
// resolved parameters onto the output Values (dtype + shape).
#include "src/ir/shape_inference.h"
#include "src/ir/tensor_op_params.h"

namespace tinyq {
namespace {

// Sets output `i` (if present) to dtype/shape. Value setters are not const, but a rule's whole job
// is to write its outputs, which the graph lets any holder of the Node do.
void SetOut(const Node& node, int i, DType dtype, Shape shape) {
  if (Value* v = node.output(i)) {
    v->set_dtype(dtype);
    v->set_shape(std::move(shape));
  }
}

Status NeedOutputs(const Graph& graph, const Node& node, int n) {
  if (node.num_outputs() < n || !node.output(0))
    return InvalidModel(graph.Where(&node) + "expects " + std::to_string(n) + " output(s)");
  if (!node.input(0)) return InvalidModel(graph.Where(&node) + "missing input 0");
  return Status::Ok();
}

DType InDType(const Node& node) { return node.input(0)->dtype(); }

Status InferFlatten(const Graph& graph, const Node& node) {
  TQ_RETURN_IF_ERROR(NeedOutputs(graph, node, 1));
  TQ_ASSIGN_OR_RETURN(Shape s, ResolveFlatten(graph, node));
  SetOut(node, 0, InDType(node), std::move(s));
  return Status::Ok();
}

Status InferReshape(const Graph& graph, const Node& node) {
  TQ_RETURN_IF_ERROR(NeedOutputs(graph, node, 1));
  TQ_ASSIGN_OR_RETURN(Shape s, ResolveReshape(graph, node));
  SetOut(node, 0, InDType(node), std::move(s));
  return Status::Ok();
}

Status InferTranspose(const Graph& graph, const Node& node) {
  TQ_RETURN_IF_ERROR(NeedOutputs(graph, node, 1));
  TQ_ASSIGN_OR_RETURN(std::vector<int> perm, ResolveTransposePerm(graph, node));
  const Shape& in = node.input(0)->shape();
  Shape out;
  for (int p : perm) out.push_back(in[static_cast<size_t>(p)]);
  SetOut(node, 0, InDType(node), std::move(out));
  return Status::Ok();
}

Status InferConcat(const Graph& graph, const Node& node) {
  TQ_RETURN_IF_ERROR(NeedOutputs(graph, node, 1));
  TQ_ASSIGN_OR_RETURN(int axis, ResolveConcatAxis(graph, node));
  Shape out = node.input(0)->shape();
  out[static_cast<size_t>(axis)] = 0;
  for (const Value* v : node.inputs()) out[static_cast<size_t>(axis)] += v->shape()[axis];
  SetOut(node, 0, InDType(node), std::move(out));
  return Status::Ok();
}

Status InferSplit(const Graph& graph, const Node& node) {
  TQ_RETURN_IF_ERROR(NeedOutputs(graph, node, 1));
  TQ_ASSIGN_OR_RETURN(SplitParams p, ResolveSplit(graph, node));
  for (int i = 0; i < node.num_outputs(); ++i) {
    Shape s = node.input(0)->shape();
    s[static_cast<size_t>(p.axis)] = p.sizes[static_cast<size_t>(i)];
    SetOut(node, i, InDType(node), std::move(s));
  }
  return Status::Ok();
}

Status InferSlice(const Graph& graph, const Node& node) {
  TQ_RETURN_IF_ERROR(NeedOutputs(graph, node, 1));
  TQ_ASSIGN_OR_RETURN(SliceParams p, ResolveSlice(graph, node));
  SetOut(node, 0, InDType(node), std::move(p.out_shape));
  return Status::Ok();
}

Status InferGather(const Graph& graph, const Node& node) {
  TQ_RETURN_IF_ERROR(NeedOutputs(graph, node, 1));
  TQ_ASSIGN_OR_RETURN(GatherParams p, ResolveGather(graph, node));
  SetOut(node, 0, InDType(node), std::move(p.out_shape));
  return Status::Ok();
}

Status InferSqueeze(const Graph& graph, const Node& node) {
  TQ_RETURN_IF_ERROR(NeedOutputs(graph, node, 1));
  TQ_ASSIGN_OR_RETURN(Shape s, ResolveSqueeze(graph, node));
  SetOut(node, 0, InDType(node), std::move(s));
  return Status::Ok();
}

Status InferUnsqueeze(const Graph& graph, const Node& node) {
  TQ_RETURN_IF_ERROR(NeedOutputs(graph, node, 1));
  TQ_ASSIGN_OR_RETURN(Shape s, ResolveUnsqueeze(graph, node));
  SetOut(node, 0, InDType(node), std::move(s));
  return Status::Ok();
}

Status InferPad(const Graph& graph, const Node& node) {
  TQ_RETURN_IF_ERROR(NeedOutputs(graph, node, 1));
  TQ_ASSIGN_OR_RETURN(PadParams p, ResolvePad(graph, node));
  SetOut(node, 0, InDType(node), std::move(p.out_shape));
  return Status::Ok();
}

Status InferShape(const Graph& graph, const Node& node) {
  TQ_RETURN_IF_ERROR(NeedOutputs(graph, node, 1));
  TQ_ASSIGN_OR_RETURN(ShapeOpParams p, ResolveShapeOp(graph, node));
  SetOut(node, 0, DType::kS64, Shape{p.end - p.start});
  return Status::Ok();
}

Status InferRange(const Graph& graph, const Node& node) {
  TQ_RETURN_IF_ERROR(NeedOutputs(graph, node, 1));
  TQ_ASSIGN_OR_RETURN(int64_t n, ResolveRangeCount(graph, node));
  SetOut(node, 0, InDType(node), Shape{n});
  return Status::Ok();
}

Status InferQuantizeLinear(const Graph& graph, const Node& node) {
  TQ_RETURN_IF_ERROR(NeedOutputs(graph, node, 1));
  TQ_ASSIGN_OR_RETURN(QdqParams p, ResolveQuantizeLinear(graph, node));
  SetOut(node, 0, p.quant_dtype, node.input(0)->shape());
  return Status::Ok();
}

Status InferDequantizeLinear(const Graph& graph, const Node& node) {
  TQ_RETURN_IF_ERROR(NeedOutputs(graph, node, 1));
  TQ_RETURN_IF_ERROR(ResolveDequantizeLinear(graph, node).status());
  SetOut(node, 0, DType::kF32, node.input(0)->shape());
  return Status::Ok();
}

}  // namespace

void AppendTensorShapeRules(std::vector<ShapeRule>* table) {
  table->insert(table->end(), {
                                  {OpKind::kFlatten, InferFlatten},
                                  {OpKind::kReshape, InferReshape},
                                  {OpKind::kTranspose, InferTranspose},
                                  {OpKind::kConcat, InferConcat},
                                  {OpKind::kSplit, InferSplit},
                                  {OpKind::kSlice, InferSlice},
                                  {OpKind::kGather, InferGather},
                                  {OpKind::kSqueeze, InferSqueeze},
                                  {OpKind::kUnsqueeze, InferUnsqueeze},
                                  {OpKind::kPad, InferPad},
                                  {OpKind::kShape, InferShape},
                                  {OpKind::kRange, InferRange},
                                  {OpKind::kQuantizeLinear, InferQuantizeLinear},
                                  {OpKind::kDequantizeLinear, InferDequantizeLinear},
                              });
}

}  // namespace tinyq
