// Fuzzes the .npy parser (header dict, dtypes, byte order, Fortran order, sizes).
#include "tests/fuzz/fuzz_util.h"
#include "tinyq/data.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)tinyq::ParseNpy(tinyq::fuzz::AsString(data, size), "fuzz.npy");
  return 0;
}
