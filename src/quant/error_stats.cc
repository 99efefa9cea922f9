// error_stats.cc - ErrorAccumulator and the text/JSON renderings of a per-layer error report.
#include "src/quant/error_stats.h"

#include <algorithm>
#include <cinttypes>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>

namespace tinyq {
namespace quant {
namespace {

void SortByOrder(std::vector<ErrorReportRow>& rows) {
  std::stable_sort(rows.begin(), rows.end(), [](const ErrorReportRow& a, const ErrorReportRow& b) {
    return a.order < b.order;
  });
}

std::string Format(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
std::string Format(const char* fmt, ...) {
  char buf[128];
  va_list args;
  va_start(args, fmt);
  std::vsnprintf(buf, sizeof(buf), fmt, args);
  va_end(args);
  return buf;
}

std::string PadRight(const std::string& s, size_t width) {
  return s.size() >= width ? s : s + std::string(width - s.size(), ' ');
}

}  // namespace

Status ErrorAccumulator::Add(const float* ref, const float* test, int64_t n) {
  const std::string where = "tensor '" + name_ + "': ";
  if (n < 0) return InvalidArgument(where + "negative element count " + std::to_string(n));
  if (n > 0 && (!ref || !test)) return InvalidArgument(where + "null data");
  for (int64_t i = 0; i < n; ++i) {
    if (!std::isfinite(ref[i]) || !std::isfinite(test[i])) {
      const bool bad_ref = !std::isfinite(ref[i]);
      return InvalidArgument(where + "non-finite " + (bad_ref ? "reference" : "test") + " value " +
                             std::to_string(bad_ref ? ref[i] : test[i]) + " at index " +
                             std::to_string(i));
    }
  }
  for (int64_t i = 0; i < n; ++i) {
    const double r = ref[i], t = test[i], e = r - t;
    sum_ref2_ += r * r;
    sum_test2_ += t * t;
    sum_dot_ += r * t;
    sum_err2_ += e * e;
    sum_abs_err_ += std::fabs(e);
    max_abs_err_ = std::max(max_abs_err_, std::fabs(e));
  }
  count_ += n;
  return Status::Ok();
}

Status ErrorAccumulator::Add(const Tensor& ref, const Tensor& test) {
  if (ref.dtype() != DType::kF32 || test.dtype() != DType::kF32 || ref.shape() != test.shape())
    return InvalidArgument("tensor '" + name_ + "': reference " + DTypeName(ref.dtype()) + " " +
                           ShapeToString(ref.shape()) + " and test " + DTypeName(test.dtype()) +
                           " " + ShapeToString(test.shape()) + " must be f32 of the same shape");
  return Add(ref.data<float>(), test.data<float>(), ref.numel());
}

void ErrorAccumulator::Merge(const ErrorAccumulator& other) {
  count_ += other.count_;
  sum_ref2_ += other.sum_ref2_;
  sum_test2_ += other.sum_test2_;
  sum_dot_ += other.sum_dot_;
  sum_err2_ += other.sum_err2_;
  sum_abs_err_ += other.sum_abs_err_;
  max_abs_err_ = std::max(max_abs_err_, other.max_abs_err_);
}

StatusOr<ErrorStats> ErrorAccumulator::Stats() const {
  if (count_ == 0) return FailedPrecondition("tensor '" + name_ + "': no elements compared");
  constexpr double kInf = std::numeric_limits<double>::infinity();
  ErrorStats s;
  s.count = count_;
  if (sum_err2_ == 0.0) {
    s.sqnr_db = kInf;
  } else if (sum_ref2_ == 0.0) {
    s.sqnr_db = -kInf;
  } else {
    s.sqnr_db = 10.0 * std::log10(sum_ref2_ / sum_err2_);
  }
  if (sum_ref2_ == 0.0 && sum_test2_ == 0.0) {
    s.cosine = 1.0;
  } else if (sum_ref2_ == 0.0 || sum_test2_ == 0.0) {
    s.cosine = 0.0;
  } else {
    // Rounding can push |cosine| a hair above 1 for identical directions.
    s.cosine = std::clamp(sum_dot_ / (std::sqrt(sum_ref2_) * std::sqrt(sum_test2_)), -1.0, 1.0);
  }
  s.max_abs_error = max_abs_err_;
  s.mean_abs_error = sum_abs_err_ / static_cast<double>(count_);
  return s;
}

std::string ErrorStatsTable(std::vector<ErrorReportRow> rows) {
  SortByOrder(rows);
  size_t name_w = 6, op_w = 2;  // "tensor", "op"
  for (const ErrorReportRow& r : rows) {
    name_w = std::max(name_w, r.tensor.size());
    op_w = std::max(op_w, r.op.size());
  }
  std::string out = PadRight("tensor", name_w) + "  " + PadRight("op", op_w) +
                    Format("  %10s  %9s  %9s  %12s  %12s\n", "elements", "sqnr_db", "cosine",
                           "max_abs_err", "mean_abs_err");
  for (const ErrorReportRow& r : rows) {
    const ErrorStats& s = r.stats;
    const std::string sqnr = std::isinf(s.sqnr_db) ? Format("%9s", s.sqnr_db > 0 ? "inf" : "-inf")
                                                   : Format("%9.2f", s.sqnr_db);
    out += PadRight(r.tensor, name_w) + "  " + PadRight(r.op, op_w) +
           Format("  %10" PRId64 "  ", s.count) + sqnr +
           Format("  %9.6f  %12.6g  %12.6g\n", s.cosine, s.max_abs_error, s.mean_abs_error);
  }
  return out;
}

std::string ErrorStatsJson(std::vector<ErrorReportRow> rows) {
  SortByOrder(rows);
  nlohmann::json tensors = nlohmann::json::array();
  for (const ErrorReportRow& r : rows) {
    const ErrorStats& s = r.stats;
    nlohmann::json j;
    j["tensor"] = r.tensor;
    j["op"] = r.op;
    j["order"] = r.order;
    j["count"] = s.count;
    j["sqnr_db"] = std::clamp(s.sqnr_db, -kJsonSqnrCapDb, kJsonSqnrCapDb);
    j["exact"] = s.max_abs_error == 0.0;
    j["cosine"] = s.cosine;
    j["max_abs_error"] = s.max_abs_error;
    j["mean_abs_error"] = s.mean_abs_error;
    tensors.push_back(std::move(j));
  }
  nlohmann::json root;
  root["format"] = "tinyq.error_stats";
  root["version"] = 1;
  root["tensors"] = std::move(tensors);
  return root.dump(1) + "\n";
}

}  // namespace quant
}  // namespace tinyq
