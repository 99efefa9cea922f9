// range_search.h - choosing a clipping range from a GrowingHistogram: percentile, entropy (KL),
// MSE, and the quantization-MSE criterion that the mse and auto methods minimise.
//
// Every function returns a range inside the exact observed [data_min, data_max] and returns
// {0, 0} for an empty or all-zero histogram. The int8 parameters of a range are always those of
// ChooseAsymmetricParams (the range extended to 0 and nudged), so all criteria below evaluate the
// grid the int8 executor will actually use.
//
// Windows. Entropy and MSE search windows of whole bins [a, b] that contain the bin of 0 (the
// int8 range contains 0 anyway, so a window not containing it would be widened). A window's real
// range is [lo + a*w, lo + (b+1)*w] clamped to [data_min, data_max]. The search is a coordinate
// descent from the full occupied range: optimise b with a fixed, then a with b fixed, until
// neither moves (at most 4 rounds); each
// 1-D search scans ~256 evenly spaced candidates, then refines around the best one bin at a time.
// The full range is a candidate, so the result is never worse (by the criterion) than minmax.
#ifndef TINYQ_SRC_QUANT_RANGE_SEARCH_H_
#define TINYQ_SRC_QUANT_RANGE_SEARCH_H_

#include "src/quant/histogram.h"
#include "tinyq/quant.h"

namespace tinyq {
namespace quant {

// Expected squared int8 quantization error per sample (real units^2) of the histogram's data when
// quantized with ChooseAsymmetricParams(r): each bin's count is taken as uniformly spread over the
// bin, and the error of quantize-then-dequantize (rounding inside the range, clipping outside) is
// integrated exactly over it. Zeros observed before the histogram had a span contribute 0 (0 is
// exactly representable). Returns 0 for an empty histogram.
double HistogramQuantMse(const GrowingHistogram& h, const Range& r);

// Two-sided percentile on the signed histogram: clips (100 - pct)/2 % of the samples from each
// tail (so 99.99 keeps the central 99.99 %), interpolating linearly inside a bin. pct in (50, 100];
// 100 gives [data_min, data_max].
Range PercentileRange(const GrowingHistogram& h, double pct);

// TensorRT's entropy calibration adapted to asymmetric int8. For a window [a, b]:
//   P = the window's counts with everything left of a added to bin a and everything right of b
//       added to bin b (clipped values land on the edges, as the clamp puts them);
//   Q = the window's counts (without the clipped mass) averaged over the non-empty part of each
//       cell of the real, nudged asymmetric int8 grid of the window (ChooseAsymmetricParams); a
//       bin straddling two cells is shared in proportion to its overlap. (TensorRT groups i bins
//       into 128 equal groups of a symmetric |x| histogram; proportional sharing keeps the cost a
//       smooth function of the window instead of jumping when bins-per-level changes.)
//   cost = KL(P || Q) after normalising both, with Q smoothed as (1 - 1e-4) Q + 1e-4 / width so it
//       is never 0 where P is not.
// Windows narrower than 256 bins are not considered (a level must cover at least one bin for Q
// to lose information, as TensorRT's minimum of 128 bins for 128 levels). So entropy clips to at
// most 1/8 of the histogram span: with far outliers (span >> bulk) that bound is what stops it,
// and its result then scales with the histogram resolution.
Range EntropyRange(const GrowingHistogram& h);

// The window minimising HistogramQuantMse.
Range MseRange(const GrowingHistogram& h);

}  // namespace quant
}  // namespace tinyq

#endif  // TINYQ_SRC_QUANT_RANGE_SEARCH_H_
