// User board profiles (JSON) and the size/rate/battery arguments of `tinyq budget`.
//
//   {"name": "my_board", "core": "cortex-m4", "clock_mhz": 80, "flash_kb": 512, "ram_kb": 128,
//    "active_power_mw": 30, "mcu": "STM32L476RG", "source": "DS10198"}
#include <algorithm>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tinyq/target.h"

namespace tinyq {

namespace {

using Json = nlohmann::json;

// Sizes above 4 GiB cannot be a microcontroller's flash or RAM (a 32-bit address space), and
// capping them keeps every byte count far from int64 overflow.
constexpr double kMaxBoardBytes = 4.0 * 1024 * 1024 * 1024;

// A positive finite number at `key` (required or optional), at most `max`. `*out` stays untouched
// when absent.
Status PositiveNumber(const Json& j, const std::string& key, bool required,
                      const std::string& where, double* out, double max = HUGE_VAL) {
  if (!j.contains(key)) {
    if (required) return InvalidArgument(where + ": field '" + key + "' is missing");
    return Status::Ok();
  }
  const Json& v = j.at(key);
  if (!v.is_number()) {
    return InvalidArgument(where + ": field '" + key + "' must be a number, got " + v.dump());
  }
  const double d = v.get<double>();
  if (!std::isfinite(d) || d <= 0) {
    return InvalidArgument(where + ": field '" + key + "' must be > 0, got " + v.dump());
  }
  if (d > max) {
    return InvalidArgument(where + ": field '" + key + "' must be at most " +
                           std::to_string(std::llround(max)) + ", got " + v.dump());
  }
  *out = d;
  return Status::Ok();
}

Status OptionalString(const Json& j, const std::string& key, const std::string& where,
                      std::string* out) {
  if (!j.contains(key)) return Status::Ok();
  if (!j.at(key).is_string()) {
    return InvalidArgument(where + ": field '" + key + "' must be a string");
  }
  *out = j.at(key).get<std::string>();
  return Status::Ok();
}

}  // namespace

StatusOr<BoardProfile> ParseBoardProfileJson(const std::string& text, const std::string& where) {
  Json j;
  try {
    j = Json::parse(text);
  } catch (const Json::exception& e) {
    return InvalidArgument(where + ": not valid JSON: " + e.what());
  }
  if (!j.is_object()) return InvalidArgument(where + ": a board profile must be a JSON object");
  static const std::vector<std::string> kFields = {
      "name", "core", "clock_mhz", "flash_kb", "ram_kb", "active_power_mw", "mcu", "source"};
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (std::find(kFields.begin(), kFields.end(), it.key()) == kFields.end()) {
      return InvalidArgument(where + ": unknown field '" + it.key() +
                             "' (fields: name, core, clock_mhz, flash_kb, ram_kb, "
                             "active_power_mw, mcu, source)");
    }
  }
  BoardProfile b;
  if (!j.contains("name") || !j["name"].is_string() || j["name"].get<std::string>().empty()) {
    return InvalidArgument(where + ": field 'name' is missing or not a non-empty string");
  }
  b.id = b.name = j["name"].get<std::string>();
  if (!j.contains("core") || !j["core"].is_string()) {
    return InvalidArgument(where + ": field 'core' is missing or not a string");
  }
  b.core = b.build_core = j["core"].get<std::string>();
  const auto& cores = BuildableCores();
  if (std::find(cores.begin(), cores.end(), b.core) == cores.end()) {
    std::string list;
    for (const std::string& c : cores) list += (list.empty() ? "" : ", ") + c;
    return InvalidArgument(where + ": field 'core': unknown core '" + b.core + "' (one of " + list +
                           ")");
  }
  double clock_mhz = 0, flash_kb = 0, ram_kb = 0;
  TQ_RETURN_IF_ERROR(PositiveNumber(j, "clock_mhz", true, where, &clock_mhz));
  TQ_RETURN_IF_ERROR(PositiveNumber(j, "flash_kb", true, where, &flash_kb, kMaxBoardBytes / 1024));
  TQ_RETURN_IF_ERROR(PositiveNumber(j, "ram_kb", true, where, &ram_kb, kMaxBoardBytes / 1024));
  TQ_RETURN_IF_ERROR(PositiveNumber(j, "active_power_mw", false, where, &b.active_power_mw));
  TQ_RETURN_IF_ERROR(OptionalString(j, "mcu", where, &b.mcu));
  TQ_RETURN_IF_ERROR(OptionalString(j, "source", where, &b.source));
  b.clock_hz = clock_mhz * 1e6;
  b.flash_bytes = static_cast<int64_t>(std::llround(flash_kb * 1024));
  b.ram_bytes = static_cast<int64_t>(std::llround(ram_kb * 1024));
  if (b.source.empty()) b.source = "user profile " + where;
  return b;
}

StatusOr<BoardProfile> LoadBoardProfile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound(path + ": cannot open board profile");
  std::stringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return IoError(path + ": read failed");
  return ParseBoardProfileJson(ss.str(), path);
}

namespace {
// Splits "220mAh" into (220, "mah") with the unit lower-cased; false if no leading number.
bool NumberAndUnit(const std::string& text, double* value, std::string* unit) {
  size_t used = 0;
  try {
    *value = std::stod(text, &used);
  } catch (const std::exception&) {
    return false;
  }
  if (!std::isfinite(*value)) return false;
  unit->clear();
  for (size_t i = used; i < text.size(); ++i) {
    if (text[i] != ' ') unit->push_back(static_cast<char>(std::tolower(text[i])));
  }
  return true;
}
}  // namespace

StatusOr<int64_t> ParseByteSize(const std::string& text, const std::string& flag) {
  double v = 0;
  std::string unit;
  if (!NumberAndUnit(text, &v, &unit) || v <= 0) {
    return InvalidArgument(flag + " '" + text + "': expected a positive size like 256K or 1M");
  }
  double scale = 0;
  if (unit.empty() || unit == "b") scale = 1;
  if (unit == "k" || unit == "kb" || unit == "kib") scale = 1024;
  if (unit == "m" || unit == "mb" || unit == "mib") scale = 1024.0 * 1024.0;
  if (scale == 0) return InvalidArgument(flag + " '" + text + "': unknown unit '" + unit + "'");
  if (v * scale > kMaxBoardBytes) {
    return InvalidArgument(flag + " '" + text + "': more than 4 GiB, more than a microcontroller " +
                           "can address");
  }
  return static_cast<int64_t>(std::llround(v * scale));
}

StatusOr<double> ParseRate(const std::string& text) {
  const size_t slash = text.find('/');
  double v = 0;
  std::string unit;
  if (!NumberAndUnit(text.substr(0, slash), &v, &unit) || !unit.empty() || v <= 0) {
    return InvalidArgument("--rate '" + text + "': expected N/s, N/min or N/h with N > 0");
  }
  if (slash == std::string::npos) return v;
  const std::string per = text.substr(slash + 1);
  if (per == "s") return v;
  if (per == "min") return v / 60.0;
  if (per == "h") return v / 3600.0;
  return InvalidArgument("--rate '" + text + "': unknown period '" + per + "' (s, min, h)");
}

StatusOr<std::pair<double, double>> ParseBattery(const std::string& text) {
  const size_t at = text.find('@');
  double mah = 0, volts = 0;
  std::string u1, u2;
  if (at == std::string::npos || !NumberAndUnit(text.substr(0, at), &mah, &u1) || u1 != "mah" ||
      mah <= 0 || !NumberAndUnit(text.substr(at + 1), &volts, &u2) || u2 != "v" || volts <= 0) {
    return InvalidArgument("--battery '" + text + "': expected CAPACITYmAh@VOLTSV, e.g. 220mAh@3V");
  }
  return std::make_pair(mah, volts);
}

}  // namespace tinyq
