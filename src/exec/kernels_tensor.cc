// Kernels of the shape & data-movement ops. All are dtype-generic: they move elements by their
// byte size. prepare resolves the op's parameters with the same resolvers as the shape rules
// (src/ir/tensor_op_params.h), checks the output Values against them, and precomputes byte counts
// and strided-copy plans; Eval only copies. Kernel instances are immutable after prepare, so
// RunBatch may call Eval from several threads at once.
#include <algorithm>
#include <cstring>

#include "src/exec/kernel.h"
#include "src/exec/kernels_tensor_util.h"
#include "src/exec/strided_copy.h"
#include "src/ir/tensor_op_params.h"

namespace tinyq {
namespace {

int64_t ElemSize(const Value* v) { return static_cast<int64_t>(DTypeSize(v->dtype())); }

// Flatten, Reshape, Squeeze, Unsqueeze: same bytes, new shape.
StatusOr<std::unique_ptr<KernelInstance>> CopyKernel(const Graph& graph, const Node& node,
                                                     const Shape& out_shape) {
  const Value* x = node.input(0);
  TQ_RETURN_IF_ERROR(CheckOutput(graph, node, 0, x->dtype(), out_shape));
  const size_t bytes = static_cast<size_t>(NumElements(out_shape) * ElemSize(x));
  return MakeKernel([bytes](KernelIO& io) {
    if (bytes) std::memcpy(io.outputs[0]->raw(), io.inputs[0]->raw(), bytes);
  });
}

StatusOr<std::unique_ptr<KernelInstance>> PrepareFlatten(const Graph& graph, const Node& node) {
  TQ_ASSIGN_OR_RETURN(Shape s, ResolveFlatten(graph, node));
  return CopyKernel(graph, node, s);
}
StatusOr<std::unique_ptr<KernelInstance>> PrepareReshape(const Graph& graph, const Node& node) {
  TQ_ASSIGN_OR_RETURN(Shape s, ResolveReshape(graph, node));
  return CopyKernel(graph, node, s);
}
StatusOr<std::unique_ptr<KernelInstance>> PrepareSqueeze(const Graph& graph, const Node& node) {
  TQ_ASSIGN_OR_RETURN(Shape s, ResolveSqueeze(graph, node));
  return CopyKernel(graph, node, s);
}
StatusOr<std::unique_ptr<KernelInstance>> PrepareUnsqueeze(const Graph& graph, const Node& node) {
  TQ_ASSIGN_OR_RETURN(Shape s, ResolveUnsqueeze(graph, node));
  return CopyKernel(graph, node, s);
}

// A kernel that runs one precomputed strided copy from input 0 to output 0.
std::unique_ptr<KernelInstance> PlanKernel(StridedCopyPlan plan) {
  return MakeKernel([plan = std::move(plan)](KernelIO& io) {
    RunStridedCopy(plan, io.inputs[0]->raw(), io.outputs[0]->raw());
  });
}

StatusOr<std::unique_ptr<KernelInstance>> PrepareTranspose(const Graph& graph, const Node& node) {
  TQ_ASSIGN_OR_RETURN(std::vector<int> perm, ResolveTransposePerm(graph, node));
  const Value* x = node.input(0);
  const std::vector<int64_t> in_stride = ContiguousStrides(x->shape());
  Shape out;
  std::vector<int64_t> src_stride;
  for (int p : perm) {
    out.push_back(x->shape()[static_cast<size_t>(p)]);
    src_stride.push_back(in_stride[static_cast<size_t>(p)]);
  }
  TQ_RETURN_IF_ERROR(CheckOutput(graph, node, 0, x->dtype(), out));
  return PlanKernel(
      MakeStridedCopyPlan(out, src_stride, ContiguousStrides(out), 0, 0, DTypeSize(x->dtype())));
}

StatusOr<std::unique_ptr<KernelInstance>> PrepareSlice(const Graph& graph, const Node& node) {
  TQ_ASSIGN_OR_RETURN(SliceParams p, ResolveSlice(graph, node));
  const Value* x = node.input(0);
  TQ_RETURN_IF_ERROR(CheckOutput(graph, node, 0, x->dtype(), p.out_shape));
  const std::vector<int64_t> in_stride = ContiguousStrides(x->shape());
  std::vector<int64_t> src_stride(in_stride.size());
  int64_t offset = 0;
  for (size_t d = 0; d < in_stride.size(); ++d) {
    src_stride[d] = in_stride[d] * p.step[d];
    offset += in_stride[d] * p.start[d];
  }
  return PlanKernel(MakeStridedCopyPlan(p.out_shape, src_stride, ContiguousStrides(p.out_shape),
                                        offset, 0, DTypeSize(x->dtype())));
}

// Concat: the output is `outer` rows, each the concatenation of one contiguous chunk per input.
StatusOr<std::unique_ptr<KernelInstance>> PrepareConcat(const Graph& graph, const Node& node) {
  TQ_ASSIGN_OR_RETURN(int axis, ResolveConcatAxis(graph, node));
  const Value* x = node.input(0);
  const size_t a = static_cast<size_t>(axis);
  Shape out = x->shape();
  out[a] = 0;
  for (const Value* v : node.inputs()) out[a] += v->shape()[a];
  TQ_RETURN_IF_ERROR(CheckOutput(graph, node, 0, x->dtype(), out));
  int64_t outer = 1, inner = ElemSize(x);
  for (size_t d = 0; d < a; ++d) outer *= out[d];
  for (size_t d = a + 1; d < out.size(); ++d) inner *= out[d];
  std::vector<size_t> chunk;
  for (const Value* v : node.inputs()) chunk.push_back(static_cast<size_t>(v->shape()[a] * inner));
  return MakeKernel([outer, chunk](KernelIO& io) {
    auto* dst = static_cast<uint8_t*>(io.outputs[0]->raw());
    for (int64_t o = 0; o < outer; ++o) {
      for (size_t i = 0; i < chunk.size(); ++i) {
        std::memcpy(
            dst,
            static_cast<const uint8_t*>(io.inputs[i]->raw()) + static_cast<size_t>(o) * chunk[i],
            chunk[i]);
        dst += chunk[i];
      }
    }
  });
}

// Split: the input is `outer` rows, each the concatenation of one chunk per output.
StatusOr<std::unique_ptr<KernelInstance>> PrepareSplit(const Graph& graph, const Node& node) {
  TQ_ASSIGN_OR_RETURN(SplitParams p, ResolveSplit(graph, node));
  const Value* x = node.input(0);
  const size_t a = static_cast<size_t>(p.axis);
  int64_t outer = 1, inner = ElemSize(x);
  for (size_t d = 0; d < a; ++d) outer *= x->shape()[d];
  for (size_t d = a + 1; d < x->shape().size(); ++d) inner *= x->shape()[d];
  std::vector<size_t> chunk;
  for (int i = 0; i < node.num_outputs(); ++i) {
    Shape s = x->shape();
    s[a] = p.sizes[static_cast<size_t>(i)];
    if (node.output(i)) TQ_RETURN_IF_ERROR(CheckOutput(graph, node, i, x->dtype(), s));
    chunk.push_back(static_cast<size_t>(s[a] * inner));
  }
  return MakeKernel([outer, chunk](KernelIO& io) {
    const auto* src = static_cast<const uint8_t*>(io.inputs[0]->raw());
    for (int64_t o = 0; o < outer; ++o) {
      for (size_t i = 0; i < chunk.size(); ++i) {
        if (Tensor* t = io.outputs[i])
          std::memcpy(static_cast<uint8_t*>(t->raw()) + static_cast<size_t>(o) * chunk[i], src,
                      chunk[i]);
        src += chunk[i];
      }
    }
  });
}

// Gather along `axis`: out[o][j][...] = data[o][idx[j]][...]. Negative indices count from the
// end. Constant indices were range-checked in prepare; indices computed at run time that are
// still out of range after that are clamped to [0, dim-1] (Eval cannot fail; ONNX leaves the
// result undefined and onnxruntime reports an error).
template <typename I>
void GatherRows(const uint8_t* src, const I* idx, int64_t n_idx, int64_t outer, int64_t dim,
                size_t row, uint8_t* dst) {
  for (int64_t o = 0; o < outer; ++o) {
    const uint8_t* block = src + static_cast<size_t>(o * dim) * row;
    for (int64_t j = 0; j < n_idx; ++j) {
      int64_t i = static_cast<int64_t>(idx[j]);
      if (i < 0) i += dim;
      i = std::clamp<int64_t>(i, 0, dim - 1);
      std::memcpy(dst, block + static_cast<size_t>(i) * row, row);
      dst += row;
    }
  }
}

StatusOr<std::unique_ptr<KernelInstance>> PrepareGather(const Graph& graph, const Node& node) {
  TQ_ASSIGN_OR_RETURN(GatherParams p, ResolveGather(graph, node));
  const Value* x = node.input(0);
  TQ_RETURN_IF_ERROR(CheckOutput(graph, node, 0, x->dtype(), p.out_shape));
  const size_t a = static_cast<size_t>(p.axis);
  int64_t outer = 1, inner = ElemSize(x);
  for (size_t d = 0; d < a; ++d) outer *= x->shape()[d];
  for (size_t d = a + 1; d < x->shape().size(); ++d) inner *= x->shape()[d];
  const int64_t dim = x->shape()[a];
  const int64_t n_idx = NumElements(node.input(1)->shape());
  const bool s64 = node.input(1)->dtype() == DType::kS64;
  const size_t row = static_cast<size_t>(inner);
  if (n_idx == 0 || outer == 0 || row == 0) return MakeKernel([](KernelIO&) {});
  return MakeKernel([=](KernelIO& io) {
    const auto* src = static_cast<const uint8_t*>(io.inputs[0]->raw());
    auto* dst = static_cast<uint8_t*>(io.outputs[0]->raw());
    if (s64)
      GatherRows(src, io.inputs[1]->data<int64_t>(), n_idx, outer, dim, row, dst);
    else
      GatherRows(src, io.inputs[1]->data<int32_t>(), n_idx, outer, dim, row, dst);
  });
}

// Pad (constant mode): fill the output with the constant (input 2, or 0), then copy the part of
// the input that survives the crops (negative pads) into its place.
StatusOr<std::unique_ptr<KernelInstance>> PreparePad(const Graph& graph, const Node& node) {
  TQ_ASSIGN_OR_RETURN(PadParams p, ResolvePad(graph, node));
  const Value* x = node.input(0);
  TQ_RETURN_IF_ERROR(CheckOutput(graph, node, 0, x->dtype(), p.out_shape));
  const size_t elem = DTypeSize(x->dtype());
  const size_t count = static_cast<size_t>(NumElements(p.out_shape));
  const bool has_value = node.input(2) != nullptr;
  StridedCopyPlan plan = MakePadCopyPlan(x->shape(), p.out_shape, p.begin, p.end, elem);
  return MakeKernel([plan = std::move(plan), elem, count, has_value](KernelIO& io) {
    auto* dst = static_cast<uint8_t*>(io.outputs[0]->raw());
    uint8_t value[8] = {0};
    if (has_value && io.inputs[2]) std::memcpy(value, io.inputs[2]->raw(), elem);
    bool zero = true;
    for (size_t b = 0; b < elem; ++b) zero = zero && value[b] == 0;
    if (zero) {
      std::memset(dst, 0, count * elem);
    } else {
      for (size_t i = 0; i < count; ++i) std::memcpy(dst + i * elem, value, elem);
    }
    RunStridedCopy(plan, io.inputs[0]->raw(), dst);
  });
}

StatusOr<std::unique_ptr<KernelInstance>> PrepareShape(const Graph& graph, const Node& node) {
  TQ_ASSIGN_OR_RETURN(ShapeOpParams p, ResolveShapeOp(graph, node));
  const Shape& in = node.input(0)->shape();
  std::vector<int64_t> dims(in.begin() + p.start, in.begin() + p.end);
  TQ_RETURN_IF_ERROR(
      CheckOutput(graph, node, 0, DType::kS64, Shape{static_cast<int64_t>(dims.size())}));
  return MakeKernel([dims](KernelIO& io) {
    if (!dims.empty())
      std::memcpy(io.outputs[0]->raw(), dims.data(), dims.size() * sizeof(int64_t));
  });
}

// Range: inputs are constant (ResolveRangeCount), so the output is computed once in prepare as
// out[i] = start + i * delta (the ONNX definition; f32 computed in double, then rounded once).
StatusOr<std::unique_ptr<KernelInstance>> PrepareRange(const Graph& graph, const Node& node) {
  TQ_ASSIGN_OR_RETURN(int64_t n, ResolveRangeCount(graph, node));
  const DType t = node.input(0)->dtype();
  TQ_RETURN_IF_ERROR(CheckOutput(graph, node, 0, t, Shape{n}));
  Tensor out(t, Shape{n});
  if (t == DType::kF32) {
    const double start = node.input(0)->constant()->data<float>()[0];
    const double delta = node.input(2)->constant()->data<float>()[0];
    for (int64_t i = 0; i < n; ++i)
      out.data<float>()[i] = static_cast<float>(start + static_cast<double>(i) * delta);
  } else {
    const int64_t start = node.input(0)->constant()->ToInt64Vector()[0];
    const int64_t delta = node.input(2)->constant()->ToInt64Vector()[0];
    for (int64_t i = 0; i < n; ++i) {
      // start + i*delta lies between start and limit, but i*delta alone may not fit in int64:
      // computed modulo 2^64, which gives the exact (in-range) result.
      const int64_t v = static_cast<int64_t>(
          static_cast<uint64_t>(start) + static_cast<uint64_t>(i) * static_cast<uint64_t>(delta));
      if (t == DType::kS64)
        out.data<int64_t>()[i] = v;
      else
        out.data<int32_t>()[i] = static_cast<int32_t>(v);
    }
  }
  return MakeKernel([out = std::move(out)](KernelIO& io) {
    if (out.nbytes()) std::memcpy(io.outputs[0]->raw(), out.raw(), out.nbytes());
  });
}

}  // namespace

void AppendTensorKernels(std::vector<KernelRegistration>* table) {
  table->insert(table->end(), {
                                  {OpKind::kFlatten, ExecMode::kFloat, PrepareFlatten},
                                  {OpKind::kReshape, ExecMode::kFloat, PrepareReshape},
                                  {OpKind::kSqueeze, ExecMode::kFloat, PrepareSqueeze},
                                  {OpKind::kUnsqueeze, ExecMode::kFloat, PrepareUnsqueeze},
                                  {OpKind::kTranspose, ExecMode::kFloat, PrepareTranspose},
                                  {OpKind::kSlice, ExecMode::kFloat, PrepareSlice},
                                  {OpKind::kConcat, ExecMode::kFloat, PrepareConcat},
                                  {OpKind::kSplit, ExecMode::kFloat, PrepareSplit},
                                  {OpKind::kGather, ExecMode::kFloat, PrepareGather},
                                  {OpKind::kPad, ExecMode::kFloat, PreparePad},
                                  {OpKind::kShape, ExecMode::kFloat, PrepareShape},
                                  {OpKind::kRange, ExecMode::kFloat, PrepareRange},
                              });
  AppendQdqKernels(table);
}

}  // namespace tinyq
