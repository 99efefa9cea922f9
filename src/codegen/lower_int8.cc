// Lowering of the int8 ops to calls of the C99 runtime (src/runtime), with the same parameters
// the int8 executor's prepare computes (src/exec/int8_*.cc; the LUT, Add/Mul and softmax
// parameters through the shared src/exec/int8_params.h), so the generated code gives the
// executor's bytes. Weights are reordered at export: conv OIHW -> OHWI, depthwise -> [1,KH,KW,C],
// and Gemm columns permuted when the input is a channel-last flattened value. A non-depthwise
// Conv or a Gemm whose tq_sparse encoding is smaller than its dense weights (magnitude pruning)
// gets the mask + nonzero values as const arrays and the runtime's sparse kernel, as in the int8
// executor (src/exec/int8_sparse.h); the results are the same bits.
#include <algorithm>
#include <optional>
#include <sstream>

#include "src/codegen/lower_internal.h"
#include "src/exec/int8_params.h"
#include "src/exec/int8_sparse.h"
#include "src/ir/conv_geometry.h"
#include "src/runtime/tq_conv.h"
#include "src/runtime/tq_depthwise.h"
#include "src/runtime/tq_fully_connected.h"
#include "src/runtime/tq_pool.h"
#include "src/runtime/tq_softmax.h"

namespace tinyq {
namespace codegen {
namespace {

std::string Tile(int64_t h, int64_t w) {
  return "{" + std::to_string(h) + ", " + std::to_string(w) + "}";
}
const char* kCheck = "    if (st != TQ_OK) return st;\n";

Status CheckMultipliers(const Graph& g, const Node& node, const ChannelMultipliers& m) {
  for (size_t c = 0; c < m.multiplier.size(); ++c)
    if (tq_multiplier_validate(m.multiplier[c], m.shift[c]) != TQ_OK)
      return Unsupported(g.Where(&node) + "requantization multiplier of channel " +
                         std::to_string(c) + " is out of the runtime's range");
  return Status::Ok();
}

// What Conv and Gemm share: input/output params, int32 bias, per-channel multipliers (checked
// against the runtime's range) and the fused-activation clamp.
struct MacQuant {
  ActQuant x, y;
  std::vector<int32_t> bias;
  ChannelMultipliers mult;
  tq_activation act{};
};

StatusOr<MacQuant> ReadMacQuant(const Graph& g, const Node& node, int64_t cout) {
  MacQuant q;
  TQ_ASSIGN_OR_RETURN(q.x, GetActQuant(g, node, node.input(0), "input 0"));
  TQ_ASSIGN_OR_RETURN(q.y, GetActQuant(g, node, node.output(0), "output 0"));
  TQ_ASSIGN_OR_RETURN(std::vector<float> ws, GetWeightScales(g, node, node.input(1), cout));
  TQ_ASSIGN_OR_RETURN(q.bias, GetBiasS32(g, node, node.input(2), cout, q.x.scale, ws));
  TQ_ASSIGN_OR_RETURN(q.mult, MakeChannelMultipliers(g, node, q.x.scale, ws, q.y.scale));
  TQ_RETURN_IF_ERROR(CheckMultipliers(g, node, q.mult));
  TQ_ASSIGN_OR_RETURN(q.act, FusedActivationS8(g, node, q.y));
  return q;
}

// How a MAC layer calls the runtime: `head` declares p and the dims; the call is
// `fn(&ctx, &p, &q, <before_x>X<after_x>W, B<before_y>Y)`. When the layer may use the sparse
// weight format (sparse_fn non-empty) and the tq_sparse encoding of its [rows, cols] weights is
// smaller than dense (EncodeIfSmaller: the int8 executor's rule), W becomes `&w`, a tq_sparse_s8
// over two const arrays (mask, nonzero values), and the call sparse_fn (without &ctx and scratch
// when sparse_ctx is false). B is the MacQuant bias, or dense_bias for dense weights when set
// (tq_conv2d_s8 takes the folded kernel bias; its sparse twin the plain bias).
struct MacCall {
  std::string head, fn, sparse_fn;
  std::optional<std::vector<int32_t>> dense_bias;
  bool sparse_ctx = true;
  std::string before_x, after_x, before_y;
  size_t scratch = 0;
  int64_t rows = 0, cols = 0;
};

// Adds the step of a MAC layer with its const arrays (weights, bias, multipliers, shifts).
void AddMacStep(Lowering& l, const Node& node, int xi, int yi, const std::vector<int8_t>& filter,
                const MacQuant& q, MacCall c) {
  std::optional<SparseWeightsS8> sparse;
  if (!c.sparse_fn.empty()) sparse = EncodeIfSmaller(filter.data(), c.rows, c.cols);
  std::string w, wdecl;
  int64_t wbytes = static_cast<int64_t>(filter.size());
  if (sparse) {
    const std::string mask = l.p.consts.AddU8(sparse->mask);
    const std::string values = l.p.consts.AddS8(sparse->values);
    wdecl = "    const tq_sparse_s8 w = {" + std::to_string(sparse->rows) + ", " +
            std::to_string(sparse->cols) + ", " + mask + ", " + values + "};\n";
    w = "&w";
    wbytes = sparse->bytes();
    l.p.sparse_layers.push_back(node.name());
    c.fn = c.sparse_fn;
    if (!c.sparse_ctx) c.scratch = 0;
  } else {
    w = l.p.consts.AddS8(filter);
  }
  const bool ctx = !sparse || c.sparse_ctx;
  // Bias words and multipliers, plus shifts unless they are packed into the bias words (see
  // ChannelQuantArrays).
  const ChannelQuantArrays arrays =
      PackChannelQuant(!sparse && c.dense_bias ? *c.dense_bias : q.bias, q.mult);
  const std::string b = l.p.consts.AddS32(arrays.bias);
  const std::string m = l.p.consts.AddS32(arrays.multiplier);
  const std::string sh = arrays.shift.empty() ? "NULL" : l.p.consts.AddS32(arrays.shift);
  CgStep& s = l.AddStep(&node, {xi}, {yi}, [=](const StepPointers& ptr) {
    return c.head + "    const tq_per_channel_quant_params q = {" + m + ", " + sh + "};\n" +
           (ctx ? "    const tq_context ctx = {" + ptr.scratch + ", " + std::to_string(c.scratch) +
                      "};\n"
                : std::string()) +
           wdecl + "    st = " + c.fn + "(" + (ctx ? "&ctx, " : "") + "&p, &q, " + c.before_x +
           ptr.reads[0] + c.after_x + w + ", " + b + c.before_y + ptr.writes[0] + ");\n" + kCheck;
  });
  s.scratch_bytes = static_cast<int64_t>(c.scratch);
  s.macs = NodeMacs(node);
  s.weight_bytes = wbytes + static_cast<int64_t>(
      4 * (arrays.bias.size() + arrays.multiplier.size() + arrays.shift.size()));
}

Status LowerConv(Lowering& l, const Node& node) {
  const Graph& g = l.g;
  const Value* x = node.input(0);
  const Value* wv = node.input(1);
  if (!x || !wv || !wv->is_constant())
    return Unsupported(g.Where(&node) + "codegen needs X and a constant W");
  const Shape& xs = x->shape();
  const Shape& ws = wv->shape();
  if ((xs.size() != 4 && xs.size() != 3) || ws.size() != xs.size())
    return Unsupported(g.Where(&node) + "codegen supports 1-D and 2-D convolutions");
  const int64_t groups = node.GetInt("group", 1);
  if (groups < 1 || ws[1] * groups != xs[1] || ws[0] % groups != 0)
    return InvalidModel(g.Where(&node) + "input and weight do not match the group count");
  TQ_ASSIGN_OR_RETURN(ConvGeometry geo,
                      ComputeConvGeometry(g, node, xs, Shape(ws.begin() + 2, ws.end()), false));
  const bool two_d = xs.size() == 4;
  auto at = [&](const std::vector<int64_t>& v, int d, int64_t unit) {
    return two_d ? v[static_cast<size_t>(d)] : (d == 0 ? unit : v[0]);
  };
  const int64_t n = xs[0], cin = xs[1], cout = ws[0];
  const int64_t h = at(geo.in, 0, 1), w = at(geo.in, 1, 1), kh = at(geo.kernel, 0, 1),
                kw = at(geo.kernel, 1, 1), oh = at(geo.out, 0, 1), ow = at(geo.out, 1, 1);
  TQ_ASSIGN_OR_RETURN(MacQuant mq, ReadMacQuant(g, node, cout));
  const ActQuant& xq = mq.x;
  const ActQuant& yq = mq.y;
  const std::vector<int32_t>& bias = mq.bias;
  const tq_activation act = mq.act;
  TQ_ASSIGN_OR_RETURN(tq_dims in, ToDims(g, node, n, h, w, cin));
  TQ_ASSIGN_OR_RETURN(tq_dims out, ToDims(g, node, n, oh, ow, cout));
  const bool depthwise = groups > 1 && groups == cin;
  const int64_t cg = cin / groups, taps = kh * kw;
  const int8_t* src = wv->constant()->data<int8_t>();
  std::vector<int8_t> filter(static_cast<size_t>(cout * cg * taps));
  tq_dims filt{};
  if (depthwise) {
    TQ_ASSIGN_OR_RETURN(filt, ToDims(g, node, 1, kh, kw, cout));
    for (int64_t oc = 0; oc < cout; ++oc)
      for (int64_t t = 0; t < taps; ++t)
        filter[static_cast<size_t>(t * cout + oc)] = src[oc * taps + t];
  } else {
    TQ_ASSIGN_OR_RETURN(filt, ToDims(g, node, cout, kh, kw, cg));
    for (int64_t oc = 0; oc < cout; ++oc)
      for (int64_t ci = 0; ci < cg; ++ci)
        for (int64_t t = 0; t < taps; ++t)
          filter[static_cast<size_t>((oc * taps + t) * cg + ci)] = src[(oc * cg + ci) * taps + t];
  }
  const tq_tile stride{static_cast<int32_t>(at(geo.strides, 0, 1)),
                       static_cast<int32_t>(at(geo.strides, 1, 1))};
  const tq_tile pad{static_cast<int32_t>(at(geo.pad_begin, 0, 0)),
                    static_cast<int32_t>(at(geo.pad_begin, 1, 0))};
  const tq_tile dil{static_cast<int32_t>(at(geo.dilations, 0, 1)),
                    static_cast<int32_t>(at(geo.dilations, 1, 1))};
  const int32_t in_off = -xq.zero_point;
  tq_status st;
  int64_t bound;
  size_t scratch = 0;
  std::ostringstream params;
  if (depthwise) {
    const tq_dw_conv_params dw{
        in_off, yq.zero_point, static_cast<int32_t>(cout / cin), stride, pad, dil, act};
    st = tq_depthwise_conv2d_s8_validate(&dw, &in, &filt, &out);
    bound = tq_depthwise_conv2d_s8_acc_bound(&filt, filter.data(), bias.data(), in_off);
    scratch = tq_depthwise_conv2d_s8_get_buffer_size(&dw, &filt, &out);
    params << "    static const tq_dw_conv_params p = {" << in_off << ", " << yq.zero_point << ", "
           << cout / cin << ", " << Tile(stride.h, stride.w) << ", " << Tile(pad.h, pad.w) << ", "
           << Tile(dil.h, dil.w) << ", " << ActLiteral(act) << "};\n";
  } else {
    const tq_conv_params cp{in_off, yq.zero_point, stride, pad, dil, static_cast<int32_t>(groups),
                            act};
    st = tq_conv2d_s8_validate(&cp, &in, &filt, &out);
    bound = tq_conv2d_s8_acc_bound(&filt, filter.data(), bias.data(), in_off);
    scratch = tq_conv2d_s8_get_buffer_size(&filt);
    params << "    static const tq_conv_params p = {" << in_off << ", " << yq.zero_point << ", "
           << Tile(stride.h, stride.w) << ", " << Tile(pad.h, pad.w) << ", " << Tile(dil.h, dil.w)
           << ", " << groups << ", " << ActLiteral(act) << "};\n";
  }
  if (st != TQ_OK)
    return Unsupported(g.Where(&node) + "the int8 runtime does not support this geometry");
  if (bound > INT32_MAX)
    return Unsupported(g.Where(&node) + "worst-case int32 accumulator bound exceeds INT32_MAX");
  std::optional<std::vector<int32_t>> kernel_bias;
  if (!depthwise) {  // tq_conv2d_s8 takes the kernel bias bias + input_offset * sum(w)
    kernel_bias.emplace(bias.size());
    tq_conv2d_s8_kernel_bias(&filt, filter.data(), bias.data(), in_off, kernel_bias->data());
  }
  params << "    static const tq_dims in = " << DimsLiteral(n, h, w, cin)
         << ", f = " << DimsLiteral(filt.n, filt.h, filt.w, filt.c)
         << ", out = " << DimsLiteral(n, oh, ow, cout) << ";\n";
  TQ_ASSIGN_OR_RETURN(int xi, l.In(node, 0));
  const int yi = l.Out(node, 0, true);
  MacCall call;
  call.head = params.str();
  call.fn = depthwise ? "tq_depthwise_conv2d_s8" : "tq_conv2d_s8";
  call.sparse_fn = depthwise ? "" : "tq_conv2d_sparse_s8";
  call.sparse_ctx = false;
  call.dense_bias = std::move(kernel_bias);
  call.before_x = "&in, ";
  call.after_x = ", &f, ";
  call.before_y = ", &out, ";
  call.scratch = scratch;
  call.rows = cout;
  call.cols = taps * cg;
  AddMacStep(l, node, xi, yi, filter, mq, call);
  return Status::Ok();
}

Status LowerGemm(Lowering& l, const Node& node) {
  const Graph& g = l.g;
  const Value* a = node.input(0);
  const Value* b = node.input(1);
  if (!a || !b || !b->is_constant())
    return Unsupported(g.Where(&node) + "codegen needs a constant B");
  if (node.GetInt("transA", 0) != 0 || node.GetInt("transB", 0) != 1 ||
      node.GetFloat("alpha", 1.0f) != 1.0f || node.GetFloat("beta", 1.0f) != 1.0f)
    return Unsupported(g.Where(&node) + "int8 Gemm needs transA = 0, transB = 1, alpha = beta = 1");
  const Shape& as = a->shape();
  const Shape& bs = b->shape();
  if (as.size() != 2 || bs.size() != 2 || as[1] != bs[1])
    return InvalidModel(g.Where(&node) + "A and B must be [M,K] and [N,K]");
  const int64_t m = as[0], k = as[1], n = bs[0];
  TQ_ASSIGN_OR_RETURN(MacQuant mq, ReadMacQuant(g, node, n));
  const ActQuant& xq = mq.x;
  const ActQuant& yq = mq.y;
  const std::vector<int32_t>& bias = mq.bias;
  const tq_activation act = mq.act;
  TQ_ASSIGN_OR_RETURN(int xi, l.In(node, 0));
  const tq_fc_dims dims{static_cast<int32_t>(m), static_cast<int32_t>(k), static_cast<int32_t>(n)};
  const tq_fc_params fp{-xq.zero_point, yq.zero_point, 1, act};
  if (tq_fully_connected_s8_validate(&fp, &dims) != TQ_OK)
    return Unsupported(g.Where(&node) + "parameters rejected by tq_fully_connected_s8");
  const int8_t* src = b->constant()->data<int8_t>();
  std::vector<int8_t> filter(src, src + n * k);
  const int64_t c = l.V(xi).flat_c;
  if (c > 0) {  // columns c*HW + hw (NCHW flatten) -> hw*C + c (channel-last flatten)
    const int64_t hw = k / c;
    for (int64_t o = 0; o < n; ++o)
      for (int64_t ci = 0; ci < c; ++ci)
        for (int64_t p = 0; p < hw; ++p)
          filter[static_cast<size_t>(o * k + p * c + ci)] = src[o * k + ci * hw + p];
  }
  if (tq_fully_connected_s8_acc_bound(&dims, filter.data(), bias.data(), -xq.zero_point) >
      INT32_MAX)
    return Unsupported(g.Where(&node) + "worst-case int32 accumulator bound exceeds INT32_MAX");
  const size_t scratch = tq_fully_connected_s8_get_buffer_size(&dims);
  const int yi = l.Out(node, 0, true);
  std::ostringstream head;
  head << "    static const tq_fc_params p = {" << -xq.zero_point << ", " << yq.zero_point
       << ", 1, " << ActLiteral(act) << "};\n"
       << "    static const tq_fc_dims d = {" << m << ", " << k << ", " << n << "};\n";
  MacCall call;
  call.head = head.str();
  call.fn = "tq_fully_connected_s8";
  call.sparse_fn = "tq_fully_connected_sparse_s8";
  call.before_x = "&d, ";
  call.after_x = ", ";
  call.before_y = ", ";
  call.scratch = scratch;
  call.rows = n;
  call.cols = k;
  AddMacStep(l, node, xi, yi, filter, mq, call);
  return Status::Ok();
}

Status LowerPool(Lowering& l, const Node& node) {
  const Graph& g = l.g;
  const Value* x = node.input(0);
  if (!x || x->shape().size() != 4 || (node.num_outputs() > 1 && node.output(1)))
    return Unsupported(g.Where(&node) + "codegen supports 4-D pooling without Indices only");
  const Shape& xs = x->shape();
  TQ_ASSIGN_OR_RETURN(ActQuant xq, GetActQuant(g, node, x, "input X"));
  TQ_ASSIGN_OR_RETURN(ActQuant yq, GetActQuant(g, node, node.output(0), "output Y"));
  TQ_ASSIGN_OR_RETURN(int xi, l.In(node, 0));
  const int yi = l.Out(node, 0, true);
  std::ostringstream p;
  std::string call;
  if (node.op() == OpKind::kGlobalAveragePool) {
    const double real =
        static_cast<double>(xq.scale) / (static_cast<double>(yq.scale) * xs[2] * xs[3]);
    TQ_ASSIGN_OR_RETURN(ChannelMultipliers m, MakeMultiplier(g, node, real));
    p << "    static const tq_global_pool_params p = {" << xq.zero_point << ", " << yq.zero_point
      << ", " << m.multiplier[0] << ", " << m.shift[0] << ", {-128, 127}};\n"
      << "    static const tq_dims in = " << DimsLiteral(xs[0], xs[2], xs[3], xs[1]) << ";\n";
    call = "tq_global_avg_pool_s8(&p, &in, ";
  } else {
    TQ_RETURN_IF_ERROR(CheckSameQuant(g, node, xq, yq));
    int64_t kh = xs[2], kw = xs[3], sh = xs[2], sw = xs[3], ph = 0, pw = 0, oh = 1, ow = 1;
    int cip = 0;
    if (node.op() != OpKind::kGlobalMaxPool) {
      const std::vector<int64_t> kernel = node.GetInts("kernel_shape");
      if (kernel.size() != 2) return InvalidModel(g.Where(&node) + "kernel_shape needs 2 values");
      TQ_ASSIGN_OR_RETURN(ConvGeometry geo, ComputeConvGeometry(g, node, xs, kernel, true));
      if (geo.dilations[0] != 1 || geo.dilations[1] != 1 || node.GetInt("storage_order", 0) != 0)
        return Unsupported(g.Where(&node) + "pool dilations/storage_order are not supported");
      kh = kernel[0], kw = kernel[1], sh = geo.strides[0], sw = geo.strides[1];
      ph = geo.pad_begin[0], pw = geo.pad_begin[1], oh = geo.out[0], ow = geo.out[1];
      cip = node.op() == OpKind::kAveragePool && node.GetInt("count_include_pad", 0) != 0;
    }
    const tq_pool_params pp{{static_cast<int32_t>(kh), static_cast<int32_t>(kw)},
                            {static_cast<int32_t>(sh), static_cast<int32_t>(sw)},
                            {static_cast<int32_t>(ph), static_cast<int32_t>(pw)},
                            cip,
                            xq.zero_point,
                            {-128, 127}};
    TQ_ASSIGN_OR_RETURN(tq_dims in, ToDims(g, node, xs[0], xs[2], xs[3], xs[1]));
    TQ_ASSIGN_OR_RETURN(tq_dims out, ToDims(g, node, xs[0], oh, ow, xs[1]));
    if (tq_pool2d_s8_validate(&pp, &in, &out) != TQ_OK)
      return Unsupported(g.Where(&node) + "window geometry not supported by the int8 runtime");
    p << "    static const tq_pool_params p = {" << Tile(kh, kw) << ", " << Tile(sh, sw) << ", "
      << Tile(ph, pw) << ", " << cip << ", " << xq.zero_point << ", {-128, 127}};\n"
      << "    static const tq_dims in = " << DimsLiteral(in.n, in.h, in.w, in.c)
      << ", out = " << DimsLiteral(out.n, out.h, out.w, out.c) << ";\n";
    call = node.op() == OpKind::kAveragePool ? "tq_avg_pool2d_s8(&p, &in, "
                                             : "tq_max_pool2d_s8(&p, &in, ";
  }
  const bool has_out = call.rfind("tq_global", 0) != 0;
  const std::string head = p.str();
  l.AddStep(&node, {xi}, {yi}, [=](const StepPointers& ptr) {
    return head + "    " + call + ptr.reads[0] + (has_out ? ", &out, " : ", ") + ptr.writes[0] +
           ");\n";
  });
  return Status::Ok();
}

Status LowerLut(Lowering& l, const Node& node) {
  const Value* x = node.input(0);
  TQ_ASSIGN_OR_RETURN(std::vector<int8_t> table, MakeLutS8(l.g, node));
  TQ_ASSIGN_OR_RETURN(int xi, l.In(node, 0));
  const int yi = l.Out(node, 0, l.V(xi).channel_last);
  l.p.values[static_cast<size_t>(yi)].flat_c = l.V(xi).flat_c;
  const std::string tsym = l.p.consts.AddS8(table);
  const int64_t size = NumElements(x->shape());
  CgStep& s = l.AddStep(&node, {xi}, {yi}, [=](const StepPointers& ptr) {
    return "    tq_lut_s8(" + tsym + ", " + ptr.reads[0] + ", " + std::to_string(size) + ", " +
           ptr.writes[0] + ");\n";
  });
  s.inplace_input = 0;
  s.weight_bytes = 256;
  return Status::Ok();
}

Status LowerSoftmax(Lowering& l, const Node& node) {
  const Graph& g = l.g;
  const Value* x = node.input(0);
  TQ_ASSIGN_OR_RETURN(ActQuant xq, GetActQuant(g, node, x, "input X"));
  TQ_ASSIGN_OR_RETURN(int xi, l.In(node, 0));
  const Shape& xs = x->shape();
  const int rank = static_cast<int>(xs.size());
  int64_t axis = node.GetInt("axis", g.opset() < 13 ? 1 : -1);
  if (axis < 0) axis += rank;
  const bool last = l.V(xi).channel_last ? axis == 1 : axis == rank - 1;
  if (rank == 0 || !last || l.V(xi).flat_c > 0 || (g.opset() < 13 && rank > 2))
    return Unsupported(g.Where(&node) + "codegen supports Softmax over the channel axis only");
  const int64_t depth = xs[static_cast<size_t>(axis)];
  const int64_t rows = NumElements(xs) / depth;
  if (depth > TQ_SOFTMAX_MAX_DEPTH) return Unsupported(g.Where(&node) + "softmax rows too long");
  const std::vector<int32_t> table = SoftmaxExpTableS8(xq.scale);
  const int yi = l.Out(node, 0, l.V(xi).channel_last);
  const std::string tsym = l.p.consts.AddS32(table);
  CgStep& s = l.AddStep(&node, {xi}, {yi}, [=](const StepPointers& ptr) {
    return "    tq_softmax_s8(" + tsym + ", " + ptr.reads[0] + ", " + std::to_string(rows) + ", " +
           std::to_string(depth) + ", " + ptr.writes[0] + ");\n";
  });
  s.weight_bytes = 1024;
  return Status::Ok();
}

}  // namespace

Status LowerInt8Node(Lowering& l, const Node& node) {
  if (!InQuantizedRegion(node)) return LowerOtherNode(l, node);
  if (IsInt8LutOp(node.op())) return LowerLut(l, node);
  switch (node.op()) {
    case OpKind::kConv:
      return LowerConv(l, node);
    case OpKind::kGemm:
      return LowerGemm(l, node);
    case OpKind::kAdd:
    case OpKind::kMul:
      return LowerBinaryS8(l, node);
    case OpKind::kMaxPool:
    case OpKind::kAveragePool:
    case OpKind::kGlobalAveragePool:
    case OpKind::kGlobalMaxPool:
      return LowerPool(l, node);
    case OpKind::kSoftmax:
      return LowerSoftmax(l, node);
    default:
      return LowerOtherNode(l, node);
  }
}

}  // namespace codegen
}  // namespace tinyq
