// Float kernels of MaxPool, AveragePool (N-d, pads/auto_pad, strides, dilations, ceil_mode,
// count_include_pad), GlobalMaxPool and GlobalAveragePool.
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "src/exec/kernels_nn.h"
#include "src/exec/pool_f32.h"
#include "src/exec/window_table.h"
#include "src/ir/conv_geometry.h"

namespace tinyq {
namespace {

bool IsUsed(const Graph& graph, const Value* v) {
  if (!v) return false;
  if (!v->uses().empty()) return true;
  for (const Value* o : graph.outputs())
    if (o == v) return true;
  return false;
}

class PoolKernel : public KernelInstance {
 public:
  PoolKernel(bool is_max, const ConvGeometry& g, int64_t planes)
      : is_max_(is_max), offsets_(BuildWindowOffsets(g)) {
    p_.planes = planes;
    p_.in_size = g.InSize();
    p_.out_size = g.OutSize();
    p_.kernel_size = g.KernelSize();
    p_.window_offsets = offsets_.data();
    if (g.rank() == 2) {
      p_.use_plane2d = true;
      p_.plane2d = MakePlane2dF32(g);
    }
    scratch_.resize(static_cast<size_t>(PoolScratchSizeF32(p_)));
  }
  // The 2-D path needs the offset table only for the checks and divisors of prepare.
  void DropTableIfUnused() {
    if (!p_.use_plane2d) return;
    offsets_ = std::vector<int32_t>();
    p_.window_offsets = nullptr;
  }
  // Divisors of average pooling: taps inside the input, or inside the padded input.
  void SetDivisors(const ConvGeometry& g, bool count_include_pad) {
    std::vector<int32_t> count(static_cast<size_t>(p_.out_size), 0);
    if (count_include_pad) {
      count = CountTapsInsidePaddedInput(g);
    } else {
      for (size_t i = 0; i < offsets_.size(); ++i)
        if (offsets_[i] >= 0) ++count[i % count.size()];
    }
    inv_divisor_.resize(count.size());
    for (size_t i = 0; i < count.size(); ++i)
      inv_divisor_[i] = count[i] > 0 ? 1.0f / static_cast<float>(count[i]) : 0.0f;
  }
  // True when some window covers no input element (its max would be -inf).
  bool HasEmptyWindow() const {
    std::vector<bool> seen(static_cast<size_t>(p_.out_size), false);
    for (size_t i = 0; i < offsets_.size(); ++i)
      if (offsets_[i] >= 0) seen[i % seen.size()] = true;
    for (bool s : seen)
      if (!s) return true;
    return false;
  }
  void Eval(KernelIO& io) override {
    const float* x = io.inputs[0]->data<float>();
    float* out = io.outputs[0]->data<float>();
    if (is_max_) {
      MaxPoolF32(p_, x, scratch_.data(), out);
    } else {
      AveragePoolF32(p_, inv_divisor_.data(), x, scratch_.data(), out);
    }
  }

 private:
  bool is_max_;
  PoolParamsF32 p_;
  std::vector<int32_t> offsets_;
  std::vector<float> inv_divisor_;
  std::vector<float> scratch_;
};

StatusOr<std::unique_ptr<KernelInstance>> PreparePool(const Graph& graph, const Node& node) {
  const bool is_max = node.op() == OpKind::kMaxPool;
  const Value* x = node.input(0);
  if (!x) return InvalidModel(graph.Where(&node) + "input X is absent");
  if (!node.HasAttr("kernel_shape"))
    return InvalidModel(graph.Where(&node) + "attribute 'kernel_shape' is required");
  if (is_max && IsUsed(graph, node.output(1)))
    return Unsupported(graph.Where(&node) + "the Indices output of MaxPool is not supported");
  TQ_ASSIGN_OR_RETURN(ConvGeometry g, ComputeConvGeometry(graph, node, x->shape(),
                                                          node.GetInts("kernel_shape"), true));
  Shape out = {x->shape()[0], x->shape()[1]};
  out.insert(out.end(), g.out.begin(), g.out.end());
  TQ_RETURN_IF_ERROR(CheckNnNode(graph, node, 1, 1, out));
  auto kernel = std::make_unique<PoolKernel>(is_max, g, x->shape()[0] * x->shape()[1]);
  if (is_max) {
    if (kernel->HasEmptyWindow())
      return InvalidModel(graph.Where(&node) + "a pooling window lies entirely in the padding");
  } else {
    kernel->SetDivisors(g, node.GetInt("count_include_pad", 0) != 0);
  }
  kernel->DropTableIfUnused();
  return std::unique_ptr<KernelInstance>(std::move(kernel));
}

StatusOr<std::unique_ptr<KernelInstance>> PrepareGlobalPool(const Graph& graph, const Node& node) {
  const Value* x = node.input(0);
  if (!x || x->shape().size() < 3)
    return InvalidModel(graph.Where(&node) + "input must be present with rank >= 3");
  Shape out = x->shape();
  std::fill(out.begin() + 2, out.end(), 1);
  TQ_RETURN_IF_ERROR(CheckNnNode(graph, node, 1, 1, out));
  const int64_t planes = out[0] * out[1];
  const int64_t size = NumElements(x->shape()) / std::max<int64_t>(planes, 1);
  if (size == 0) return InvalidModel(graph.Where(&node) + "input has empty spatial dims");
  if (node.op() == OpKind::kGlobalMaxPool)
    return MakeKernel([planes, size](KernelIO& io) {
      GlobalMaxPoolF32(planes, size, io.inputs[0]->data<float>(), io.outputs[0]->data<float>());
    });
  return MakeKernel([planes, size](KernelIO& io) {
    GlobalAveragePoolF32(planes, size, io.inputs[0]->data<float>(), io.outputs[0]->data<float>());
  });
}

}  // namespace

void AppendPoolKernels(std::vector<KernelRegistration>* table) {
  table->push_back({OpKind::kMaxPool, ExecMode::kFloat, PreparePool});
  table->push_back({OpKind::kAveragePool, ExecMode::kFloat, PreparePool});
  table->push_back({OpKind::kGlobalMaxPool, ExecMode::kFloat, PrepareGlobalPool});
  table->push_back({OpKind::kGlobalAveragePool, ExecMode::kFloat, PrepareGlobalPool});
}

}  // namespace tinyq
