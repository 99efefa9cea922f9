// ExportModelC: load, quantize a float model with default settings when calibration data is
// given, then ExportC. Shared by the CLI verb and the Python binding.
#include "tinyq/api.h"
#include "tinyq/export.h"
#include "tinyq/onnx.h"
#include "tinyq/quantize.h"

namespace tinyq {

StatusOr<ExportResult> ExportModelC(const std::string& model_path, const std::string& dir,
                                    const ExportModelOptions& options) {
  TQ_ASSIGN_OR_RETURN(std::unique_ptr<Graph> graph, LoadOnnx(model_path));
  bool quantized = false;
  for (const auto& v : graph->values()) quantized = quantized || v->dtype() == DType::kS8;
  ExportOptions c = options.c;
  if (quantized) {
    if (c.model_path.empty()) c.model_path = model_path;
    return ExportC(*graph, c, dir);
  }
  if (options.calib_path.empty())
    return FailedPrecondition(model_path +
                              ": the model is float; pass calibration data (--calib D.npz, "
                              "optionally --card card.json) to quantize it with default "
                              "settings, or export a model made by tinyq quantize");
  QuantizeOptions q;
  if (!options.card_path.empty()) {
    TQ_ASSIGN_OR_RETURN(ModelCard card, ReadModelCard(options.card_path));
    q.preprocess = card.preprocess;
    q.metric = card.metric;
  }
  q.calib_limit = options.calib_limit;
  TQ_ASSIGN_OR_RETURN(Dataset calib, ReadDataset(options.calib_path));
  TQ_ASSIGN_OR_RETURN(QuantizeResult r, Quantize(*graph, calib, options.calib_path, q));
  // The provenance line names the float model (the graph's source); a weights blob is bound to
  // the sha256 of the quantized graph, not of the float file: quantizing the same file with other
  // calibration data gives other quantization parameters in the code.
  r.graph->set_source(model_path);
  return ExportC(*r.graph, c, dir);
}

}  // namespace tinyq
