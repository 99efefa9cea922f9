// Fuzzes the IDX reader, plain and gzip-compressed (dispatch by magic bytes).
#include "tests/fuzz/fuzz_util.h"
#include "tinyq/data.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)tinyq::ReadIdx(tinyq::fuzz::AsFile(data, size, "-idx3-ubyte"));
  return 0;
}
