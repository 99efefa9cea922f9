// Float-executor kernels of the unary elementwise ops: Sqrt, Exp, Log, Relu, LeakyRelu, Sigmoid,
// Tanh, HardSigmoid, HardSwish (f32); Neg (floats, signed integers), Abs and Clip (floats, all
// integers); Identity and Dropout (any dtype); Cast (between f32, f64, s8, u8, s16, u16, s32, s64,
// bool).
//
// Clip reads constant min/max at prepare; non-constant ones (single elements, checked by the
// shape rule) are read from the input tensors at each Eval. Dropout is the inference form: output
// 0 copies the data, the optional mask is all true. A constant training_mode = true with a ratio
// that is not a constant 0 is Unsupported (the result would be random); a non-constant
// training_mode is treated as inference.
#include <cstring>
#include <limits>
#include <string>
#include <type_traits>

#include "src/exec/elementwise_math.h"
#include "src/exec/kernels_elementwise.h"

namespace tinyq {

namespace {

// One input, one output with the input's dtype and shape.
Status CheckUnary(const Graph& g, const Node& n) {
  const Value* x = n.input(0);
  const Value* y = n.output(0);
  if (!x || !y) return InvalidModel(g.Where(&n) + "expects one input and one output");
  if (x->dtype() != y->dtype() || x->shape() != y->shape())
    return InvalidModel(g.Where(&n) + "output " + DTypeName(y->dtype()) +
                        ShapeToString(y->shape()) + " differs from input " + DTypeName(x->dtype()) +
                        ShapeToString(x->shape()));
  return Status::Ok();
}

Status RequireF32(const Graph& g, const Node& n) {
  if (n.input(0)->dtype() != DType::kF32)
    return Unsupported(g.Where(&n) + "dtype " + DTypeName(n.input(0)->dtype()) +
                       " is not supported (f32 only)");
  return Status::Ok();
}

using UnaryF32Fn = void (*)(const float*, float*, int64_t);

template <UnaryF32Fn kFn>
StatusOr<std::unique_ptr<KernelInstance>> PrepareF32(const Graph& g, const Node& n) {
  TQ_RETURN_IF_ERROR(CheckUnary(g, n));
  TQ_RETURN_IF_ERROR(RequireF32(g, n));
  return MakeKernel([](KernelIO& io) {
    kFn(io.inputs[0]->data<float>(), io.outputs[0]->data<float>(), io.inputs[0]->numel());
  });
}

StatusOr<std::unique_ptr<KernelInstance>> PrepareLeakyRelu(const Graph& g, const Node& n) {
  TQ_RETURN_IF_ERROR(CheckUnary(g, n));
  TQ_RETURN_IF_ERROR(RequireF32(g, n));
  const float alpha = n.GetFloat("alpha", 0.01f);
  return MakeKernel([alpha](KernelIO& io) {
    LeakyReluF32(io.inputs[0]->data<float>(), io.outputs[0]->data<float>(), io.inputs[0]->numel(),
                 alpha);
  });
}

StatusOr<std::unique_ptr<KernelInstance>> PrepareHardSigmoid(const Graph& g, const Node& n) {
  TQ_RETURN_IF_ERROR(CheckUnary(g, n));
  TQ_RETURN_IF_ERROR(RequireF32(g, n));
  const float alpha = n.GetFloat("alpha", 0.2f);
  const float beta = n.GetFloat("beta", 0.5f);
  return MakeKernel([alpha, beta](KernelIO& io) {
    HardSigmoidF32(io.inputs[0]->data<float>(), io.outputs[0]->data<float>(), io.inputs[0]->numel(),
                   alpha, beta);
  });
}

template <typename T>
std::unique_ptr<KernelInstance> MakeNegAbs(bool neg) {
  if constexpr (std::is_signed_v<T>) {
    if (neg)
      return MakeKernel([](KernelIO& io) {
        NegArray(io.inputs[0]->data<T>(), io.outputs[0]->data<T>(), io.inputs[0]->numel());
      });
  }
  return MakeKernel([](KernelIO& io) {
    AbsArray(io.inputs[0]->data<T>(), io.outputs[0]->data<T>(), io.inputs[0]->numel());
  });
}

// Neg: floats and signed integers; Abs: floats and all integers.
StatusOr<std::unique_ptr<KernelInstance>> PrepareNegAbs(const Graph& g, const Node& n) {
  TQ_RETURN_IF_ERROR(CheckUnary(g, n));
  const bool neg = n.op() == OpKind::kNeg;
  const DType t = n.input(0)->dtype();
  switch (t) {
    case DType::kF32:
      return MakeNegAbs<float>(neg);
    case DType::kF64:
      return MakeNegAbs<double>(neg);
    case DType::kS8:
      return MakeNegAbs<int8_t>(neg);
    case DType::kS16:
      return MakeNegAbs<int16_t>(neg);
    case DType::kS32:
      return MakeNegAbs<int32_t>(neg);
    case DType::kS64:
      return MakeNegAbs<int64_t>(neg);
    case DType::kU8:
      if (!neg) return MakeNegAbs<uint8_t>(false);
      break;
    case DType::kU16:
      if (!neg) return MakeNegAbs<uint16_t>(false);
      break;
    default:
      break;
  }
  return Unsupported(g.Where(&n) + "dtype " + DTypeName(t) + " is not supported");
}

// Clip bounds: a constant folded at prepare, or read from input `input` at Eval.
template <typename T>
struct ClipBound {
  T value;
  int input = -1;  // >= 0: read io.inputs[input] at Eval
  T Get(const KernelIO& io) const {
    return input >= 0 ? io.inputs[static_cast<size_t>(input)]->data<T>()[0] : value;
  }
};

template <typename T>
StatusOr<std::unique_ptr<KernelInstance>> PrepareClipTyped(const Graph& g, const Node& n) {
  // Absent bounds: the whole range (infinities for floats).
  ClipBound<T> lo{std::numeric_limits<T>::has_infinity ? -std::numeric_limits<T>::infinity()
                                                       : std::numeric_limits<T>::lowest()};
  ClipBound<T> hi{std::numeric_limits<T>::has_infinity ? std::numeric_limits<T>::infinity()
                                                       : std::numeric_limits<T>::max()};
  for (int i = 1; i <= 2; ++i) {
    const Value* v = n.input(i);
    if (!v) continue;
    if (v->dtype() != n.input(0)->dtype() || NumElements(v->shape()) != 1)
      return InvalidModel(g.Where(&n) + (i == 1 ? "min" : "max") + " must be a single " +
                          DTypeName(n.input(0)->dtype()) + " element, got " +
                          DTypeName(v->dtype()) + ShapeToString(v->shape()));
    ClipBound<T>& b = i == 1 ? lo : hi;
    if (v->is_constant())
      b.value = v->constant()->data<T>()[0];
    else
      b.input = i;
  }
  return MakeKernel([lo, hi](KernelIO& io) {
    ClipArray(io.inputs[0]->data<T>(), io.outputs[0]->data<T>(), io.inputs[0]->numel(), lo.Get(io),
              hi.Get(io));
  });
}

StatusOr<std::unique_ptr<KernelInstance>> PrepareClip(const Graph& g, const Node& n) {
  TQ_RETURN_IF_ERROR(CheckUnary(g, n));
  const DType t = n.input(0)->dtype();
  switch (t) {
    case DType::kF32:
      return PrepareClipTyped<float>(g, n);
    case DType::kF64:
      return PrepareClipTyped<double>(g, n);
    case DType::kS8:
      return PrepareClipTyped<int8_t>(g, n);
    case DType::kU8:
      return PrepareClipTyped<uint8_t>(g, n);
    case DType::kS16:
      return PrepareClipTyped<int16_t>(g, n);
    case DType::kU16:
      return PrepareClipTyped<uint16_t>(g, n);
    case DType::kS32:
      return PrepareClipTyped<int32_t>(g, n);
    case DType::kS64:
      return PrepareClipTyped<int64_t>(g, n);
    default:
      return Unsupported(g.Where(&n) + "dtype " + DTypeName(t) + " is not supported");
  }
}

StatusOr<std::unique_ptr<KernelInstance>> PrepareIdentity(const Graph& g, const Node& n) {
  TQ_RETURN_IF_ERROR(CheckUnary(g, n));
  return MakeKernel([](KernelIO& io) {
    std::memcpy(io.outputs[0]->raw(), io.inputs[0]->raw(), io.inputs[0]->nbytes());
  });
}

// True if `v` is a single-element constant that is nonzero.
bool ConstantNonZero(const Value* v) {
  if (!v || !v->is_constant() || v->constant()->numel() != 1) return false;
  return v->constant()->ToFloatVector()[0] != 0.0f;
}

StatusOr<std::unique_ptr<KernelInstance>> PrepareDropout(const Graph& g, const Node& n) {
  const Value* x = n.input(0);
  const Value* y = n.output(0);
  if (!x || !y || x->dtype() != y->dtype() || x->shape() != y->shape())
    return InvalidModel(g.Where(&n) + "output 0 must match the data input");
  const Value* mask = n.output(1);
  if (mask && (mask->dtype() != DType::kBool || mask->shape() != x->shape()))
    return InvalidModel(g.Where(&n) + "mask output must be bool of the data shape");
  if (ConstantNonZero(n.input(2))) {
    const Value* ratio = n.input(1);
    const bool zero_ratio =
        ratio && ratio->is_constant() && ratio->constant()->numel() == 1 && !ConstantNonZero(ratio);
    if (!zero_ratio)
      return Unsupported(g.Where(&n) + "training_mode = true (random dropout) is not supported");
  }
  const bool has_mask = mask != nullptr;
  return MakeKernel([has_mask](KernelIO& io) {
    std::memcpy(io.outputs[0]->raw(), io.inputs[0]->raw(), io.inputs[0]->nbytes());
    if (has_mask) std::memset(io.outputs[1]->raw(), 1, io.outputs[1]->nbytes());
  });
}

StatusOr<std::unique_ptr<KernelInstance>> PrepareCast(const Graph& g, const Node& n) {
  const Value* x = n.input(0);
  const Value* y = n.output(0);
  if (!x || !y || x->shape() != y->shape())
    return InvalidModel(g.Where(&n) + "output shape must match the input");
  const DType from = x->dtype(), to = y->dtype();
  if (from == DType::kCount || to == DType::kCount)
    return Unsupported(g.Where(&n) + "invalid dtype");
  return MakeKernel([from, to](KernelIO& io) {
    CastArray(from, io.inputs[0]->raw(), to, io.outputs[0]->raw(), io.inputs[0]->numel());
  });
}

}  // namespace

void AppendUnaryKernels(std::vector<KernelRegistration>* table) {
  table->push_back({OpKind::kSqrt, ExecMode::kFloat, PrepareF32<SqrtF32>});
  table->push_back({OpKind::kExp, ExecMode::kFloat, PrepareF32<ExpF32>});
  table->push_back({OpKind::kLog, ExecMode::kFloat, PrepareF32<LogF32>});
  table->push_back({OpKind::kRelu, ExecMode::kFloat, PrepareF32<ReluF32>});
  table->push_back({OpKind::kSigmoid, ExecMode::kFloat, PrepareF32<SigmoidF32>});
  table->push_back({OpKind::kTanh, ExecMode::kFloat, PrepareF32<TanhF32>});
  table->push_back({OpKind::kHardSwish, ExecMode::kFloat, PrepareF32<HardSwishF32>});
  table->push_back({OpKind::kLeakyRelu, ExecMode::kFloat, PrepareLeakyRelu});
  table->push_back({OpKind::kHardSigmoid, ExecMode::kFloat, PrepareHardSigmoid});
  table->push_back({OpKind::kNeg, ExecMode::kFloat, PrepareNegAbs});
  table->push_back({OpKind::kAbs, ExecMode::kFloat, PrepareNegAbs});
  table->push_back({OpKind::kClip, ExecMode::kFloat, PrepareClip});
  table->push_back({OpKind::kIdentity, ExecMode::kFloat, PrepareIdentity});
  table->push_back({OpKind::kDropout, ExecMode::kFloat, PrepareDropout});
  table->push_back({OpKind::kCast, ExecMode::kFloat, PrepareCast});
}

}  // namespace tinyq
