// Fuzzes the board-profile JSON reader (`tinyq targets --profile P.json`, `tinyq budget
// --profile`): parsing, field checks, the KiB -> byte conversion, and both renderings of an
// accepted profile.
#include "tests/fuzz/fuzz_util.h"
#include "tinyq/target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto b = tinyq::ParseBoardProfileJson(tinyq::fuzz::AsString(data, size), "fuzz.json");
  if (!b.ok()) return 0;
  (void)tinyq::BoardsToJson({*b});
  (void)tinyq::BoardsToText({*b});
  return 0;
}
