// int8 node kernel of Gemm in the canonical quantized form (docs/quantized_ir.md):
//   Y[M,N] = A[M,K] * B[N,K]^T + C[N]     transA = 0, transB = 1, alpha = beta = 1
// A s8 per-tensor, B a constant s8 [N,K] per-channel along axis 0, C an optional s32 [N] (or
// [1,N]) bias with scale s_in * s_w[n]; optional fused tq_act. Runs tq_fully_connected_s8 with
// per-channel multipliers s_in*s_w[n]/s_out; no layout change is needed (B is already [Cout,Cin]).
// The host variant tq_fully_connected_vec_s8 (src/runtime/vec) runs when its accumulator bound
// holds, else the Cortex-M kernel or, for weights whose tq_sparse encoding is smaller, the sparse
// kernel (same results).
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "src/exec/int8_common.h"
#include "src/exec/int8_sparse.h"
#include "src/runtime/tq_fully_connected.h"
#include "src/runtime/vec/tq_vec.h"

namespace tinyq {
namespace {

class GemmS8Kernel : public KernelInstance {
 public:
  void Eval(KernelIO& io) override {
    const tq_per_channel_quant_params q = quant_.Params();
    const tq_context ctx{scratch_.data(), scratch_.size() * sizeof(int32_t)};
    const int8_t* x = io.inputs[0]->data<int8_t>();
    int8_t* y = io.outputs[0]->data<int8_t>();
    if (sparse_) {
      const tq_sparse_s8 w = sparse_->View();
      (void)tq_fully_connected_sparse_s8(&ctx, &params_, &q, &dims_, x, &w, quant_.bias.data(), y);
    } else if (!vec_bias_.empty()) {
      const tq_vec_quant vq{vec_bias_.data(), quant_.multiplier.data(), quant_.shift.data(),
                            rounds_.empty() ? nullptr : rounds_.data()};
      (void)tq_fully_connected_vec_s8(&ctx, &params_, &vq, &dims_, x, io.inputs[1]->data<int8_t>(),
                                      y);
    } else {
      (void)tq_fully_connected_s8(&ctx, &params_, &q, &dims_, x, io.inputs[1]->data<int8_t>(),
                                  quant_.bias.data(), y);
    }
  }

  tq_fc_params params_{};
  tq_fc_dims dims_{};
  std::optional<SparseWeightsS8> sparse_;  // used instead of B when smaller (int8_sparse.h)
  ChannelQuantArrays quant_;               // bias, multipliers, shifts (separate for the host)
  std::vector<int32_t> vec_bias_;  // the host kernel's bias (tq_vec.h); empty: Cortex-M kernel
  std::vector<int64_t> rounds_;    // tq_vec_quant.round (empty: mixed shifts)
  std::vector<int32_t> scratch_;
};

StatusOr<std::unique_ptr<KernelInstance>> PrepareGemmS8(const Graph& graph, const Node& node) {
  const Value* a = node.input(0);
  const Value* b = node.input(1);
  if (!a || !b) return InvalidModel(graph.Where(&node) + "A and B are required");
  if (node.GetInt("transA", 0) != 0 || node.GetInt("transB", 0) != 1 ||
      node.GetFloat("alpha", 1.0f) != 1.0f || node.GetFloat("beta", 1.0f) != 1.0f)
    return Unsupported(graph.Where(&node) +
                       "int8 Gemm needs the canonical form transA = 0, transB = 1, alpha = beta = "
                       "1 (quantize_int8 produces it)");
  const Shape& as = a->shape();
  const Shape& bs = b->shape();
  if (as.size() != 2 || bs.size() != 2 || as[1] != bs[1])
    return InvalidModel(graph.Where(&node) + "A " + ShapeToString(as) + " and B " +
                        ShapeToString(bs) + " must be [M,K] and [N,K]");
  const int64_t m = as[0], k = as[1], n = bs[0];
  const Value* c = node.input(2);
  if (c && c->shape() != Shape{n} && c->shape() != Shape{1, n})
    return Unsupported(graph.Where(&node) + "int8 Gemm needs C of shape [" + std::to_string(n) +
                       "], got " + ShapeToString(c->shape()));
  TQ_RETURN_IF_ERROR(CheckS8Output(graph, node, 0, Shape{m, n}));
  TQ_ASSIGN_OR_RETURN(ActQuant xq, GetActQuant(graph, node, a, "input A"));
  TQ_ASSIGN_OR_RETURN(ActQuant yq, GetActQuant(graph, node, node.output(0), "output Y"));
  TQ_ASSIGN_OR_RETURN(std::vector<float> ws, GetWeightScales(graph, node, b, n));
  TQ_ASSIGN_OR_RETURN(std::vector<int32_t> bias, GetBiasS32(graph, node, c, n, xq.scale, ws));
  TQ_ASSIGN_OR_RETURN(ChannelMultipliers mult,
                      MakeChannelMultipliers(graph, node, xq.scale, ws, yq.scale));
  TQ_ASSIGN_OR_RETURN(tq_activation act, FusedActivationS8(graph, node, yq));
  if (m > INT32_MAX || k > INT32_MAX || n > INT32_MAX)
    return Unsupported(graph.Where(&node) + "Gemm dimensions exceed int32");

  auto kern = std::make_unique<GemmS8Kernel>();
  kern->dims_ = {static_cast<int32_t>(m), static_cast<int32_t>(k), static_cast<int32_t>(n)};
  kern->params_ = {-xq.zero_point, yq.zero_point, 1, act};
  if (tq_fully_connected_s8_validate(&kern->params_, &kern->dims_) != TQ_OK)
    return Unsupported(graph.Where(&node) + "parameters rejected by tq_fully_connected_s8");
  const int64_t bound = tq_fully_connected_s8_acc_bound(&kern->dims_, b->constant()->data<int8_t>(),
                                                        bias.data(), -xq.zero_point);
  if (bound > INT32_MAX)
    return Unsupported(graph.Where(&node) + "worst-case int32 accumulator bound " +
                       std::to_string(bound) +
                       " exceeds INT32_MAX (K too large or bias too large)");
  for (size_t i = 0; i < mult.multiplier.size(); ++i)
    if (tq_multiplier_validate(mult.multiplier[i], mult.shift[i]) != TQ_OK)
      return Unsupported(graph.Where(&node) + "requantization multiplier of channel " +
                         std::to_string(i) + " is out of the runtime's range");
  const int8_t* w = b->constant()->data<int8_t>();
  kern->sparse_ = EncodeIfSmaller(w, n, k);
  size_t scratch = tq_fully_connected_s8_get_buffer_size(&kern->dims_);
  if (!kern->sparse_ &&
      tq_vec_kernel_bias_bound(w, kern->dims_.output_features, kern->dims_.input_features,
                               bias.data()) <= INT32_MAX) {
    // Host kernel (src/runtime/vec): separate quantization arrays, kernel bias
    // bias + (input_offset - 128) * sum(w) of its u8 x s8 dot products.
    kern->quant_.multiplier = mult.multiplier;
    kern->quant_.shift = mult.shift;
    kern->rounds_.resize(mult.shift.size());
    if (!tq_vec_right_rounds(mult.shift.data(), static_cast<int32_t>(mult.shift.size()),
                             kern->rounds_.data()))
      kern->rounds_.clear();
    kern->vec_bias_.resize(bias.size());
    tq_vec_kernel_bias(w, kern->dims_.output_features, kern->dims_.input_features, bias.data(),
                       kern->params_.input_offset, kern->vec_bias_.data());
    scratch = tq_fully_connected_vec_s8_get_buffer_size(&kern->dims_);
  } else {
    kern->quant_ = PackChannelQuant(bias, mult);
  }
  kern->scratch_.resize(scratch / 4 + 1);
  return std::unique_ptr<KernelInstance>(std::move(kern));
}

}  // namespace

void AppendInt8GemmKernels(std::vector<KernelRegistration>* table) {
  table->push_back({OpKind::kGemm, ExecMode::kInt8, PrepareGemmS8});
}

}  // namespace tinyq
