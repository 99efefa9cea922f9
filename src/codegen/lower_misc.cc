// Lowering of the data-movement ops (views in the arena, or a transpose when the channel-last
// storage must become NCHW order) and of the float-fallback layers: DequantizeLinear,
// QuantizeLinear, BatchNormalization and Relu on f32 values, with the float executor's exact
// operation order (docs/codegen.md explains why the results match bit for bit).
#include <algorithm>
#include <cmath>
#include <numeric>

#include "src/codegen/lower_internal.h"
#include "src/ir/tensor_op_params.h"
#include "src/runtime/tq_unary.h"

namespace tinyq {
namespace codegen {
namespace {

// The storage order of a value of rank r: channel-last moves NCHW dim 1 to the end.
std::vector<int64_t> StorageOrder(size_t r, bool channel_last) {
  std::vector<int64_t> perm(r);
  std::iota(perm.begin(), perm.end(), 0);
  if (channel_last && r >= 3) {
    perm.erase(perm.begin() + 1);
    perm.push_back(1);
  }
  return perm;
}

bool OnlyGemmReads(const Graph& g, const Value* v) {
  if (!g.outputs().empty() && g.outputs()[0] == v) return false;
  for (const Use& u : v->uses())
    if (u.node->op() != OpKind::kGemm || u.index != 0) return false;
  return !v->uses().empty();
}

Status LowerView(Lowering& l, const Node& node) {
  TQ_ASSIGN_OR_RETURN(int xi, l.In(node, 0));
  const CgValue& x = l.V(xi);
  const Shape& ys = node.output(0)->shape();
  const bool x_plain = x.flat_c == 0 && (!x.channel_last || ChannelLastIsTrivial(x.shape));
  if (x_plain && ChannelLastIsTrivial(ys)) {  // same bytes in the same order: a view
    const int yi = l.Out(node, 0, true);
    CgStep& s = l.AddStep(&node, {xi}, {yi}, [](const StepPointers&) {
      return std::string("    /* view: no code */\n");
    });
    s.alias_input = 0;
    return Status::Ok();
  }
  if (x.channel_last && x.flat_c == 0 && ys.size() == 2 && ys[0] == x.shape[0]) {
    if (OnlyGemmReads(l.g, node.output(0))) {  // view; Gemm permutes its weight columns
      const int yi = l.Out(node, 0, false);
      l.p.values[static_cast<size_t>(yi)].flat_c = x.shape[1];
      CgStep& s = l.AddStep(&node, {xi}, {yi}, [](const StepPointers&) {
        return std::string("    /* view of the channel-last data: no code */\n");
      });
      s.alias_input = 0;
      return Status::Ok();
    }
    const int yi = l.Out(node, 0, false);
    AddTransposeStep(l, &node, xi, yi, true);
    return Status::Ok();
  }
  return Unsupported(l.g.Where(&node) + "codegen cannot reshape " + ShapeToString(x.shape) +
                     " to " + ShapeToString(ys) + " in its storage layout");
}

// Concat along any axis of its storage layout: each input's rows are copied, or rescaled into the
// output's params with tq_rescale_s8 (the int8 executor's rule), one row per outer index.
Status LowerConcat(Lowering& l, const Node& node) {
  const Graph& g = l.g;
  const Shape& ys = node.output(0)->shape();
  const int rank = static_cast<int>(ys.size());
  int64_t axis = node.GetInt("axis", 0);
  if (axis < 0) axis += rank;
  if (axis < 0 || axis >= rank) return InvalidModel(g.Where(&node) + "axis out of range");
  std::vector<int> ins;
  for (int i = 0; i < node.num_inputs(); ++i) {
    TQ_ASSIGN_OR_RETURN(int v, l.In(node, i));
    if (l.V(v).flat_c > 0 || l.V(v).channel_last != (rank >= 3))
      return Unsupported(g.Where(&node) + "inputs stored in an unexpected layout");
    ins.push_back(v);
  }
  const std::vector<int64_t> perm = StorageOrder(static_cast<size_t>(rank), rank >= 3);
  const auto saxis = static_cast<size_t>(std::find(perm.begin(), perm.end(), axis) - perm.begin());
  auto chunk_of = [&](const Shape& s) {
    int64_t c = 1;
    for (size_t d = saxis; d < perm.size(); ++d) c *= s[static_cast<size_t>(perm[d])];
    return c;
  };
  int64_t outer = 1;
  for (size_t d = 0; d < saxis; ++d) outer *= ys[static_cast<size_t>(perm[d])];
  TQ_ASSIGN_OR_RETURN(ActQuant yq, GetActQuant(g, node, node.output(0), "output"));
  std::string head, body;
  int64_t off = 0;
  for (size_t i = 0; i < ins.size(); ++i) {
    TQ_ASSIGN_OR_RETURN(ActQuant xq, GetActQuant(g, node, node.input(static_cast<int>(i)),
                                                 "input " + std::to_string(i)));
    const int64_t chunk = chunk_of(node.input(static_cast<int>(i))->shape());
    const std::string n = std::to_string(i), cs = std::to_string(chunk);
    const std::string src = "x" + n + " + o * " + cs,
                      dst = "y + o * " + std::to_string(chunk_of(ys)) + " + " + std::to_string(off);
    if (xq.scale == yq.scale && xq.zero_point == yq.zero_point) {
      body += "      for (k = 0; k < " + cs + "; ++k) (" + dst + ")[k] = (" + src + ")[k];\n";
    } else {
      TQ_ASSIGN_OR_RETURN(ChannelMultipliers m,
                          MakeMultiplier(g, node, static_cast<double>(xq.scale) / yq.scale));
      const tq_rescale_params rp{
          xq.zero_point, yq.zero_point, m.multiplier[0], m.shift[0], {-128, 127}};
      if (tq_rescale_s8_validate(&rp, static_cast<int32_t>(chunk)) != TQ_OK)
        return Unsupported(g.Where(&node) + "input " + n + " scale ratio out of range");
      head += "    static const tq_rescale_params p" + n + " = {" + std::to_string(xq.zero_point) +
              ", " + std::to_string(yq.zero_point) + ", " + std::to_string(m.multiplier[0]) + ", " +
              std::to_string(m.shift[0]) + ", {-128, 127}};\n";
      body += "      tq_rescale_s8(&p" + n + ", " + src + ", " + cs + ", " + dst + ");\n";
    }
    off += chunk;
  }
  const int yi = l.Out(node, 0, true);
  l.AddStep(&node, ins, {yi}, [=](const StepPointers& ptr) {
    std::string c = head;
    for (size_t i = 0; i < ptr.reads.size(); ++i)
      c += "    const int8_t* x" + std::to_string(i) + " = " + ptr.reads[i] + ";\n";
    c += "    int8_t* y = " + ptr.writes[0] + ";\n    int32_t o, k;\n    (void)k;\n";
    return c + "    for (o = 0; o < " + std::to_string(outer) + "; ++o) {\n" + body + "    }\n";
  });
  return Status::Ok();
}

// Pad (constant mode, value = the zero point, i.e. real 0): fill the output with the zero point,
// then copy every input element to its shifted place in the storage layout.
Status LowerPad(Lowering& l, const Node& node) {
  const Graph& g = l.g;
  TQ_ASSIGN_OR_RETURN(PadParams pp, ResolvePad(g, node));
  TQ_ASSIGN_OR_RETURN(ActQuant xq, GetActQuant(g, node, node.input(0), "input data"));
  TQ_ASSIGN_OR_RETURN(ActQuant yq, GetActQuant(g, node, node.output(0), "output"));
  TQ_RETURN_IF_ERROR(CheckSameQuant(g, node, xq, yq));
  if (const Value* cv = node.input(2))
    if (!cv->is_constant() || cv->dtype() != DType::kS8 || cv->constant()->numel() != 1 ||
        cv->constant()->data<int8_t>()[0] != xq.zero_point)
      return Unsupported(g.Where(&node) + "int8 Pad needs constant_value = the zero point");
  TQ_ASSIGN_OR_RETURN(int xi, l.In(node, 0));
  const CgValue& x = l.V(xi);
  const size_t r = x.shape.size();
  if (r > 4 || x.flat_c > 0) return Unsupported(g.Where(&node) + "codegen pads up to 4-D");
  for (size_t d = 0; d < r; ++d)
    if (pp.begin[d] < 0 || pp.end[d] < 0)
      return Unsupported(g.Where(&node) + "negative pads (cropping) are not supported");
  const std::vector<int64_t> perm = StorageOrder(r, x.channel_last);
  int64_t in[4] = {1, 1, 1, 1}, out[4] = {1, 1, 1, 1}, beg[4] = {0, 0, 0, 0};
  for (size_t k = 0; k < r; ++k) {
    const auto d = static_cast<size_t>(perm[k]);
    in[4 - r + k] = x.shape[d];
    out[4 - r + k] = pp.out_shape[d];
    beg[4 - r + k] = pp.begin[d];
  }
  const int yi = l.Out(node, 0, x.channel_last);
  auto n = [](int64_t v) { return std::to_string(v); };
  const std::string body =
      "    for (i = 0; i < " + n(out[0] * out[1] * out[2] * out[3]) + "; ++i) y[i] = (int8_t)" +
      n(xq.zero_point) + ";\n    for (a = 0; a < " + n(in[0]) + "; ++a)\n" +
      "      for (b = 0; b < " + n(in[1]) + "; ++b)\n        for (c = 0; c < " + n(in[2]) +
      "; ++c)\n          for (i = 0; i < " + n(in[3]) + "; ++i)\n            y[(((a + " +
      n(beg[0]) + ") * " + n(out[1]) + " + b + " + n(beg[1]) + ") * " + n(out[2]) + " + c + " +
      n(beg[2]) + ") * " + n(out[3]) + " + i + " + n(beg[3]) + "] = x[((a * " + n(in[1]) +
      " + b) * " + n(in[2]) + " + c) * " + n(in[3]) + " + i];\n";
  l.AddStep(&node, {xi}, {yi}, [=](const StepPointers& ptr) {
    return "    const int8_t* x = " + ptr.reads[0] + ";\n    int8_t* y = " + ptr.writes[0] +
           ";\n    int32_t a, b, c, i;\n" + body;
  });
  return Status::Ok();
}

// Per-tensor scale and zero point of a QuantizeLinear/DequantizeLinear node (constant inputs).
Status QdqParams(const Graph& g, const Node& node, float* scale, int32_t* zp) {
  const Value* s = node.input(1);
  const Value* z = node.input(2);
  if (!s || !s->is_constant() || s->dtype() != DType::kF32 || s->constant()->numel() != 1 ||
      (z && (!z->is_constant() || z->dtype() != DType::kS8 || z->constant()->numel() != 1)))
    return Unsupported(g.Where(&node) +
                       "codegen supports per-tensor int8 Quantize/DequantizeLinear only");
  *scale = s->constant()->data<float>()[0];
  *zp = z ? z->constant()->data<int8_t>()[0] : 0;
  return Status::Ok();
}

Status LowerQdq(Lowering& l, const Node& node) {
  float scale = 1.0f;
  int32_t zp = 0;
  TQ_RETURN_IF_ERROR(QdqParams(l.g, node, &scale, &zp));
  TQ_ASSIGN_OR_RETURN(int xi, l.In(node, 0));
  const bool quantize = node.op() == OpKind::kQuantizeLinear;
  if (l.V(xi).dtype != (quantize ? DType::kF32 : DType::kS8) ||
      node.output(0)->dtype() != (quantize ? DType::kS8 : DType::kF32))
    return Unsupported(l.g.Where(&node) + "codegen supports f32 <-> s8 Q/DQ only");
  const int yi = l.Out(node, 0, l.V(xi).channel_last);
  l.p.values[static_cast<size_t>(yi)].flat_c = l.V(xi).flat_c;
  const int64_t n = NumElements(node.input(0)->shape());
  const std::string s = FloatLiteral(scale), z = std::to_string(zp);
  if (quantize) l.p.helpers.insert("tq_gen_quantize_f32");
  l.AddStep(&node, {xi}, {yi}, [=](const StepPointers& ptr) {
    std::string c = "    const " + std::string(quantize ? "float" : "int8_t") +
                    "* x = " + ptr.reads[0] + ";\n    " + (quantize ? "int8_t" : "float") +
                    "* y = " + ptr.writes[0] + ";\n    int32_t i;\n    for (i = 0; i < " +
                    std::to_string(n) + "; ++i) ";
    if (quantize) return c + "y[i] = tq_gen_quantize_f32(x[i] / " + s + ", " + z + ");\n";
    return c + "y[i] = ((float)x[i] - (float)" + z + ") * " + s + ";\n";
  });
  return Status::Ok();
}

Status LowerFloat(Lowering& l, const Node& node) {
  TQ_ASSIGN_OR_RETURN(int xi, l.In(node, 0));
  if (l.V(xi).dtype != DType::kF32 || l.V(xi).flat_c > 0)
    return Unsupported(l.g.Where(&node) + "codegen cannot run this op in float");
  const int64_t n = NumElements(node.input(0)->shape());
  std::string body;
  int64_t weight_bytes = 0;
  if (node.op() == OpKind::kRelu) {
    body = "y[i] = x[i] > 0.0f ? x[i] : 0.0f;\n";
  } else {
    const Shape& xs = node.input(0)->shape();
    const int64_t c = xs.size() >= 2 ? xs[1] : 0;
    for (int i = 1; i <= 4; ++i) {
      const Value* v = node.input(i);
      if (!v || !v->is_constant() || v->dtype() != DType::kF32 || v->shape() != Shape{c})
        return Unsupported(l.g.Where(&node) + "codegen needs constant f32 [C] BN parameters");
    }
    if (node.GetInt("training_mode", 0) != 0)
      return Unsupported(l.g.Where(&node) + "training_mode = 1 is not supported");
    const float eps = node.GetFloat("epsilon", 1e-5f);
    const float* gam = node.input(1)->constant()->data<float>();
    const float* bet = node.input(2)->constant()->data<float>();
    const float* mean = node.input(3)->constant()->data<float>();
    const float* var = node.input(4)->constant()->data<float>();
    std::vector<float> a(static_cast<size_t>(c)), b(static_cast<size_t>(c));
    for (size_t ch = 0; ch < a.size(); ++ch) {  // BatchNormF32's order of float operations
      a[ch] = gam[ch] / std::sqrt(var[ch] + eps);
      b[ch] = bet[ch] - a[ch] * mean[ch];
    }
    const std::string as = l.p.consts.AddF32(a), bs = l.p.consts.AddF32(b);
    weight_bytes = 8 * c;
    // Channel-last storage or [N, C]: the channel is the fastest-varying index modulo C.
    // a*x + b with one rounding, as the host executor computes it (built with -mfma, GCC fuses
    // BatchNormF32's a * x + s into an FMA): the float product is exact in double, so only the
    // sum is rounded (to double, then float: equal to fmaf except in double-rounding ties).
    const std::string cs = std::to_string(c);
    body = "y[i] = (float)((double)" + as + "[i % " + cs + "] * (double)x[i] + (double)" + bs +
           "[i % " + cs + "]);\n";
  }
  const int yi = l.Out(node, 0, l.V(xi).channel_last);
  CgStep& s = l.AddStep(&node, {xi}, {yi}, [=](const StepPointers& ptr) {
    return "    const float* x = " + ptr.reads[0] + ";\n    float* y = " + ptr.writes[0] +
           ";\n    int32_t i;\n    for (i = 0; i < " + std::to_string(n) + "; ++i) " + body;
  });
  s.inplace_input = 0;
  s.weight_bytes = weight_bytes;
  return Status::Ok();
}

}  // namespace

Status LowerOtherNode(Lowering& l, const Node& node) {
  switch (node.op()) {
    case OpKind::kReshape:
    case OpKind::kFlatten:
    case OpKind::kSqueeze:
    case OpKind::kUnsqueeze:
    case OpKind::kIdentity:
    case OpKind::kDropout:
      return LowerView(l, node);
    case OpKind::kConcat:
      if (InQuantizedRegion(node)) return LowerConcat(l, node);
      break;
    case OpKind::kPad:
      if (InQuantizedRegion(node)) return LowerPad(l, node);
      break;
    case OpKind::kQuantizeLinear:
    case OpKind::kDequantizeLinear:
      return LowerQdq(l, node);
    case OpKind::kRelu:
    case OpKind::kBatchNormalization:
      if (node.output(0) && node.output(0)->dtype() == DType::kF32) return LowerFloat(l, node);
      break;
    default:
      break;
  }
  return Unsupported(
      l.g.Where(&node) + "C code generation does not support this " +
      (node.output(0) && node.output(0)->dtype() == DType::kF32 ? "float-fallback op" : "op") +
      " yet");
}

}  // namespace codegen
}  // namespace tinyq
