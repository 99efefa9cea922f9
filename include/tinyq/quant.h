// tinyq/quant.h - calibration: observers that pick a float range per tensor, and the table that
// stores those ranges between `tinyq calibrate` and `tinyq quantize`.
//
// Worked example (what the calibrate pass and the CLI do for every observed tensor):
//
//   tinyq::ObserverOptions opts;
//   opts.method = tinyq::CalibrationMethod::kEntropy;
//   auto obs = tinyq::MakeObserver("conv1_out", opts);      // StatusOr<unique_ptr<Observer>>
//   if (!obs.ok()) return obs.status();
//   for (each batch) TQ_RETURN_IF_ERROR((*obs)->Observe(batch_data, batch_numel));
//   TQ_ASSIGN_OR_RETURN(tinyq::Range r, (*obs)->ComputeRange());
//   tinyq::CalibrationTable table;
//   TQ_RETURN_IF_ERROR(table.Set("conv1_out", (*obs)->ToEntry(r)));
//   TQ_RETURN_IF_ERROR(table.Save("model.calib.json"));
//
// The int8 parameters (scale, nudged zero point) are derived from a Range later, by the
// quantize_int8 pass (src/quant/quant_math.h: ChooseAsymmetricParams).
#ifndef TINYQ_QUANT_H_
#define TINYQ_QUANT_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tinyq/status.h"

namespace tinyq {

// How a tensor's float range is chosen from calibration data. Names (CLI `--calibration`, Python
// `method=`, calibration JSON "method"): "minmax", "percentile", "entropy", "mse", "auto".
enum class CalibrationMethod : uint8_t {
  kMinMax = 0,  // exact observed [min, max]
  kPercentile,  // clips (100 - p)/2 % of the samples from each tail of the signed histogram
  kEntropy,     // TensorRT-style minimum KL divergence window (asymmetric adaptation)
  kMse,         // window minimising the expected int8 quantization MSE of the histogram
  kAuto,        // per tensor: whichever of the four above gives the lowest histogram MSE
  kCount        // number of methods, not a method
};

const char* CalibrationMethodName(CalibrationMethod m);  // "minmax", ...
// Parses a method name; InvalidArgument listing the valid names otherwise.
StatusOr<CalibrationMethod> ParseCalibrationMethod(const std::string& name);

// A closed float interval min <= max (both finite).
struct Range {
  float min = 0.0f;
  float max = 0.0f;
};

// Compact description of an observer's histogram, stored in the calibration table so ranges can
// be re-derived offline. Bin i covers [lo + i*w, lo + (i+1)*w) with w = (hi - lo) / bins.size().
struct HistogramSummary {
  double lo = 0.0;
  double hi = 0.0;
  int64_t count = 0;  // == sum of bins
  std::vector<int64_t> bins;
};

// One calibrated tensor.
struct CalibrationEntry {
  Range range;
  CalibrationMethod method = CalibrationMethod::kMinMax;  // for kAuto: the method that won
  std::optional<HistogramSummary> histogram;
};

// Tensor name -> calibrated range. JSON form (format "tinyq.calibration", version 1):
//   {"format": "tinyq.calibration", "version": 1,
//    "tensors": {"x": {"min": -1.0, "max": 3.0, "method": "entropy",
//                      "histogram": {"lo": -1.5, "hi": 3.0, "count": 10, "bins": [..]}}}}
// "histogram" is optional. Unknown keys are errors (a misspelt key must not be silently ignored).
class CalibrationTable {
 public:
  // Adds or replaces an entry. InvalidArgument (naming the tensor) if min > max, a bound is not
  // finite, the method is kAuto/kCount, or the histogram is inconsistent.
  Status Set(const std::string& name, CalibrationEntry entry);
  // nullptr when absent. The pointer lives until the next Set on this table.
  const CalibrationEntry* Find(const std::string& name) const;
  const std::map<std::string, CalibrationEntry>& entries() const { return entries_; }
  size_t size() const { return entries_.size(); }

  std::string ToJson() const;  // pretty-printed, keys sorted
  // Strict parse. Errors are InvalidArgument "<source>: <json path>: <problem>", e.g.
  // "calib.json: tensors.conv1.min: expected a number".
  static StatusOr<CalibrationTable> FromJson(const std::string& text,
                                             const std::string& source = "<calibration json>");
  // Writes via a temp file in the same folder + rename (never leaves a partial file).
  Status Save(const std::string& path) const;
  // NotFound if the file is missing, IoError if unreadable, InvalidArgument if malformed.
  static StatusOr<CalibrationTable> Load(const std::string& path);

 private:
  std::map<std::string, CalibrationEntry> entries_;
};

// Observer configuration.
struct ObserverOptions {
  CalibrationMethod method = CalibrationMethod::kMinMax;
  double percentile = 99.99;  // kPercentile: in (50, 100]
  int num_bins = 2048;        // histogram methods: even, in [256, 65536]
};

// Streams the values of one tensor over calibration batches and picks its range. Memory does not
// grow with the number of samples (a fixed-size histogram at most).
class Observer {
 public:
  virtual ~Observer() = default;
  // Adds n values (`data` is only read during the call). InvalidArgument "tensor '<name>':
  // non-finite value ..." if any value is NaN or infinite (also for n < 0 or null data); the
  // observer is then left unchanged. Not thread-safe: one observer per thread or a lock.
  virtual Status Observe(const float* data, int64_t n) = 0;
  // The chosen range (always within the observed [min, max]). FailedPrecondition if no value was
  // observed.
  virtual StatusOr<Range> ComputeRange() const = 0;
  // The method that produced the last ComputeRange (for kAuto: the winner), for the table.
  virtual CalibrationMethod chosen_method() const = 0;
  // The histogram so far (histogram methods only).
  virtual std::optional<HistogramSummary> histogram() const = 0;

  // Entry for a CalibrationTable with `range` (from ComputeRange), chosen_method() and histogram().
  CalibrationEntry ToEntry(const Range& range) const;
  const std::string& name() const { return name_; }

 protected:
  explicit Observer(std::string name) : name_(std::move(name)) {}

 private:
  std::string name_;
};

// Creates an observer for tensor `name`. InvalidArgument on bad options.
StatusOr<std::unique_ptr<Observer>> MakeObserver(const std::string& name,
                                                 const ObserverOptions& options);

}  // namespace tinyq

#endif  // TINYQ_QUANT_H_
