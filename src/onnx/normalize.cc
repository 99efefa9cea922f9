// Opset normalization: every supported ONNX opset form of an op -> the canonical IR form
// (docs/ir_ops.md). Examples:
//   Squeeze-13(x, axes=const[1])         -> Squeeze(x) {axes=[1]}
//   Clip-6(x) {min=0, max=6}             -> Clip(x, const 0, const 6)
//   Upsample-7(x) {scales, mode=nearest} -> Resize(x, <none>, const scales)
//                                           {mode, coordinate_transformation_mode=asymmetric,
//                                            nearest_mode=floor}
//   Resize-11(x, roi=const[], scales)    -> Resize(x, <none>, scales)
#include "src/onnx/normalize.h"

#include "src/onnx/tensor_proto.h"

namespace tinyq {
namespace {

Attribute IntsAttr(std::vector<int64_t> v) {
  Attribute a;
  a.type = Attribute::Type::kInts;
  a.ints = std::move(v);
  return a;
}
Attribute IntAttr(int64_t v) {
  Attribute a;
  a.type = Attribute::Type::kInt;
  a.i = v;
  return a;
}
Attribute StringAttr(std::string v) {
  Attribute a;
  a.type = Attribute::Type::kString;
  a.s = std::move(v);
  return a;
}

const Attribute* Find(const PendingNode& n, const std::string& name) {
  auto it = n.attrs.find(name);
  return it == n.attrs.end() ? nullptr : &it->second;
}

// Reads attribute `name` of the expected type; nullptr if absent, InvalidModel if mistyped.
StatusOr<const Attribute*> Typed(const Graph& g, const PendingNode& n, const std::string& name,
                                 Attribute::Type type) {
  const Attribute* a = Find(n, name);
  if (a && a->type != type)
    return InvalidModel(WhereNode(g, n) + "attribute '" + name + "' has the wrong type");
  return a;
}

Value* Input(const PendingNode& n, size_t i) { return i < n.inputs.size() ? n.inputs[i] : nullptr; }

void SetInput(PendingNode* n, size_t i, Value* v) {
  if (n->inputs.size() <= i) n->inputs.resize(i + 1, nullptr);
  n->inputs[i] = v;
}

Value* AddConst(Graph& g, const PendingNode& n, const std::string& suffix, Tensor t) {
  return g.AddConstant(g.UniqueName(n.name + "_" + suffix), std::move(t));
}

// Moves constant integer input `index` into ints attribute `attr` (an empty tensor leaves the
// attribute absent when `empty_is_absent`) and removes the input.
Status InputToInts(const Graph& g, PendingNode* n, size_t index, const std::string& attr,
                   bool empty_is_absent) {
  Value* v = Input(*n, index);
  if (!v) return Status::Ok();
  const std::string where = WhereNode(g, *n) + "input '" + v->name() + "' (" + attr + ") ";
  if (!v->is_constant()) return Unsupported(where + "must be a constant");
  const Tensor& t = *v->constant();
  if (t.dtype() != DType::kS64 && t.dtype() != DType::kS32)
    return InvalidModel(where + "must be an int64 tensor, got " + DTypeName(t.dtype()));
  if (t.rank() > 1) return InvalidModel(where + "must be 1-D, got " + ShapeToString(t.shape()));
  std::vector<int64_t> values = t.ToInt64Vector();
  if (!values.empty() || !empty_is_absent) n->attrs[attr] = IntsAttr(std::move(values));
  n->inputs[index] = nullptr;
  return Status::Ok();
}

// Moves ints attribute `attr` into a new int64 constant input at `index` (skipped when absent
// and not `required`).
Status IntsToInput(Graph& g, PendingNode* n, const std::string& attr, size_t index, bool required) {
  TQ_ASSIGN_OR_RETURN(const Attribute* a, Typed(g, *n, attr, Attribute::Type::kInts));
  if (!a) {
    if (required) return InvalidModel(WhereNode(g, *n) + "missing attribute '" + attr + "'");
    return Status::Ok();
  }
  const int64_t size = static_cast<int64_t>(a->ints.size());
  SetInput(n, index, AddConst(g, *n, attr, Tensor::FromVector<int64_t>({size}, a->ints)));
  n->attrs.erase(attr);
  return Status::Ok();
}

// Moves float attribute `attr` into a new f32 scalar constant input at `index`, if present.
Status FloatToInput(Graph& g, PendingNode* n, const std::string& attr, size_t index) {
  TQ_ASSIGN_OR_RETURN(const Attribute* a, Typed(g, *n, attr, Attribute::Type::kFloat));
  if (!a) return Status::Ok();
  SetInput(n, index, AddConst(g, *n, attr, Tensor::FromVector<float>({}, {a->f})));
  n->attrs.erase(attr);
  return Status::Ok();
}

Status NormalizeUpsample(Graph& g, int64_t opset, PendingNode* n) {
  Value* scales = Input(*n, 1);
  if (opset < 9) {
    TQ_ASSIGN_OR_RETURN(const Attribute* a, Typed(g, *n, "scales", Attribute::Type::kFloats));
    if (!a) return InvalidModel(WhereNode(g, *n) + "missing attribute 'scales'");
    const int64_t size = static_cast<int64_t>(a->floats.size());
    scales = AddConst(g, *n, "scales", Tensor::FromVector<float>({size}, a->floats));
    n->attrs.erase("scales");
  }
  if (!scales) return InvalidModel(WhereNode(g, *n) + "missing input 'scales'");
  std::string mode = "nearest";
  if (const Attribute* m = Find(*n, "mode")) mode = m->s;
  if (mode == "bilinear") mode = "linear";
  n->op = OpKind::kResize;
  n->inputs = {Input(*n, 0), nullptr, scales};
  n->attrs.clear();
  n->attrs["mode"] = StringAttr(mode);
  n->attrs["coordinate_transformation_mode"] = StringAttr("asymmetric");
  n->attrs["nearest_mode"] = StringAttr("floor");
  return Status::Ok();
}

Status NormalizeBatchNorm(const Graph& g, const std::set<std::string>& consumed, PendingNode* n) {
  if (const Attribute* s = Find(*n, "spatial")) {
    if (s->i == 0) return Unsupported(WhereNode(g, *n) + "spatial=0 is not supported");
    n->attrs.erase("spatial");
  }
  if (const Attribute* t = Find(*n, "training_mode"); t && t->i != 0)
    return Unsupported(WhereNode(g, *n) + "training_mode=1 is not supported (inference only)");
  n->attrs.erase("training_mode");
  for (size_t i = 1; i < n->outputs.size(); ++i) {
    Value* o = n->outputs[i];
    if (!o) continue;
    if (consumed.count(o->name()))
      return Unsupported(WhereNode(g, *n) + "training output '" + o->name() +
                         "' is used; only inference is supported");
    n->outputs[i] = nullptr;
  }
  return Status::Ok();
}

Status NormalizeOp(Graph& g, int64_t opset, const std::set<std::string>& consumed, PendingNode* n) {
  switch (n->op) {
    case OpKind::kSqueeze:
    case OpKind::kUnsqueeze:
      if (opset >= 13) TQ_RETURN_IF_ERROR(InputToInts(g, n, 1, "axes", n->op == OpKind::kSqueeze));
      if (n->op == OpKind::kUnsqueeze && !Find(*n, "axes"))
        return InvalidModel(WhereNode(g, *n) + "missing axes");
      return Status::Ok();
    case OpKind::kReduceSum:
      return opset >= 13 ? InputToInts(g, n, 1, "axes", true) : Status::Ok();
    case OpKind::kReduceMean:
    case OpKind::kReduceMax:
      return opset >= 18 ? InputToInts(g, n, 1, "axes", true) : Status::Ok();
    case OpKind::kSplit:
      return opset >= 13 ? InputToInts(g, n, 1, "split", false) : Status::Ok();
    case OpKind::kSlice:
      if (opset >= 10) return Status::Ok();
      TQ_RETURN_IF_ERROR(IntsToInput(g, n, "starts", 1, true));
      TQ_RETURN_IF_ERROR(IntsToInput(g, n, "ends", 2, true));
      return IntsToInput(g, n, "axes", 3, false);
    case OpKind::kPad: {
      if (opset >= 11) return Status::Ok();
      TQ_RETURN_IF_ERROR(IntsToInput(g, n, "pads", 1, true));
      TQ_ASSIGN_OR_RETURN(const Attribute* v, Typed(g, *n, "value", Attribute::Type::kFloat));
      if (v && v->f == 0.0f) n->attrs.erase("value");
      return FloatToInput(g, n, "value", 2);
    }
    case OpKind::kClip:
      if (opset >= 11) return Status::Ok();
      TQ_RETURN_IF_ERROR(FloatToInput(g, n, "min", 1));
      return FloatToInput(g, n, "max", 2);
    case OpKind::kSoftmax:
    case OpKind::kLogSoftmax:
      if (opset < 13) {
        n->attrs["tq_coerce_2d"] = IntAttr(1);
        if (!Find(*n, "axis")) n->attrs["axis"] = IntAttr(1);
      }
      return Status::Ok();
    case OpKind::kUpsample:
      return NormalizeUpsample(g, opset, n);
    case OpKind::kResize:
      if (opset == 10) {
        n->inputs = {Input(*n, 0), nullptr, Input(*n, 1)};
        n->attrs["coordinate_transformation_mode"] = StringAttr("asymmetric");
        n->attrs["nearest_mode"] = StringAttr("floor");
      }
      // An empty constant roi/scales/sizes (opset 11-12 had no other way to omit one) is absent.
      for (size_t i = 1; i < n->inputs.size(); ++i)
        if (n->inputs[i] && n->inputs[i]->is_constant() && n->inputs[i]->constant()->numel() == 0)
          n->inputs[i] = nullptr;
      return Status::Ok();
    case OpKind::kBatchNormalization:
      return NormalizeBatchNorm(g, consumed, n);
    case OpKind::kCast: {
      // `to` stays an ONNX TensorProto.DataType number; refuse the element types tinyq lacks.
      const Attribute* to = Find(*n, "to");
      if (!to || to->type != Attribute::Type::kInt)
        return InvalidModel(WhereNode(g, *n) + "missing int attribute 'to'");
      if (!DTypeFromOnnx(static_cast<int32_t>(to->i)))
        return Unsupported(WhereNode(g, *n) + "cast to " +
                           OnnxTypeName(static_cast<int32_t>(to->i)) + " is not supported");
      return Status::Ok();
    }
    case OpKind::kDropout: {
      // Inference: output 0 = input; the ratio (attribute before opset 12, input after) does
      // not matter. A training_mode input (opset >= 12) must be a constant false.
      if (Value* tm = Input(*n, 2)) {
        const bool off = tm->is_constant() && tm->constant()->numel() == 1 &&
                         tm->constant()->ToInt64Vector()[0] == 0;
        if (!off)
          return Unsupported(WhereNode(g, *n) + "training_mode input '" + tm->name() +
                             "' must be a constant false (inference only)");
      }
      n->attrs.erase("ratio");
      n->inputs.resize(1);
      return Status::Ok();
    }
    default:
      return Status::Ok();
  }
}

}  // namespace

std::string WhereNode(const Graph& graph, const PendingNode& node) {
  return graph.Where() + "node '" + node.name + "' (" + OpKindName(node.op) + "): ";
}

Status NormalizeNode(Graph& graph, int64_t opset, const std::set<std::string>& consumed,
                     PendingNode* node) {
  TQ_RETURN_IF_ERROR(NormalizeOp(graph, opset, consumed, node));
  while (!node->inputs.empty() && node->inputs.back() == nullptr) node->inputs.pop_back();
  while (!node->outputs.empty() && node->outputs.back() == nullptr) node->outputs.pop_back();
  return Status::Ok();
}

}  // namespace tinyq
