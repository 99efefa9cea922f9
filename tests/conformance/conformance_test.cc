// ONNX conformance: runs every test of Debian's libonnx-testdata (data/node, data/pytorch-converted,
// data/pytorch-operator) whose ops are all in tinyq's op set, and compares each output with the
// stored one. A case tinyq deliberately does not pass is listed with its reason in exclusions.txt;
// such a case must still fail (so the list cannot go stale), every other in-scope case must pass.
// Cases with ops outside the set are out of scope and are not instantiated (the coverage test
// prints the counts).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "tinyq/executor.h"
#include "tinyq/onnx.h"

namespace tinyq {
namespace {

namespace fs = std::filesystem;

struct Case {
  std::string suite;  // node | pytorch-converted | pytorch-operator
  std::string name;   // test_abs
  std::string dir;
};

// gtest prints parameters of failing cases with this.
void PrintTo(const Case& c, std::ostream* os) { *os << c.suite << "/" << c.name; }

const char* const kSuites[] = {"node", "pytorch-converted", "pytorch-operator"};

std::map<std::string, std::string> Exclusions() {
  std::map<std::string, std::string> out;
  std::ifstream in(TINYQ_CONFORMANCE_EXCLUSIONS);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream ss(line);
    std::string key;
    ss >> key;
    std::string reason;
    std::getline(ss, reason);
    out[key] = reason;
  }
  return out;
}

bool AllOpsSupported(const std::string& model) {
  auto info = InspectOnnxFile(model);
  if (!info.ok()) return false;
  for (const std::string& op : info->ops)
    if (!OpKindFromName(op).has_value()) return false;
  return true;
}

struct Inventory {
  std::vector<Case> in_scope;
  int out_of_scope = 0;
};

const Inventory& GetInventory() {
  static const Inventory inv = [] {
    Inventory v;
    for (const char* suite : kSuites) {
      const fs::path root = fs::path(TINYQ_CONFORMANCE_DATA) / suite;
      std::error_code ec;
      if (!fs::is_directory(root, ec)) continue;
      std::vector<fs::path> dirs;
      for (const auto& e : fs::directory_iterator(root)) dirs.push_back(e.path());
      std::sort(dirs.begin(), dirs.end());
      for (const fs::path& d : dirs) {
        if (!fs::exists(d / "model.onnx")) continue;
        if (AllOpsSupported((d / "model.onnx").string()))
          v.in_scope.push_back({suite, d.filename().string(), d.string()});
        else
          v.out_of_scope++;
      }
    }
    return v;
  }();
  return inv;
}

std::string Key(const Case& c) { return c.suite + "/" + c.name; }

// Node input positions whose value sets output shapes. Exporters emit constants there; the ONNX
// node tests feed them as graph inputs, so the runner freezes such inputs to their test value
// (LoadOptions::constant_inputs) - tinyq needs static shapes.
bool IsShapeParameter(const std::string& op, int index) {
  static const std::set<std::pair<std::string, int>> kPositions = {
      {"Reshape", 1},    {"Slice", 1},     {"Slice", 2},      {"Slice", 3},   {"Slice", 4},
      {"Squeeze", 1},    {"Unsqueeze", 1}, {"ReduceSum", 1},  {"ReduceMean", 1},
      {"ReduceMax", 1},  {"Split", 1},     {"Pad", 1},        {"Pad", 3},     {"Resize", 1},
      {"Resize", 2},     {"Resize", 3},    {"Upsample", 1},   {"Range", 0},   {"Range", 1},
      {"Range", 2}};
  return kPositions.count({op, index}) != 0;
}

// Compares one output; returns "" when it matches. Floats: |a-b| <= 1e-6 + 1e-3*|b| (the ONNX
// backend tests' rtol; atol raised from 1e-7 to 1e-6 for sums of many terms), NaN matches NaN.
std::string Compare(const Tensor& got, const Tensor& want, const std::string& name) {
  if (got.shape() != want.shape())
    return name + ": shape " + ShapeToString(got.shape()) + " != expected " +
           ShapeToString(want.shape());
  if (got.dtype() != want.dtype())
    return name + ": dtype " + DTypeName(got.dtype()) + " != expected " + DTypeName(want.dtype());
  if (got.dtype() == DType::kF32 || got.dtype() == DType::kF64) {
    const std::vector<float> a = got.ToFloatVector(), b = want.ToFloatVector();
    int bad = 0;
    std::string first;
    for (size_t i = 0; i < a.size(); ++i) {
      const bool both_nan = std::isnan(a[i]) && std::isnan(b[i]);
      const bool same_inf = std::isinf(b[i]) && a[i] == b[i];
      if (both_nan || same_inf) continue;
      if (!(std::fabs(a[i] - b[i]) <= 1e-6f + 1e-3f * std::fabs(b[i]))) {
        if (bad++ == 0)
          first = "index " + std::to_string(i) + ": " + std::to_string(a[i]) + " vs expected " +
                  std::to_string(b[i]);
      }
    }
    if (bad) return name + ": " + std::to_string(bad) + " mismatches, first at " + first;
    return "";
  }
  if (std::memcmp(got.raw(), want.raw(), got.nbytes()) != 0) return name + ": values differ";
  return "";
}

// Runs one case over all its data sets; returns "" on success, else what went wrong.
std::string RunCase(const Case& c) {
  const std::string model = c.dir + "/model.onnx";
  auto info = InspectOnnxFile(model);
  if (!info.ok()) return info.status().ToString();
  std::vector<fs::path> sets;
  for (const auto& e : fs::directory_iterator(c.dir))
    if (e.is_directory() && e.path().filename().string().rfind("test_data_set_", 0) == 0)
      sets.push_back(e.path());
  std::sort(sets.begin(), sets.end());
  if (sets.empty()) return "no test_data_set_* folder";
  for (const fs::path& set : sets) {
    TensorMap feeds;
    LoadOptions options;
    for (size_t i = 0;; ++i) {
      const fs::path p = set / ("input_" + std::to_string(i) + ".pb");
      if (!fs::exists(p)) break;
      auto t = ReadTensorProtoFile(p.string());
      if (!t.ok()) return t.status().ToString();
      if (i >= info->inputs.size()) return "more input files than graph inputs";
      const std::string& name = info->inputs[i];
      bool freeze = false;
      for (const auto& [op, index] : info->input_uses[name]) freeze |= IsShapeParameter(op, index);
      if (freeze) {
        options.constant_inputs[name] = std::move(*t);
      } else {
        options.input_shapes[name] = t->shape();
        feeds[name] = std::move(*t);
      }
    }
    auto graph = LoadOnnx(model, options);
    if (!graph.ok()) return graph.status().ToString();
    auto exec = Executor::Create(**graph);
    if (!exec.ok()) return exec.status().ToString();
    auto outs = (*exec)->Run(feeds);
    if (!outs.ok()) return outs.status().ToString();
    const auto& outputs = (*graph)->outputs();
    for (size_t i = 0; i < outputs.size(); ++i) {
      const fs::path p = set / ("output_" + std::to_string(i) + ".pb");
      if (!fs::exists(p)) return "missing " + p.string();
      auto want = ReadTensorProtoFile(p.string());
      if (!want.ok()) return want.status().ToString();
      std::string diff = Compare(outs->at(outputs[i]->name()), *want, outputs[i]->name());
      if (!diff.empty()) return set.filename().string() + ": " + diff;
    }
  }
  return "";
}

class ConformanceTest : public ::testing::TestWithParam<Case> {};

TEST_P(ConformanceTest, MatchesReferenceOutputs) {
  const Case& c = GetParam();
  static const std::map<std::string, std::string> excluded = Exclusions();
  const std::string result = RunCase(c);
  auto it = excluded.find(Key(c));
  if (it == excluded.end()) {
    EXPECT_EQ(result, "") << Key(c);
  } else {
    EXPECT_NE(result, "") << Key(c) << " passes now: remove it from exclusions.txt (listed as:"
                          << it->second << ")";
  }
}

std::string CaseName(const ::testing::TestParamInfo<Case>& info) {
  std::string s = info.param.suite + "_" + info.param.name;
  for (char& ch : s)
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  return s;
}

INSTANTIATE_TEST_SUITE_P(Onnx, ConformanceTest, ::testing::ValuesIn(GetInventory().in_scope),
                         CaseName);

TEST(ConformanceCoverage, DataIsInstalledAndCountsAreReported) {
  const Inventory& inv = GetInventory();
  const auto excluded = Exclusions();
  std::cout << "ONNX conformance: " << inv.in_scope.size() << " cases in scope ("
            << inv.in_scope.size() - excluded.size() << " must pass, " << excluded.size()
            << " excluded with reasons), " << inv.out_of_scope
            << " out of scope (ops outside tinyq's set)\n";
  // The Debian package holds ~1,050 cases; far fewer in scope means the data or the op set broke.
  EXPECT_GT(inv.in_scope.size(), 300u) << "is libonnx-testdata installed?";
  std::set<std::string> keys;
  for (const Case& c : inv.in_scope) keys.insert(Key(c));
  for (const auto& [key, reason] : excluded)
    EXPECT_TRUE(keys.count(key)) << "exclusions.txt lists " << key << ", which is not in scope";
}

}  // namespace
}  // namespace tinyq
