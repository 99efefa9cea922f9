// histogram.cc - growing histogram (see histogram.h for the growth rule).
#include "src/quant/histogram.h"

#include <algorithm>
#include <cmath>

namespace tinyq {
namespace quant {

GrowingHistogram::GrowingHistogram(int num_bins) : bins_(static_cast<size_t>(num_bins), 0) {}

void GrowingHistogram::Init(double lo, double hi) {
  lo_ = lo;
  width_ = (hi - lo) / static_cast<double>(bins_.size());
  std::fill(bins_.begin(), bins_.end(), 0);
  if (pending_zeros_ > 0) {
    bins_[static_cast<size_t>(BinOf(0.0))] += pending_zeros_;
    pending_zeros_ = 0;
  }
}

int64_t GrowingHistogram::BinOf(double x) const {
  const double pos = std::floor((x - lo_) / width_);
  const double last = static_cast<double>(bins_.size() - 1);
  return static_cast<int64_t>(std::clamp(pos, 0.0, last));
}

void GrowingHistogram::GrowToCover(double x_min, double x_max) {
  const size_t n = bins_.size();
  const size_t half = n / 2;
  while (x_min < lo_ || x_max > hi()) {
    const double span = hi() - lo_;
    const bool grow_down = x_min < lo_;
    std::vector<int64_t> merged(n, 0);
    const size_t offset = grow_down ? half : 0;
    for (size_t k = 0; k < half; ++k) merged[offset + k] = bins_[2 * k] + bins_[2 * k + 1];
    bins_.swap(merged);
    if (grow_down) lo_ -= span;
    width_ *= 2.0;
  }
}

void GrowingHistogram::Add(const float* data, int64_t n) {
  if (n <= 0) return;
  float bmin = data[0], bmax = data[0];
  for (int64_t i = 1; i < n; ++i) {
    bmin = std::min(bmin, data[i]);
    bmax = std::max(bmax, data[i]);
  }
  if (count_ == 0) {
    data_min_ = bmin;
    data_max_ = bmax;
  } else {
    data_min_ = std::min(data_min_, bmin);
    data_max_ = std::max(data_max_, bmax);
  }
  count_ += n;
  const double lo = std::min<double>(bmin, 0.0);
  const double hi = std::max<double>(bmax, 0.0);
  if (!has_span()) {
    if (lo == hi) {  // all zeros so far
      pending_zeros_ += n;
      return;
    }
    Init(lo, hi);
  } else {
    GrowToCover(lo, hi);
  }
  for (int64_t i = 0; i < n; ++i) ++bins_[static_cast<size_t>(BinOf(data[i]))];
}

}  // namespace quant
}  // namespace tinyq
