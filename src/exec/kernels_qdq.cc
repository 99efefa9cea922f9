// QuantizeLinear and DequantizeLinear kernels (ONNX opsets 10..18), float executor.
//
//   QuantizeLinear:   y = saturate(round_half_even(x / scale) + zero_point)   x f32/s32 -> s8/u8
//   DequantizeLinear: y = (float(x) - float(zero_point)) * scale              x s8/u8/s32 -> f32
//
// Per-tensor (one scale) or per-axis (one scale per index of `axis`). The tensor is walked as
// [outer][channels][inner] so the scale changes only between inner runs. Scale and zero point are
// read from the inputs at run time (prepare has checked their shapes and dtypes), so they need not
// be constants.
#include <cmath>
#include <cstring>
#include <limits>

#include "src/exec/kernel.h"
#include "src/exec/kernels_tensor_util.h"
#include "src/ir/tensor_op_params.h"

namespace tinyq {
namespace {

struct QdqLayout {
  int64_t outer = 1;
  int64_t channels = 1;
  int64_t inner = 1;
};

QdqLayout LayoutOf(const Shape& shape, const QdqParams& p) {
  QdqLayout l;
  if (p.axis < 0) {
    l.inner = NumElements(shape);
    return l;
  }
  const size_t a = static_cast<size_t>(p.axis);
  for (size_t d = 0; d < a; ++d) l.outer *= shape[d];
  l.channels = shape[a];
  for (size_t d = a + 1; d < shape.size(); ++d) l.inner *= shape[d];
  return l;
}

// x / scale in the precision ONNX's reference uses: f32 for f32 inputs, f64 for s32 inputs
// (numpy promotes int32 / float32 to float64).
inline double Divide(float x, float s) { return static_cast<double>(x / s); }
inline double Divide(int32_t x, float s) { return static_cast<double>(x) / s; }

// round half to even (std::nearbyint in the default FE_TONEAREST mode), add the zero point,
// saturate to Q. NaN inputs have no defined result in ONNX; they map to the zero point.
template <typename Q, typename X>
void Quantize(const X* x, const float* scale, const Q* zp, const QdqLayout& l, Q* y) {
  constexpr double kMin = std::numeric_limits<Q>::min();
  constexpr double kMax = std::numeric_limits<Q>::max();
  for (int64_t o = 0; o < l.outer; ++o) {
    for (int64_t c = 0; c < l.channels; ++c) {
      const float s = scale[c];
      const double z = zp ? static_cast<double>(zp[c]) : 0.0;
      for (int64_t i = 0; i < l.inner; ++i) {
        double v = std::nearbyint(Divide(*x++, s)) + z;
        if (std::isnan(v)) v = z;
        v = v < kMin ? kMin : (v > kMax ? kMax : v);
        *y++ = static_cast<Q>(v);
      }
    }
  }
}

template <typename Q>
void Dequantize(const Q* x, const float* scale, const Q* zp, const QdqLayout& l, float* y) {
  for (int64_t o = 0; o < l.outer; ++o) {
    for (int64_t c = 0; c < l.channels; ++c) {
      const float s = scale[c];
      const float z = zp ? static_cast<float>(zp[c]) : 0.0f;
      for (int64_t i = 0; i < l.inner; ++i) *y++ = (static_cast<float>(*x++) - z) * s;
    }
  }
}

template <typename Q>
const Q* ZeroPoint(const KernelIO& io) {
  return io.inputs.size() > 2 && io.inputs[2] ? io.inputs[2]->data<Q>() : nullptr;
}

StatusOr<std::unique_ptr<KernelInstance>> PrepareQuantize(const Graph& graph, const Node& node) {
  TQ_ASSIGN_OR_RETURN(QdqParams p, ResolveQuantizeLinear(graph, node));
  const Value* x = node.input(0);
  TQ_RETURN_IF_ERROR(CheckOutput(graph, node, 0, p.quant_dtype, x->shape()));
  const QdqLayout l = LayoutOf(x->shape(), p);
  const bool s8 = p.quant_dtype == DType::kS8;
  const bool xf = x->dtype() == DType::kF32;
  return MakeKernel([l, s8, xf](KernelIO& io) {
    const float* scale = io.inputs[1]->data<float>();
    Tensor* y = io.outputs[0];
    if (s8 && xf)
      Quantize(io.inputs[0]->data<float>(), scale, ZeroPoint<int8_t>(io), l, y->data<int8_t>());
    if (s8 && !xf)
      Quantize(io.inputs[0]->data<int32_t>(), scale, ZeroPoint<int8_t>(io), l, y->data<int8_t>());
    if (!s8 && xf)
      Quantize(io.inputs[0]->data<float>(), scale, ZeroPoint<uint8_t>(io), l, y->data<uint8_t>());
    if (!s8 && !xf)
      Quantize(io.inputs[0]->data<int32_t>(), scale, ZeroPoint<uint8_t>(io), l, y->data<uint8_t>());
  });
}

StatusOr<std::unique_ptr<KernelInstance>> PrepareDequantize(const Graph& graph, const Node& node) {
  TQ_ASSIGN_OR_RETURN(QdqParams p, ResolveDequantizeLinear(graph, node));
  const Value* x = node.input(0);
  TQ_RETURN_IF_ERROR(CheckOutput(graph, node, 0, DType::kF32, x->shape()));
  const QdqLayout l = LayoutOf(x->shape(), p);
  const DType t = p.quant_dtype;
  return MakeKernel([l, t](KernelIO& io) {
    const float* scale = io.inputs[1]->data<float>();
    float* y = io.outputs[0]->data<float>();
    switch (t) {
      case DType::kS8:
        Dequantize(io.inputs[0]->data<int8_t>(), scale, ZeroPoint<int8_t>(io), l, y);
        break;
      case DType::kU8:
        Dequantize(io.inputs[0]->data<uint8_t>(), scale, ZeroPoint<uint8_t>(io), l, y);
        break;
      default:  // s32: the zero point is 0 (checked in prepare)
        Dequantize<int32_t>(io.inputs[0]->data<int32_t>(), scale, nullptr, l, y);
        break;
    }
  });
}

}  // namespace

void AppendQdqKernels(std::vector<KernelRegistration>* table) {
  table->push_back({OpKind::kQuantizeLinear, ExecMode::kFloat, PrepareQuantize});
  table->push_back({OpKind::kDequantizeLinear, ExecMode::kFloat, PrepareDequantize});
}

}  // namespace tinyq
