// passes/quantize_int8.h - float graph + calibration table -> QOp form (docs/quantized_ir.md).
#ifndef TINYQ_PASSES_QUANTIZE_INT8_H_
#define TINYQ_PASSES_QUANTIZE_INT8_H_

#include <set>
#include <string>
#include <vector>

#include "passes/pass.h"
#include "tinyq/quant.h"

namespace tinyq {

struct QuantizeInt8Options {
  const CalibrationTable* table = nullptr;  // borrowed; ranges by value name (required)
  bool float_io = false;                    // keep f32 graph inputs/outputs (Q/DQ at the borders)
  // Weight range [-(2^(bits-1)-1), 2^(bits-1)-1]: 8 (default) or 7 ("reduce range": no int16
  // saturation in x86 u8*s8 pair-add instructions without VNNI, e.g. ONNX Runtime's kernels).
  int weight_bits = 8;
  std::set<std::string> float_nodes;        // node names that stay float (fallback)
};

// Not in the registry (it needs a calibration table): the quantize pipeline (src/api) constructs
// it. Nodes it cannot quantize (unsupported op or attribute, a value without a calibrated range,
// a non-constant weight) stay float, with a note naming them in PassStats.
class QuantizeInt8Pass : public Pass {
 public:
  explicit QuantizeInt8Pass(QuantizeInt8Options options) : options_(std::move(options)) {}
  const char* name() const override { return "quantize_int8"; }
  Status Run(Graph& graph, PassStats* stats) override;

 private:
  QuantizeInt8Options options_;
};

// The float weights of a Conv / Gemm / MatMul node as quantize_int8 quantizes them: output channel
// first (Conv: W as [Cout, Cin/group, kh, kw]; Gemm/MatMul: W' = alpha * op(B) as [N, K]) and the
// float bias per output channel (Gemm: beta * C broadcast to [N]; empty without one).
// InvalidArgument naming the node when the weights (or bias) are not float constants.
struct MacWeights {
  Tensor weights;
  std::vector<float> bias;
};
StatusOr<MacWeights> MacWeightsOutputFirst(const Graph& graph, const Node& node);

// The ops quantize_int8 can put in the quantized region (for docs and `--help`).
bool IsInt8QuantizableOp(OpKind op);
// True if any value of the graph carries QuantParams (the graph is in QOp form or has Q/DQ).
bool IsQuantizedGraph(const Graph& graph);

}  // namespace tinyq

#endif  // TINYQ_PASSES_QUANTIZE_INT8_H_
