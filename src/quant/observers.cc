// observers.cc - calibration observers and the method name table.
#include "src/quant/observers.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>

#include "src/quant/range_search.h"
#include "src/quant/simd_f32.h"

namespace tinyq {

namespace {
constexpr const char* kMethodNames[] = {"minmax", "percentile", "entropy", "mse", "auto"};
static_assert(sizeof(kMethodNames) / sizeof(kMethodNames[0]) ==
                  static_cast<size_t>(CalibrationMethod::kCount),
              "one name per calibration method");
}  // namespace

const char* CalibrationMethodName(CalibrationMethod m) {
  const auto i = static_cast<size_t>(m);
  return i < static_cast<size_t>(CalibrationMethod::kCount) ? kMethodNames[i] : "?";
}

StatusOr<CalibrationMethod> ParseCalibrationMethod(const std::string& name) {
  for (size_t i = 0; i < static_cast<size_t>(CalibrationMethod::kCount); ++i) {
    if (name == kMethodNames[i]) return static_cast<CalibrationMethod>(i);
  }
  return InvalidArgument("unknown calibration method '" + name +
                         "' (expected minmax|percentile|entropy|mse|auto)");
}

CalibrationEntry Observer::ToEntry(const Range& range) const {
  CalibrationEntry e;
  e.range = range;
  e.method = chosen_method();
  e.histogram = histogram();
  return e;
}

StatusOr<std::unique_ptr<Observer>> MakeObserver(const std::string& name,
                                                 const ObserverOptions& options) {
  const std::string where = "observer for tensor '" + name + "': ";
  switch (options.method) {
    case CalibrationMethod::kMinMax:
      return std::unique_ptr<Observer>(new quant::MinMaxObserver(name));
    case CalibrationMethod::kPercentile:
    case CalibrationMethod::kEntropy:
    case CalibrationMethod::kMse:
    case CalibrationMethod::kAuto:
      break;
    default:
      return InvalidArgument(where + "invalid calibration method");
  }
  if (options.num_bins < 256 || options.num_bins > 65536 || options.num_bins % 2 != 0) {
    return InvalidArgument(where + "num_bins must be even and in [256, 65536], got " +
                           std::to_string(options.num_bins));
  }
  if (!(options.percentile > 50.0 && options.percentile <= 100.0)) {
    return InvalidArgument(where + "percentile must be in (50, 100], got " +
                           std::to_string(options.percentile));
  }
  return std::unique_ptr<Observer>(
      new quant::HistogramObserver(name, options.method, options.percentile, options.num_bins));
}

namespace quant {

Status CheckBatch(const std::string& name, const float* data, int64_t n) {
  if (n < 0) return InvalidArgument("tensor '" + name + "': negative batch size");
  if (n > 0 && data == nullptr) return InvalidArgument("tensor '" + name + "': null data");
  for (int64_t i = 0; i < n; ++i) {
    if (!std::isfinite(data[i])) {
      char buf[64];
      std::snprintf(buf, sizeof(buf), "%g", static_cast<double>(data[i]));
      return InvalidArgument("tensor '" + name + "': non-finite value " + buf + " at index " +
                             std::to_string(i) + " of the batch");
    }
  }
  return Status::Ok();
}

// One pass over the batch, kF32Lanes values at a time: min, max, and a finiteness check (x - x is 0
// for a finite x and NaN otherwise; the lane sums of it stay 0 only if every value is finite).
// CheckBatch runs only to name the first non-finite value; the observer is then left unchanged.
Status MinMaxObserver::Observe(const float* data, int64_t n) {
  if (n <= 0 || data == nullptr) return CheckBatch(name(), data, n);
  float mn = count_ == 0 ? data[0] : min_;
  float mx = count_ == 0 ? data[0] : max_;
  F32Vec vmn = BroadcastF32Vec(mn), vmx = BroadcastF32Vec(mx), nonfinite = {};
  int64_t i = 0;
  for (; i + kF32Lanes <= n; i += kF32Lanes) {
    const F32Vec v = LoadF32Vec(data + i);
    vmn = v < vmn ? v : vmn;
    vmx = v > vmx ? v : vmx;
    nonfinite += v - v;
  }
  float check = 0.0f;
  for (int64_t j = 0; j < kF32Lanes; ++j) {
    mn = vmn[j] < mn ? vmn[j] : mn;
    mx = vmx[j] > mx ? vmx[j] : mx;
    check += nonfinite[j];
  }
  for (; i < n; ++i) {
    mn = data[i] < mn ? data[i] : mn;
    mx = data[i] > mx ? data[i] : mx;
    check += data[i] - data[i];
  }
  if (check != 0.0f) return CheckBatch(name(), data, n);  // NaN compares unequal to 0
  min_ = mn;
  max_ = mx;
  count_ += n;
  return Status::Ok();
}

StatusOr<Range> MinMaxObserver::ComputeRange() const {
  if (count_ == 0) return FailedPrecondition("tensor '" + name() + "': no values observed");
  return Range{min_, max_};
}

HistogramObserver::HistogramObserver(std::string name, CalibrationMethod method, double percentile,
                                     int num_bins)
    : Observer(std::move(name)),
      method_(method),
      percentile_(percentile),
      hist_(num_bins),
      chosen_(method) {}

Status HistogramObserver::Observe(const float* data, int64_t n) {
  TQ_RETURN_IF_ERROR(CheckBatch(name(), data, n));
  hist_.Add(data, n);
  return Status::Ok();
}

StatusOr<Range> HistogramObserver::ComputeRange() const {
  if (hist_.count() == 0) return FailedPrecondition("tensor '" + name() + "': no values observed");
  const Range minmax{hist_.data_min(), hist_.data_max()};
  switch (method_) {
    case CalibrationMethod::kPercentile:
      return PercentileRange(hist_, percentile_);
    case CalibrationMethod::kEntropy:
      return EntropyRange(hist_);
    case CalibrationMethod::kMse:
      return MseRange(hist_);
    default:
      break;
  }
  // kAuto.
  const std::pair<CalibrationMethod, Range> candidates[] = {
      {CalibrationMethod::kMinMax, minmax},
      {CalibrationMethod::kPercentile, PercentileRange(hist_, percentile_)},
      {CalibrationMethod::kEntropy, EntropyRange(hist_)},
      {CalibrationMethod::kMse, MseRange(hist_)},
  };
  chosen_ = candidates[0].first;
  Range best = candidates[0].second;
  double best_mse = HistogramQuantMse(hist_, best);
  for (const auto& [method, range] : candidates) {
    const double mse = HistogramQuantMse(hist_, range);
    if (mse < best_mse) {
      best_mse = mse;
      best = range;
      chosen_ = method;
    }
  }
  return best;
}

std::optional<HistogramSummary> HistogramObserver::histogram() const {
  HistogramSummary s;
  s.count = hist_.count();
  if (!hist_.has_span()) {
    // Every value so far was 0: the histogram has no span yet, so there is nothing to summarise.
    return std::nullopt;
  }
  s.lo = hist_.lo();
  s.hi = hist_.hi();
  s.bins = hist_.bins();
  return s;
}

}  // namespace quant
}  // namespace tinyq
