// range_search.cc - percentile, entropy and MSE range selection on a growing histogram.
#include "src/quant/range_search.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <vector>

#include "src/quant/quant_math.h"

namespace tinyq {
namespace quant {
namespace {

constexpr int kQMin = -128;
constexpr int kQMax = 127;

// Scale and zero point of a range that is known valid (finite, min <= max).
QuantParamsS8 ParamsOf(const Range& r) {
  StatusOr<QuantParamsS8> p = ChooseAsymmetricParams(r.min, r.max, kQMin, kQMax);
  return p.ok() ? *p : QuantParamsS8{};
}

// Integral of (x - c)^2 over [u, v].
double SqIntegral(double u, double v, double c) {
  const double a = u - c, b = v - c;
  return (b * b * b - a * a * a) / 3.0;
}

Range Clamp(const GrowingHistogram& h, double lo, double hi) {
  Range r;
  r.min = static_cast<float>(std::clamp<double>(lo, h.data_min(), h.data_max()));
  r.max = static_cast<float>(std::clamp<double>(hi, h.data_min(), h.data_max()));
  if (r.min > r.max) r.min = r.max;
  return r;
}

// The part of the histogram a window search works on: occupied bins and the bin holding 0.
struct SearchSpace {
  int a_min = 0;  // first bin a window may start at
  int zb = 0;     // bin containing 0
  int b_max = 0;  // last bin a window may end at
};

SearchSpace SpaceOf(const GrowingHistogram& h) {
  const std::vector<int64_t>& bins = h.bins();
  const int n = h.num_bins();
  int first = 0, last = n - 1;
  while (first < n - 1 && bins[static_cast<size_t>(first)] == 0) ++first;
  while (last > 0 && bins[static_cast<size_t>(last)] == 0) --last;
  const double z = std::floor((0.0 - h.lo()) / h.bin_width());
  SearchSpace sp;
  sp.zb = static_cast<int>(std::clamp(z, 0.0, static_cast<double>(n - 1)));
  sp.a_min = std::min(first, sp.zb);
  sp.b_max = std::max(last, sp.zb);
  return sp;
}

Range WindowRange(const GrowingHistogram& h, int a, int b) {
  return Clamp(h, h.lo() + a * h.bin_width(), h.lo() + (b + 1) * h.bin_width());
}

// Argmin of f over the integers [lo, hi], starting from `current` (kept unless strictly beaten):
// ~256 evenly spaced candidates, then a stride-1 refinement around the best.
int Search1D(int lo, int hi, int current, double* best_cost, const std::function<double(int)>& f) {
  if (lo > hi) return current;
  int best = current;
  auto consider = [&](int x) {
    const double c = f(x);
    if (c < *best_cost) {
      *best_cost = c;
      best = x;
    }
  };
  const int stride = std::max(1, (hi - lo) / 256);
  for (int x = lo; x <= hi; x += stride) consider(x);
  consider(hi);
  if (stride > 1) {
    const int center = best;
    for (int x = std::max(lo, center - stride); x <= std::min(hi, center + stride); ++x) {
      consider(x);
    }
  }
  return best;
}

// Coordinate descent over windows [a, b] (see range_search.h).
Range SearchWindow(const GrowingHistogram& h, int min_width,
                   const std::function<double(int, int)>& cost) {
  const SearchSpace sp = SpaceOf(h);
  int a = sp.a_min, b = sp.b_max;
  double best = cost(a, b);
  if (b - a + 1 > min_width) {
    // Alternate until neither end moves (at most 4 rounds; each step never increases the cost).
    for (int round = 0; round < 4; ++round) {
      const int old_a = a, old_b = b;
      b = Search1D(std::max(sp.zb, a + min_width - 1), sp.b_max, b, &best,
                   [&](int x) { return cost(a, x); });
      a = Search1D(sp.a_min, std::min(sp.zb, b - min_width + 1), a, &best,
                   [&](int x) { return cost(x, b); });
      if (a == old_a && b == old_b) break;
    }
  }
  return WindowRange(h, a, b);
}

// Calls f(level, u, v) for every int8 level whose quantization cell (grid s, zp; the end
// cells extend to infinity, as the clamp does) overlaps [x0, x1]; [u, v] is the overlap.
template <typename F>
void ForEachCellOverlap(double x0, double x1, double s, int zp, F f) {
  const int q0 = RoundAndSaturate(x0 / s + zp, kQMin, kQMax);
  const int q1 = RoundAndSaturate(x1 / s + zp, kQMin, kQMax);
  for (int q = q0; q <= q1; ++q) {
    const double c = s * (q - zp);
    const double cell_lo = q == kQMin ? -std::numeric_limits<double>::infinity() : c - 0.5 * s;
    const double cell_hi = q == kQMax ? std::numeric_limits<double>::infinity() : c + 0.5 * s;
    const double u = std::max(x0, cell_lo), v = std::min(x1, cell_hi);
    if (v > u) f(q, u, v);
  }
}

// Scratch buffers of the KL search, reused across candidate windows.
struct KlScratch {
  std::vector<double> p, q, level_mass, level_cover;
};

double KlCost(const GrowingHistogram& h, int a, int b, KlScratch* k) {
  const std::vector<int64_t>& bins = h.bins();
  const int width = b - a + 1;
  const double w = h.bin_width();
  std::vector<double>& p = k->p;
  std::vector<double>& q = k->q;
  p.assign(static_cast<size_t>(width), 0.0);
  q.assign(static_cast<size_t>(width), 0.0);
  k->level_mass.assign(256, 0.0);
  k->level_cover.assign(256, 0.0);
  double left = 0.0, right = 0.0;
  for (int i = 0; i < a; ++i) left += static_cast<double>(bins[static_cast<size_t>(i)]);
  for (int i = b + 1; i < h.num_bins(); ++i) {
    right += static_cast<double>(bins[static_cast<size_t>(i)]);
  }
  for (int i = 0; i < width; ++i) {
    p[static_cast<size_t>(i)] = static_cast<double>(bins[static_cast<size_t>(a + i)]);
  }
  // Q: the window's (unclipped) mass averaged over the non-empty part of each int8 cell. A bin
  // straddling two cells contributes to each in proportion to its overlap, which keeps the cost
  // a smooth function of the window (grouping whole bins by their centre makes the number of bins
  // per level jump between n and n+1 and the KL curve noisy).
  const QuantParamsS8 qp = ParamsOf(WindowRange(h, a, b));
  const double s = qp.scale;
  const double x_a = h.lo() + a * w;
  for (int i = 0; i < width; ++i) {
    const double pi = p[static_cast<size_t>(i)];
    ForEachCellOverlap(x_a + i * w, x_a + (i + 1) * w, s, qp.zero_point,
                       [&](int level, double u, double v) {
                         const size_t l = static_cast<size_t>(level + 128);
                         const double frac = (v - u) / w;
                         k->level_mass[l] += pi * frac;
                         if (pi > 0.0) k->level_cover[l] += frac;
                       });
  }
  for (int i = 0; i < width; ++i) {
    if (p[static_cast<size_t>(i)] <= 0.0) continue;
    double qi = 0.0;
    ForEachCellOverlap(x_a + i * w, x_a + (i + 1) * w, s, qp.zero_point,
                       [&](int level, double u, double v) {
                         const size_t l = static_cast<size_t>(level + 128);
                         qi += (v - u) / w * k->level_mass[l] / k->level_cover[l];
                       });
    q[static_cast<size_t>(i)] = qi;
  }
  p.front() += left;
  p.back() += right;
  double total = 0.0, q_total = 0.0;
  for (int i = 0; i < width; ++i) {
    total += p[static_cast<size_t>(i)];
    q_total += q[static_cast<size_t>(i)];
  }
  if (total <= 0.0) return 0.0;
  constexpr double kEps = 1e-4;
  double kl = 0.0;
  for (int i = 0; i < width; ++i) {
    const double pi = p[static_cast<size_t>(i)] / total;
    if (pi <= 0.0) continue;
    const double qn = q_total > 0.0 ? q[static_cast<size_t>(i)] / q_total : 0.0;
    const double qi = (1.0 - kEps) * qn + kEps / width;
    kl += pi * std::log(pi / qi);
  }
  return kl;
}

}  // namespace

double HistogramQuantMse(const GrowingHistogram& h, const Range& r) {
  if (h.count() == 0 || !h.has_span()) return 0.0;
  const QuantParamsS8 qp = ParamsOf(r);
  const double s = qp.scale;
  const double w = h.bin_width();
  const std::vector<int64_t>& bins = h.bins();
  double sum = 0.0;
  for (int i = 0; i < h.num_bins(); ++i) {
    const int64_t c = bins[static_cast<size_t>(i)];
    if (c == 0) continue;
    const double x0 = h.lo() + i * w;
    double integral = 0.0;
    ForEachCellOverlap(x0, x0 + w, s, qp.zero_point, [&](int level, double u, double v) {
      integral += SqIntegral(u, v, s * (level - qp.zero_point));
    });
    sum += static_cast<double>(c) * integral / w;
  }
  return sum / static_cast<double>(h.count());
}

Range PercentileRange(const GrowingHistogram& h, double pct) {
  if (h.count() == 0 || !h.has_span()) return Range{};
  const std::vector<int64_t>& bins = h.bins();
  const double tail = static_cast<double>(h.count()) * (100.0 - pct) / 200.0;
  const double w = h.bin_width();
  const int n = h.num_bins();
  // Lower bound: the value below which `tail` samples lie.
  double lo = h.data_min();
  double acc = 0.0;
  for (int i = 0; i < n; ++i) {
    const double c = static_cast<double>(bins[static_cast<size_t>(i)]);
    if (acc + c > tail) {
      lo = h.lo() + (i + (tail - acc) / c) * w;
      break;
    }
    acc += c;
  }
  double hi = h.data_max();
  acc = 0.0;
  for (int i = n - 1; i >= 0; --i) {
    const double c = static_cast<double>(bins[static_cast<size_t>(i)]);
    if (acc + c > tail) {
      hi = h.lo() + (i + 1 - (tail - acc) / c) * w;
      break;
    }
    acc += c;
  }
  return Clamp(h, lo, hi);
}

Range EntropyRange(const GrowingHistogram& h) {
  if (h.count() == 0 || !h.has_span()) return Range{};
  KlScratch scratch;
  return SearchWindow(h, 256, [&](int a, int b) { return KlCost(h, a, b, &scratch); });
}

Range MseRange(const GrowingHistogram& h) {
  if (h.count() == 0 || !h.has_span()) return Range{};
  return SearchWindow(h, 1,
                      [&](int a, int b) { return HistogramQuantMse(h, WindowRange(h, a, b)); });
}

}  // namespace quant
}  // namespace tinyq
