// calibration_table.cc - CalibrationTable: validation, JSON (format "tinyq.calibration" v1), files.
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>

#include "tinyq/quant.h"

namespace tinyq {
namespace {

constexpr const char* kFormat = "tinyq.calibration";
constexpr int kVersion = 1;

using Json = nlohmann::json;

Status ValidateEntry(const std::string& name, const CalibrationEntry& e) {
  const std::string where = "tensor '" + name + "': ";
  if (!std::isfinite(e.range.min) || !std::isfinite(e.range.max)) {
    return InvalidArgument(where + "range bounds must be finite");
  }
  if (e.range.min > e.range.max) return InvalidArgument(where + "range min > max");
  if (e.method == CalibrationMethod::kAuto || e.method >= CalibrationMethod::kCount) {
    return InvalidArgument(where + "method must be the concrete method used (not auto)");
  }
  if (e.histogram) {
    const HistogramSummary& h = *e.histogram;
    if (!std::isfinite(h.lo) || !std::isfinite(h.hi) || !(h.lo < h.hi)) {
      return InvalidArgument(where + "histogram needs finite lo < hi");
    }
    if (h.bins.empty()) return InvalidArgument(where + "histogram has no bins");
    int64_t sum = 0;
    for (int64_t b : h.bins) {
      if (b < 0) return InvalidArgument(where + "histogram has a negative bin count");
      sum += b;
    }
    if (sum != h.count) {
      return InvalidArgument(where + "histogram count " + std::to_string(h.count) +
                             " != sum of bins " + std::to_string(sum));
    }
  }
  return Status::Ok();
}

// Strict JSON reading helpers; `path` is the JSON path used in messages ("tensors.x.min").
class Reader {
 public:
  explicit Reader(std::string source) : source_(std::move(source)) {}

  Status Error(const std::string& path, const std::string& problem) const {
    return InvalidArgument(source_ + ": " + path + ": " + problem);
  }
  Status Object(const Json& j, const std::string& path) const {
    return j.is_object() ? Status::Ok() : Error(path, "expected an object");
  }
  Status OnlyKeys(const Json& j, const std::string& path, const std::set<std::string>& allowed,
                  const std::set<std::string>& required) const {
    for (auto it = j.begin(); it != j.end(); ++it) {
      if (!allowed.count(it.key())) return Error(Join(path, it.key()), "unknown key");
    }
    for (const std::string& k : required) {
      if (!j.contains(k)) return Error(Join(path, k), "missing required key");
    }
    return Status::Ok();
  }
  StatusOr<double> Number(const Json& j, const std::string& path) const {
    if (!j.is_number()) return Error(path, "expected a number");
    const double v = j.get<double>();
    if (!std::isfinite(v)) return Error(path, "expected a finite number");
    return v;
  }
  StatusOr<int64_t> Count(const Json& j, const std::string& path) const {
    if (!j.is_number_integer()) return Error(path, "expected a non-negative integer");
    if (j.is_number_unsigned()) {
      if (j.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) return Error(path, "too large");
      return static_cast<int64_t>(j.get<uint64_t>());
    }
    const int64_t v = j.get<int64_t>();
    if (v < 0) return Error(path, "expected a non-negative integer");
    return v;
  }
  static std::string Join(const std::string& path, const std::string& key) {
    return path.empty() ? key : path + "." + key;
  }

 private:
  std::string source_;
};

StatusOr<HistogramSummary> ReadHistogram(const Reader& rd, const Json& j, const std::string& path) {
  TQ_RETURN_IF_ERROR(rd.Object(j, path));
  TQ_RETURN_IF_ERROR(
      rd.OnlyKeys(j, path, {"lo", "hi", "count", "bins"}, {"lo", "hi", "count", "bins"}));
  HistogramSummary h;
  TQ_ASSIGN_OR_RETURN(h.lo, rd.Number(j["lo"], path + ".lo"));
  TQ_ASSIGN_OR_RETURN(h.hi, rd.Number(j["hi"], path + ".hi"));
  TQ_ASSIGN_OR_RETURN(h.count, rd.Count(j["count"], path + ".count"));
  const Json& bins = j["bins"];
  if (!bins.is_array()) return rd.Error(path + ".bins", "expected an array");
  for (size_t i = 0; i < bins.size(); ++i) {
    TQ_ASSIGN_OR_RETURN(int64_t b, rd.Count(bins[i], path + ".bins[" + std::to_string(i) + "]"));
    h.bins.push_back(b);
  }
  return h;
}

StatusOr<CalibrationEntry> ReadEntry(const Reader& rd, const Json& j, const std::string& path) {
  TQ_RETURN_IF_ERROR(rd.Object(j, path));
  TQ_RETURN_IF_ERROR(
      rd.OnlyKeys(j, path, {"min", "max", "method", "histogram"}, {"min", "max", "method"}));
  CalibrationEntry e;
  TQ_ASSIGN_OR_RETURN(double mn, rd.Number(j["min"], path + ".min"));
  TQ_ASSIGN_OR_RETURN(double mx, rd.Number(j["max"], path + ".max"));
  e.range.min = static_cast<float>(mn);
  e.range.max = static_cast<float>(mx);
  if (!std::isfinite(e.range.min) || !std::isfinite(e.range.max)) {
    return rd.Error(path, "min/max do not fit a float");
  }
  const Json& m = j["method"];
  if (!m.is_string()) return rd.Error(path + ".method", "expected a string");
  StatusOr<CalibrationMethod> method = ParseCalibrationMethod(m.get<std::string>());
  if (!method.ok()) return rd.Error(path + ".method", method.status().message());
  e.method = *method;
  if (j.contains("histogram")) {
    TQ_ASSIGN_OR_RETURN(e.histogram, ReadHistogram(rd, j["histogram"], path + ".histogram"));
  }
  return e;
}

}  // namespace

Status CalibrationTable::Set(const std::string& name, CalibrationEntry entry) {
  TQ_RETURN_IF_ERROR(ValidateEntry(name, entry));
  entries_[name] = std::move(entry);
  return Status::Ok();
}

const CalibrationEntry* CalibrationTable::Find(const std::string& name) const {
  auto it = entries_.find(name);
  return it == entries_.end() ? nullptr : &it->second;
}

std::string CalibrationTable::ToJson() const {
  Json tensors = Json::object();
  for (const auto& [name, e] : entries_) {
    Json t = {{"min", static_cast<double>(e.range.min)},
              {"max", static_cast<double>(e.range.max)},
              {"method", CalibrationMethodName(e.method)}};
    if (e.histogram) {
      t["histogram"] = {{"lo", e.histogram->lo},
                        {"hi", e.histogram->hi},
                        {"count", e.histogram->count},
                        {"bins", e.histogram->bins}};
    }
    tensors[name] = std::move(t);
  }
  Json root = {{"format", kFormat}, {"version", kVersion}, {"tensors", std::move(tensors)}};
  return root.dump(1) + "\n";
}

StatusOr<CalibrationTable> CalibrationTable::FromJson(const std::string& text,
                                                      const std::string& source) {
  Json root = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded()) return InvalidArgument(source + ": not valid JSON");
  const Reader rd(source);
  TQ_RETURN_IF_ERROR(rd.Object(root, "(root)"));
  TQ_RETURN_IF_ERROR(
      rd.OnlyKeys(root, "", {"format", "version", "tensors"}, {"format", "version", "tensors"}));
  if (!root["format"].is_string() || root["format"].get<std::string>() != kFormat) {
    return rd.Error("format", std::string("expected \"") + kFormat + "\"");
  }
  if (!root["version"].is_number_integer() || root["version"].get<int64_t>() != kVersion) {
    return rd.Error("version", "unsupported version " + root["version"].dump() +
                                   " (this tinyq reads version " + std::to_string(kVersion) + ")");
  }
  const Json& tensors = root["tensors"];
  TQ_RETURN_IF_ERROR(rd.Object(tensors, "tensors"));
  CalibrationTable table;
  for (auto it = tensors.begin(); it != tensors.end(); ++it) {
    const std::string path = "tensors." + it.key();
    TQ_ASSIGN_OR_RETURN(CalibrationEntry e, ReadEntry(rd, it.value(), path));
    Status s = table.Set(it.key(), std::move(e));
    if (!s.ok()) return rd.Error(path, s.message());
  }
  return table;
}

Status CalibrationTable::Save(const std::string& path) const {
  const std::string text = ToJson();
  const std::string tmp = path + ".tmp-" + std::to_string(::getpid());
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  if (!f) return IoError(path + ": cannot write: " + std::strerror(errno));
  bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size();
  ok = (std::fclose(f) == 0) && ok;
  if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    std::remove(tmp.c_str());
    return IoError(path + ": cannot write: " + std::strerror(err));
  }
  return Status::Ok();
}

StatusOr<CalibrationTable> CalibrationTable::Load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (errno == ENOENT) return NotFound(path + ": no such file");
    return IoError(path + ": cannot read: " + std::strerror(errno));
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return IoError(path + ": cannot read");
  return FromJson(ss.str(), path);
}

}  // namespace tinyq
