#include <array>
#include <cstring>

#include "tinyq/ir.h"

namespace tinyq {
namespace {

constexpr std::array<const char*, static_cast<size_t>(OpKind::kCount)> kOpNames = {
    "Conv", "ConvTranspose", "Gemm", "MatMul",
    "Add", "Sub", "Mul", "Div", "Max", "Min", "Pow",
    "Sqrt", "Exp", "Log", "Neg", "Abs", "Relu", "LeakyRelu", "PRelu", "Clip",
    "Sigmoid", "Tanh", "HardSigmoid", "HardSwish", "Softmax", "LogSoftmax",
    "ReduceMean", "ReduceMax", "ReduceSum",
    "MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool",
    "BatchNormalization", "InstanceNormalization",
    "Flatten", "Reshape", "Transpose", "Concat", "Split", "Slice", "Gather", "Squeeze",
    "Unsqueeze", "Pad",
    "Resize", "Upsample", "Identity", "Dropout", "Cast", "Constant", "Shape", "Range",
    "QuantizeLinear", "DequantizeLinear",
};
// Every OpKind has a name: the array size is the enum's count, and no entry may be empty.
static_assert(kOpNames.size() == static_cast<size_t>(OpKind::kCount), "op name table size");
constexpr bool AllNamed() {
  for (const char* n : kOpNames)
    if (n == nullptr) return false;
  return true;
}
static_assert(AllNamed(), "every OpKind needs a name in kOpNames");

}  // namespace

const char* OpKindName(OpKind op) {
  size_t i = static_cast<size_t>(op);
  return i < kOpNames.size() ? kOpNames[i] : "?";
}

std::optional<OpKind> OpKindFromName(const std::string& name) {
  for (size_t i = 0; i < kOpNames.size(); ++i)
    if (name == kOpNames[i]) return static_cast<OpKind>(i);
  return std::nullopt;
}

}  // namespace tinyq
