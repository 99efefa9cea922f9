// tests/data/data_test_util.h - fixtures, temp files and status checks shared by the data tests.
#ifndef TINYQ_TESTS_DATA_DATA_TEST_UTIL_H_
#define TINYQ_TESTS_DATA_DATA_TEST_UTIL_H_

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "tinyq/status.h"

namespace tinyq {
namespace testing_data {

inline std::string Fixture(const std::string& name) {
  return std::string(TINYQ_SOURCE_DIR) + "/tests/testdata/data/" + name;
}

inline std::string ReadBytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

inline void WriteBytes(const std::string& path, const std::string& bytes) {
  // Unlink first: truncating an existing file makes ext4 flush it on close (auto_da_alloc),
  // which made the corruption test I/O bound.
  unlink(path.c_str());
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// `ls -A dir`: entry names, sorted, one per line.
inline std::string ListDir(const std::string& dir) {
  std::string cmd = "ls -A '" + dir + "'";
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  char buf[256];
  while (p && fgets(buf, sizeof(buf), p)) out += buf;
  if (p) pclose(p);
  return out;
}

// A fresh directory under the build tree, removed (with its files) at the end of the test.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = std::string(TINYQ_BINARY_DIR) + "/data_test_XXXXXX";
    path_ = mkdtemp(&tmpl[0]) ? tmpl : std::string();
  }
  ~TempDir() {
    if (!path_.empty()) {
      std::string cmd = "rm -rf '" + path_ + "'";
      if (system(cmd.c_str()) != 0) ADD_FAILURE() << "cannot remove " << path_;
    }
  }
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }
  // Names of the entries in the directory, sorted, one per line.
  std::string Listing() const { return ListDir(path_); }

 private:
  std::string path_;
};

// The C-order value formulas of tests/testdata/gen_data_fixtures.py (VALUES), element i.
inline double ValueF4(int64_t i) { return static_cast<double>(i) * 0.25 - 3.0; }
inline double ValueF8(int64_t i) { return static_cast<double>(i - 5) / 3.0; }
inline int64_t ValueI1(int64_t i) { return (i * 37) % 256 - 128; }
inline int64_t ValueU1(int64_t i) { return (i * 37) % 256; }
inline int64_t ValueI2(int64_t i) { return i * 1000 - 12000; }
inline int64_t ValueU2(int64_t i) { return (i * 2900) % 65536; }
inline int64_t ValueI4(int64_t i) { return i * 100000 - 1000003; }
inline int64_t ValueU4(int64_t i) { return (i * 300000007) % (int64_t{1} << 32); }
inline int64_t ValueI8(int64_t i) { return i * 1000000000000 - 7; }
inline int64_t ValueU8(int64_t i) { return i * 1000000000000000; }
inline bool ValueB1(int64_t i) { return i % 3 == 0; }

inline Status StatusOf(const Status& s) { return s; }
template <typename T>
Status StatusOf(const StatusOr<T>& s) {
  return s.status();
}

}  // namespace testing_data
}  // namespace tinyq

// Asserts that a Status/StatusOr failed with `code` and that its message starts with `path`.
#define EXPECT_FAILS_NAMING(expr, code_, path_)                               \
  do {                                                                        \
    const ::tinyq::Status tq_s_ = ::tinyq::testing_data::StatusOf(expr);      \
    EXPECT_EQ(tq_s_.code(), (code_)) << tq_s_.ToString();                     \
    EXPECT_EQ(tq_s_.message().rfind((path_), 0), 0u)                          \
        << "message does not start with the file name: " << tq_s_.ToString(); \
  } while (0)

namespace tinyq {
namespace testing_data {

// Writes `bytes` to `path`, reads it back with `read` (ReadIdx, ReadNpy, ReadNpz) and expects a
// failure with `code` whose message starts with the path and contains `fragment`.
template <typename Read>
void ExpectBrokenFile(Read read, const std::string& path, const std::string& bytes,
                      const std::string& fragment, StatusCode code = StatusCode::kInvalidArgument) {
  WriteBytes(path, bytes);
  auto r = read(path);
  EXPECT_FAILS_NAMING(r, code, path);
  EXPECT_NE(r.status().message().find(fragment), std::string::npos) << r.status().ToString();
}

}  // namespace testing_data
}  // namespace tinyq

#endif  // TINYQ_TESTS_DATA_DATA_TEST_UTIL_H_
