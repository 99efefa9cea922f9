#include <dirent.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "tinyq/quant.h"

namespace tinyq {
namespace {

CalibrationTable Sample() {
  CalibrationTable t;
  CalibrationEntry a;
  a.range = {-1.0f, 3.0f};
  a.method = CalibrationMethod::kEntropy;
  a.histogram = HistogramSummary{-1.5, 3.0, 6, {1, 2, 0, 3}};
  EXPECT_TRUE(t.Set("conv1_out", a).ok());
  CalibrationEntry b;
  b.range = {0.1f, 0.3f};
  b.method = CalibrationMethod::kMinMax;
  EXPECT_TRUE(t.Set("relu.2", b).ok());
  CalibrationEntry c;
  c.range = {-3.4e38f, 1.4e-45f};  // extremes of float: max magnitude and a denormal
  c.method = CalibrationMethod::kPercentile;
  EXPECT_TRUE(t.Set("weird \"name\"", c).ok());
  return t;
}

void ExpectSame(const CalibrationTable& a, const CalibrationTable& b) {
  ASSERT_EQ(a.size(), b.size());
  for (const auto& [name, e] : a.entries()) {
    const CalibrationEntry* f = b.Find(name);
    ASSERT_NE(f, nullptr) << name;
    EXPECT_EQ(f->range.min, e.range.min) << name;  // bit-exact floats
    EXPECT_EQ(f->range.max, e.range.max) << name;
    EXPECT_EQ(f->method, e.method) << name;
    ASSERT_EQ(f->histogram.has_value(), e.histogram.has_value()) << name;
    if (e.histogram) {
      EXPECT_EQ(f->histogram->lo, e.histogram->lo);
      EXPECT_EQ(f->histogram->hi, e.histogram->hi);
      EXPECT_EQ(f->histogram->count, e.histogram->count);
      EXPECT_EQ(f->histogram->bins, e.histogram->bins);
    }
  }
}

TEST(CalibrationTableTest, JsonRoundTripIsExact) {
  CalibrationTable t = Sample();
  const std::string json = t.ToJson();
  auto back = CalibrationTable::FromJson(json);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ExpectSame(t, *back);
  EXPECT_EQ(back->ToJson(), json);
}

TEST(CalibrationTableTest, JsonHasFormatAndVersion) {
  auto j = nlohmann::json::parse(Sample().ToJson());
  EXPECT_EQ(j["format"], "tinyq.calibration");
  EXPECT_EQ(j["version"], 1);
  EXPECT_EQ(j["tensors"]["conv1_out"]["method"], "entropy");
  EXPECT_EQ(j["tensors"]["conv1_out"]["min"], -1.0);
  EXPECT_FALSE(j["tensors"]["relu.2"].contains("histogram"));
}

TEST(CalibrationTableTest, SetValidates) {
  CalibrationTable t;
  CalibrationEntry e;
  e.range = {2.0f, 1.0f};
  Status s = t.Set("x", e);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("tensor 'x'"), std::string::npos);
  e.range = {std::nanf(""), 1.0f};
  EXPECT_FALSE(t.Set("x", e).ok());
  e.range = {0.0f, 1.0f};
  e.method = CalibrationMethod::kAuto;
  EXPECT_FALSE(t.Set("x", e).ok());
  e.method = CalibrationMethod::kMse;
  e.histogram = HistogramSummary{0.0, 1.0, 5, {1, 1}};  // count != sum
  EXPECT_FALSE(t.Set("x", e).ok());
  e.histogram = HistogramSummary{1.0, 1.0, 2, {1, 1}};  // lo == hi
  EXPECT_FALSE(t.Set("x", e).ok());
  EXPECT_EQ(t.size(), 0u);
  e.histogram.reset();
  EXPECT_TRUE(t.Set("x", e).ok());
  EXPECT_EQ(t.Find("y"), nullptr);
}

struct BadCase {
  const char* json;
  const char* expected;  // substring of the error message
};

TEST(CalibrationTableTest, EachMalformedJsonHasAClearError) {
  const std::string ok_entry = R"({"min": -1, "max": 1, "method": "minmax"})";
  auto doc = [](const std::string& tensors) {
    return R"({"format": "tinyq.calibration", "version": 1, "tensors": )" + tensors + "}";
  };
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"{not json", "not valid JSON"},
      {"[1, 2]", "(root): expected an object"},
      {R"({"version": 1, "tensors": {}})", "format: missing required key"},
      {R"({"format": "onnx", "version": 1, "tensors": {}})",
       "format: expected \"tinyq.calibration\""},
      {R"({"format": "tinyq.calibration", "version": 2, "tensors": {}})",
       "version: unsupported version 2"},
      {R"({"format": "tinyq.calibration", "version": "1", "tensors": {}})", "version: unsupported"},
      {R"({"format": "tinyq.calibration", "version": 1})", "tensors: missing required key"},
      {R"({"format": "tinyq.calibration", "version": 1, "tensors": {}, "extra": 0})",
       "extra: unknown key"},
      {doc("[]"), "tensors: expected an object"},
      {doc(R"({"a": 5})"), "tensors.a: expected an object"},
      {doc(R"({"a": {"max": 1, "method": "minmax"}})"), "tensors.a.min: missing required key"},
      {doc(R"({"a": {"min": "x", "max": 1, "method": "minmax"}})"),
       "tensors.a.min: expected a number"},
      {doc(R"({"a": {"min": 0, "max": 1e39, "method": "minmax"}})"),
       "tensors.a: min/max do not fit a float"},
      {doc(R"({"a": {"min": 2, "max": 1, "method": "minmax"}})"),
       "tensors.a: tensor 'a': range min > max"},
      {doc(R"({"a": {"min": 0, "max": 1, "method": "kl"}})"),
       "tensors.a.method: unknown calibration method 'kl'"},
      {doc(R"({"a": {"min": 0, "max": 1, "method": 3}})"), "tensors.a.method: expected a string"},
      {doc(R"({"a": {"min": 0, "max": 1, "method": "auto"}})"), "not auto"},
      {doc(R"({"a": {"min": 0, "max": 1, "method": "mse", "scale": 1}})"),
       "tensors.a.scale: unknown key"},
      {doc(R"({"a": {"min": 0, "max": 1, "method": "mse", "histogram": 1}})"),
       "tensors.a.histogram: expected an object"},
      {doc(R"({"a": {"min": 0, "max": 1, "method": "mse", "histogram": {"lo": 0, "hi": 1, "count": 1}}})"),
       "tensors.a.histogram.bins: missing required key"},
      {doc(R"({"a": {"min": 0, "max": 1, "method": "mse", "histogram": {"lo": 0, "hi": 1, "count": 1, "bins": 1}}})"),
       "tensors.a.histogram.bins: expected an array"},
      {doc(R"({"a": {"min": 0, "max": 1, "method": "mse", "histogram": {"lo": 0, "hi": 1, "count": 1, "bins": [2, -1]}}})"),
       "tensors.a.histogram.bins[1]: expected a non-negative integer"},
      {doc(R"({"a": {"min": 0, "max": 1, "method": "mse", "histogram": {"lo": 0, "hi": 1, "count": 1.5, "bins": [1]}}})"),
       "tensors.a.histogram.count: expected a non-negative integer"},
      {doc(R"({"a": {"min": 0, "max": 1, "method": "mse", "histogram": {"lo": 0, "hi": 1, "count": 3, "bins": [1]}}})"),
       "histogram count 3 != sum of bins 1"},
      {doc(R"({"a": {"min": 0, "max": 1, "method": "mse", "histogram": {"lo": 1, "hi": 1, "count": 1, "bins": [1]}}})"),
       "histogram needs finite lo < hi"},
  };
  // The good document parses, so each failure is due to its one defect.
  ASSERT_TRUE(CalibrationTable::FromJson(doc(R"({"a": )" + ok_entry + "}")).ok());
  for (const auto& c : cases) {
    auto r = CalibrationTable::FromJson(c.first, "calib.json");
    ASSERT_FALSE(r.ok()) << c.first;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << c.first;
    const std::string msg = r.status().message();
    EXPECT_EQ(msg.rfind("calib.json: ", 0), 0u) << msg;
    EXPECT_NE(msg.find(c.second), std::string::npos) << "got: " << msg << "\nwant: " << c.second;
  }
}

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/tinyq_calib_XXXXXX";
    path_ = ::mkdtemp(tmpl);
  }
  ~TempDir() {
    DIR* d = ::opendir(path_.c_str());
    if (d) {
      while (dirent* e = ::readdir(d)) {
        const std::string n = e->d_name;
        if (n != "." && n != "..") std::remove((path_ + "/" + n).c_str());
      }
      ::closedir(d);
    }
    ::rmdir(path_.c_str());
  }
  const std::string& path() const { return path_; }
  int CountFiles() const {
    int n = 0;
    DIR* d = ::opendir(path_.c_str());
    while (dirent* e = ::readdir(d)) {
      const std::string name = e->d_name;
      if (name != "." && name != "..") ++n;
    }
    ::closedir(d);
    return n;
  }

 private:
  std::string path_;
};

TEST(CalibrationTableTest, SaveLoadRoundTripLeavesNoTempFile) {
  TempDir dir;
  const std::string path = dir.path() + "/model.calib.json";
  CalibrationTable t = Sample();
  ASSERT_TRUE(t.Save(path).ok());
  EXPECT_EQ(dir.CountFiles(), 1);
  auto back = CalibrationTable::Load(path);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ExpectSame(t, *back);
  // Overwrite in place.
  ASSERT_TRUE(CalibrationTable().Save(path).ok());
  EXPECT_EQ(CalibrationTable::Load(path)->size(), 0u);
  EXPECT_EQ(dir.CountFiles(), 1);
}

TEST(CalibrationTableTest, LoadAndSaveErrors) {
  TempDir dir;
  auto missing = CalibrationTable::Load(dir.path() + "/nope.json");
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("nope.json"), std::string::npos);
  Status s = Sample().Save(dir.path() + "/no_such_dir/x.json");
  EXPECT_EQ(s.code(), StatusCode::kIoError);
  EXPECT_NE(s.message().find("no_such_dir/x.json"), std::string::npos);
  const std::string bad = dir.path() + "/bad.json";
  std::ofstream(bad) << R"({"format": "tinyq.calibration", "version": 1, "tensors": {"a": {}}})";
  auto r = CalibrationTable::Load(bad);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message().rfind(bad + ": tensors.a.", 0), 0u) << r.status().message();
}

}  // namespace
}  // namespace tinyq
