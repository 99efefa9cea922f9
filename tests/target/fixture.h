// tests/target/fixture.h - the hand-built generated-C fixture (tests/testdata/target/tiny, made by
// tests/testdata/gen_target_fixture.py) assembled with the runtime copies, as codegen lays out DIR.
#ifndef TINYQ_TESTS_TARGET_FIXTURE_H_
#define TINYQ_TESTS_TARGET_FIXTURE_H_

#include <stdlib.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

namespace tinyq::testing {

inline std::string SourceDir() { return TINYQ_SOURCE_DIR; }

// A fresh temp dir holding tiny.h, tiny.c, tiny_weights.c and src/runtime/tq_*.{c,h}.
inline std::string MakeTinyFixtureDir() {
  namespace fs = std::filesystem;
  std::string templ = (fs::temp_directory_path() / "tinyq-fixture-XXXXXX").string();
  std::vector<char> buf(templ.begin(), templ.end());
  buf.push_back('\0');
  const std::string dir = ::mkdtemp(buf.data());
  const fs::path fixture = fs::path(SourceDir()) / "tests/testdata/target/tiny";
  for (const char* f : {"tiny.h", "tiny.c", "tiny_weights.c"})
    fs::copy_file(fixture / f, dir + "/" + f);
  for (const auto& e : fs::directory_iterator(fs::path(SourceDir()) / "src/runtime")) {
    const std::string file = e.path().filename().string();
    if (file.rfind("tq_", 0) == 0) fs::copy_file(e.path(), dir + "/" + file);
  }
  return dir;
}

// tests/testdata/target/tiny/expected.json (input, output from the naive numpy reference).
inline nlohmann::json TinyExpected() {
  std::ifstream in(SourceDir() + "/tests/testdata/target/tiny/expected.json");
  std::stringstream ss;
  ss << in.rdbuf();
  return nlohmann::json::parse(ss.str());
}

inline std::vector<int8_t> Int8s(const nlohmann::json& j) {
  std::vector<int8_t> v;
  for (const auto& x : j) v.push_back(static_cast<int8_t>(x.get<int>()));
  return v;
}

}  // namespace tinyq::testing

#endif  // TINYQ_TESTS_TARGET_FIXTURE_H_
