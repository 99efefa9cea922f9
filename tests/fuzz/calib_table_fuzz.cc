// Fuzzes the calibration-table JSON parser (`tinyq quantize --calib-table`).
#include "tests/fuzz/fuzz_util.h"
#include "tinyq/quant.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto t = tinyq::CalibrationTable::FromJson(tinyq::fuzz::AsString(data, size), "fuzz.json");
  if (t.ok()) (void)t->ToJson();
  return 0;
}
