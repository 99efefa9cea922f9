// int8 node kernel of Softmax (tq_softmax_s8, src/runtime/tq_softmax.h).
//
// Output params are fixed (TFLite): scale 1/256, zero point -128; anything else is refused.
// prepare builds the Q20 exp table exp_table[d] = round(2^20 * exp(-s_in * d)), d = 0..255
// (ONNX Softmax has no beta). Axis handling:
//   opset >= 13: softmax along `axis` (default -1). The tensor is viewed as [outer, L, inner];
//     when inner > 1 Eval copies it to [outer, inner, L] in a scratch buffer owned by the
//     instance, runs the rows and copies back (exact data movement).
//   opset < 13: the input is coerced to 2-D at `axis` (default 1): rows = prod(dims[:axis]),
//     depth = prod(dims[axis:]), already contiguous.
// Rows longer than TQ_SOFTMAX_MAX_DEPTH (2047) are refused.
#include <memory>
#include <string>
#include <vector>

#include "src/exec/int8_common.h"
#include "src/exec/int8_params.h"
#include "src/runtime/tq_softmax.h"

namespace tinyq {
namespace {

class SoftmaxS8Kernel : public KernelInstance {
 public:
  void Eval(KernelIO& io) override {
    const int8_t* x = io.inputs[0]->data<int8_t>();
    int8_t* y = io.outputs[0]->data<int8_t>();
    if (!transpose_) {
      tq_softmax_s8(table_.data(), x, rows_, depth_, y);
      return;
    }
    RunStridedCopy(to_rows_, x, x_.data());
    tq_softmax_s8(table_.data(), x_.data(), rows_, depth_, y_.data());
    RunStridedCopy(from_rows_, y_.data(), y);
  }

  std::vector<int32_t> table_;
  int32_t rows_ = 1, depth_ = 1;
  bool transpose_ = false;
  StridedCopyPlan to_rows_, from_rows_;
  std::vector<int8_t> x_, y_;
};

StatusOr<std::unique_ptr<KernelInstance>> PrepareSoftmaxS8(const Graph& graph, const Node& node) {
  const Value* x = node.input(0);
  if (!x) return InvalidModel(graph.Where(&node) + "input is missing");
  const Shape& xs = x->shape();
  TQ_RETURN_IF_ERROR(CheckS8Output(graph, node, 0, xs));
  TQ_ASSIGN_OR_RETURN(ActQuant xq, GetActQuant(graph, node, x, "input X"));
  TQ_ASSIGN_OR_RETURN(ActQuant yq, GetActQuant(graph, node, node.output(0), "output Y"));
  if (yq.scale != 1.0f / 256.0f || yq.zero_point != -128)
    return InvalidModel(graph.Where(&node) +
                        "int8 Softmax output params must be scale 1/256 and zero point -128, got "
                        "scale " +
                        std::to_string(yq.scale) + " zp " + std::to_string(yq.zero_point));
  const int rank = static_cast<int>(xs.size());
  const bool coerce = graph.opset() < 13;
  int64_t axis = node.GetInt("axis", coerce ? 1 : -1);
  if (axis < 0) axis += rank;
  if (rank == 0 || axis < 0 || axis >= rank)
    return InvalidModel(graph.Where(&node) + "axis " + std::to_string(node.GetInt("axis", 0)) +
                        " is out of range for rank " + std::to_string(rank));
  int64_t outer = 1, len = 1, inner = 1;
  for (int d = 0; d < rank; ++d) {
    const int64_t v = xs[static_cast<size_t>(d)];
    if (d < axis) outer *= v;
    if (d == axis) len = v;
    if (d > axis) inner *= v;
  }
  if (coerce) {
    len *= inner;
    inner = 1;
  }
  if (len > TQ_SOFTMAX_MAX_DEPTH || outer * inner > INT32_MAX)
    return Unsupported(graph.Where(&node) + "softmax rows of " + std::to_string(len) +
                       " values exceed the int8 runtime's limit of " +
                       std::to_string(TQ_SOFTMAX_MAX_DEPTH));
  auto k = std::make_unique<SoftmaxS8Kernel>();
  k->table_ = SoftmaxExpTableS8(xq.scale);
  k->rows_ = static_cast<int32_t>(outer * inner);
  k->depth_ = static_cast<int32_t>(len);
  if (tq_softmax_s8_validate(k->table_.data(), k->rows_, k->depth_) != TQ_OK)
    return Internal(graph.Where(&node) + "softmax exp table rejected by the runtime");
  if (inner > 1) {
    // x viewed as [outer, L, inner] -> rows [outer, inner, L] and back.
    k->transpose_ = true;
    k->to_rows_ = MakeStridedCopyPlan({outer, inner, len}, {len * inner, 1, inner},
                                      ContiguousStrides({outer, inner, len}), 0, 0, 1);
    k->from_rows_ = MakeStridedCopyPlan({outer, len, inner}, {inner * len, 1, len},
                                        ContiguousStrides({outer, len, inner}), 0, 0, 1);
    k->x_.resize(static_cast<size_t>(NumElements(xs)));
    k->y_.resize(static_cast<size_t>(NumElements(xs)));
  }
  return std::unique_ptr<KernelInstance>(std::move(k));
}

}  // namespace

void AppendInt8SoftmaxKernels(std::vector<KernelRegistration>* table) {
  table->push_back({OpKind::kSoftmax, ExecMode::kInt8, PrepareSoftmaxS8});
}

}  // namespace tinyq
