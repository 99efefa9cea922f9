// int8_common.cc - prepare-time helpers of the int8 node kernels (see int8_common.h).
#include "src/exec/int8_common.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "src/exec/fused_activation.h"
#include "src/quant/quant_math.h"

namespace tinyq {
namespace {

std::string Num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.9g", v);
  return buf;
}

bool GoodScale(float s) { return std::isfinite(s) && s > 0.0f; }

}  // namespace

bool InQuantizedRegion(const Node& node) {
  if (node.op() == OpKind::kQuantizeLinear || node.op() == OpKind::kDequantizeLinear) return false;
  const Value* y = node.output(0);
  return y && y->dtype() == DType::kS8 && y->quant().has_value();
}

bool IsDataMovementOp(OpKind op) {
  switch (op) {
    case OpKind::kReshape:
    case OpKind::kFlatten:
    case OpKind::kTranspose:
    case OpKind::kSqueeze:
    case OpKind::kUnsqueeze:
    case OpKind::kIdentity:
    case OpKind::kSlice:
    case OpKind::kSplit:
    case OpKind::kGather:
    case OpKind::kPad:
    case OpKind::kResize:
    case OpKind::kConcat:
      return true;
    default:
      return false;
  }
}

StatusOr<ActQuant> GetActQuant(const Graph& graph, const Node& node, const Value* v,
                               const std::string& role) {
  const std::string where = graph.Where(&node) + role;
  if (!v) return InvalidModel(where + " is missing");
  const std::string what = where + " '" + v->name() + "'";
  if (v->dtype() != DType::kS8)
    return InvalidModel(what + " must be s8 in the quantized region, got " + DTypeName(v->dtype()));
  if (!v->quant()) return InvalidModel(what + " has no QuantParams");
  const QuantParams& q = *v->quant();
  if (q.scale.size() != 1 || q.zero_point.size() != 1)
    return InvalidModel(what + " needs per-tensor QuantParams (one scale and zero point), got " +
                        std::to_string(q.scale.size()) + " scales");
  if (!GoodScale(q.scale[0]))
    return InvalidModel(what + " has scale " + Num(q.scale[0]) + "; must be positive and finite");
  if (q.zero_point[0] < -128 || q.zero_point[0] > 127)
    return InvalidModel(what + " has zero point " + std::to_string(q.zero_point[0]) +
                        " outside [-128, 127]");
  return ActQuant{q.scale[0], q.zero_point[0]};
}

Status CheckSameQuant(const Graph& graph, const Node& node, const ActQuant& in,
                      const ActQuant& out) {
  if (in.scale == out.scale && in.zero_point == out.zero_point) return Status::Ok();
  return InvalidModel(graph.Where(&node) + "output params (scale " + Num(out.scale) + ", zp " +
                      std::to_string(out.zero_point) + ") must equal input params (scale " +
                      Num(in.scale) + ", zp " + std::to_string(in.zero_point) + ")");
}

StatusOr<std::vector<float>> GetWeightScales(const Graph& graph, const Node& node, const Value* w,
                                             int64_t channels) {
  const std::string where = graph.Where(&node) + "weight";
  if (!w) return InvalidModel(where + " is missing");
  const std::string what = where + " '" + w->name() + "'";
  if (!w->is_constant() || w->dtype() != DType::kS8)
    return InvalidModel(what + " must be a constant s8 tensor, got " +
                        (w->is_constant() ? std::string(DTypeName(w->dtype())) : "a non-constant"));
  if (!w->quant()) return InvalidModel(what + " has no QuantParams");
  const QuantParams& q = *w->quant();
  const int64_t n = static_cast<int64_t>(q.scale.size());
  if ((n != channels && n != 1) || q.zero_point.size() != q.scale.size() || (n > 1 && q.axis != 0))
    return InvalidModel(what + " needs one scale per output channel along axis 0 (" +
                        std::to_string(channels) + "), got " + std::to_string(n) +
                        " scales on axis " + std::to_string(q.axis));
  for (int64_t c = 0; c < n; ++c) {
    if (!GoodScale(q.scale[static_cast<size_t>(c)]))
      return InvalidModel(what + " scale[" + std::to_string(c) + "] = " +
                          Num(q.scale[static_cast<size_t>(c)]) + " is not positive and finite");
    if (q.zero_point[static_cast<size_t>(c)] != 0)
      return InvalidModel(what + " must be symmetric (zero point 0), channel " + std::to_string(c) +
                          " has " + std::to_string(q.zero_point[static_cast<size_t>(c)]));
  }
  if (n == channels) return q.scale;
  return std::vector<float>(static_cast<size_t>(channels), q.scale[0]);
}

StatusOr<std::vector<int32_t>> GetBiasS32(const Graph& graph, const Node& node, const Value* b,
                                          int64_t channels, float input_scale,
                                          const std::vector<float>& weight_scales) {
  if (!b) return std::vector<int32_t>(static_cast<size_t>(channels), 0);
  const std::string what = graph.Where(&node) + "bias '" + b->name() + "'";
  if (!b->is_constant() || b->dtype() != DType::kS32 || b->constant()->numel() != channels)
    return InvalidModel(what + " must be a constant s32 tensor of " + std::to_string(channels) +
                        " elements");
  if (!b->quant()) return InvalidModel(what + " has no QuantParams");
  const QuantParams& q = *b->quant();
  const size_t n = q.scale.size();
  if ((n != static_cast<size_t>(channels) && n != 1) || q.zero_point.size() != n)
    return InvalidModel(what + " needs one scale per channel, got " + std::to_string(n));
  for (size_t c = 0; c < static_cast<size_t>(channels); ++c) {
    const double want = static_cast<double>(input_scale) * weight_scales[c];
    const double got = q.scale[n == 1 ? 0 : c];
    if (!(std::fabs(got - want) <= 1e-5 * want) || q.zero_point[n == 1 ? 0 : c] != 0)
      return InvalidModel(what + " channel " + std::to_string(c) + " has scale " + Num(got) +
                          " (zero point " + std::to_string(q.zero_point[n == 1 ? 0 : c]) +
                          "); expected s_in * s_w = " + Num(want) + " with zero point 0");
  }
  const int32_t* d = b->constant()->data<int32_t>();
  return std::vector<int32_t>(d, d + channels);
}

StatusOr<ChannelMultipliers> MakeMultiplier(const Graph& graph, const Node& node, double real) {
  auto qm = quant::QuantizeMultiplier(real);
  if (!qm.ok()) return InvalidModel(graph.Where(&node) + qm.status().message());
  ChannelMultipliers m;
  m.multiplier.push_back(qm->m0);
  m.shift.push_back(qm->shift);
  return m;
}

ChannelQuantArrays PackChannelQuant(const std::vector<int32_t>& bias, const ChannelMultipliers& m) {
  ChannelQuantArrays a;
  a.multiplier = m.multiplier;
  a.bias.resize(bias.size());
  if (tq_pack_bias_shift(bias.data(), m.shift.data(), static_cast<int32_t>(bias.size()),
                         a.bias.data()) != TQ_OK) {
    a.bias = bias;
    a.shift = m.shift;
  }
  return a;
}

StatusOr<ChannelMultipliers> MakeChannelMultipliers(const Graph& graph, const Node& node,
                                                    float input_scale,
                                                    const std::vector<float>& weight_scales,
                                                    float output_scale) {
  ChannelMultipliers m;
  for (float sw : weight_scales) {
    const double real = static_cast<double>(input_scale) * sw / output_scale;
    TQ_ASSIGN_OR_RETURN(ChannelMultipliers one, MakeMultiplier(graph, node, real));
    m.multiplier.push_back(one.multiplier[0]);
    m.shift.push_back(one.shift[0]);
  }
  return m;
}

StatusOr<tq_activation> FusedActivationS8(const Graph& graph, const Node& node, const ActQuant& out,
                                          bool allowed) {
  if (!node.HasAttr("tq_act")) return tq_activation{-128, 127};
  if (!allowed)
    return Unsupported(graph.Where(&node) + "a fused activation (tq_act) is not supported on " +
                       OpKindName(node.op()) + " in int8");
  TQ_ASSIGN_OR_RETURN(std::optional<FusedActivationF32> clamp, ParseFusedActivation(graph, node));
  // zp + round(bound / s), saturated to [-128, 127]; +-inf saturate (RoundAndSaturate in double).
  auto to_q = [&](float bound) {
    if (std::isinf(bound)) return bound > 0 ? 127 : -128;
    const double r = static_cast<double>(bound) / static_cast<double>(out.scale);
    return quant::RoundAndSaturate(r + out.zero_point, -128, 127);
  };
  tq_activation a{to_q(clamp->lo), to_q(clamp->hi)};
  if (a.min > a.max) a.min = a.max;
  return a;
}

StridedCopyPlan NchwToNhwcPlan(int64_t n, int64_t c, int64_t h, int64_t w, size_t elem_size) {
  // Walk the destination [N,H,W,C]; the source element of (n,y,x,ch) is n*CHW + ch*HW + y*W + x.
  return MakeStridedCopyPlan({n, h, w, c}, {c * h * w, w, 1, h * w},
                             ContiguousStrides({n, h, w, c}), 0, 0, elem_size);
}

StridedCopyPlan NhwcToNchwPlan(int64_t n, int64_t c, int64_t h, int64_t w, size_t elem_size) {
  // Walk the destination [N,C,H,W]; the source element of (n,ch,y,x) is n*HWC + y*WC + x*C + ch.
  return MakeStridedCopyPlan({n, c, h, w}, {h * w * c, 1, w * c, c},
                             ContiguousStrides({n, c, h, w}), 0, 0, elem_size);
}

namespace {

// Strides of `in` broadcast to the 4-D padded `out` shape (numpy rules); false if incompatible.
bool BroadcastStrides(const Shape& in, const Shape& out4, tq_strides* s) {
  if (in.size() > 4) return false;
  Shape in4(4 - in.size(), 1);
  in4.insert(in4.end(), in.begin(), in.end());
  int64_t st[4];
  int64_t run = 1;
  for (int d = 3; d >= 0; --d) {
    const auto i = static_cast<size_t>(d);
    if (in4[i] != out4[i] && in4[i] != 1) return false;
    st[d] = in4[i] == 1 ? 0 : run;
    run *= in4[i];
  }
  *s = {static_cast<int32_t>(st[0]), static_cast<int32_t>(st[1]), static_cast<int32_t>(st[2]),
        static_cast<int32_t>(st[3])};
  return true;
}

}  // namespace

StatusOr<BroadcastPlan> PlanBroadcast(const Graph& graph, const Node& node) {
  const Value* a = node.input(0);
  const Value* b = node.input(1);
  const Value* y = node.output(0);
  if (!a || !b || !y) return InvalidModel(graph.Where(&node) + "needs two inputs and one output");
  const Shape& ys = y->shape();
  if (ys.size() > 4 || a->shape().size() > 4 || b->shape().size() > 4)
    return Unsupported(graph.Where(&node) + OpKindName(node.op()) +
                       " of the runtime supports up to 4-D, got output " + ShapeToString(ys));
  Shape out4(4 - ys.size(), 1);
  out4.insert(out4.end(), ys.begin(), ys.end());
  BroadcastPlan p;
  if (!BroadcastStrides(a->shape(), out4, &p.s1) || !BroadcastStrides(b->shape(), out4, &p.s2))
    return InvalidModel(graph.Where(&node) + "inputs " + ShapeToString(a->shape()) + " and " +
                        ShapeToString(b->shape()) + " do not broadcast to output " +
                        ShapeToString(ys));
  // The output must be the broadcast of the inputs (not larger).
  for (size_t d = 0; d < 4; ++d) {
    const int64_t ra = static_cast<int64_t>(d) - (4 - static_cast<int64_t>(a->shape().size()));
    const int64_t rb = static_cast<int64_t>(d) - (4 - static_cast<int64_t>(b->shape().size()));
    const int64_t da = ra >= 0 ? a->shape()[static_cast<size_t>(ra)] : 1;
    const int64_t db = rb >= 0 ? b->shape()[static_cast<size_t>(rb)] : 1;
    if (std::max(da, db) != out4[d])
      return InvalidModel(graph.Where(&node) + "output shape " + ShapeToString(ys) +
                          " is not the broadcast of the inputs");
  }
  TQ_ASSIGN_OR_RETURN(p.out, ToDims(graph, node, out4[0], out4[1], out4[2], out4[3]));
  return p;
}

Status CheckS8Output(const Graph& graph, const Node& node, int i, const Shape& shape) {
  const Value* v = node.output(i);
  if (!v) return InvalidModel(graph.Where(&node) + "output " + std::to_string(i) + " is absent");
  if (v->dtype() != DType::kS8 || v->shape() != shape)
    return InvalidModel(graph.Where(&node) + "output '" + v->name() + "' is " +
                        DTypeName(v->dtype()) + ShapeToString(v->shape()) + ", expected s8" +
                        ShapeToString(shape));
  return Status::Ok();
}

StatusOr<tq_dims> ToDims(const Graph& graph, const Node& node, int64_t n, int64_t h, int64_t w,
                         int64_t c) {
  constexpr int64_t kMax = std::numeric_limits<int32_t>::max();
  if (n > kMax || h > kMax || w > kMax || c > kMax || n * h * w * c > kMax)
    return Unsupported(graph.Where(&node) + "tensor too large for the int8 runtime (int32 sizes)");
  return tq_dims{static_cast<int32_t>(n), static_cast<int32_t>(h), static_cast<int32_t>(w),
                 static_cast<int32_t>(c)};
}

}  // namespace tinyq
