// int8 node kernels of the data-movement ops and Concat.
//
// Reshape, Flatten, Transpose, Squeeze, Unsqueeze, Identity, Slice, Split and Gather reuse the
// dtype-generic float kernels (they move bytes) after checking that every s8 output has exactly
// the input's params: moving codes is only correct when they keep their meaning.
// Pad (constant mode) fills with the input zero point (real 0); a constant_value input (an s8
// scalar, checked by ResolvePad) must equal the zero point, anything else is refused. The float
// Pad kernel would fill with raw 0, so Pad has its own Eval on the shared strided-copy engine.
// Resize (mode nearest) computes its gather index map at prepare by running the FLOAT Resize
// kernel on the element indices 0..n-1 (exact in f32 for n <= 2^24): nearest mode only copies
// values, so its output is the source index of each element.
// Concat rescales each input into the output params (tq_rescale_s8), or copies it when its
// params are the output's.
#include <algorithm>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "src/exec/int8_common.h"
#include "src/ir/tensor_op_params.h"
#include "src/runtime/tq_unary.h"

namespace tinyq {
namespace {

StatusOr<std::unique_ptr<KernelInstance>> PrepareMoveS8(const Graph& graph, const Node& node) {
  TQ_ASSIGN_OR_RETURN(ActQuant xq, GetActQuant(graph, node, node.input(0), "input 0"));
  for (int i = 0; i < node.num_outputs(); ++i) {
    if (!node.output(i)) continue;
    TQ_ASSIGN_OR_RETURN(ActQuant yq,
                        GetActQuant(graph, node, node.output(i), "output " + std::to_string(i)));
    TQ_RETURN_IF_ERROR(CheckSameQuant(graph, node, xq, yq));
  }
  const KernelRegistration* reg = FindKernel(node.op(), ExecMode::kFloat);
  if (!reg) return Internal(graph.Where(&node) + "no data-movement kernel");
  return reg->prepare(graph, node);
}

StatusOr<std::unique_ptr<KernelInstance>> PreparePadS8(const Graph& graph, const Node& node) {
  TQ_ASSIGN_OR_RETURN(PadParams p, ResolvePad(graph, node));
  const Value* x = node.input(0);
  TQ_ASSIGN_OR_RETURN(ActQuant xq, GetActQuant(graph, node, x, "input data"));
  TQ_ASSIGN_OR_RETURN(ActQuant yq, GetActQuant(graph, node, node.output(0), "output"));
  TQ_RETURN_IF_ERROR(CheckSameQuant(graph, node, xq, yq));
  TQ_RETURN_IF_ERROR(CheckS8Output(graph, node, 0, p.out_shape));
  if (const Value* cv = node.input(2)) {
    const bool zero = cv->is_constant() && cv->dtype() == DType::kS8 &&
                      cv->constant()->numel() == 1 &&
                      cv->constant()->data<int8_t>()[0] == xq.zero_point;
    if (!zero)
      return Unsupported(graph.Where(&node) +
                         "int8 Pad pads with real 0 (the zero point); constant_value must be "
                         "the constant s8 zero point " +
                         std::to_string(xq.zero_point));
  }
  const size_t count = static_cast<size_t>(NumElements(p.out_shape));
  const int zp = xq.zero_point;
  StridedCopyPlan plan = MakePadCopyPlan(x->shape(), p.out_shape, p.begin, p.end, 1);
  return MakeKernel([plan = std::move(plan), count, zp](KernelIO& io) {
    std::memset(io.outputs[0]->raw(), zp, count);
    RunStridedCopy(plan, io.inputs[0]->raw(), io.outputs[0]->raw());
  });
}

StatusOr<std::unique_ptr<KernelInstance>> PrepareResizeS8(const Graph& graph, const Node& node) {
  const Value* x = node.input(0);
  const Value* y = node.output(0);
  if (!x || !y) return InvalidModel(graph.Where(&node) + "input and output are required");
  if (node.GetString("mode", "nearest") != "nearest")
    return Unsupported(graph.Where(&node) + "int8 Resize supports mode \"nearest\" only, got \"" +
                       node.GetString("mode", "nearest") + "\"");
  TQ_ASSIGN_OR_RETURN(ActQuant xq, GetActQuant(graph, node, x, "input X"));
  TQ_ASSIGN_OR_RETURN(ActQuant yq, GetActQuant(graph, node, y, "output Y"));
  TQ_RETURN_IF_ERROR(CheckSameQuant(graph, node, xq, yq));
  TQ_RETURN_IF_ERROR(CheckS8Output(graph, node, 0, y->shape()));
  const int64_t n_in = NumElements(x->shape());
  if (n_in > (int64_t{1} << 24))
    return Unsupported(graph.Where(&node) + "int8 Resize input above 2^24 elements");
  TQ_ASSIGN_OR_RETURN(auto twin, MakeFloatTwin(graph, node, x->shape(), y->shape()));
  Tensor idx(DType::kF32, x->shape());
  for (int64_t i = 0; i < n_in; ++i) idx.data<float>()[i] = static_cast<float>(i);
  Tensor out(DType::kF32, y->shape());
  TQ_RETURN_IF_ERROR(RunFloatTwin(*twin, idx, &out));
  std::vector<int32_t> map(static_cast<size_t>(out.numel()));
  for (size_t i = 0; i < map.size(); ++i) {
    const float v = out.data<float>()[i];
    if (!(v >= 0.0f && v < static_cast<float>(n_in)))
      return Internal(graph.Where(&node) + "nearest Resize produced a non-index value");
    map[i] = static_cast<int32_t>(v);
  }
  return MakeKernel([map = std::move(map)](KernelIO& io) {
    const int8_t* src = io.inputs[0]->data<int8_t>();
    int8_t* dst = io.outputs[0]->data<int8_t>();
    for (size_t i = 0; i < map.size(); ++i) dst[i] = src[map[i]];
  });
}

// One input of Concat: `chunk` bytes per outer row, rescaled unless `copy`.
struct ConcatPart {
  size_t chunk = 0;
  bool copy = true;
  tq_rescale_params rescale{};
};

StatusOr<std::unique_ptr<KernelInstance>> PrepareConcatS8(const Graph& graph, const Node& node) {
  TQ_ASSIGN_OR_RETURN(int axis, ResolveConcatAxis(graph, node));
  const size_t a = static_cast<size_t>(axis);
  Shape out = node.input(0)->shape();
  out[a] = 0;
  for (const Value* v : node.inputs()) out[a] += v->shape()[a];
  TQ_RETURN_IF_ERROR(CheckS8Output(graph, node, 0, out));
  TQ_ASSIGN_OR_RETURN(ActQuant yq, GetActQuant(graph, node, node.output(0), "output"));
  int64_t outer = 1, inner = 1;
  for (size_t d = 0; d < a; ++d) outer *= out[d];
  for (size_t d = a + 1; d < out.size(); ++d) inner *= out[d];
  std::vector<ConcatPart> parts;
  for (int i = 0; i < node.num_inputs(); ++i) {
    TQ_ASSIGN_OR_RETURN(ActQuant xq,
                        GetActQuant(graph, node, node.input(i), "input " + std::to_string(i)));
    ConcatPart p;
    p.chunk = static_cast<size_t>(node.input(i)->shape()[a] * inner);
    if (p.chunk > INT32_MAX) return Unsupported(graph.Where(&node) + "input too large for int8");
    p.copy = xq.scale == yq.scale && xq.zero_point == yq.zero_point;
    if (!p.copy) {
      TQ_ASSIGN_OR_RETURN(ChannelMultipliers m,
                          MakeMultiplier(graph, node, static_cast<double>(xq.scale) / yq.scale));
      p.rescale = {xq.zero_point, yq.zero_point, m.multiplier[0], m.shift[0], {-128, 127}};
      if (tq_rescale_s8_validate(&p.rescale, static_cast<int32_t>(p.chunk)) != TQ_OK)
        return Unsupported(graph.Where(&node) + "input " + std::to_string(i) +
                           " scale ratio is outside the int8 runtime's multiplier range");
    }
    parts.push_back(p);
  }
  return MakeKernel([outer, parts = std::move(parts)](KernelIO& io) {
    int8_t* dst = io.outputs[0]->data<int8_t>();
    for (int64_t o = 0; o < outer; ++o) {
      for (size_t i = 0; i < parts.size(); ++i) {
        const ConcatPart& p = parts[i];
        const int8_t* src = io.inputs[i]->data<int8_t>() + static_cast<size_t>(o) * p.chunk;
        if (p.copy)
          std::memcpy(dst, src, p.chunk);
        else
          tq_rescale_s8(&p.rescale, src, static_cast<int32_t>(p.chunk), dst);
        dst += p.chunk;
      }
    }
  });
}

}  // namespace

void AppendInt8TensorKernels(std::vector<KernelRegistration>* table) {
  for (OpKind op :
       {OpKind::kReshape, OpKind::kFlatten, OpKind::kTranspose, OpKind::kSqueeze,
        OpKind::kUnsqueeze, OpKind::kIdentity, OpKind::kSlice, OpKind::kSplit, OpKind::kGather})
    table->push_back({op, ExecMode::kInt8, PrepareMoveS8});
  table->push_back({OpKind::kPad, ExecMode::kInt8, PreparePadS8});
  table->push_back({OpKind::kResize, ExecMode::kInt8, PrepareResizeS8});
  table->push_back({OpKind::kConcat, ExecMode::kInt8, PrepareConcatS8});
}

}  // namespace tinyq
