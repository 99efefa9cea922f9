// Lowering of the data-movement ops: views in the arena, or a transpose when the channel-last
// storage must become NCHW order; Concat (int8: copied or rescaled rows; f32: copied rows) and
// int8 Pad. Everything else outside the quantized region goes to lower_float.cc.
#include <algorithm>

#include "src/codegen/lower_internal.h"
#include "src/ir/tensor_op_params.h"
#include "src/runtime/tq_unary.h"

namespace tinyq {
namespace codegen {
namespace {

// True when only int8 Gemm nodes read `v` (as A). A float Gemm sums in the order of its input,
// so it gets the NCHW order through a transpose instead of permuted weights.
bool OnlyGemmReads(const Graph& g, const Value* v) {
  if (!g.outputs().empty() && g.outputs()[0] == v) return false;
  for (const Use& u : v->uses())
    if (u.node->op() != OpKind::kGemm || u.index != 0 || !InQuantizedRegion(*u.node)) return false;
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

// Concat along any axis of its storage layout: each input's rows are copied, or (int8) rescaled
// into the output's params with tq_rescale_s8 (the int8 executor's rule), one row per outer
// index.
Status LowerConcat(Lowering& l, const Node& node) {
  const Graph& g = l.g;
  const bool f32 = node.output(0)->dtype() == DType::kF32;
  const std::string ctype = f32 ? "float" : "int8_t";
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
    if (l.V(v).dtype != node.output(0)->dtype())
      return Unsupported(g.Where(&node) + "inputs and output must have one element type");
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
  ActQuant yq, xq;
  if (!f32) {
    TQ_ASSIGN_OR_RETURN(yq, GetActQuant(g, node, node.output(0), "output"));
  }
  std::string head, body;
  int64_t off = 0;
  for (size_t i = 0; i < ins.size(); ++i) {
    if (!f32) {
      TQ_ASSIGN_OR_RETURN(
          xq, GetActQuant(g, node, node.input(static_cast<int>(i)), "input " + std::to_string(i)));
    }
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
      c += "    const " + ctype + "* x" + std::to_string(i) + " = " + ptr.reads[i] + ";\n";
    c += "    " + ctype + "* y = " + ptr.writes[0] + ";\n    int32_t o, k;\n    (void)k;\n";
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
      if (InQuantizedRegion(node) || (node.output(0) && node.output(0)->dtype() == DType::kF32))
        return LowerConcat(l, node);
      break;
    case OpKind::kPad:
      if (InQuantizedRegion(node)) return LowerPad(l, node);
      break;
    default:
      if (!InQuantizedRegion(node)) return LowerFloatNode(l, node);
      break;
  }
  return Unsupported(l.g.Where(&node) + "C code generation does not support this op yet");
}

}  // namespace codegen
}  // namespace tinyq
