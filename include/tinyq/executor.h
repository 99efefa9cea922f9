// tinyq/executor.h - the float reference executor.
//
// The executor runs a Graph whose values all have static shapes. It evaluates the nodes in
// topological order with the kernels registered for the mode, and can report every intermediate
// value to an observer (calibration and per-layer error analysis use this).
//
// Batches: the graph has a fixed batch dimension (1 unless the model was loaded with another input
// shape). RunBatch takes inputs whose leading dimension is a multiple B*k of the graph's batch B,
// runs the k slices (in parallel over `threads`) and concatenates the outputs.
#ifndef TINYQ_EXECUTOR_H_
#define TINYQ_EXECUTOR_H_

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tinyq/ir.h"
#include "tinyq/status.h"
#include "tinyq/tensor.h"

namespace tinyq {

using TensorMap = std::map<std::string, Tensor>;

// Called after each node with each of its output values and the computed tensor.
using ValueObserver = std::function<void(const Value& value, const Tensor& tensor)>;

struct ExecutorOptions {
  bool int8 = false;  // use the int8 kernels (quantized graphs); float kernels otherwise
  int threads = 1;    // worker threads for RunBatch (0 = hardware concurrency)
};

class Executor {
 public:
  // Prepares every node. `graph` is borrowed and must outlive the executor and stay unchanged.
  static StatusOr<std::unique_ptr<Executor>> Create(const Graph& graph,
                                                    ExecutorOptions options = {});
  ~Executor();

  // One evaluation. `inputs` maps graph input names to tensors of exactly the input's dtype and
  // shape (else InvalidArgument naming the input). Outputs are keyed by graph output name.
  StatusOr<TensorMap> Run(const TensorMap& inputs, const ValueObserver& observer = nullptr);

  // Inputs whose leading dimension is k times the graph's; see the file comment. The observer,
  // if given, is called on the calling thread with exactly the calls of a one-thread run (slice
  // by slice, in order), also when the slices run on several threads.
  StatusOr<TensorMap> RunBatch(const TensorMap& inputs, const ValueObserver& observer = nullptr);

  const Graph& graph() const;

 private:
  struct Impl;
  explicit Executor(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace tinyq

#endif  // TINYQ_EXECUTOR_H_
