// int8 node kernel of Conv (QOp form, docs/quantized_ir.md): s8 activations, s8 OIHW
// per-channel weights, optional s32 bias, optional fused tq_act.
//
// prepare: reads the geometry with ComputeConvGeometry (the same ONNX rules as the float
// kernel), reorders the weights once (OIHW -> OHWI; -> [1,KH,KW,Cout] for depthwise, group ==
// Cin > 1), computes the per-channel multipliers s_in*s_w[c]/s_out, the output clamp, refuses
// kernels whose worst-case accumulator exceeds INT32_MAX, and picks the runtime kernel: the host
// variants of src/runtime/vec (vectorized) when their accumulator bound holds, else the
// Cortex-M kernels the generated code runs (same results), or the sparse kernel for weights
// whose tq_sparse encoding is smaller. Eval: the runtime call on NHWC data; an input or output
// the executor keeps channel-last (int8_layout.h) is used in place, an NCHW one is copied
// through a scratch tensor (exact data movement, so results are the runtime's bit for bit).
//
// 1-D convolutions ([N,C,L]) run as 2-D with H = 1. Padding: the runtime takes top/left pads and
// implies bottom/right from the output size; tq_conv2d_s8_validate accepts asymmetric pads as
// long as the implied bottom/right pad is at most max(top, (K-1)*dilation), else prepare refuses.
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "src/exec/int8_common.h"
#include "src/exec/int8_layout.h"
#include "src/exec/int8_sparse.h"
#include "src/ir/conv_geometry.h"
#include "src/runtime/tq_conv.h"
#include "src/runtime/tq_depthwise.h"
#include "src/runtime/vec/tq_vec.h"

namespace tinyq {
namespace {

class ConvS8Kernel : public KernelInstance {
 public:
  void Eval(KernelIO& io) override {
    const int8_t* x = io.inputs[0]->data<int8_t>();
    if (!x_channel_last_) {
      RunStridedCopy(to_nhwc_, x, x_nhwc_.data());
      x = x_nhwc_.data();
    }
    int8_t* y = y_channel_last_ ? io.outputs[0]->data<int8_t>() : y_nhwc_.data();
    const tq_per_channel_quant_params q = quant_.Params();
    const tq_vec_quant vq{vec_bias_.data(), quant_.multiplier.data(), quant_.shift.data(),
                          rounds_.empty() ? nullptr : rounds_.data()};
    const tq_context ctx{scratch_.data(), scratch_.size() * sizeof(int32_t)};
    switch (path_) {
      case Path::kSparse: {
        const tq_sparse_s8 w = sparse_->View();
        (void)tq_conv2d_sparse_s8(&conv_, &q, &in_, x, &filt_, &w, quant_.bias.data(), &out_, y);
        break;
      }
      case Path::kVecConv:
        (void)tq_conv2d_vec_s8(&ctx, &conv_, &vq, &in_, x, &filt_, filter_.data(), &out_, y);
        break;
      case Path::kVecDepthwise:
        (void)tq_depthwise_conv2d_vec_s8(&ctx, &dw_, &vq, &in_, x, &filt_, filter_.data(), &out_,
                                         y);
        break;
      case Path::kDepthwise:
        (void)tq_depthwise_conv2d_s8(&ctx, &dw_, &q, &in_, x, &filt_, filter_.data(),
                                     quant_.bias.data(), &out_, y);
        break;
      case Path::kConv:
        (void)tq_conv2d_s8(&ctx, &conv_, &q, &in_, x, &filt_, filter_.data(), quant_.bias.data(),
                           &out_, y);
        break;
    }
    if (!y_channel_last_) RunStridedCopy(to_nchw_, y, io.outputs[0]->raw());
  }

  // The runtime kernel: the host variants (src/runtime/vec) whenever their bound holds, else the
  // Cortex-M kernels (same results either way).
  enum class Path { kConv, kDepthwise, kVecConv, kVecDepthwise, kSparse };
  Path path_ = Path::kConv;
  tq_conv_params conv_{};
  tq_dw_conv_params dw_{};
  tq_dims in_{}, filt_{}, out_{};
  std::vector<int8_t> filter_;
  std::optional<SparseWeightsS8> sparse_;  // replaces filter_ when smaller (int8_sparse.h)
  ChannelQuantArrays quant_;               // bias, multipliers, shifts (separate for kVec*)
  std::vector<int32_t> vec_bias_;          // the host kernels' bias (tq_vec.h)
  std::vector<int64_t> rounds_;            // tq_vec_quant.round (empty: mixed shifts)
  // Channel-last input/output (int8_layout.h) or an order where both layouts coincide: no copy.
  bool x_channel_last_ = false, y_channel_last_ = false;
  StridedCopyPlan to_nhwc_, to_nchw_;
  std::vector<int8_t> x_nhwc_, y_nhwc_;
  std::vector<int32_t> scratch_;  // int32 storage keeps the runtime's 4-byte alignment
};

// Geometry in 2-D form: 1-D convs get a unit height.
struct Conv2dShape {
  int64_t n, cin, h, w, cout, kh, kw, oh, ow;
  int64_t stride_h, stride_w, dil_h, dil_w, pad_top, pad_left;
};

StatusOr<Conv2dShape> ResolveShape(const Graph& graph, const Node& node, int64_t groups) {
  const Value* x = node.input(0);
  const Value* w = node.input(1);
  if (!x || !w) return InvalidModel(graph.Where(&node) + "X and W are required");
  const Shape& xs = x->shape();
  const Shape& ws = w->shape();
  if ((xs.size() != 4 && xs.size() != 3) || ws.size() != xs.size())
    return Unsupported(graph.Where(&node) +
                       "int8 Conv supports 1-D and 2-D convolutions, got input " +
                       ShapeToString(xs) + " and weight " + ShapeToString(ws));
  if (groups < 1 || ws[1] * groups != xs[1] || ws[0] % groups != 0)
    return InvalidModel(graph.Where(&node) + "input " + ShapeToString(xs) + " and weight " +
                        ShapeToString(ws) + " do not match with group = " + std::to_string(groups));
  const std::vector<int64_t> kernel(ws.begin() + 2, ws.end());
  TQ_ASSIGN_OR_RETURN(ConvGeometry g, ComputeConvGeometry(graph, node, xs, kernel, false));
  const bool two_d = xs.size() == 4;
  auto at = [&](const std::vector<int64_t>& v, int d2, int64_t unit) {
    return two_d ? v[static_cast<size_t>(d2)] : (d2 == 0 ? unit : v[0]);
  };
  Conv2dShape s{};
  s.n = xs[0];
  s.cin = xs[1];
  s.h = at(g.in, 0, 1);
  s.w = at(g.in, 1, 1);
  s.cout = ws[0];
  s.kh = at(g.kernel, 0, 1);
  s.kw = at(g.kernel, 1, 1);
  s.oh = at(g.out, 0, 1);
  s.ow = at(g.out, 1, 1);
  s.stride_h = at(g.strides, 0, 1);
  s.stride_w = at(g.strides, 1, 1);
  s.dil_h = at(g.dilations, 0, 1);
  s.dil_w = at(g.dilations, 1, 1);
  s.pad_top = at(g.pad_begin, 0, 0);
  s.pad_left = at(g.pad_begin, 1, 0);
  Shape ys = {s.n, s.cout};
  ys.insert(ys.end(), g.out.begin(), g.out.end());
  TQ_RETURN_IF_ERROR(CheckS8Output(graph, node, 0, ys));
  constexpr int64_t kMax = 65535;
  if (s.stride_h > kMax || s.stride_w > kMax || s.dil_h > kMax || s.dil_w > kMax ||
      s.pad_top > kMax || s.pad_left > kMax || s.kh > kMax || s.kw > kMax)
    return Unsupported(graph.Where(&node) + "strides, dilations, pads or kernel above 65535");
  return s;
}

StatusOr<std::unique_ptr<KernelInstance>> PrepareConvLayoutS8(const Graph& graph, const Node& node,
                                                              const Int8Layouts& layouts) {
  const int64_t groups = node.GetInt("group", 1);
  TQ_ASSIGN_OR_RETURN(Conv2dShape s, ResolveShape(graph, node, groups));
  TQ_ASSIGN_OR_RETURN(ActQuant xq, GetActQuant(graph, node, node.input(0), "input X"));
  TQ_ASSIGN_OR_RETURN(ActQuant yq, GetActQuant(graph, node, node.output(0), "output Y"));
  TQ_ASSIGN_OR_RETURN(std::vector<float> ws, GetWeightScales(graph, node, node.input(1), s.cout));
  TQ_ASSIGN_OR_RETURN(std::vector<int32_t> bias,
                      GetBiasS32(graph, node, node.input(2), s.cout, xq.scale, ws));
  TQ_ASSIGN_OR_RETURN(ChannelMultipliers mult,
                      MakeChannelMultipliers(graph, node, xq.scale, ws, yq.scale));
  TQ_ASSIGN_OR_RETURN(tq_activation act, FusedActivationS8(graph, node, yq));

  auto k = std::make_unique<ConvS8Kernel>();
  if (groups > 1 && groups == s.cin) k->path_ = ConvS8Kernel::Path::kDepthwise;
  TQ_ASSIGN_OR_RETURN(k->in_, ToDims(graph, node, s.n, s.h, s.w, s.cin));
  TQ_ASSIGN_OR_RETURN(k->out_, ToDims(graph, node, s.n, s.oh, s.ow, s.cout));
  const int64_t cg = s.cin / groups;  // input channels per group = W dim 1
  const int8_t* w = node.input(1)->constant()->data<int8_t>();
  const int64_t taps = s.kh * s.kw;
  k->filter_.resize(static_cast<size_t>(s.cout * cg * taps));
  if (k->path_ == ConvS8Kernel::Path::kDepthwise) {
    // [1,KH,KW,Cout]: oc = ic * multiplier + m is also the ONNX output channel order.
    TQ_ASSIGN_OR_RETURN(k->filt_, ToDims(graph, node, 1, s.kh, s.kw, s.cout));
    for (int64_t oc = 0; oc < s.cout; ++oc)
      for (int64_t t = 0; t < taps; ++t)
        k->filter_[static_cast<size_t>(t * s.cout + oc)] = w[oc * taps + t];
  } else {
    TQ_ASSIGN_OR_RETURN(k->filt_, ToDims(graph, node, s.cout, s.kh, s.kw, cg));
    for (int64_t oc = 0; oc < s.cout; ++oc)
      for (int64_t ci = 0; ci < cg; ++ci)
        for (int64_t t = 0; t < taps; ++t)
          k->filter_[static_cast<size_t>((oc * taps + t) * cg + ci)] = w[(oc * cg + ci) * taps + t];
  }
  const tq_tile stride{static_cast<int32_t>(s.stride_h), static_cast<int32_t>(s.stride_w)};
  const tq_tile pad{static_cast<int32_t>(s.pad_top), static_cast<int32_t>(s.pad_left)};
  const tq_tile dil{static_cast<int32_t>(s.dil_h), static_cast<int32_t>(s.dil_w)};
  const int32_t in_off = -xq.zero_point;
  int64_t bound = 0;
  tq_status st;
  if (k->path_ == ConvS8Kernel::Path::kDepthwise) {
    k->dw_ = {in_off, yq.zero_point, static_cast<int32_t>(s.cout / s.cin), stride, pad, dil, act};
    st = tq_depthwise_conv2d_s8_validate(&k->dw_, &k->in_, &k->filt_, &k->out_);
    bound = tq_depthwise_conv2d_s8_acc_bound(&k->filt_, k->filter_.data(), bias.data(), in_off);
    k->scratch_.resize((tq_depthwise_conv2d_s8_get_buffer_size(&k->dw_, &k->filt_, &k->out_) + 3) /
                       4);
  } else {
    k->conv_ = {in_off, yq.zero_point, stride, pad, dil, static_cast<int32_t>(groups), act};
    st = tq_conv2d_s8_validate(&k->conv_, &k->in_, &k->filt_, &k->out_);
    bound = tq_conv2d_s8_acc_bound(&k->filt_, k->filter_.data(), bias.data(), in_off);
    k->scratch_.resize((tq_conv2d_s8_get_buffer_size(&k->filt_) + 3) / 4);
  }
  if (st != TQ_OK)
    return Unsupported(graph.Where(&node) +
                       "the int8 runtime does not support this geometry (pads begin " +
                       std::to_string(s.pad_top) + "," + std::to_string(s.pad_left) +
                       ": the bottom/right padding implied by the output size may be at most "
                       "max(top/left pad, (kernel-1)*dilation))");
  if (bound > INT32_MAX)
    return Unsupported(graph.Where(&node) + "worst-case int32 accumulator bound " +
                       std::to_string(bound) +
                       " exceeds INT32_MAX (too many taps or bias too large)");
  for (size_t c = 0; c < mult.multiplier.size(); ++c)
    if (tq_multiplier_validate(mult.multiplier[c], mult.shift[c]) != TQ_OK)
      return Unsupported(graph.Where(&node) + "requantization multiplier of channel " +
                         std::to_string(c) + " is out of the runtime's range");
  const bool depthwise = k->path_ == ConvS8Kernel::Path::kDepthwise;
  if (!depthwise) k->sparse_ = EncodeIfSmaller(k->filter_.data(), s.cout, taps * cg);
  const bool vec =
      !k->sparse_ && (depthwise || tq_vec_kernel_bias_bound(k->filter_.data(), k->filt_.n,
                                                            static_cast<int32_t>(taps * cg),
                                                            bias.data()) <= INT32_MAX);
  if (k->sparse_) {
    k->path_ = ConvS8Kernel::Path::kSparse;
    k->filter_ = {};
    k->quant_ = PackChannelQuant(bias, mult);
  } else if (vec) {
    // Host kernels: separate quantization arrays; depthwise takes the plain bias, conv the
    // kernel bias bias + (input_offset - 128) * sum(w) of its u8 x s8 dot products.
    k->path_ = depthwise ? ConvS8Kernel::Path::kVecDepthwise : ConvS8Kernel::Path::kVecConv;
    k->quant_.multiplier = mult.multiplier;
    k->quant_.shift = mult.shift;
    k->rounds_.resize(static_cast<size_t>(s.cout));
    if (!tq_vec_right_rounds(mult.shift.data(), static_cast<int32_t>(s.cout), k->rounds_.data()))
      k->rounds_.clear();
    k->vec_bias_ = bias;
    if (!depthwise)
      tq_vec_kernel_bias(k->filter_.data(), k->filt_.n, static_cast<int32_t>(taps * cg),
                         bias.data(), in_off, k->vec_bias_.data());
    k->scratch_.resize((depthwise ? tq_depthwise_conv2d_vec_s8_get_buffer_size(&k->out_)
                                  : tq_conv2d_vec_s8_get_buffer_size(&k->filt_, &k->out_)) /
                           4 +
                       1);
  } else {
    if (!depthwise) {
      // The Cortex-M conv kernel takes the kernel bias bias + input_offset * sum(w)
      // (tq_conv.h); it fits int32 under the bound checked above.
      std::vector<int32_t> kernel_bias(bias.size());
      tq_conv2d_s8_kernel_bias(&k->filt_, k->filter_.data(), bias.data(), in_off,
                               kernel_bias.data());
      bias = std::move(kernel_bias);
    }
    k->quant_ = PackChannelQuant(bias, mult);
  }
  k->x_channel_last_ = layouts.input_channel_last[0] || !ChannelLastMatters(node.input(0)->shape());
  k->y_channel_last_ =
      layouts.output_channel_last[0] || !ChannelLastMatters(node.output(0)->shape());
  if (!k->x_channel_last_) {
    k->to_nhwc_ = NchwToNhwcPlan(s.n, s.cin, s.h, s.w);
    k->x_nhwc_.resize(static_cast<size_t>(s.n * s.h * s.w * s.cin));
  }
  if (!k->y_channel_last_) {
    k->to_nchw_ = NhwcToNchwPlan(s.n, s.cout, s.oh, s.ow);
    k->y_nhwc_.resize(static_cast<size_t>(s.n * s.oh * s.ow * s.cout));
  }
  return std::unique_ptr<KernelInstance>(std::move(k));
}

}  // namespace

StatusOr<std::unique_ptr<KernelInstance>> PrepareConvS8(const Graph& graph, const Node& node) {
  return PrepareConvLayoutS8(graph, node, Int8Layouts{{false}, {false}});
}

void AppendInt8ConvKernels(std::vector<KernelRegistration>* table) {
  table->push_back({OpKind::kConv, ExecMode::kInt8, PrepareConvS8, PrepareConvLayoutS8});
}

}  // namespace tinyq
