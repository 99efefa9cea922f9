// Fuzzes the .npz reader: zip directory, stored and deflated entries (our inflate), CRC checks,
// declared sizes, then the dataset view (x/y checks) of the same file.
#include "tests/fuzz/fuzz_util.h"
#include "tinyq/data.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = tinyq::fuzz::AsFile(data, size, ".npz");
  (void)tinyq::ReadNpz(path);
  (void)tinyq::ReadDataset(path);
  return 0;
}
