// AdaRound's per-layer rounding (src/train/adaround.h) on synthetic layers: it beats
// round-to-nearest, only ever picks floor or ceil, respects the weight range, is deterministic, and
// the reconstruction error it reports equals a naive recomputation. (A real zoo layer is checked in
// tests/api/quantize_adaround_test.cc.)
#include "src/train/adaround.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace tinyq::train {
namespace {

// A layer y = relu(W x + b) with correlated inputs (x = A z, z ~ N(0, 1)), scales from max|W| /
// qmax; `groups` splits the channels as a grouped convolution would. Seeded (std::mt19937 1234).
AdaRoundProblem MakeProblem(int64_t channels, int64_t groups, int64_t k, int64_t rows, int qmax) {
  std::mt19937 rng(1234);
  std::normal_distribution<float> n01(0.0f, 1.0f);
  AdaRoundProblem p;
  p.channels = channels;
  p.groups = groups;
  p.k = k;
  p.rows = rows;
  p.qmax = qmax;
  p.lo = 0.0f;  // ReLU
  const int64_t cols = groups * k;
  std::vector<float> mix(static_cast<size_t>(cols * cols));
  for (float& m : mix) m = n01(rng) / std::sqrt(static_cast<float>(cols));
  for (int64_t r = 0; r < rows; ++r) {
    std::vector<float> z(static_cast<size_t>(cols));
    for (float& v : z) v = n01(rng);
    for (int64_t i = 0; i < cols; ++i) {
      float s = z[static_cast<size_t>(i)];
      for (int64_t j = 0; j < cols; ++j)
        s += mix[static_cast<size_t>(i * cols + j)] * z[static_cast<size_t>(j)];
      p.x.push_back(s);
    }
  }
  for (int64_t c = 0; c < channels; ++c) {
    float mx = 0.0f;
    for (int64_t j = 0; j < k; ++j) {
      p.weights.push_back(n01(rng));
      mx = std::max(mx, std::fabs(p.weights.back()));
    }
    p.scales.push_back(mx / static_cast<float>(qmax));
    p.bias.push_back(0.1f * n01(rng));
  }
  const int64_t cg = channels / groups;
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < channels; ++c) {
      double s = p.bias[static_cast<size_t>(c)];
      for (int64_t j = 0; j < k; ++j)
        s += p.x[static_cast<size_t>(r * cols + (c / cg) * k + j)] *
             p.weights[static_cast<size_t>(c * k + j)];
      p.y.push_back(static_cast<float>(std::max(0.0, s)));
    }
  return p;
}

// (1/R) sum_r sum_c (relu(sum_k x w_q s + b) - y)^2, written out loop by loop.
double NaiveError(const AdaRoundProblem& p, const std::vector<int8_t>& q) {
  const int64_t cg = p.channels / p.groups;
  double sum = 0.0;
  for (int64_t r = 0; r < p.rows; ++r)
    for (int64_t c = 0; c < p.channels; ++c) {
      double s = p.bias[static_cast<size_t>(c)];
      for (int64_t j = 0; j < p.k; ++j)
        s +=
            static_cast<double>(p.x[static_cast<size_t>(r * p.groups * p.k + (c / cg) * p.k + j)]) *
            p.scales[static_cast<size_t>(c)] * q[static_cast<size_t>(c * p.k + j)];
      s = std::min<double>(std::max<double>(s, p.lo), p.hi);
      const double d = s - p.y[static_cast<size_t>(r * p.channels + c)];
      sum += d * d;
    }
  return sum / static_cast<double>(p.rows);
}

void ExpectFloorOrCeil(const AdaRoundProblem& p, const std::vector<int8_t>& q) {
  for (size_t i = 0; i < q.size(); ++i) {
    const float v = p.weights[i] / p.scales[i / static_cast<size_t>(p.k)];
    EXPECT_TRUE(q[i] == static_cast<int>(std::floor(v)) || q[i] == static_cast<int>(std::ceil(v)) ||
                std::abs(q[i]) == p.qmax)
        << i << ": " << v << " -> " << static_cast<int>(q[i]);
    EXPECT_LE(std::abs(static_cast<int>(q[i])), p.qmax);
  }
}

TEST(AdaRoundTest, BeatsNearestOnA4BitDenseLayer) {
  const AdaRoundProblem p = MakeProblem(16, 1, 32, 2048, 7);
  AdaRoundOptions o;
  o.iterations = 2000;
  auto r = OptimizeRounding(p, o);
  ASSERT_TRUE(r.ok()) << r.status().message();
  const double nearest = NaiveError(p, RoundToNearest(p));
  const double learned = NaiveError(p, r->weights);
  EXPECT_NEAR(r->error_nearest, nearest, 1e-4 * nearest);
  EXPECT_NEAR(r->error_adaround, learned, 1e-4 * nearest);
  EXPECT_FALSE(r->kept_nearest);
  EXPECT_LT(learned, 0.8 * nearest) << "nearest " << nearest << " learned " << learned;
  EXPECT_GT(r->changed, 0);
  ExpectFloorOrCeil(p, r->weights);
}

TEST(AdaRoundTest, GroupedLayerUsesEachGroupsColumns) {
  // 8 channels in 4 groups of 2, each reading its own 9 columns (a grouped 3x3 convolution).
  const AdaRoundProblem p = MakeProblem(8, 4, 9, 4096, 7);
  auto r = OptimizeRounding(p, AdaRoundOptions{});
  ASSERT_TRUE(r.ok()) << r.status().message();
  const double nearest = NaiveError(p, RoundToNearest(p));
  EXPECT_NEAR(r->error_nearest, nearest, 1e-4 * nearest);  // the groups' columns are read right
  EXPECT_FALSE(r->kept_nearest);  // and the gradient finds a better rounding
  EXPECT_LT(NaiveError(p, r->weights), nearest);
  ExpectFloorOrCeil(p, r->weights);
}

TEST(AdaRoundTest, SameSeedSameWeightsAndNeverWorseThanNearest) {
  AdaRoundProblem p = MakeProblem(4, 1, 16, 512, 127);
  AdaRoundOptions o;
  o.iterations = 300;
  auto a = OptimizeRounding(p, o);
  auto b = OptimizeRounding(p, o);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->weights, b->weights);
  EXPECT_LE(NaiveError(p, a->weights), NaiveError(p, RoundToNearest(p)));
  // A clamp everywhere below the data: every rounding gives the same output, nothing to gain.
  p.hi = p.lo = -1.0f;
  auto c = OptimizeRounding(p, o);
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(c->kept_nearest);
  EXPECT_EQ(c->weights, RoundToNearest(p));
  EXPECT_EQ(c->changed, 0);
}

TEST(AdaRoundTest, InconsistentProblemIsInvalidArgument) {
  AdaRoundProblem p = MakeProblem(4, 1, 8, 16, 127);
  p.y.pop_back();
  auto r = OptimizeRounding(p, AdaRoundOptions{});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  p = MakeProblem(4, 1, 8, 16, 127);
  p.scales[1] = 0.0f;
  EXPECT_EQ(OptimizeRounding(p, AdaRoundOptions{}).status().code(), StatusCode::kInvalidArgument);
  p = MakeProblem(4, 1, 8, 16, 127);
  p.groups = 3;  // 4 channels do not split into 3 groups
  EXPECT_EQ(OptimizeRounding(p, AdaRoundOptions{}).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace tinyq::train
