// Fuzzes the report reader of `tinyq check` (the input as report and as baseline) and the
// model-card reader.
#include "tests/fuzz/fuzz_util.h"
#include "tinyq/api.h"
#include "tinyq/report.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = tinyq::fuzz::AsFile(data, size, ".json");
  tinyq::CheckLimits limits;
  limits.max_accuracy_drop = 0.5;
  limits.max_flash_growth_pct = 1.0;
  limits.max_ram_growth_pct = 1.0;
  auto s = tinyq::CheckReport(path, path, limits);
  if (s.ok()) {
    (void)tinyq::CheckToJUnit(*s);
    (void)tinyq::CheckToMarkdown(*s);
    (void)tinyq::CheckToJson(*s);
  }
  (void)tinyq::ReadModelCard(path);
  return 0;
}
