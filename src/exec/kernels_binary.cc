// Float-executor kernels of the broadcasting binary ops: Add, Sub, Mul, Div, variadic Max/Min,
// Pow and PRelu. Prepare validates dtypes and shapes and builds BroadcastPlans; Eval only loops.
//
// Dtypes: Add/Sub/Mul/Div/Max/Min/PRelu on f32, f64 and every integer dtype (s8, u8, s16, u16,
// s32, s64; integer semantics in elementwise_math.h); bool is Unsupported. Pow: base f32, s32 or
// s64 with exponent f32, f64, s32 or s64; the output has the base's dtype. A float base with an
// integer or f64 exponent is computed in double and rounded once to f32 (what numpy, the ONNX
// reference, does); f32 ** f32 uses powf.
#include <cmath>
#include <cstring>
#include <string>

#include "src/exec/broadcast.h"
#include "src/exec/elementwise_math.h"
#include "src/exec/fused_activation.h"
#include "src/exec/kernels_elementwise.h"

namespace tinyq {

namespace {

// True if `in` broadcasts (unidirectionally) to `out`.
bool BroadcastsTo(const Shape& in, const Shape& out) {
  if (in.size() > out.size()) return false;
  const size_t off = out.size() - in.size();
  for (size_t i = 0; i < in.size(); ++i)
    if (in[i] != 1 && in[i] != out[off + i]) return false;
  return true;
}

// Checks every present input broadcasts to output 0 and, if `same_dtype`, has its dtype.
Status CheckOperands(const Graph& g, const Node& n, int count, bool same_dtype) {
  const Value* out = n.output(0);
  if (!out || n.num_inputs() < count)
    return InvalidModel(g.Where(&n) + "expected at least " + std::to_string(count) +
                        " inputs and one output");
  for (int i = 0; i < n.num_inputs(); ++i) {
    const Value* v = n.input(i);
    if (!v) return InvalidModel(g.Where(&n) + "input " + std::to_string(i) + " is missing");
    if (same_dtype && v->dtype() != out->dtype())
      return InvalidModel(g.Where(&n) + "input '" + v->name() + "' has dtype " +
                          DTypeName(v->dtype()) + ", output has " + DTypeName(out->dtype()));
    if (!BroadcastsTo(v->shape(), out->shape()))
      return InvalidModel(g.Where(&n) + "input '" + v->name() + "' shape " +
                          ShapeToString(v->shape()) + " does not broadcast to output shape " +
                          ShapeToString(out->shape()));
  }
  return Status::Ok();
}

Status UnsupportedDType(const Graph& g, const Node& n, DType t) {
  return Unsupported(g.Where(&n) + "dtype " + DTypeName(t) + " is not supported");
}

// out = in0 op in1 op ... op inN-1, folded left to right into the output buffer.
template <typename T, template <typename> class Fn>
class FoldKernel : public KernelInstance {
 public:
  FoldKernel(std::vector<BroadcastPlan> plans, int64_t numel)
      : plans_(std::move(plans)), numel_(numel) {}
  void Eval(KernelIO& io) override {
    T* out = io.outputs[0]->data<T>();
    const T* first = io.inputs[0]->data<T>();
    if (plans_.empty()) {  // single input: a copy
      std::memcpy(out, first, static_cast<size_t>(numel_) * sizeof(T));
      return;
    }
    ApplyBroadcast(plans_[0], first, io.inputs[1]->data<T>(), out, Fn<T>());
    for (size_t i = 1; i < plans_.size(); ++i)
      ApplyBroadcast(plans_[i], out, io.inputs[i + 1]->data<T>(), out, Fn<T>());
  }

 private:
  std::vector<BroadcastPlan> plans_;
  int64_t numel_;
};

template <template <typename> class Fn>
StatusOr<std::unique_ptr<KernelInstance>> PrepareFold(const Graph& g, const Node& n) {
  TQ_RETURN_IF_ERROR(CheckOperands(g, n, 1, /*same_dtype=*/true));
  const Value& out = *n.output(0);
  std::vector<BroadcastPlan> plans;
  if (n.num_inputs() >= 2)
    plans.push_back(MakeBroadcastPlan(out.shape(), n.input(0)->shape(), n.input(1)->shape()));
  for (int i = 2; i < n.num_inputs(); ++i)
    plans.push_back(MakeBroadcastPlan(out.shape(), out.shape(), n.input(i)->shape()));
  const int64_t numel = NumElements(out.shape());
  switch (out.dtype()) {
    case DType::kF32:
      return MakeUnique<FoldKernel<float, Fn>>(std::move(plans), numel);
    case DType::kF64:
      return MakeUnique<FoldKernel<double, Fn>>(std::move(plans), numel);
    case DType::kS8:
      return MakeUnique<FoldKernel<int8_t, Fn>>(std::move(plans), numel);
    case DType::kU8:
      return MakeUnique<FoldKernel<uint8_t, Fn>>(std::move(plans), numel);
    case DType::kS16:
      return MakeUnique<FoldKernel<int16_t, Fn>>(std::move(plans), numel);
    case DType::kU16:
      return MakeUnique<FoldKernel<uint16_t, Fn>>(std::move(plans), numel);
    case DType::kS32:
      return MakeUnique<FoldKernel<int32_t, Fn>>(std::move(plans), numel);
    case DType::kS64:
      return MakeUnique<FoldKernel<int64_t, Fn>>(std::move(plans), numel);
    default:
      return UnsupportedDType(g, n, out.dtype());  // bool
  }
}

// Add/Sub/Mul/Div take exactly two inputs; Max/Min any number >= 1.
template <template <typename> class Fn>
StatusOr<std::unique_ptr<KernelInstance>> PrepareTwo(const Graph& g, const Node& n) {
  if (n.num_inputs() != 2)
    return InvalidModel(g.Where(&n) + "expected 2 inputs, got " + std::to_string(n.num_inputs()));
  return PrepareFold<Fn>(g, n);
}

// ---- Pow ----

template <typename TA, typename TB>
struct PowFn {
  TA operator()(TA a, TB b) const {
    if constexpr (std::is_floating_point_v<TA>) {
      if constexpr (std::is_same_v<TA, float> && std::is_same_v<TB, float>) {
        return std::pow(a, b);
      } else {
        return ConvertValue<TA>(std::pow(static_cast<double>(a), static_cast<double>(b)));
      }
    } else if constexpr (std::is_integral_v<TB>) {
      return IntPow(a, b);
    } else {
      return SaturatingFloatToInt<TA>(std::pow(static_cast<double>(a), static_cast<double>(b)));
    }
  }
};

template <typename TA, typename TB>
class PowKernel : public KernelInstance {
 public:
  explicit PowKernel(BroadcastPlan plan) : plan_(std::move(plan)) {}
  void Eval(KernelIO& io) override {
    ApplyBroadcast(plan_, io.inputs[0]->data<TA>(), io.inputs[1]->data<TB>(),
                   io.outputs[0]->data<TA>(), PowFn<TA, TB>());
  }

 private:
  BroadcastPlan plan_;
};

template <typename TA>
StatusOr<std::unique_ptr<KernelInstance>> PreparePowBase(const Graph& g, const Node& n,
                                                         BroadcastPlan plan) {
  const DType e = n.input(1)->dtype();
  switch (e) {
    case DType::kF32:
      return MakeUnique<PowKernel<TA, float>>(std::move(plan));
    case DType::kF64:
      return MakeUnique<PowKernel<TA, double>>(std::move(plan));
    case DType::kS32:
      return MakeUnique<PowKernel<TA, int32_t>>(std::move(plan));
    case DType::kS64:
      return MakeUnique<PowKernel<TA, int64_t>>(std::move(plan));
    default:
      return Unsupported(g.Where(&n) + "exponent dtype " + DTypeName(e) + " is not supported");
  }
}

StatusOr<std::unique_ptr<KernelInstance>> PreparePow(const Graph& g, const Node& n) {
  if (n.num_inputs() != 2)
    return InvalidModel(g.Where(&n) + "expected 2 inputs, got " + std::to_string(n.num_inputs()));
  TQ_RETURN_IF_ERROR(CheckOperands(g, n, 2, /*same_dtype=*/false));
  const Value& out = *n.output(0);
  if (out.dtype() != n.input(0)->dtype())
    return InvalidModel(g.Where(&n) + "output dtype " + DTypeName(out.dtype()) +
                        " differs from base dtype " + DTypeName(n.input(0)->dtype()));
  BroadcastPlan plan = MakeBroadcastPlan(out.shape(), n.input(0)->shape(), n.input(1)->shape());
  switch (out.dtype()) {
    case DType::kF32:
      return PreparePowBase<float>(g, n, std::move(plan));
    case DType::kS32:
      return PreparePowBase<int32_t>(g, n, std::move(plan));
    case DType::kS64:
      return PreparePowBase<int64_t>(g, n, std::move(plan));
    default:
      return UnsupportedDType(g, n, out.dtype());
  }
}

// ---- PRelu ----

StatusOr<std::unique_ptr<KernelInstance>> PreparePRelu(const Graph& g, const Node& n) {
  if (n.num_inputs() != 2)
    return InvalidModel(g.Where(&n) + "expected 2 inputs, got " + std::to_string(n.num_inputs()));
  TQ_RETURN_IF_ERROR(CheckOperands(g, n, 2, /*same_dtype=*/true));
  if (n.input(0)->shape() != n.output(0)->shape())
    return InvalidModel(g.Where(&n) + "output shape " + ShapeToString(n.output(0)->shape()) +
                        " differs from X shape " + ShapeToString(n.input(0)->shape()));
  return PrepareFold<PReluFn>(g, n);
}

}  // namespace

void AppendBinaryKernels(std::vector<KernelRegistration>* table) {
  table->push_back({OpKind::kAdd, ExecMode::kFloat, PrepareWithFusedActivation<PrepareTwo<AddFn>>});
  table->push_back({OpKind::kSub, ExecMode::kFloat, PrepareTwo<SubFn>});
  table->push_back({OpKind::kMul, ExecMode::kFloat, PrepareTwo<MulFn>});
  table->push_back({OpKind::kDiv, ExecMode::kFloat, PrepareTwo<DivFn>});
  table->push_back({OpKind::kMax, ExecMode::kFloat, PrepareFold<MaxFn>});
  table->push_back({OpKind::kMin, ExecMode::kFloat, PrepareFold<MinFn>});
  table->push_back({OpKind::kPow, ExecMode::kFloat, PreparePow});
  table->push_back({OpKind::kPRelu, ExecMode::kFloat, PreparePRelu});
}

}  // namespace tinyq
