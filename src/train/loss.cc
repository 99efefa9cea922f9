// src/train/loss.cc - cross-entropy + temperature-scaled KL divergence (Hinton et al. 2015).
#include "src/train/loss.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace tinyq::train {
namespace {

// Writes softmax(x / T) into p and returns log(sum(exp(x / T))) (the log partition).
double SoftmaxScaled(const float* x, int64_t n, double temperature, double* p) {
  double mx = x[0];
  for (int64_t i = 1; i < n; ++i) mx = std::max(mx, static_cast<double>(x[i]));
  double sum = 0.0;
  for (int64_t i = 0; i < n; ++i) sum += (p[i] = std::exp((x[i] - mx) / temperature));
  for (int64_t i = 0; i < n; ++i) p[i] /= sum;
  return mx / temperature + std::log(sum);
}

}  // namespace

double DistillLoss(const float* s, const float* t, const int64_t* y, int64_t batch, int64_t classes,
                   float temperature, float alpha, float* ds) {
  const double a = t == nullptr ? 0.0 : alpha;
  const double temp = temperature;
  std::vector<double> p(static_cast<size_t>(classes)), q(p.size()), pt(p.size());
  double total = 0.0;
  for (int64_t b = 0; b < batch; ++b) {
    const float* sb = s + b * classes;
    float* db = ds + b * classes;
    const double lse = SoftmaxScaled(sb, classes, 1.0, p.data());
    const int64_t label = y[b];
    total += (1.0 - a) * (lse - sb[label]);
    for (int64_t i = 0; i < classes; ++i)
      db[i] = static_cast<float>((1.0 - a) * (p[static_cast<size_t>(i)] - (i == label)) / batch);
    if (a == 0.0) continue;
    const double lse_s = SoftmaxScaled(sb, classes, temp, q.data());
    const double lse_t = SoftmaxScaled(t + b * classes, classes, temp, pt.data());
    double kl = 0.0;
    for (int64_t i = 0; i < classes; ++i) {
      const size_t k = static_cast<size_t>(i);
      if (pt[k] > 0.0) {
        const double log_pt = t[b * classes + i] / temp - lse_t;
        const double log_q = sb[i] / temp - lse_s;
        kl += pt[k] * (log_pt - log_q);
      }
      db[i] += static_cast<float>(a * temp * (q[k] - pt[k]) / batch);
    }
    total += a * temp * temp * kl;
  }
  return total / static_cast<double>(batch);
}

SoftLabelStats MeasureSoftLabels(const float* t, int64_t n, int64_t classes, double temperature) {
  SoftLabelStats m;
  m.temperature = temperature;
  if (n < 1) return m;
  std::vector<double> p(static_cast<size_t>(classes));
  for (int64_t b = 0; b < n; ++b) {
    const float* row = t + b * classes;
    const double lse = SoftmaxScaled(row, classes, temperature, p.data());
    double entropy = 0.0;
    for (int64_t i = 0; i < classes; ++i)  // -sum p log p with log p = t / T - lse
      entropy -= p[static_cast<size_t>(i)] * (row[i] / temperature - lse);
    m.mean_entropy += entropy;
    m.mean_top_probability += *std::max_element(p.begin(), p.end());
  }
  m.mean_entropy /= static_cast<double>(n);
  m.mean_top_probability /= static_cast<double>(n);
  return m;
}

double FeatureMseLoss(const float* s, const float* t, int64_t batch, int64_t channels,
                      int64_t spatial, int64_t t_channels, const int64_t* t_index, float weight,
                      float* ds) {
  const double size = static_cast<double>(channels * spatial);
  const double scale = 2.0 * weight / (static_cast<double>(batch) * size);
  double total = 0.0;
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t c = 0; c < channels; ++c) {
      const int64_t tc = t_index != nullptr ? t_index[c] : c;
      const float* sp = s + (b * channels + c) * spatial;
      const float* tp = t + (b * t_channels + tc) * spatial;
      float* dp = ds + (b * channels + c) * spatial;
      for (int64_t i = 0; i < spatial; ++i) {
        const double d = static_cast<double>(sp[i]) - tp[i];
        total += d * d;
        dp[i] = static_cast<float>(scale * d);
      }
    }
  return weight * total / (static_cast<double>(batch) * size);
}

}  // namespace tinyq::train
