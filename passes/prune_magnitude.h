// passes/prune_magnitude.h - unstructured magnitude pruning (weights set to exactly zero).
#ifndef TINYQ_PASSES_PRUNE_MAGNITUDE_H_
#define TINYQ_PASSES_PRUNE_MAGNITUDE_H_

#include <cstdint>

#include "passes/pass.h"

namespace tinyq {

struct PruneMagnitudeOptions {
  double sparsity = 0.5;  // fraction of weights set to zero, in [0, 1)
  bool global = false;    // one magnitude threshold over all layers (else per layer)
  // N:M: in every run of M consecutive weights of an output channel keep the N largest (n = 0:
  // off). The sparsity is then 1 - N/M and `sparsity`/`global` are ignored.
  int n = 0;
  int m = 0;
};

// Weights pruned: the f32 constant weight (input 1) of Conv, Gemm and MatMul nodes; biases are
// kept. "Output channel" = Conv W[o], Gemm B row o (transB = 1) or column o (transB = 0, and
// MatMul B), its weights in stored order.
class PruneMagnitudePass : public Pass {
 public:
  explicit PruneMagnitudePass(PruneMagnitudeOptions options = {}) : options_(options) {}
  const char* name() const override { return "prune_magnitude"; }
  Status Run(Graph& graph, PassStats* stats) override;

 private:
  PruneMagnitudeOptions options_;
};

// Fraction of zero elements among the weights PruneMagnitudePass would prune (0 if none).
double WeightSparsity(const Graph& graph);

}  // namespace tinyq

#endif  // TINYQ_PASSES_PRUNE_MAGNITUDE_H_
