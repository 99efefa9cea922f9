// passes/equalize_cross_layer.h - see equalize_cross_layer.cc.
#ifndef TINYQ_PASSES_EQUALIZE_CROSS_LAYER_H_
#define TINYQ_PASSES_EQUALIZE_CROSS_LAYER_H_

#include "passes/pass.h"

namespace tinyq {

struct EqualizeCrossLayerOptions {
  // Upper bound on sweeps over all equalized pairs (>= 1). A chain conv1 -> conv2 -> conv3 needs
  // several sweeps because equalizing (conv2, conv3) moves conv2's output ranges again.
  int max_sweeps = 20;
  // A channel is rescaled only when |s_i - 1| > tolerance; the pass stops after the first sweep
  // that rescales nothing (converged). In (0, 1).
  double tolerance = 1e-4;
};

// Cross-layer equalization (Nagel et al. 2019); float graphs only. Run returns InvalidArgument
// for bad options and FailedPrecondition (naming the node) on a quantized graph.
class EqualizeCrossLayerPass : public Pass {
 public:
  EqualizeCrossLayerPass() = default;
  explicit EqualizeCrossLayerPass(EqualizeCrossLayerOptions options) : options_(options) {}
  const char* name() const override { return "equalize_cross_layer"; }
  Status Run(Graph& graph, PassStats* stats) override;

 private:
  EqualizeCrossLayerOptions options_;
};

}  // namespace tinyq

#endif  // TINYQ_PASSES_EQUALIZE_CROSS_LAYER_H_
