// observers.h - the concrete calibration observers behind tinyq::MakeObserver (tinyq/quant.h).
//
//   MinMaxObserver     exact running min/max; no histogram (O(1) memory).
//   HistogramObserver  a GrowingHistogram (num_bins counters) + exact min/max, and one of the
//                      range rules of range_search.h: percentile, entropy, mse, or auto.
//
// Auto criterion: compute the minmax, percentile, entropy and mse ranges of the same histogram
// and keep the one with the lowest HistogramQuantMse (expected int8 quantize-dequantize squared
// error per sample over the observed histogram); ties go to the earlier method in that order.
// Since mse minimises this criterion over a window grid, auto usually agrees with mse; it exists
// so that a percentile or entropy range that happens to be better (it is not restricted to bin
// edges) wins, and so the table records which rule produced each tensor's range.
#ifndef TINYQ_SRC_QUANT_OBSERVERS_H_
#define TINYQ_SRC_QUANT_OBSERVERS_H_

#include <string>

#include "src/quant/histogram.h"
#include "tinyq/quant.h"

namespace tinyq {
namespace quant {

// Validates a batch: InvalidArgument "tensor '<name>': non-finite value <v> at index <i> ..." for
// the first NaN/Inf in data[0, n), or for n < 0 or null data with n > 0; Ok otherwise.
Status CheckBatch(const std::string& name, const float* data, int64_t n);

class MinMaxObserver : public Observer {
 public:
  explicit MinMaxObserver(std::string name) : Observer(std::move(name)) {}
  Status Observe(const float* data, int64_t n) override;
  StatusOr<Range> ComputeRange() const override;
  CalibrationMethod chosen_method() const override { return CalibrationMethod::kMinMax; }
  std::optional<HistogramSummary> histogram() const override { return std::nullopt; }

 private:
  int64_t count_ = 0;
  float min_ = 0.0f;
  float max_ = 0.0f;
};

class HistogramObserver : public Observer {
 public:
  // method is kPercentile, kEntropy, kMse or kAuto; num_bins even (checked by MakeObserver).
  HistogramObserver(std::string name, CalibrationMethod method, double percentile, int num_bins);
  Status Observe(const float* data, int64_t n) override;
  StatusOr<Range> ComputeRange() const override;
  // Set by ComputeRange (which is therefore not safe to call concurrently on one observer).
  CalibrationMethod chosen_method() const override { return chosen_; }
  std::optional<HistogramSummary> histogram() const override;

  const GrowingHistogram& hist() const { return hist_; }

 private:
  CalibrationMethod method_;
  double percentile_;
  GrowingHistogram hist_;
  mutable CalibrationMethod chosen_;
};

}  // namespace quant
}  // namespace tinyq

#endif  // TINYQ_SRC_QUANT_OBSERVERS_H_
