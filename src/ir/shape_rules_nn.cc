// Shape rules of the neural-network ops: Conv, ConvTranspose, Gemm, MatMul, the pools,
// BatchNormalization, InstanceNormalization, Resize, Softmax/LogSoftmax and the reductions.
//
// All of them compute in f32: any other input dtype is Unsupported. Window geometry (pads,
// auto_pad, strides, dilations, ceil_mode, output_padding) comes from conv_geometry.h, shared with
// the kernels.
#include <algorithm>
#include <cmath>
#include <string>

#include "src/ir/conv_geometry.h"
#include "src/ir/reduce_axes.h"
#include "src/ir/shape_inference.h"
#include "src/ir/tensor_limits.h"

namespace tinyq {
namespace {

std::string Str(const Shape& s) { return ShapeToString(s); }

Status RequireF32(const Graph& graph, const Node& node, const Value* v, const char* role) {
  if (v->dtype() != DType::kF32)
    return Unsupported(graph.Where(&node) + role + " '" + v->name() + "' has dtype " +
                       DTypeName(v->dtype()) + "; only f32 is supported");
  return Status::Ok();
}

// Checks the input count and that inputs [0, required) are present.
Status RequireInputs(const Graph& graph, const Node& node, int required, int max_inputs) {
  if (node.num_inputs() < required || node.num_inputs() > max_inputs)
    return InvalidModel(graph.Where(&node) + "expected " + std::to_string(required) + ".." +
                        std::to_string(max_inputs) + " inputs, got " +
                        std::to_string(node.num_inputs()));
  for (int i = 0; i < required; ++i)
    if (!node.input(i))
      return InvalidModel(graph.Where(&node) + "required input " + std::to_string(i) +
                          " is absent");
  if (node.num_outputs() < 1 || !node.output(0))
    return InvalidModel(graph.Where(&node) + "has no output");
  return Status::Ok();
}

Status RequireVector(const Graph& graph, const Node& node, int input, int64_t len,
                     const char* role) {
  const Value* v = node.input(input);
  if (!v) return Status::Ok();
  TQ_RETURN_IF_ERROR(RequireF32(graph, node, v, role));
  if (v->shape() != Shape{len})
    return InvalidModel(graph.Where(&node) + role + " '" + v->name() + "' has shape " +
                        Str(v->shape()) + ", expected [" + std::to_string(len) + "]");
  return Status::Ok();
}

void SetOutput(const Node& node, int i, Shape shape, DType dtype = DType::kF32) {
  node.output(i)->set_dtype(dtype);
  node.output(i)->set_shape(std::move(shape));
}

bool IsUsed(const Graph& graph, const Value* v) {
  if (!v) return false;
  if (!v->uses().empty()) return true;
  const auto& outs = graph.outputs();
  return std::find(outs.begin(), outs.end(), v) != outs.end();
}

Status ConvRule(const Graph& graph, const Node& node) {
  TQ_RETURN_IF_ERROR(RequireInputs(graph, node, 2, 3));
  const Value* x = node.input(0);
  const Value* w = node.input(1);
  TQ_RETURN_IF_ERROR(RequireF32(graph, node, x, "input"));
  TQ_RETURN_IF_ERROR(RequireF32(graph, node, w, "weight"));
  const Shape& xs = x->shape();
  const Shape& ws = w->shape();
  if (xs.size() < 3 || ws.size() != xs.size())
    return InvalidModel(graph.Where(&node) + "input " + Str(xs) + " and weight " + Str(ws) +
                        " must have the same rank >= 3");
  const int64_t groups = node.GetInt("group", 1);
  if (groups < 1) return InvalidModel(graph.Where(&node) + "group must be >= 1");
  const bool transpose = node.op() == OpKind::kConvTranspose;
  // Conv: W [M, C/group, k...]; ConvTranspose: W [C, M/group, k...].
  const int64_t cin = xs[1];
  const int64_t cout = transpose ? ws[1] * groups : ws[0];
  const bool channels_ok = transpose ? (ws[0] == cin && cin % groups == 0)
                                     : (ws[1] * groups == cin && cout % groups == 0);
  if (!channels_ok)
    return InvalidModel(graph.Where(&node) + "input " + Str(xs) + " and weight " + Str(ws) +
                        " do not match with group = " + std::to_string(groups));
  std::vector<int64_t> kernel(ws.begin() + 2, ws.end());
  if (node.HasAttr("kernel_shape") && node.GetInts("kernel_shape") != kernel)
    return InvalidModel(graph.Where(&node) + "kernel_shape does not match weight shape " + Str(ws));
  TQ_RETURN_IF_ERROR(RequireVector(graph, node, 2, cout, "bias"));
  StatusOr<ConvGeometry> g = transpose ? ComputeConvTransposeGeometry(graph, node, xs, kernel)
                                       : ComputeConvGeometry(graph, node, xs, kernel, false);
  if (!g.ok()) return g.status();
  Shape out = {xs[0], cout};
  out.insert(out.end(), g->out.begin(), g->out.end());
  SetOutput(node, 0, out);
  return Status::Ok();
}

Status GemmRule(const Graph& graph, const Node& node) {
  TQ_RETURN_IF_ERROR(RequireInputs(graph, node, 2, 3));
  const Value* a = node.input(0);
  const Value* b = node.input(1);
  TQ_RETURN_IF_ERROR(RequireF32(graph, node, a, "input A"));
  TQ_RETURN_IF_ERROR(RequireF32(graph, node, b, "input B"));
  if (a->shape().size() != 2 || b->shape().size() != 2)
    return InvalidModel(graph.Where(&node) + "A " + Str(a->shape()) + " and B " + Str(b->shape()) +
                        " must be 2-D");
  const bool ta = node.GetInt("transA", 0) != 0, tb = node.GetInt("transB", 0) != 0;
  const int64_t m = a->shape()[ta ? 1 : 0], k = a->shape()[ta ? 0 : 1];
  const int64_t kb = b->shape()[tb ? 1 : 0], n = b->shape()[tb ? 0 : 1];
  if (k != kb)
    return InvalidModel(graph.Where(&node) + "inner dimensions differ: A " + Str(a->shape()) +
                        " B " + Str(b->shape()) + " (transA=" + std::to_string(ta) +
                        ", transB=" + std::to_string(tb) + ")");
  if (const Value* c = node.input(2)) {
    TQ_RETURN_IF_ERROR(RequireF32(graph, node, c, "input C"));
    const Shape& cs = c->shape();
    // Unidirectional broadcast of C to [M, N].
    bool ok = cs.size() <= 2;
    const Shape mn = {m, n};
    for (size_t i = 0; ok && i < cs.size(); ++i) {
      const int64_t target = mn[2 - cs.size() + i];
      ok = cs[i] == 1 || cs[i] == target;
    }
    if (!ok)
      return InvalidModel(graph.Where(&node) + "C " + Str(cs) + " does not broadcast to " +
                          Str(mn));
  }
  SetOutput(node, 0, {m, n});
  return Status::Ok();
}

Status MatMulRule(const Graph& graph, const Node& node) {
  TQ_RETURN_IF_ERROR(RequireInputs(graph, node, 2, 2));
  const Value* a = node.input(0);
  const Value* b = node.input(1);
  TQ_RETURN_IF_ERROR(RequireF32(graph, node, a, "input A"));
  TQ_RETURN_IF_ERROR(RequireF32(graph, node, b, "input B"));
  Shape as = a->shape(), bs = b->shape();
  if (as.empty() || bs.empty())
    return InvalidModel(graph.Where(&node) + "operands must have rank >= 1");
  const bool a_vec = as.size() == 1, b_vec = bs.size() == 1;
  if (a_vec) as.insert(as.begin(), 1);
  if (b_vec) bs.push_back(1);
  if (as.back() != bs[bs.size() - 2])
    return InvalidModel(graph.Where(&node) + "inner dimensions differ: " + Str(a->shape()) + " x " +
                        Str(b->shape()));
  TQ_ASSIGN_OR_RETURN(
      Shape batch, BroadcastShapes(Shape(as.begin(), as.end() - 2), Shape(bs.begin(), bs.end() - 2),
                                   graph.Where(&node)));
  Shape out = batch;
  if (!a_vec) out.push_back(as[as.size() - 2]);
  if (!b_vec) out.push_back(bs.back());
  SetOutput(node, 0, out);
  return Status::Ok();
}

Status PoolRule(const Graph& graph, const Node& node) {
  TQ_RETURN_IF_ERROR(RequireInputs(graph, node, 1, 1));
  const Value* x = node.input(0);
  TQ_RETURN_IF_ERROR(RequireF32(graph, node, x, "input"));
  if (!node.HasAttr("kernel_shape"))
    return InvalidModel(graph.Where(&node) + "attribute 'kernel_shape' is required");
  TQ_ASSIGN_OR_RETURN(ConvGeometry g, ComputeConvGeometry(graph, node, x->shape(),
                                                          node.GetInts("kernel_shape"), true));
  Shape out = {x->shape()[0], x->shape()[1]};
  out.insert(out.end(), g.out.begin(), g.out.end());
  SetOutput(node, 0, out);
  // MaxPool's optional Indices output gets its shape; the kernel refuses it when it is used.
  if (node.op() == OpKind::kMaxPool && node.output(1)) SetOutput(node, 1, out, DType::kS64);
  return Status::Ok();
}

Status GlobalPoolRule(const Graph& graph, const Node& node) {
  TQ_RETURN_IF_ERROR(RequireInputs(graph, node, 1, 1));
  const Value* x = node.input(0);
  TQ_RETURN_IF_ERROR(RequireF32(graph, node, x, "input"));
  if (x->shape().size() < 3)
    return InvalidModel(graph.Where(&node) + "input " + Str(x->shape()) + " must have rank >= 3");
  Shape out = x->shape();
  std::fill(out.begin() + 2, out.end(), 1);
  SetOutput(node, 0, out);
  return Status::Ok();
}

Status BatchNormRule(const Graph& graph, const Node& node) {
  TQ_RETURN_IF_ERROR(RequireInputs(graph, node, 5, 5));
  const Value* x = node.input(0);
  TQ_RETURN_IF_ERROR(RequireF32(graph, node, x, "input"));
  if (x->shape().size() < 2)
    return InvalidModel(graph.Where(&node) + "input " + Str(x->shape()) + " must have rank >= 2");
  if (node.GetInt("training_mode", 0) != 0)
    return Unsupported(graph.Where(&node) + "training_mode = 1 is not supported");
  const int64_t c = x->shape()[1];
  static const char* kRoles[] = {"scale", "bias", "mean", "var"};
  for (int i = 1; i < 5; ++i) TQ_RETURN_IF_ERROR(RequireVector(graph, node, i, c, kRoles[i - 1]));
  SetOutput(node, 0, x->shape());
  for (int i = 1; i < node.num_outputs(); ++i) {
    if (IsUsed(graph, node.output(i)))
      return Unsupported(graph.Where(&node) + "training output " + std::to_string(i) +
                         " is used; only the inference form is supported");
    if (node.output(i)) SetOutput(node, i, {c});
  }
  return Status::Ok();
}

Status InstanceNormRule(const Graph& graph, const Node& node) {
  TQ_RETURN_IF_ERROR(RequireInputs(graph, node, 3, 3));
  const Value* x = node.input(0);
  TQ_RETURN_IF_ERROR(RequireF32(graph, node, x, "input"));
  if (x->shape().size() < 3)
    return InvalidModel(graph.Where(&node) + "input " + Str(x->shape()) + " must have rank >= 3");
  TQ_RETURN_IF_ERROR(RequireVector(graph, node, 1, x->shape()[1], "scale"));
  TQ_RETURN_IF_ERROR(RequireVector(graph, node, 2, x->shape()[1], "bias"));
  SetOutput(node, 0, x->shape());
  return Status::Ok();
}

Status SoftmaxRule(const Graph& graph, const Node& node) {
  TQ_RETURN_IF_ERROR(RequireInputs(graph, node, 1, 1));
  const Value* x = node.input(0);
  TQ_RETURN_IF_ERROR(RequireF32(graph, node, x, "input"));
  const int rank = static_cast<int>(x->shape().size());
  if (rank < 1) return InvalidModel(graph.Where(&node) + "input must have rank >= 1");
  const bool coerce = node.GetInt("tq_coerce_2d", 0) != 0;
  TQ_RETURN_IF_ERROR(
      NormalizeAxis(node.GetInt("axis", coerce ? 1 : -1), rank, graph.Where(&node)).status());
  SetOutput(node, 0, x->shape());
  return Status::Ok();
}

Status ReduceRule(const Graph& graph, const Node& node) {
  TQ_RETURN_IF_ERROR(RequireInputs(graph, node, 1, 2));
  const Value* x = node.input(0);
  TQ_RETURN_IF_ERROR(RequireF32(graph, node, x, "input"));
  TQ_ASSIGN_OR_RETURN(ReduceAxes axes, ResolveReduceAxes(graph, node, x->shape()));
  SetOutput(node, 0, axes.out_shape);
  return Status::Ok();
}

// A constant input with at least one element, or nullptr (absent or empty = not given).
const Tensor* NonEmptyConstant(const Node& node, int i) {
  const Value* v = node.input(i);
  if (!v || !v->is_constant() || v->constant()->numel() == 0) return nullptr;
  return v->constant();
}

Status ResizeRule(const Graph& graph, const Node& node) {
  TQ_RETURN_IF_ERROR(RequireInputs(graph, node, 1, 4));
  const Value* x = node.input(0);
  TQ_RETURN_IF_ERROR(RequireF32(graph, node, x, "input"));
  const std::string mode = node.GetString("mode", "nearest");
  const std::string coord = node.GetString("coordinate_transformation_mode", "half_pixel");
  if (mode != "nearest" && mode != "linear")
    return Unsupported(graph.Where(&node) + "mode '" + mode + "' is not supported");
  if (coord != "half_pixel" && coord != "pytorch_half_pixel" && coord != "align_corners" &&
      coord != "asymmetric" && coord != "tf_half_pixel_for_nearest")
    return Unsupported(graph.Where(&node) + "coordinate_transformation_mode '" + coord +
                       "' is not supported");
  const std::string nearest = node.GetString("nearest_mode", "round_prefer_floor");
  if (nearest != "round_prefer_floor" && nearest != "round_prefer_ceil" && nearest != "floor" &&
      nearest != "ceil")
    return InvalidModel(graph.Where(&node) + "unknown nearest_mode '" + nearest + "'");
  if (node.GetInt("antialias", 0) != 0 || node.HasAttr("axes") ||
      node.GetString("keep_aspect_ratio_policy", "stretch") != "stretch")
    return Unsupported(graph.Where(&node) +
                       "antialias, axes and keep_aspect_ratio_policy are not supported");
  for (int i = 2; i < 4; ++i)
    if (node.input(i) && !node.input(i)->is_constant())
      return Unsupported(graph.Where(&node) + "input '" + node.input(i)->name() +
                         "' (scales/sizes) must be constant");
  const Tensor* scales = NonEmptyConstant(node, 2);
  const Tensor* sizes = NonEmptyConstant(node, 3);
  if ((scales == nullptr) == (sizes == nullptr))
    return InvalidModel(graph.Where(&node) + "exactly one of scales and sizes must be given");
  const Shape& xs = x->shape();
  const Tensor* given = scales ? scales : sizes;
  if (given->numel() != static_cast<int64_t>(xs.size()))
    return InvalidModel(graph.Where(&node) + (scales ? "scales" : "sizes") + " has " +
                        std::to_string(given->numel()) + " values for an input of rank " +
                        std::to_string(xs.size()));
  Shape out(xs.size());
  if (scales) {
    if (scales->dtype() != DType::kF32)
      return InvalidModel(graph.Where(&node) + "scales must be f32");
    const std::vector<float> s = scales->ToFloatVector();
    for (size_t d = 0; d < xs.size(); ++d) {
      if (!(s[d] > 0.0f)) return InvalidModel(graph.Where(&node) + "scales must be positive");
      const double dim = std::floor(static_cast<double>(xs[d]) * s[d]);
      // Compared as a double first: casting an out-of-range double (or inf) is undefined.
      if (!(dim <= static_cast<double>(kMaxTensorElements)))
        return InvalidModel(graph.Where(&node) + "scales make output dimension " +
                            std::to_string(d) + " of input " + Str(xs) + " larger than 2^31");
      out[d] = static_cast<int64_t>(dim);
    }
  } else {
    if (sizes->dtype() != DType::kS64)
      return InvalidModel(graph.Where(&node) + "sizes must be s64");
    out = sizes->ToInt64Vector();
  }
  for (size_t d = 0; d < xs.size(); ++d)
    if (out[d] < 1 || xs[d] < 1)
      return InvalidModel(graph.Where(&node) + "output shape " + Str(out) + " from input " +
                          Str(xs) + " has an empty dimension");
  SetOutput(node, 0, out);
  return Status::Ok();
}

}  // namespace

void AppendNnShapeRules(std::vector<ShapeRule>* table) {
  table->insert(table->end(), {
                                  {OpKind::kConv, ConvRule},
                                  {OpKind::kConvTranspose, ConvRule},
                                  {OpKind::kGemm, GemmRule},
                                  {OpKind::kMatMul, MatMulRule},
                                  {OpKind::kMaxPool, PoolRule},
                                  {OpKind::kAveragePool, PoolRule},
                                  {OpKind::kGlobalAveragePool, GlobalPoolRule},
                                  {OpKind::kGlobalMaxPool, GlobalPoolRule},
                                  {OpKind::kBatchNormalization, BatchNormRule},
                                  {OpKind::kInstanceNormalization, InstanceNormRule},
                                  {OpKind::kResize, ResizeRule},
                                  {OpKind::kSoftmax, SoftmaxRule},
                                  {OpKind::kLogSoftmax, SoftmaxRule},
                                  {OpKind::kReduceMean, ReduceRule},
                                  {OpKind::kReduceMax, ReduceRule},
                                  {OpKind::kReduceSum, ReduceRule},
                              });
}

}  // namespace tinyq
