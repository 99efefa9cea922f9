// Plans of the float-fallback nodes (float_fallback_plan.h): the ONNX attributes and constants
// of a node turned into the parameters and constant arrays of its tq_*_f32 runtime kernel.
//
// Weights are reordered once here: conv OIHW -> HWIO ([KH][KW][Cin/groups][Cout]), Gemm/MatMul
// B -> [K][N], so the runtime's innermost loops run over output channels (tq_conv_f32.h).
// BatchNormalization: scale = gamma / sqrt(var + eps) in f32, shift = beta - scale * mean
// rounded from double (the product is exact in double, so the result does not depend on whether
// the host compiler contracts it into an FMA).
#include "src/exec/float_fallback_plan.h"

#include <cmath>
#include <optional>
#include <string>

#include "src/exec/fused_activation.h"
#include "src/exec/int8_common.h"
#include "src/ir/conv_geometry.h"

namespace tinyq {
namespace {

Status CheckF32(const Graph& g, const Node& node, const Value* v, const std::string& role) {
  if (!v) return InvalidModel(g.Where(&node) + role + " is missing");
  if (v->dtype() != DType::kF32)
    return Unsupported(g.Where(&node) + role + " '" + v->name() + "' is " + DTypeName(v->dtype()) +
                       ", the float-fallback kernels take f32");
  return Status::Ok();
}

// Input 0 and output 0 are f32 (the node is a float-fallback node).
Status CheckF32Node(const Graph& g, const Node& node) {
  TQ_RETURN_IF_ERROR(CheckF32(g, node, node.input(0), "input 0"));
  TQ_RETURN_IF_ERROR(CheckF32(g, node, node.output(0), "output 0"));
  for (int i = 1; i < node.num_outputs(); ++i)
    if (node.output(i))
      return Unsupported(g.Where(&node) + "optional output " + std::to_string(i) +
                         " is not supported by the float-fallback kernels");
  return Status::Ok();
}

// The elements of a constant f32 input; Unsupported when it is not constant or not finite.
StatusOr<std::vector<float>> ConstF32(const Graph& g, const Node& node, const Value* v,
                                      const std::string& role) {
  TQ_RETURN_IF_ERROR(CheckF32(g, node, v, role));
  if (!v->is_constant())
    return Unsupported(g.Where(&node) + role + " '" + v->name() +
                       "' must be a constant for the float-fallback kernels");
  const float* p = v->constant()->data<float>();
  std::vector<float> out(p, p + v->constant()->numel());
  for (float f : out)
    if (!std::isfinite(f))
      return Unsupported(g.Where(&node) + role + " '" + v->name() + "' has a non-finite value");
  return out;
}

StatusOr<tq_clamp_f32> FusedClamp(const Graph& g, const Node& node) {
  TQ_ASSIGN_OR_RETURN(std::optional<FusedActivationF32> act, ParseFusedActivation(g, node));
  if (!act) return tq_clamp_f32{0, 0.0f, 0.0f};
  return ClampF32(act->lo, act->hi);
}

// Extent `d` (0 = H, 1 = W) of a 1-D or 2-D spatial vector; 1-D values have H = `unit`.
int64_t At(const std::vector<int64_t>& v, size_t rank, int d, int64_t unit) {
  return rank == 2 ? v[static_cast<size_t>(d)] : (d == 0 ? unit : v[0]);
}

StatusOr<tq_tile> Tile(const Graph& g, const Node& node, int64_t h, int64_t w) {
  if (h < 0 || w < 0 || h > INT32_MAX || w > INT32_MAX)
    return Unsupported(g.Where(&node) + "window parameters out of the runtime's int32 range");
  return tq_tile{static_cast<int32_t>(h), static_cast<int32_t>(w)};
}

}  // namespace

tq_clamp_f32 ClampF32(float lo, float hi) {
  tq_clamp_f32 c{0, 0.0f, 0.0f};
  if (std::isfinite(lo)) {
    c.flags |= TQ_CLAMP_MIN;
    c.min = lo;
  }
  if (std::isfinite(hi)) {
    c.flags |= TQ_CLAMP_MAX;
    c.max = hi;
  }
  return c;
}

StatusOr<ConvF32Plan> PlanConvF32(const Graph& g, const Node& node) {
  TQ_RETURN_IF_ERROR(CheckF32Node(g, node));
  const Shape& xs = node.input(0)->shape();
  TQ_ASSIGN_OR_RETURN(std::vector<float> w, ConstF32(g, node, node.input(1), "W"));
  const Shape& ws = node.input(1)->shape();
  if ((xs.size() != 4 && xs.size() != 3) || ws.size() != xs.size())
    return Unsupported(g.Where(&node) + "the float-fallback Conv supports 1-D and 2-D inputs");
  const int64_t groups = node.GetInt("group", 1);
  if (groups < 1 || ws[1] * groups != xs[1] || ws[0] % groups != 0)
    return InvalidModel(g.Where(&node) + "input " + ShapeToString(xs) + " and weight " +
                        ShapeToString(ws) + " do not match with group = " + std::to_string(groups));
  TQ_ASSIGN_OR_RETURN(ConvGeometry geo,
                      ComputeConvGeometry(g, node, xs, Shape(ws.begin() + 2, ws.end()), false));
  const size_t r = geo.in.size();
  const int64_t n = xs[0], cin = xs[1], cout = ws[0], cg = cin / groups;
  const int64_t kh = At(geo.kernel, r, 0, 1), kw = At(geo.kernel, r, 1, 1);
  ConvF32Plan p;
  TQ_ASSIGN_OR_RETURN(p.in, ToDims(g, node, n, At(geo.in, r, 0, 1), At(geo.in, r, 1, 1), cin));
  TQ_ASSIGN_OR_RETURN(p.filter, ToDims(g, node, cout, kh, kw, cg));
  TQ_ASSIGN_OR_RETURN(p.out, ToDims(g, node, n, At(geo.out, r, 0, 1), At(geo.out, r, 1, 1), cout));
  TQ_ASSIGN_OR_RETURN(p.params.stride,
                      Tile(g, node, At(geo.strides, r, 0, 1), At(geo.strides, r, 1, 1)));
  TQ_ASSIGN_OR_RETURN(p.params.padding,
                      Tile(g, node, At(geo.pad_begin, r, 0, 0), At(geo.pad_begin, r, 1, 0)));
  TQ_ASSIGN_OR_RETURN(p.params.dilation,
                      Tile(g, node, At(geo.dilations, r, 0, 1), At(geo.dilations, r, 1, 1)));
  p.params.groups = static_cast<int32_t>(groups);
  TQ_ASSIGN_OR_RETURN(p.params.activation, FusedClamp(g, node));
  if (tq_conv2d_f32_validate(&p.params, &p.in, &p.filter, &p.out) != TQ_OK)
    return Unsupported(g.Where(&node) + "geometry not supported by tq_conv2d_f32");
  if (const Value* b = node.input(2)) {
    TQ_ASSIGN_OR_RETURN(p.bias, ConstF32(g, node, b, "B"));
    if (static_cast<int64_t>(p.bias.size()) != cout)
      return InvalidModel(g.Where(&node) + "bias shape " + ShapeToString(b->shape()) + " is not [" +
                          std::to_string(cout) + "]");
  }
  const int64_t taps = kh * kw;
  p.weights.resize(w.size());
  for (int64_t oc = 0; oc < cout; ++oc)
    for (int64_t ci = 0; ci < cg; ++ci)
      for (int64_t t = 0; t < taps; ++t)
        p.weights[static_cast<size_t>((t * cg + ci) * cout + oc)] =
            w[static_cast<size_t>((oc * cg + ci) * taps + t)];
  return p;
}

StatusOr<FullyConnectedF32Plan> PlanFullyConnectedF32(const Graph& g, const Node& node) {
  TQ_RETURN_IF_ERROR(CheckF32Node(g, node));
  const bool gemm = node.op() == OpKind::kGemm;
  const Shape& as = node.input(0)->shape();
  TQ_ASSIGN_OR_RETURN(std::vector<float> b, ConstF32(g, node, node.input(1), "B"));
  const Shape& bs = node.input(1)->shape();
  if (as.size() < 2 || bs.size() != 2 || (gemm && as.size() != 2))
    return Unsupported(g.Where(&node) + "the float-fallback " + OpKindName(node.op()) +
                       " needs A of rank >= 2 (2 for Gemm) and a constant 2-D B");
  if (gemm && node.GetInt("transA", 0) != 0)
    return Unsupported(g.Where(&node) + "the float-fallback Gemm does not support transA = 1");
  const bool trans_b = gemm && node.GetInt("transB", 0) != 0;
  const int64_t k = as.back(), n = trans_b ? bs[0] : bs[1];
  if ((trans_b ? bs[1] : bs[0]) != k)
    return InvalidModel(g.Where(&node) + "inner dimensions of A " + ShapeToString(as) + " and B " +
                        ShapeToString(bs) + " differ");
  const int64_t rows = NumElements(as) / k;
  if (rows > INT32_MAX || k > INT32_MAX || n > INT32_MAX)
    return Unsupported(g.Where(&node) + "dimensions exceed int32");
  FullyConnectedF32Plan p;
  p.dims = {static_cast<int32_t>(rows), static_cast<int32_t>(k), static_cast<int32_t>(n)};
  p.params.alpha = gemm ? node.GetFloat("alpha", 1.0f) : 1.0f;
  TQ_ASSIGN_OR_RETURN(p.params.activation, FusedClamp(g, node));
  const float beta = gemm ? node.GetFloat("beta", 1.0f) : 0.0f;
  if (const Value* c = gemm ? node.input(2) : nullptr; c && beta != 0.0f) {
    TQ_ASSIGN_OR_RETURN(std::vector<float> cv, ConstF32(g, node, c, "C"));
    const Shape& cs = c->shape();
    const int64_t cols = cs.empty() ? 1 : cs.back();
    if (cs.size() > 2 || (cs.size() == 2 && cs[0] != 1) || (cols != 1 && cols != n))
      return Unsupported(g.Where(&node) +
                         "the float-fallback Gemm needs C broadcast along rows ([N] "
                         "or [1,N]), got " +
                         ShapeToString(cs));
    for (int64_t j = 0; j < n; ++j)
      p.bias.push_back(beta * cv[static_cast<size_t>(cols == 1 ? 0 : j)]);
  }
  if (!std::isfinite(p.params.alpha)) return Unsupported(g.Where(&node) + "alpha is not finite");
  p.weights.resize(b.size());
  for (int64_t kk = 0; kk < k; ++kk)
    for (int64_t j = 0; j < n; ++j)
      p.weights[static_cast<size_t>(kk * n + j)] =
          b[static_cast<size_t>(trans_b ? j * k + kk : kk * n + j)];
  if (tq_fully_connected_f32_validate(&p.params, &p.dims) != TQ_OK)
    return Unsupported(g.Where(&node) + "dimensions rejected by tq_fully_connected_f32");
  return p;
}

StatusOr<PoolF32Plan> PlanPoolF32(const Graph& g, const Node& node) {
  TQ_RETURN_IF_ERROR(CheckF32Node(g, node));
  const Shape& xs = node.input(0)->shape();
  if (xs.size() != 4 && xs.size() != 3)
    return Unsupported(g.Where(&node) + "the float-fallback pools support 1-D and 2-D inputs");
  const OpKind op = node.op();
  PoolF32Plan p;
  p.max = op == OpKind::kMaxPool || op == OpKind::kGlobalMaxPool;
  const std::vector<int64_t> spatial(xs.begin() + 2, xs.end());
  const size_t r = spatial.size();
  int64_t oh = 1, ow = 1;
  if (op == OpKind::kGlobalMaxPool || op == OpKind::kGlobalAveragePool) {
    TQ_ASSIGN_OR_RETURN(p.params.filter, Tile(g, node, At(spatial, r, 0, 1), At(spatial, r, 1, 1)));
    p.params.stride = {1, 1};
  } else {
    const std::vector<int64_t> kernel = node.GetInts("kernel_shape");
    if (kernel.size() != r)
      return InvalidModel(g.Where(&node) + "kernel_shape needs " + std::to_string(r) + " values");
    TQ_ASSIGN_OR_RETURN(ConvGeometry geo, ComputeConvGeometry(g, node, xs, kernel, true));
    for (int64_t d : geo.dilations)
      if (d != 1) return Unsupported(g.Where(&node) + "pool dilations are not supported");
    if (node.GetInt("storage_order", 0) != 0)
      return Unsupported(g.Where(&node) + "storage_order = 1 is not supported");
    TQ_ASSIGN_OR_RETURN(p.params.filter, Tile(g, node, At(kernel, r, 0, 1), At(kernel, r, 1, 1)));
    TQ_ASSIGN_OR_RETURN(p.params.stride,
                        Tile(g, node, At(geo.strides, r, 0, 1), At(geo.strides, r, 1, 1)));
    TQ_ASSIGN_OR_RETURN(p.params.padding,
                        Tile(g, node, At(geo.pad_begin, r, 0, 0), At(geo.pad_begin, r, 1, 0)));
    TQ_ASSIGN_OR_RETURN(p.params.padding_end,
                        Tile(g, node, At(geo.pad_end, r, 0, 0), At(geo.pad_end, r, 1, 0)));
    p.params.count_include_pad =
        op == OpKind::kAveragePool && node.GetInt("count_include_pad", 0) != 0 ? 1 : 0;
    oh = At(geo.out, r, 0, 1);
    ow = At(geo.out, r, 1, 1);
  }
  TQ_ASSIGN_OR_RETURN(p.in,
                      ToDims(g, node, xs[0], At(spatial, r, 0, 1), At(spatial, r, 1, 1), xs[1]));
  TQ_ASSIGN_OR_RETURN(p.out, ToDims(g, node, xs[0], oh, ow, xs[1]));
  if (tq_pool2d_f32_validate(&p.params, &p.in, &p.out) != TQ_OK)
    return Unsupported(g.Where(&node) +
                       "window geometry not supported by the float-fallback pools (a window "
                       "entirely in the padding?)");
  return p;
}

StatusOr<tq_binary_f32_params> PlanBinaryF32(const Graph& g, const Node& node) {
  TQ_RETURN_IF_ERROR(CheckF32Node(g, node));
  TQ_RETURN_IF_ERROR(CheckF32(g, node, node.input(1), "input 1"));
  tq_binary_f32_params p{};
  switch (node.op()) {
    case OpKind::kAdd:
      p.op = TQ_BINARY_ADD_F32;
      break;
    case OpKind::kSub:
      p.op = TQ_BINARY_SUB_F32;
      break;
    case OpKind::kMul:
      p.op = TQ_BINARY_MUL_F32;
      break;
    case OpKind::kDiv:
      p.op = TQ_BINARY_DIV_F32;
      break;
    default:
      return Unsupported(g.Where(&node) + "not a float-fallback binary op");
  }
  TQ_ASSIGN_OR_RETURN(p.activation, FusedClamp(g, node));
  return p;
}

StatusOr<tq_unary_f32_params> PlanUnaryF32(const Graph& g, const Node& node) {
  TQ_RETURN_IF_ERROR(CheckF32Node(g, node));
  tq_unary_f32_params p{};
  switch (node.op()) {
    case OpKind::kRelu:
      p.op = TQ_UNARY_RELU_F32;
      break;
    case OpKind::kClip: {
      p.op = TQ_UNARY_CLIP_F32;
      float bound[2] = {-INFINITY, INFINITY};
      for (int i = 1; i <= 2; ++i) {
        if (!node.input(i)) continue;
        TQ_ASSIGN_OR_RETURN(std::vector<float> v,
                            ConstF32(g, node, node.input(i), i == 1 ? "min" : "max"));
        if (v.size() != 1) return InvalidModel(g.Where(&node) + "Clip bounds must be scalars");
        bound[i - 1] = v[0];
      }
      p.clamp = ClampF32(bound[0], bound[1]);
      break;
    }
    case OpKind::kLeakyRelu:
      p.op = TQ_UNARY_LEAKY_RELU_F32;
      p.alpha = node.GetFloat("alpha", 0.01f);
      break;
    case OpKind::kHardSigmoid:
      p.op = TQ_UNARY_HARD_SIGMOID_F32;
      p.alpha = node.GetFloat("alpha", 0.2f);
      p.beta = node.GetFloat("beta", 0.5f);
      break;
    case OpKind::kHardSwish:
      p.op = TQ_UNARY_HARD_SWISH_F32;
      p.alpha = 1.0f / 6.0f;
      p.beta = 0.5f;
      break;
    case OpKind::kSigmoid:
      p.op = TQ_UNARY_SIGMOID_F32;
      break;
    case OpKind::kTanh:
      p.op = TQ_UNARY_TANH_F32;
      break;
    case OpKind::kExp:
      p.op = TQ_UNARY_EXP_F32;
      break;
    case OpKind::kNeg:
      p.op = TQ_UNARY_NEG_F32;
      break;
    case OpKind::kAbs:
      p.op = TQ_UNARY_ABS_F32;
      break;
    default:
      return Unsupported(g.Where(&node) + "not a float-fallback unary op");
  }
  if (!std::isfinite(p.alpha) || !std::isfinite(p.beta))
    return Unsupported(g.Where(&node) + "alpha / beta must be finite");
  return p;
}

StatusOr<ChannelAffineF32Plan> PlanBatchNormF32(const Graph& g, const Node& node) {
  TQ_RETURN_IF_ERROR(CheckF32Node(g, node));
  const Shape& xs = node.input(0)->shape();
  if (xs.size() < 2) return InvalidModel(g.Where(&node) + "input needs a channel axis");
  if (node.GetInt("training_mode", 0) != 0)
    return Unsupported(g.Where(&node) + "training_mode = 1 is not supported");
  std::vector<float> v[4];
  const char* names[4] = {"scale", "B", "mean", "var"};
  for (int i = 0; i < 4; ++i) {
    TQ_ASSIGN_OR_RETURN(v[i], ConstF32(g, node, node.input(i + 1), names[i]));
    if (static_cast<int64_t>(v[i].size()) != xs[1])
      return InvalidModel(g.Where(&node) + names[i] + " must have " + std::to_string(xs[1]) +
                          " elements");
  }
  const float eps = node.GetFloat("epsilon", 1e-5f);
  ChannelAffineF32Plan p;
  for (size_t c = 0; c < v[0].size(); ++c) {
    const float a = v[0][c] / std::sqrt(v[3][c] + eps);
    p.scale.push_back(a);
    p.shift.push_back(static_cast<float>(static_cast<double>(v[1][c]) -
                                         static_cast<double>(a) * static_cast<double>(v[2][c])));
  }
  for (size_t c = 0; c < p.scale.size(); ++c)
    if (!std::isfinite(p.scale[c]) || !std::isfinite(p.shift[c]))
      return Unsupported(g.Where(&node) + "channel " + std::to_string(c) +
                         " has a non-finite scale (variance + epsilon <= 0?)");
  return p;
}

StatusOr<SoftmaxF32Plan> PlanSoftmaxF32(const Graph& g, const Node& node) {
  TQ_RETURN_IF_ERROR(CheckF32Node(g, node));
  const int rank = static_cast<int>(node.input(0)->shape().size());
  SoftmaxF32Plan p;
  p.coerce_2d = node.GetInt("tq_coerce_2d", 0) != 0;  // opset < 13 (docs/ir_ops.md)
  int64_t axis = node.GetInt("axis", p.coerce_2d ? 1 : -1);
  if (axis < 0) axis += rank;
  if (rank == 0 || axis < 0 || axis >= rank)
    return InvalidModel(g.Where(&node) + "axis out of range for rank " + std::to_string(rank));
  p.axis = static_cast<int>(axis);
  return p;
}

StatusOr<QdqF32Plan> PlanQdqF32(const Graph& g, const Node& node) {
  const bool quantize = node.op() == OpKind::kQuantizeLinear;
  const Value* x = node.input(0);
  const Value* y = node.output(0);
  const Value* s = node.input(1);
  const Value* z = node.input(2);
  if (!x || !y || !s) return InvalidModel(g.Where(&node) + "x and scale are required");
  if (x->dtype() != (quantize ? DType::kF32 : DType::kS8) ||
      y->dtype() != (quantize ? DType::kS8 : DType::kF32))
    return Unsupported(g.Where(&node) + "the float-fallback borders are f32 <-> s8");
  if (!s->is_constant() || s->dtype() != DType::kF32 || s->constant()->numel() != 1 ||
      (z && (!z->is_constant() || z->dtype() != DType::kS8 || z->constant()->numel() != 1)))
    return Unsupported(g.Where(&node) +
                       "the float-fallback borders need a constant per-tensor scale and s8 zero "
                       "point");
  QdqF32Plan p;
  p.scale = s->constant()->data<float>()[0];
  p.zero_point = z ? z->constant()->data<int8_t>()[0] : 0;
  if (!std::isfinite(p.scale) || p.scale <= 0.0f)
    return InvalidModel(g.Where(&node) + "scale must be positive and finite");
  return p;
}

}  // namespace tinyq
