// tests/fuzz/fuzz_util.h - helpers shared by the libFuzzer targets.
//
// Every target feeds the bytes to one reader and only requires that it returns (a Status or a
// value) without a sanitizer report, a crash, a hang or an uncaught exception.
#ifndef TINYQ_TESTS_FUZZ_FUZZ_UTIL_H_
#define TINYQ_TESTS_FUZZ_FUZZ_UTIL_H_

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace tinyq::fuzz {

// The fuzz input as a file, for readers that take a path (the real path: open, size, read).
// One file per process, rewritten for each input; `suffix` lets readers dispatch on it.
inline std::string AsFile(const uint8_t* data, size_t size, const std::string& suffix) {
  static const std::string dir = [] {
    const char* t = std::getenv("TMPDIR");
    return std::string(t && *t ? t : "/tmp");
  }();
  const std::string path = dir + "/tinyq_fuzz_" + std::to_string(::getpid()) + suffix;
  static const struct Remover {  // the file goes away when the fuzzer process exits
    std::string p;
    ~Remover() { std::remove(p.c_str()); }
  } remover{path};
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) std::abort();  // the fuzzing machine's fault, not tinyq's
  if (size > 0 && std::fwrite(data, 1, size, f) != size) std::abort();
  std::fclose(f);
  return path;
}

inline std::string AsString(const uint8_t* data, size_t size) {
  return std::string(reinterpret_cast<const char*>(data), size);
}

}  // namespace tinyq::fuzz

#endif  // TINYQ_TESTS_FUZZ_FUZZ_UTIL_H_
