// src/exec/kernel.h - node kernels: {prepare, eval} in one registry keyed by (OpKind, mode).
//
// `prepare` sees the node (input/output Values with static shapes, dtypes, constant inputs and
// attributes), validates everything and precomputes (padding, strides, broadcast plans, scratch).
// It is the only place that can fail; its errors name the node via graph.Where(&node).
// `Eval` runs blind: no checks, no allocation beyond what prepare reserved, cannot fail.
#ifndef TINYQ_SRC_EXEC_KERNEL_H_
#define TINYQ_SRC_EXEC_KERNEL_H_

#include <memory>
#include <vector>

#include "tinyq/ir.h"
#include "tinyq/status.h"
#include "tinyq/tensor.h"

namespace tinyq {

// kFloat: the float executor's kernels. kInt8: quantized-region nodes of the int8 executor.
// kFloatFallback: the int8 executor's f32 nodes and Q/DQ borders, on the C99 runtime's float
// kernels (the code generated C runs; int8_float_fallback.cc).
enum class ExecMode { kFloat = 0, kInt8 = 1, kFloatFallback = 2 };

// Tensors of one node evaluation. inputs[i] is nullptr for an absent optional input. Output
// tensors are allocated by the executor with the dtype/shape of node.outputs()[i].
struct KernelIO {
  std::vector<const Tensor*> inputs;
  std::vector<Tensor*> outputs;
};

class KernelInstance {
 public:
  virtual ~KernelInstance() = default;
  virtual void Eval(KernelIO& io) = 0;
};

using PrepareFn = StatusOr<std::unique_ptr<KernelInstance>> (*)(const Graph& graph,
                                                                const Node& node);

// Storage order of the s8 activations (rank 3 and 4) of an int8 node, decided by the executor
// (int8_layout.h): true = the tensor holds channel-last bytes ([N,H,W,C] / [N,L,C]) under its
// IR shape ([N,C,H,W] / [N,C,L]). One entry per node input / output.
struct Int8Layouts {
  std::vector<bool> input_channel_last;
  std::vector<bool> output_channel_last;
};
using PrepareLayoutFn = StatusOr<std::unique_ptr<KernelInstance>> (*)(const Graph& graph,
                                                                      const Node& node,
                                                                      const Int8Layouts& layouts);

struct KernelRegistration {
  OpKind op;
  ExecMode mode;
  PrepareFn prepare;
  // int8 kernels that read and write channel-last natively (int8_layout.h) register this too;
  // the executor calls it instead of `prepare` when some of the node's values are channel-last.
  PrepareLayoutFn prepare_layout = nullptr;
};

// The kernel for (op, mode), or nullptr.
const KernelRegistration* FindKernel(OpKind op, ExecMode mode);

// Each kernel group file appends its registrations (called once, in order, by FindKernel).
void AppendNnKernels(std::vector<KernelRegistration>* table);  // conv/gemm/pool/norm/resize
void AppendElementwiseKernels(
    std::vector<KernelRegistration>* table);                       // unary/binary/softmax/reduce
void AppendTensorKernels(std::vector<KernelRegistration>* table);  // shape & data movement, Q/DQ
void AppendInt8Kernels(
    std::vector<KernelRegistration>* table);  // kInt8, kFloatFallback (int8_*.cc)

// Helper for kernels whose instance is a lambda-like functor: wraps any callable `void(KernelIO&)`.
template <typename F>
class FnKernel : public KernelInstance {
 public:
  explicit FnKernel(F f) : f_(std::move(f)) {}
  void Eval(KernelIO& io) override { f_(io); }

 private:
  F f_;
};
template <typename F>
std::unique_ptr<KernelInstance> MakeKernel(F f) {
  return std::make_unique<FnKernel<F>>(std::move(f));
}

}  // namespace tinyq

#endif  // TINYQ_SRC_EXEC_KERNEL_H_
