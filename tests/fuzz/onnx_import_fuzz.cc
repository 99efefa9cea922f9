// Fuzzes ONNX import: protobuf parsing, graph building, shape inference, constant folding, QDQ
// folding, and then the inference preparation (optimization passes + kernel prepare).
#include "tests/fuzz/fuzz_util.h"
#include "tinyq/api.h"
#include "tinyq/onnx.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto g = tinyq::LoadOnnxFromBytes(tinyq::fuzz::AsString(data, size), "fuzz.onnx", "");
  if (!g.ok()) return 0;
  (void)tinyq::Summarize(**g);
  auto runnable = tinyq::PrepareRunnable(**g, /*require_int8=*/false);
  (void)runnable;
  return 0;
}
