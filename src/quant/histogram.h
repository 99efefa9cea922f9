// histogram.h - a fixed-size signed histogram whose range grows as batches arrive, for the
// histogram-based calibration observers. Memory is num_bins counters whatever the sample count.
//
// Range and growth (no first pass over the data is needed):
//   - The histogram span always contains 0 (the int8 range will contain it too), so the first
//     non-zero batch sets [lo, hi] = [min(batch_min, 0), max(batch_max, 0)] split in num_bins
//     equal bins. Zeros seen before that are kept as a pending count and added to the bin of 0.
//   - When a later value falls outside [lo, hi], the bin width doubles: pairs of adjacent bins
//     (2k, 2k+1) merge into one, and the merged num_bins/2 bins are placed either in the upper
//     half of the new span (the span grows downward, lo -= hi - lo) or in its lower half (the
//     span grows upward). Doubling repeats, toward the side that is still short, until the batch
//     fits. Merging whole pairs is exact: no count is ever split or interpolated, so the
//     histogram after growth equals the histogram that would have been built at the coarser
//     width from the start with that origin.
//   - Consequence: bin resolution is the final span / num_bins up to a factor of 2, and feeding
//     the same data in different batch splits gives histograms that agree up to that resolution.
// Bin index of x: floor((x - lo) / width) clamped to [0, num_bins - 1] (x == hi is in the last).
#ifndef TINYQ_SRC_QUANT_HISTOGRAM_H_
#define TINYQ_SRC_QUANT_HISTOGRAM_H_

#include <cstdint>
#include <vector>

namespace tinyq {
namespace quant {

class GrowingHistogram {
 public:
  // num_bins must be even and >= 2 (checked by the observer factory).
  explicit GrowingHistogram(int num_bins);

  // Adds n finite values (the caller has checked finiteness).
  void Add(const float* data, int64_t n);

  int num_bins() const { return static_cast<int>(bins_.size()); }
  // False until a non-zero value was added; then lo() < 0 <= hi() or lo() == 0 < hi().
  bool has_span() const { return width_ > 0.0; }
  double lo() const { return lo_; }
  double hi() const { return lo_ + width_ * static_cast<double>(bins_.size()); }
  double bin_width() const { return width_; }
  // Counts per bin; when !has_span(), every value was 0 and the counts are in zero_count().
  const std::vector<int64_t>& bins() const { return bins_; }
  int64_t zero_count() const { return pending_zeros_; }
  int64_t count() const { return count_; }
  // Exact extremes of all values added (0 when none).
  float data_min() const { return data_min_; }
  float data_max() const { return data_max_; }

 private:
  void Init(double lo, double hi);
  void GrowToCover(double x_min, double x_max);
  int64_t BinOf(double x) const;

  std::vector<int64_t> bins_;
  double lo_ = 0.0;
  double width_ = 0.0;
  int64_t pending_zeros_ = 0;
  int64_t count_ = 0;
  float data_min_ = 0.0f;
  float data_max_ = 0.0f;
};

}  // namespace quant
}  // namespace tinyq

#endif  // TINYQ_SRC_QUANT_HISTOGRAM_H_
