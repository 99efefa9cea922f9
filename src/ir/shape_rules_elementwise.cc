// Shape rules of the elementwise ops: numpy-broadcasting binary ops (Add, Sub, Mul, Div, Pow,
// variadic Max/Min), PRelu (slope broadcast to X), the unary activations, Clip, Identity, Dropout
// and Cast.
//
// The rules check structure (arity, dtype agreement, broadcastability, attributes that decide the
// output dtype) and return InvalidModel for an inconsistent model. Whether a kernel exists for a
// dtype is decided by the kernel's prepare (Unsupported there), so shapes of e.g. u8 arithmetic
// still infer.
#include <string>

#include "src/ir/shape_inference.h"

namespace tinyq {

namespace {

Status CheckArity(const Graph& g, const Node& n, int min_in, int max_in, int min_out, int max_out) {
  if (n.num_inputs() < min_in || n.num_inputs() > max_in)
    return InvalidModel(g.Where(&n) + "expected " + std::to_string(min_in) +
                        (max_in != min_in ? ".." + std::to_string(max_in) : "") + " inputs, got " +
                        std::to_string(n.num_inputs()));
  if (n.num_outputs() < min_out || n.num_outputs() > max_out)
    return InvalidModel(g.Where(&n) + "expected " + std::to_string(min_out) +
                        (max_out != min_out ? ".." + std::to_string(max_out) : "") +
                        " outputs, got " + std::to_string(n.num_outputs()));
  for (int i = 0; i < min_in; ++i)
    if (!n.input(i))
      return InvalidModel(g.Where(&n) + "required input " + std::to_string(i) + " is missing");
  if (!n.output(0)) return InvalidModel(g.Where(&n) + "output 0 is missing");
  return Status::Ok();
}

Status CheckSameDType(const Graph& g, const Node& n, const Value& a, const Value& b) {
  if (a.dtype() != b.dtype())
    return InvalidModel(g.Where(&n) + "input '" + b.name() + "' has dtype " + DTypeName(b.dtype()) +
                        " but '" + a.name() + "' has " + DTypeName(a.dtype()));
  return Status::Ok();
}

// Add, Sub, Mul, Div: two inputs of one dtype, multidirectional broadcast.
Status InferBinary(const Graph& g, const Node& n) {
  TQ_RETURN_IF_ERROR(CheckArity(g, n, 2, 2, 1, 1));
  const Value& a = *n.input(0);
  const Value& b = *n.input(1);
  TQ_RETURN_IF_ERROR(CheckSameDType(g, n, a, b));
  TQ_ASSIGN_OR_RETURN(Shape out, BroadcastShapes(a.shape(), b.shape(), g.Where(&n)));
  n.output(0)->set_dtype(a.dtype());
  n.output(0)->set_shape(std::move(out));
  return Status::Ok();
}

// Max, Min: 1..N inputs of one dtype, all broadcast together.
Status InferVariadic(const Graph& g, const Node& n) {
  TQ_RETURN_IF_ERROR(CheckArity(g, n, 1, 1 << 20, 1, 1));
  const Value& first = *n.input(0);
  Shape out = first.shape();
  for (int i = 1; i < n.num_inputs(); ++i) {
    const Value* v = n.input(i);
    if (!v) return InvalidModel(g.Where(&n) + "input " + std::to_string(i) + " is missing");
    TQ_RETURN_IF_ERROR(CheckSameDType(g, n, first, *v));
    TQ_ASSIGN_OR_RETURN(out, BroadcastShapes(out, v->shape(), g.Where(&n)));
  }
  n.output(0)->set_dtype(first.dtype());
  n.output(0)->set_shape(std::move(out));
  return Status::Ok();
}

// Pow: base and exponent may differ in dtype; output has the base's dtype.
Status InferPow(const Graph& g, const Node& n) {
  TQ_RETURN_IF_ERROR(CheckArity(g, n, 2, 2, 1, 1));
  const Value& a = *n.input(0);
  TQ_ASSIGN_OR_RETURN(Shape out, BroadcastShapes(a.shape(), n.input(1)->shape(), g.Where(&n)));
  n.output(0)->set_dtype(a.dtype());
  n.output(0)->set_shape(std::move(out));
  return Status::Ok();
}

// PRelu: slope broadcasts unidirectionally to X; output is X's shape.
Status InferPRelu(const Graph& g, const Node& n) {
  TQ_RETURN_IF_ERROR(CheckArity(g, n, 2, 2, 1, 1));
  const Value& x = *n.input(0);
  const Value& slope = *n.input(1);
  TQ_RETURN_IF_ERROR(CheckSameDType(g, n, x, slope));
  TQ_ASSIGN_OR_RETURN(Shape out, BroadcastShapes(x.shape(), slope.shape(), g.Where(&n)));
  if (out != x.shape())
    return InvalidModel(g.Where(&n) + "slope shape " + ShapeToString(slope.shape()) +
                        " does not broadcast to X shape " + ShapeToString(x.shape()));
  n.output(0)->set_dtype(x.dtype());
  n.output(0)->set_shape(x.shape());
  return Status::Ok();
}

// One input, output of the same dtype and shape (activations, Neg, Abs, Identity).
Status InferUnary(const Graph& g, const Node& n) {
  TQ_RETURN_IF_ERROR(CheckArity(g, n, 1, 1, 1, 1));
  n.output(0)->set_dtype(n.input(0)->dtype());
  n.output(0)->set_shape(n.input(0)->shape());
  return Status::Ok();
}

// Clip: inputs (x, [min], [max]); min/max are single elements of x's dtype.
Status InferClip(const Graph& g, const Node& n) {
  TQ_RETURN_IF_ERROR(CheckArity(g, n, 1, 3, 1, 1));
  const Value& x = *n.input(0);
  for (int i = 1; i < n.num_inputs(); ++i) {
    const Value* bound = n.input(i);
    if (!bound) continue;
    TQ_RETURN_IF_ERROR(CheckSameDType(g, n, x, *bound));
    if (NumElements(bound->shape()) != 1)
      return InvalidModel(g.Where(&n) + (i == 1 ? "min" : "max") + " must be a scalar, got shape " +
                          ShapeToString(bound->shape()));
  }
  n.output(0)->set_dtype(x.dtype());
  n.output(0)->set_shape(x.shape());
  return Status::Ok();
}

// Dropout (inference form): output 0 = data; optional output 1 = bool mask of the same shape.
Status InferDropout(const Graph& g, const Node& n) {
  TQ_RETURN_IF_ERROR(CheckArity(g, n, 1, 3, 1, 2));
  const Value& x = *n.input(0);
  n.output(0)->set_dtype(x.dtype());
  n.output(0)->set_shape(x.shape());
  if (Value* mask = n.output(1)) {
    mask->set_dtype(DType::kBool);
    mask->set_shape(x.shape());
  }
  return Status::Ok();
}

// ONNX TensorProto.DataType number -> DType for the types tinyq stores.
bool DTypeFromOnnx(int64_t onnx_type, DType* out) {
  switch (onnx_type) {
    case 1:
      *out = DType::kF32;
      return true;
    case 2:
      *out = DType::kU8;
      return true;
    case 3:
      *out = DType::kS8;
      return true;
    case 4:
      *out = DType::kU16;
      return true;
    case 5:
      *out = DType::kS16;
      return true;
    case 6:
      *out = DType::kS32;
      return true;
    case 7:
      *out = DType::kS64;
      return true;
    case 9:
      *out = DType::kBool;
      return true;
    case 11:
      *out = DType::kF64;
      return true;
    default:
      return false;
  }
}

// Cast: attribute `to` (ONNX dtype number) decides the output dtype.
Status InferCast(const Graph& g, const Node& n) {
  TQ_RETURN_IF_ERROR(CheckArity(g, n, 1, 1, 1, 1));
  const Attribute* to = n.FindAttr("to");
  if (!to || to->type != Attribute::Type::kInt)
    return InvalidModel(g.Where(&n) + "missing int attribute 'to'");
  DType out;
  if (!DTypeFromOnnx(to->i, &out))
    return Unsupported(g.Where(&n) + "cast to ONNX dtype " + std::to_string(to->i) +
                       " is not supported");
  n.output(0)->set_dtype(out);
  n.output(0)->set_shape(n.input(0)->shape());
  return Status::Ok();
}

}  // namespace

void AppendElementwiseShapeRules(std::vector<ShapeRule>* table) {
  for (OpKind op : {OpKind::kAdd, OpKind::kSub, OpKind::kMul, OpKind::kDiv})
    table->push_back({op, InferBinary});
  table->push_back({OpKind::kMax, InferVariadic});
  table->push_back({OpKind::kMin, InferVariadic});
  table->push_back({OpKind::kPow, InferPow});
  table->push_back({OpKind::kPRelu, InferPRelu});
  for (OpKind op : {OpKind::kSqrt, OpKind::kExp, OpKind::kLog, OpKind::kNeg, OpKind::kAbs,
                    OpKind::kRelu, OpKind::kLeakyRelu, OpKind::kSigmoid, OpKind::kTanh,
                    OpKind::kHardSigmoid, OpKind::kHardSwish, OpKind::kIdentity})
    table->push_back({op, InferUnary});
  table->push_back({OpKind::kClip, InferClip});
  table->push_back({OpKind::kDropout, InferDropout});
  table->push_back({OpKind::kCast, InferCast});
}

}  // namespace tinyq
