// passes/fold_constants.h - see fold_constants.cc for the rewrite and its rules.
#ifndef TINYQ_PASSES_FOLD_CONSTANTS_H_
#define TINYQ_PASSES_FOLD_CONSTANTS_H_

#include <cstdint>

#include "passes/pass.h"

namespace tinyq {

class FoldConstantsPass : public Pass {
 public:
  // Outputs with more elements than this are not folded (default 1M elements = 4 MB of f32, far
  // beyond any microcontroller model, so only pathological expansions are refused).
  static constexpr int64_t kDefaultMaxOutputElements = int64_t{1} << 20;
  explicit FoldConstantsPass(int64_t max_output_elements = kDefaultMaxOutputElements)
      : max_output_elements_(max_output_elements) {}
  const char* name() const override { return "fold_constants"; }
  Status Run(Graph& graph, PassStats* stats) override;

 private:
  int64_t max_output_elements_;
};

}  // namespace tinyq

#endif  // TINYQ_PASSES_FOLD_CONSTANTS_H_
