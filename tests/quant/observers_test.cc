#include "src/quant/observers.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "src/quant/range_search.h"
#include "tinyq/quant.h"

namespace tinyq {
namespace {

const CalibrationMethod kAllMethods[] = {CalibrationMethod::kMinMax, CalibrationMethod::kPercentile,
                                         CalibrationMethod::kEntropy, CalibrationMethod::kMse,
                                         CalibrationMethod::kAuto};

std::unique_ptr<Observer> Make(CalibrationMethod m, const std::string& name = "t") {
  ObserverOptions o;
  o.method = m;
  auto obs = MakeObserver(name, o);
  EXPECT_TRUE(obs.ok()) << obs.status().ToString();
  return std::move(obs).value();
}

// Empirical MSE of quantize-dequantize of `data` with the asymmetric int8 grid of `r`, computed
// here independently of src/quant: [min(r.min,0), max(r.max,0)] -> scale, nudged zero point.
double EmpiricalMse(const std::vector<float>& data, const Range& r) {
  const double rmin = std::min<double>(r.min, 0.0), rmax = std::max<double>(r.max, 0.0);
  const double s = (rmax - rmin) / 255.0;
  const double zp = std::max(-128.0, std::min(127.0, std::round(-128.0 - rmin / s)));
  double sum = 0;
  for (float x : data) {
    const double q = std::max(-128.0, std::min(127.0, std::round(x / s) + zp));
    const double e = x - s * (q - zp);
    sum += e * e;
  }
  return sum / static_cast<double>(data.size());
}

// 1M N(0.3, 1) samples plus 4 far outliers (2 per side, asymmetric). With this many samples,
// clipping the outliers costs less squared error than the coarse grid of the full range.
std::vector<float> GaussianWithOutliers() {
  std::mt19937 rng(1234);
  std::normal_distribution<float> d(0.3f, 1.0f);
  std::vector<float> v(1000000);
  for (float& x : v) x = d(rng);
  v[1000] = 60.0f;
  v[2000] = 61.0f;
  v[3000] = -35.0f;
  v[4000] = -36.0f;
  return v;
}

// 200k N(0.3, 1) samples with a moderate heavy tail (80 values in [-9, -5] and [6, 10]), all in
// the second half so that the first batches have a narrower span and the histogram must grow.
std::vector<float> GaussianWithLateTail() {
  std::mt19937 rng(99);
  std::normal_distribution<float> d(0.3f, 1.0f);
  std::uniform_real_distribution<float> u(0.0f, 4.0f);
  std::vector<float> v(200000);
  for (float& x : v) x = d(rng);
  for (int i = 0; i < 40; ++i) {
    v[static_cast<size_t>(100000 + 2000 * i)] = 6.0f + u(rng);
    v[static_cast<size_t>(101000 + 2000 * i)] = -5.0f - u(rng);
  }
  return v;
}

TEST(CalibrationMethodTest, NamesRoundTripAndUnknownIsListed) {
  for (CalibrationMethod m : kAllMethods) {
    auto parsed = ParseCalibrationMethod(CalibrationMethodName(m));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, m);
  }
  EXPECT_STREQ(CalibrationMethodName(CalibrationMethod::kEntropy), "entropy");
  auto bad = ParseCalibrationMethod("kl");
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("minmax|percentile|entropy|mse|auto"), std::string::npos);
}

TEST(MakeObserverTest, RejectsBadOptions) {
  ObserverOptions o;
  o.method = CalibrationMethod::kEntropy;
  o.num_bins = 2047;
  auto odd = MakeObserver("conv1", o);
  EXPECT_EQ(odd.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(odd.status().message().find("'conv1'"), std::string::npos);
  o.num_bins = 2048;
  o.method = CalibrationMethod::kPercentile;
  o.percentile = 40.0;
  EXPECT_FALSE(MakeObserver("x", o).ok());
  o.percentile = 100.5;
  EXPECT_FALSE(MakeObserver("x", o).ok());
  o.percentile = 99.0;
  o.method = CalibrationMethod::kCount;
  EXPECT_FALSE(MakeObserver("x", o).ok());
}

TEST(MinMaxObserverTest, ExactOverBatches) {
  auto obs = Make(CalibrationMethod::kMinMax);
  const float a[] = {0.5f, 2.0f}, b[] = {-1.25f, 1.0f}, c[] = {3.5f};
  ASSERT_TRUE(obs->Observe(a, 2).ok());
  ASSERT_TRUE(obs->Observe(b, 2).ok());
  ASSERT_TRUE(obs->Observe(c, 1).ok());
  auto r = obs->ComputeRange();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->min, -1.25f);
  EXPECT_EQ(r->max, 3.5f);
  EXPECT_FALSE(obs->histogram().has_value());
}

TEST(MinMaxObserverTest, LongBatchesFindExtremesInLanesAndTailAndRejectInfinity) {
  // 37 values: whole 8-float blocks and a tail of 5; the extremes sit in both parts.
  auto obs = Make(CalibrationMethod::kMinMax, "conv_3");
  std::vector<float> x(37);
  for (size_t i = 0; i < x.size(); ++i) x[i] = 0.01f * static_cast<float>(i);
  x[3] = -7.5f;
  x[35] = 9.25f;
  ASSERT_TRUE(obs->Observe(x.data(), 37).ok());
  std::vector<float> y(40, 1.0f);
  y[11] = -8.0f;
  y[20] = -std::numeric_limits<float>::infinity();
  Status s = obs->Observe(y.data(), 40);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("index 20"), std::string::npos) << s.message();
  auto r = obs->ComputeRange();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->min, -7.5f);  // the rejected batch's -8 was not added
  EXPECT_EQ(r->max, 9.25f);
  y[20] = 0.0f;
  ASSERT_TRUE(obs->Observe(y.data(), 40).ok());
  EXPECT_EQ(obs->ComputeRange()->min, -8.0f);
}

TEST(ObserverTest, NonFiniteIsInvalidArgumentNamingTensorAndLeavesStateUnchanged) {
  for (CalibrationMethod m : kAllMethods) {
    auto obs = Make(m, "relu_7");
    const float good[] = {-1.0f, 2.0f};
    ASSERT_TRUE(obs->Observe(good, 2).ok());
    const float bad[] = {100.0f, std::numeric_limits<float>::quiet_NaN()};
    Status s = obs->Observe(bad, 2);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
    EXPECT_NE(s.message().find("tensor 'relu_7'"), std::string::npos) << s.message();
    EXPECT_NE(s.message().find("index 1"), std::string::npos) << s.message();
    const float inf[] = {std::numeric_limits<float>::infinity()};
    EXPECT_FALSE(obs->Observe(inf, 1).ok());
    auto r = obs->ComputeRange();
    ASSERT_TRUE(r.ok());
    EXPECT_LE(r->max, 2.0f) << CalibrationMethodName(m);  // the rejected 100 was not added
  }
}

TEST(ObserverTest, BadBatchArgumentsAreInvalidArgument) {
  for (CalibrationMethod m : kAllMethods) {
    auto obs = Make(m, "x");
    EXPECT_EQ(obs->Observe(nullptr, 3).code(), StatusCode::kInvalidArgument);
    const float one[] = {1.0f};
    EXPECT_EQ(obs->Observe(one, -1).code(), StatusCode::kInvalidArgument);
    EXPECT_TRUE(obs->Observe(nullptr, 0).ok());  // an empty batch is fine
    EXPECT_EQ(obs->ComputeRange().status().code(), StatusCode::kFailedPrecondition);
  }
}

TEST(ObserverTest, NoDataIsFailedPrecondition) {
  for (CalibrationMethod m : kAllMethods) {
    EXPECT_EQ(Make(m)->ComputeRange().status().code(), StatusCode::kFailedPrecondition);
  }
}

TEST(ObserverTest, AllZeroTensorGivesZeroRange) {
  for (CalibrationMethod m : kAllMethods) {
    auto obs = Make(m);
    std::vector<float> z(100, 0.0f);
    ASSERT_TRUE(obs->Observe(z.data(), 100).ok());
    auto r = obs->ComputeRange();
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->min, 0.0f);
    EXPECT_EQ(r->max, 0.0f);
  }
}

TEST(ObserverTest, UniformDataAllMethodsNearMinMax) {
  std::mt19937 rng(2);
  std::uniform_real_distribution<float> d(-2.0f, 6.0f);
  std::vector<float> v(100000);
  for (float& x : v) x = d(rng);
  for (CalibrationMethod m : kAllMethods) {
    auto obs = Make(m);
    ASSERT_TRUE(obs->Observe(v.data(), static_cast<int64_t>(v.size())).ok());
    auto r = obs->ComputeRange();
    ASSERT_TRUE(r.ok());
    EXPECT_NEAR(r->min, -2.0f, 0.02f * 8.0f) << CalibrationMethodName(m);
    EXPECT_NEAR(r->max, 6.0f, 0.02f * 8.0f) << CalibrationMethodName(m);
  }
}

TEST(ObserverTest, GaussianWithOutliersClippingBeatsMinMax) {
  const std::vector<float> v = GaussianWithOutliers();
  auto mm = Make(CalibrationMethod::kMinMax);
  ASSERT_TRUE(mm->Observe(v.data(), static_cast<int64_t>(v.size())).ok());
  const Range mm_range = *mm->ComputeRange();
  EXPECT_EQ(mm_range.max, 61.0f);
  EXPECT_EQ(mm_range.min, -36.0f);
  const double mm_mse = EmpiricalMse(v, mm_range);
  for (CalibrationMethod m : {CalibrationMethod::kPercentile, CalibrationMethod::kEntropy,
                              CalibrationMethod::kMse, CalibrationMethod::kAuto}) {
    auto obs = Make(m);
    ASSERT_TRUE(obs->Observe(v.data(), static_cast<int64_t>(v.size())).ok());
    auto r = obs->ComputeRange();
    ASSERT_TRUE(r.ok());
    const char* name = CalibrationMethodName(m);
    // The outliers are clipped (how far depends on the method: mse balances the clipping error
    // of the 2 outliers against the rounding error of 1M samples and stops near 31).
    EXPECT_LT(r->max, 59.0f) << name;
    EXPECT_GT(r->min, -34.0f) << name;
    EXPECT_GT(r->max, 2.0f) << name;  // but the bulk of the gaussian is kept
    EXPECT_LT(r->min, -1.4f) << name;
    EXPECT_LT(EmpiricalMse(v, *r), mm_mse) << name << " [" << r->min << ", " << r->max << "]";
  }
}

TEST(ObserverTest, AutoPicksLowestHistogramMse) {
  const std::vector<float> v = GaussianWithOutliers();
  ObserverOptions o;
  o.method = CalibrationMethod::kAuto;
  auto made = MakeObserver("t", o);
  ASSERT_TRUE(made.ok());
  auto* obs = static_cast<quant::HistogramObserver*>(made->get());
  ASSERT_TRUE(obs->Observe(v.data(), static_cast<int64_t>(v.size())).ok());
  auto r = obs->ComputeRange();
  ASSERT_TRUE(r.ok());
  EXPECT_NE(obs->chosen_method(), CalibrationMethod::kAuto);
  const quant::GrowingHistogram& h = obs->hist();
  const double chosen = quant::HistogramQuantMse(h, *r);
  EXPECT_LE(chosen, quant::HistogramQuantMse(h, Range{h.data_min(), h.data_max()}));
  EXPECT_LE(chosen, quant::HistogramQuantMse(h, quant::PercentileRange(h, 99.99)));
  EXPECT_LE(chosen, quant::HistogramQuantMse(h, quant::EntropyRange(h)));
  EXPECT_LE(chosen, quant::HistogramQuantMse(h, quant::MseRange(h)));
  CalibrationEntry e = obs->ToEntry(*r);
  EXPECT_EQ(e.method, obs->chosen_method());
  ASSERT_TRUE(e.histogram.has_value());
  EXPECT_EQ(e.histogram->count, 1000000);
}

TEST(ObserverTest, StreamingInvariance) {
  const std::vector<float> v = GaussianWithLateTail();
  for (CalibrationMethod m : kAllMethods) {
    auto one = Make(m), ten = Make(m);
    ASSERT_TRUE(one->Observe(v.data(), static_cast<int64_t>(v.size())).ok());
    for (int b = 0; b < 10; ++b) ASSERT_TRUE(ten->Observe(v.data() + b * 20000, 20000).ok());
    auto r1 = one->ComputeRange(), r10 = ten->ComputeRange();
    ASSERT_TRUE(r1.ok() && r10.ok());
    const char* name = CalibrationMethodName(m);
    if (m == CalibrationMethod::kMinMax) {
      EXPECT_EQ(r1->min, r10->min);
      EXPECT_EQ(r1->max, r10->max);
      continue;
    }
    // Nearly the same: within a few bins of the coarser histogram (span ~20 / 2048 ~ 0.01, up to
    // 2x coarser after growth). Entropy gets 2 % of the span: KL divergence is nearly flat over
    // windows ending inside a sparse tail, so a 2x coarser histogram can move its minimum there.
    auto h1 = one->histogram(), h10 = ten->histogram();
    ASSERT_TRUE(h1.has_value() && h10.has_value());
    EXPECT_GT(h10->hi - h10->lo, h1->hi - h1->lo) << "the ten-batch histogram should have grown";
    const double tol = m == CalibrationMethod::kEntropy ? 0.02 * (r1->max - r1->min)
                                                        : 8 * (h10->hi - h10->lo) / 2048;
    EXPECT_NEAR(r1->min, r10->min, tol) << name;
    EXPECT_NEAR(r1->max, r10->max, tol) << name;
    EXPECT_EQ(h10->count, 200000);
  }
}

TEST(ObserverTest, GrowingRangeRebinsAndKeepsCounts) {
  auto obs = Make(CalibrationMethod::kPercentile);
  std::vector<float> small(1000), big(1000);
  for (int i = 0; i < 1000; ++i) {
    small[static_cast<size_t>(i)] = -1.0f + 2.0f * static_cast<float>(i) / 999.0f;
    big[static_cast<size_t>(i)] = -100.0f + 200.0f * static_cast<float>(i) / 999.0f;
  }
  ASSERT_TRUE(obs->Observe(small.data(), 1000).ok());
  auto h1 = obs->histogram();
  ASSERT_TRUE(h1.has_value());
  EXPECT_EQ(h1->lo, -1.0);
  EXPECT_EQ(h1->hi, 1.0);
  ASSERT_TRUE(obs->Observe(big.data(), 1000).ok());
  auto h2 = obs->histogram();
  ASSERT_TRUE(h2.has_value());
  EXPECT_LE(h2->lo, -100.0);
  EXPECT_GE(h2->hi, 100.0);
  EXPECT_LE(h2->hi - h2->lo, 2 * 200.0 + 1e-9);  // grows by doublings, at most 2x the data span
  int64_t sum = 0;
  for (int64_t b : h2->bins) sum += b;
  EXPECT_EQ(sum, 2000);
  EXPECT_EQ(h2->count, 2000);
}

}  // namespace
}  // namespace tinyq
