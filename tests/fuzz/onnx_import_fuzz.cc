// Fuzzes ONNX import: protobuf parsing, graph building, shape inference, constant folding, QDQ
// folding, then the inference preparation (optimization passes + kernel prepare) and, for small
// models, one run of the executor (float or int8) on zero inputs: whatever prepare accepts,
// eval must run without a sanitizer report.
#include "tests/fuzz/fuzz_util.h"
#include "tinyq/api.h"
#include "tinyq/executor.h"
#include "tinyq/onnx.h"

namespace {

// Runs only graphs whose values hold few elements in total, so each input stays fast.
bool SmallEnoughToRun(const tinyq::Graph& g) {
  int64_t total = 0;
  for (const auto& v : g.values()) {
    if (!v->shape_known()) continue;
    total += tinyq::NumElements(v->shape());
    if (total > (int64_t{1} << 16)) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto g = tinyq::LoadOnnxFromBytes(tinyq::fuzz::AsString(data, size), "fuzz.onnx", "");
  if (!g.ok()) return 0;
  (void)tinyq::Summarize(**g);
  auto runnable = tinyq::PrepareRunnable(**g, /*require_int8=*/false);
  if (!runnable.ok() || !SmallEnoughToRun(*runnable->graph)) return 0;
  auto exec = tinyq::Executor::Create(*runnable->graph, {.int8 = runnable->int8});
  if (!exec.ok()) return 0;
  tinyq::TensorMap feeds;
  for (const tinyq::Value* in : runnable->graph->inputs())
    feeds[in->name()] = tinyq::Tensor(in->dtype(), in->shape());
  (void)(*exec)->Run(feeds);
  return 0;
}
