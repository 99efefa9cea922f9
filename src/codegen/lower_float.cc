// Lowering of the float-fallback layers (f32 nodes of an int8 model, docs/quantized_ir.md) and
// their QuantizeLinear / DequantizeLinear borders to calls of the runtime's float kernels
// (src/runtime/tq_*_f32), with the parameters and constants of src/exec/float_fallback_plan.h:
// the int8 executor runs the same kernels on the same constants (int8_float_fallback.cc), and
// the kernels fix their order of operations (tq_common_f32.h), so the generated code gives the
// executor's bytes.
//
// Layouts: f32 values are stored like s8 ones (rank >= 3 channel-last). Conv and the pools read
// and write channel-last (NHWC) values; Gemm/MatMul rows must be contiguous (rank 2, or a
// channel-last value whose storage is also its NCHW order); Softmax and BatchNormalization take
// the channel's stride in the storage; the elementwise ops do not care.
#include <sstream>

#include "src/codegen/lower_internal.h"
#include "src/exec/float_fallback_plan.h"

namespace tinyq {
namespace codegen {
namespace {

std::string Tile(const tq_tile& t) {
  return "{" + std::to_string(t.h) + ", " + std::to_string(t.w) + "}";
}

std::string Dims(const tq_dims& d) { return DimsLiteral(d.n, d.h, d.w, d.c); }

// The program value of input 0, which must be an f32 value stored without a flattened
// channel-last layout; `nhwc` also requires it to be stored channel-last (or trivially so).
StatusOr<int> FloatInput(Lowering& l, const Node& node, bool nhwc) {
  TQ_ASSIGN_OR_RETURN(int xi, l.In(node, 0));
  const CgValue& x = l.V(xi);
  if (x.dtype != DType::kF32 || x.flat_c > 0 ||
      (nhwc && !x.channel_last && !ChannelLastIsTrivial(x.shape)))
    return Unsupported(l.g.Where(&node) + "input stored in a layout the float kernel cannot read");
  return xi;
}

// Adds the f32 step `head` + `call_prefix X between Y suffix);`, recording the node as a float
// layer.
CgStep& AddFloatStep(Lowering& l, const Node& node, int xi, int yi, const std::string& head,
                     const std::string& call_prefix, const std::string& between,
                     const std::string& suffix) {
  l.p.float_layers.push_back(node.name());
  return l.AddStep(&node, {xi}, {yi}, [=](const StepPointers& ptr) {
    return head + "    " + call_prefix + ptr.reads[0] + between + ptr.writes[0] + suffix + ");\n";
  });
}

Status LowerConvF32(Lowering& l, const Node& node) {
  TQ_ASSIGN_OR_RETURN(ConvF32Plan p, PlanConvF32(l.g, node));
  TQ_ASSIGN_OR_RETURN(int xi, FloatInput(l, node, true));
  const std::string w = l.p.consts.AddF32(p.weights), b = l.p.consts.AddF32(p.bias);
  std::ostringstream h;
  h << "    static const tq_conv_f32_params p = {" << Tile(p.params.stride) << ", "
    << Tile(p.params.padding) << ", " << Tile(p.params.dilation) << ", " << p.params.groups << ", "
    << ClampLiteral(p.params.activation) << "};\n"
    << "    static const tq_dims in = " << Dims(p.in) << ", f = " << Dims(p.filter)
    << ", out = " << Dims(p.out) << ";\n";
  const int yi = l.Out(node, 0, true);
  CgStep& s = AddFloatStep(l, node, xi, yi, h.str(), "tq_conv2d_f32(&p, &in, ",
                           ", &f, " + w + ", " + b + ", &out, ", "");
  s.macs = NodeMacs(node);
  s.weight_bytes = static_cast<int64_t>(4 * (p.weights.size() + p.bias.size()));
  return Status::Ok();
}

Status LowerFullyConnectedF32(Lowering& l, const Node& node) {
  TQ_ASSIGN_OR_RETURN(FullyConnectedF32Plan p, PlanFullyConnectedF32(l.g, node));
  TQ_ASSIGN_OR_RETURN(int xi, FloatInput(l, node, false));
  const CgValue& x = l.V(xi);
  if (x.channel_last && !ChannelLastIsTrivial(x.shape))
    return Unsupported(l.g.Where(&node) +
                       "codegen needs the rows of A contiguous (A is stored channel-last)");
  const std::string w = l.p.consts.AddF32(p.weights), b = l.p.consts.AddF32(p.bias);
  std::ostringstream h;
  h << "    static const tq_fc_f32_params p = {" << FloatLiteral(p.params.alpha) << ", "
    << ClampLiteral(p.params.activation) << "};\n"
    << "    static const tq_fc_f32_dims d = {" << p.dims.rows << ", " << p.dims.input_features
    << ", " << p.dims.output_features << "};\n";
  const int yi = l.Out(node, 0, false);
  CgStep& s = AddFloatStep(l, node, xi, yi, h.str(), "tq_fully_connected_f32(&p, &d, ",
                           ", " + w + ", " + b + ", ", "");
  s.macs = NodeMacs(node);
  s.weight_bytes = static_cast<int64_t>(4 * (p.weights.size() + p.bias.size()));
  return Status::Ok();
}

Status LowerPoolF32(Lowering& l, const Node& node) {
  TQ_ASSIGN_OR_RETURN(PoolF32Plan p, PlanPoolF32(l.g, node));
  TQ_ASSIGN_OR_RETURN(int xi, FloatInput(l, node, true));
  std::ostringstream h;
  h << "    static const tq_pool_f32_params p = {" << Tile(p.params.filter) << ", "
    << Tile(p.params.stride) << ", " << Tile(p.params.padding) << ", " << Tile(p.params.padding_end)
    << ", " << p.params.count_include_pad << "};\n"
    << "    static const tq_dims in = " << Dims(p.in) << ", out = " << Dims(p.out) << ";\n";
  const int yi = l.Out(node, 0, true);
  AddFloatStep(l, node, xi, yi, h.str(),
               std::string(p.max ? "tq_max_pool2d_f32" : "tq_avg_pool2d_f32") + "(&p, &in, ",
               ", &out, ", "");
  return Status::Ok();
}

// Number of elements of input 0 as an int32 literal, or Unsupported.
StatusOr<std::string> Count(const Lowering& l, const Node& node) {
  const int64_t n = NumElements(node.input(0)->shape());
  if (n > INT32_MAX) return Unsupported(l.g.Where(&node) + "tensor too large for the runtime");
  return std::to_string(n);
}

Status LowerUnaryF32(Lowering& l, const Node& node) {
  TQ_ASSIGN_OR_RETURN(tq_unary_f32_params p, PlanUnaryF32(l.g, node));
  TQ_ASSIGN_OR_RETURN(int xi, FloatInput(l, node, false));
  TQ_ASSIGN_OR_RETURN(std::string n, Count(l, node));
  const std::string head = "    static const tq_unary_f32_params p = {" + std::to_string(p.op) +
                           ", " + FloatLiteral(p.alpha) + ", " + FloatLiteral(p.beta) + ", " +
                           ClampLiteral(p.clamp) + "};\n";
  const int yi = l.Out(node, 0, l.V(xi).channel_last);
  CgStep& s = AddFloatStep(l, node, xi, yi, head, "tq_unary_f32(&p, ", ", " + n + ", ", "");
  s.inplace_input = 0;
  return Status::Ok();
}

// [outer, depth, inner] of the storage of value `xi` around NCHW axis `axis`.
void StorageRows(const CgValue& x, int axis, int64_t* outer, int64_t* depth, int64_t* inner) {
  const std::vector<int64_t> perm = StorageOrder(x.shape.size(), x.channel_last);
  *outer = *depth = *inner = 1;
  bool seen = false;
  for (int64_t d : perm) {
    const int64_t e = x.shape[static_cast<size_t>(d)];
    if (d == axis) {
      *depth = e;
      seen = true;
    } else {
      *(seen ? inner : outer) *= e;
    }
  }
}

Status LowerBatchNormF32(Lowering& l, const Node& node) {
  TQ_ASSIGN_OR_RETURN(ChannelAffineF32Plan p, PlanBatchNormF32(l.g, node));
  TQ_ASSIGN_OR_RETURN(int xi, FloatInput(l, node, false));
  int64_t outer, c, inner;
  StorageRows(l.V(xi), 1, &outer, &c, &inner);
  const std::string a = l.p.consts.AddF32(p.scale), b = l.p.consts.AddF32(p.shift);
  const int yi = l.Out(node, 0, l.V(xi).channel_last);
  CgStep& s = AddFloatStep(l, node, xi, yi, "", "tq_channel_affine_f32(",
                           ", " + std::to_string(outer) + ", " + std::to_string(c) + ", " +
                               std::to_string(inner) + ", " + a + ", " + b + ", ",
                           "");
  s.inplace_input = 0;
  s.weight_bytes = static_cast<int64_t>(8 * p.scale.size());
  return Status::Ok();
}

Status LowerSoftmaxF32(Lowering& l, const Node& node) {
  TQ_ASSIGN_OR_RETURN(SoftmaxF32Plan p, PlanSoftmaxF32(l.g, node));
  TQ_ASSIGN_OR_RETURN(int xi, FloatInput(l, node, false));
  const CgValue& x = l.V(xi);
  int64_t outer, depth, inner;
  StorageRows(x, p.axis, &outer, &depth, &inner);
  if (p.coerce_2d) {  // the row is every dim from the axis on, in NCHW order
    if (x.channel_last && !ChannelLastIsTrivial(x.shape))
      return Unsupported(l.g.Where(&node) +
                         "opset < 13 Softmax over a channel-last value is not supported");
    depth *= inner;
    inner = 1;
  }
  const int yi = l.Out(node, 0, x.channel_last);
  CgStep& s = AddFloatStep(l, node, xi, yi, "", "tq_softmax_f32(",
                           ", " + std::to_string(outer) + ", " + std::to_string(depth) + ", " +
                               std::to_string(inner) + ", ",
                           "");
  s.inplace_input = 0;
  return Status::Ok();
}

Status LowerQdq(Lowering& l, const Node& node) {
  TQ_ASSIGN_OR_RETURN(QdqF32Plan p, PlanQdqF32(l.g, node));
  TQ_ASSIGN_OR_RETURN(int xi, l.In(node, 0));
  const bool quantize = node.op() == OpKind::kQuantizeLinear;
  if (l.V(xi).dtype != (quantize ? DType::kF32 : DType::kS8))
    return Unsupported(l.g.Where(&node) + "codegen supports f32 <-> s8 Q/DQ only");
  TQ_ASSIGN_OR_RETURN(std::string n, Count(l, node));
  const int yi = l.Out(node, 0, l.V(xi).channel_last);
  l.p.values[static_cast<size_t>(yi)].flat_c = l.V(xi).flat_c;
  const std::string args =
      ", " + n + ", " + FloatLiteral(p.scale) + ", " + std::to_string(p.zero_point) + ", ";
  l.AddStep(&node, {xi}, {yi}, [=](const StepPointers& ptr) {
    return "    " + std::string(quantize ? "tq_quantize_f32(" : "tq_dequantize_s8(") +
           ptr.reads[0] + args + ptr.writes[0] + ");\n";
  });
  return Status::Ok();
}

}  // namespace

Status LowerFloatNode(Lowering& l, const Node& node) {
  switch (node.op()) {
    case OpKind::kQuantizeLinear:
    case OpKind::kDequantizeLinear:
      return LowerQdq(l, node);
    case OpKind::kConv:
      return LowerConvF32(l, node);
    case OpKind::kGemm:
    case OpKind::kMatMul:
      return LowerFullyConnectedF32(l, node);
    case OpKind::kMaxPool:
    case OpKind::kAveragePool:
    case OpKind::kGlobalMaxPool:
    case OpKind::kGlobalAveragePool:
      return LowerPoolF32(l, node);
    case OpKind::kAdd:
    case OpKind::kSub:
    case OpKind::kMul:
    case OpKind::kDiv:
      return LowerBinaryF32(l, node);
    case OpKind::kRelu:
    case OpKind::kClip:
    case OpKind::kLeakyRelu:
    case OpKind::kHardSigmoid:
    case OpKind::kHardSwish:
    case OpKind::kSigmoid:
    case OpKind::kTanh:
    case OpKind::kExp:
    case OpKind::kNeg:
    case OpKind::kAbs:
      return LowerUnaryF32(l, node);
    case OpKind::kBatchNormalization:
      return LowerBatchNormF32(l, node);
    case OpKind::kSoftmax:
      return LowerSoftmaxF32(l, node);
    default:
      return Unsupported(l.g.Where(&node) +
                         "C code generation does not support this float-fallback op yet");
  }
}

}  // namespace codegen
}  // namespace tinyq
