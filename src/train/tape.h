// src/train/tape.h - reverse-mode autodiff over a float Graph.
//
// A TrainProgram compiles a Graph (one float input, static shapes, leading dim = the graph batch)
// into a list of TrainOps in topological order. Every float value becomes a Slot: activations are
// batched ([B, sample...], B chosen per call), constants hold a copy of their tensor. A constant in
// a differentiable input position (weights, biases, BN scale/bias, Add/Mul operands) is a
// parameter: its gradient is accumulated by Backward and applied by an optimizer (optimizer.h).
//
//   Forward(x, B)  : runs every op, keeping each activation (what backward needs).
//   Backward(dy)   : dy = dLoss/dOutput0 [B, ...]; walks the ops in reverse, each op adding its
//                    inputs' gradients (so fan-out sums), and accumulates parameter gradients.
// Parameter gradients accumulate across Backward calls until ZeroParamGrads.
//
// BatchNormalization has three modes (TrainState::bn_mode): the inference form with the running
// statistics fixed (kRunning, also what evaluation uses), the training form normalizing with the
// batch's own statistics and updating the running ones with the node's momentum (kBatch), and
// re-estimation (kEstimate): batch statistics, the running ones set to the exact average over the
// batches since BeginBatchNormEstimate. The running statistics are state ("buffers"): they are
// written back and saved/restored with the parameters, but never trained.
#ifndef TINYQ_SRC_TRAIN_TAPE_H_
#define TINYQ_SRC_TRAIN_TAPE_H_

#include <cstdint>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "tinyq/ir.h"
#include "tinyq/status.h"

namespace tinyq::train {

// Allocates 64-byte aligned storage. Eigen's vectorized kernels peel loops up to an alignment
// boundary, so the summation order (and the last bits of results) depends on a buffer's address
// modulo the vector width; with every buffer aligned the same way, training is bit-reproducible
// across processes (CLI and Python give byte-identical weights).
template <typename T>
struct AlignedAllocator {
  using value_type = T;
  AlignedAllocator() = default;
  template <typename U>
  AlignedAllocator(const AlignedAllocator<U>&) {}  // NOLINT: allocator rebinding
  T* allocate(size_t n) {
    return static_cast<T*>(::operator new(n * sizeof(T), std::align_val_t(64)));
  }
  void deallocate(T* p, size_t) { ::operator delete(p, std::align_val_t(64)); }
  bool operator==(const AlignedAllocator&) const { return true; }
  bool operator!=(const AlignedAllocator&) const { return false; }
};
using FloatVec = std::vector<float, AlignedAllocator<float>>;

struct Slot {
  const Value* value = nullptr;
  bool batched = false;     // activation [B, shape...]; else a constant of `shape`
  Shape shape;              // per-sample shape (batched) or the full shape (constant)
  int64_t numel = 0;        // per sample (batched) or total (constant)
  bool param = false;       // a trained constant
  bool needs_grad = false;  // a parameter or an activation that depends on one
  bool buffer = false;      // a constant updated by the forward pass (BN running statistics)
  FloatVec data;
  FloatVec grad;
};

enum class BnMode { kRunning, kBatch, kEstimate };

// What ops see: the slots and the current batch size.
struct TrainState {
  int64_t batch = 0;
  BnMode bn_mode = BnMode::kRunning;
  int64_t bn_estimate_batches = 0;  // kEstimate: batches averaged so far
  std::vector<Slot> slots;
  float* data(int s) { return slots[static_cast<size_t>(s)].data.data(); }
  float* grad(int s) { return slots[static_cast<size_t>(s)].grad.data(); }
  bool needs_grad(int s) const { return s >= 0 && slots[static_cast<size_t>(s)].needs_grad; }
  const Slot& slot(int s) const { return slots[static_cast<size_t>(s)]; }
};

// One differentiable node. Built (validated, precomputed) once; Forward/Backward run blind.
class TrainOp {
 public:
  virtual ~TrainOp() = default;
  virtual void Forward(TrainState& s) = 0;
  // Adds dL/d(input) to the grads of inputs that need it, given dL/d(output) in the output grads.
  virtual void Backward(TrainState& s) = 0;
};

// What a factory gets: the node and its slot indices (-1 for absent or non-float inputs).
struct OpBuild {
  const Graph& graph;
  const Node& node;
  std::vector<int> in;
  std::vector<int> out;
  const TrainState& state;
};

// Inputs of `op` that are differentiable (their constants become parameters).
std::vector<int> DifferentiableInputs(OpKind op);
// The op for `b.node`; Unsupported naming the node when the trainer cannot differentiate it.
StatusOr<std::unique_ptr<TrainOp>> MakeTrainOp(const OpBuild& b);

// Factories by file (op_*.cc).
StatusOr<std::unique_ptr<TrainOp>> MakeConvOp(const OpBuild& b);
StatusOr<std::unique_ptr<TrainOp>> MakeDenseOp(const OpBuild& b);       // Gemm, MatMul
StatusOr<std::unique_ptr<TrainOp>> MakeBinaryOp(const OpBuild& b);      // Add, Sub, Mul
StatusOr<std::unique_ptr<TrainOp>> MakeActivationOp(const OpBuild& b);  // Relu, LeakyRelu, Clip
StatusOr<std::unique_ptr<TrainOp>> MakeBatchNormOp(const OpBuild& b);
StatusOr<std::unique_ptr<TrainOp>> MakeSoftmaxOp(const OpBuild& b);
StatusOr<std::unique_ptr<TrainOp>> MakePoolOp(const OpBuild& b);  // Max/Average/GlobalAverage
StatusOr<std::unique_ptr<TrainOp>> MakeCopyOp(const OpBuild& b);  // Flatten/Reshape/Identity/...
StatusOr<std::unique_ptr<TrainOp>> MakeConcatOp(const OpBuild& b);

struct Param {
  std::string name;
  int slot = 0;
};

// An extra gradient seed for Backward: dLoss/d(slot) [batch, sample...] added to the slot's grad.
struct GradSeed {
  int slot = -1;
  const float* grad = nullptr;
};

class TrainProgram {
 public:
  // `graph` is read once; the program keeps copies of its constants. Errors: Unsupported naming
  // the node for ops without a gradient, graphs with other than one float input, or values
  // whose leading dim is not the batch dim.
  static StatusOr<std::unique_ptr<TrainProgram>> Create(const Graph& graph);

  // x holds `batch` samples of the input's per-sample shape.
  void Forward(const float* x, int64_t batch);
  // dy holds dLoss/dOutput(0) for the last Forward's batch (nullptr: none); `seeds` add
  // gradients of further loss terms on intermediate activations (slots that need_grad).
  void Backward(const float* dy, const std::vector<GradSeed>& seeds = {});
  void ZeroParamGrads();

  void SetBatchNormMode(BnMode mode) { state_.bn_mode = mode; }
  // Starts a kEstimate pass: the next forward batches define the running statistics.
  void BeginBatchNormEstimate() {
    state_.bn_mode = BnMode::kEstimate;
    state_.bn_estimate_batches = 0;
  }
  bool HasBatchNorm() const { return !buffers_.empty(); }

  // The slot of the float value `name`, or -1.
  int FindSlot(const std::string& name) const;
  const Slot& slot(int s) const { return state_.slot(s); }
  const float* SlotData(int s) { return state_.data(s); }

  const float* Output(int i = 0) { return state_.data(outputs_[static_cast<size_t>(i)]); }
  int64_t OutputSampleSize(int i = 0) const {
    return state_.slot(outputs_[static_cast<size_t>(i)]).numel;
  }
  int64_t InputSampleSize() const { return state_.slot(input_).numel; }
  const Shape& InputSampleShape() const { return state_.slot(input_).shape; }

  const std::vector<Param>& params() const { return params_; }
  FloatVec& ParamData(const Param& p) { return state_.slots[p.slot].data; }
  FloatVec& ParamGrad(const Param& p) { return state_.slots[p.slot].grad; }
  int64_t NumParamElements() const;
  // Parameters and buffers, in a fixed order (to keep the best epoch's weights).
  std::vector<FloatVec> SaveState() const;
  void RestoreState(const std::vector<FloatVec>& saved);
  // Copies the parameters and buffers into the matching constants of `graph` (the graph Create
  // read, or a clone of it).
  Status WriteBack(Graph* graph) const;

 private:
  TrainProgram() = default;
  void Resize(int64_t batch);
  TrainState state_;
  std::vector<std::unique_ptr<TrainOp>> ops_;
  std::vector<int> op_out0_;  // first output slot of each op (its backward runs if it needs grad)
  std::vector<int> batched_slots_;
  std::vector<int> grad_slots_;  // batched slots whose grad is used
  std::vector<Param> params_;
  std::vector<Param> buffers_;
  int input_ = -1;
  std::vector<int> outputs_;
};

}  // namespace tinyq::train

#endif  // TINYQ_SRC_TRAIN_TAPE_H_
