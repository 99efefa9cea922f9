// DistillLoss and FeatureMseLoss: hand-computed values and gradients against central
// differences.
#include "src/train/loss.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace tinyq::train {
namespace {

TEST(DistillLossTest, CrossEntropyOfUniformLogitsIsLogClasses) {
  const std::vector<float> s = {0.f, 0.f, 0.f, 0.f};
  const int64_t y = 2;
  std::vector<float> ds(4);
  EXPECT_NEAR(DistillLoss(s.data(), nullptr, &y, 1, 4, 1.0f, 0.5f, ds.data()), std::log(4.0), 1e-9);
  // softmax - onehot = [.25, .25, -.75, .25]; alpha is ignored without a teacher.
  EXPECT_FLOAT_EQ(ds[2], -0.75f);
  EXPECT_FLOAT_EQ(ds[0], 0.25f);
}

TEST(DistillLossTest, KdTermIsZeroWhenStudentEqualsTeacher) {
  const std::vector<float> s = {1.f, -2.f, 0.5f};
  const int64_t y = 0;
  std::vector<float> ds(3);
  EXPECT_NEAR(DistillLoss(s.data(), s.data(), &y, 1, 3, 4.0f, 1.0f, ds.data()), 0.0, 1e-9);
  for (float g : ds) EXPECT_NEAR(g, 0.0f, 1e-7f);
}

TEST(DistillLossTest, HandComputedKl) {
  // T = 1, alpha = 1: teacher logits [ln 3, 0] -> p = [.75, .25]; student [0, 0] -> q = [.5, .5].
  // KL = .75 ln(1.5) + .25 ln(.5).
  const std::vector<float> t = {static_cast<float>(std::log(3.0)), 0.f}, s = {0.f, 0.f};
  const int64_t y = 1;
  std::vector<float> ds(2);
  EXPECT_NEAR(DistillLoss(s.data(), t.data(), &y, 1, 2, 1.0f, 1.0f, ds.data()),
              0.75 * std::log(1.5) + 0.25 * std::log(0.5), 1e-6);
  EXPECT_NEAR(ds[0], -0.25f, 1e-6f);  // q - p
}

TEST(DistillLossTest, GradientMatchesFiniteDifferences) {
  const int64_t batch = 3, classes = 5;
  std::vector<float> s(batch * classes), t(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    s[i] = std::sin(1.7f * static_cast<float>(i));
    t[i] = 2.0f * std::cos(0.9f * static_cast<float>(i));
  }
  const std::vector<int64_t> y = {0, 3, 4};
  std::vector<float> ds(s.size()), scratch(s.size());
  DistillLoss(s.data(), t.data(), y.data(), batch, classes, 3.0f, 0.6f, ds.data());
  const float h = 1e-2f;
  for (size_t i = 0; i < s.size(); ++i) {
    const float s0 = s[i];
    s[i] = s0 + h;
    const double up =
        DistillLoss(s.data(), t.data(), y.data(), batch, classes, 3.0f, 0.6f, scratch.data());
    s[i] = s0 - h;
    const double down =
        DistillLoss(s.data(), t.data(), y.data(), batch, classes, 3.0f, 0.6f, scratch.data());
    s[i] = s0;
    EXPECT_NEAR(ds[i], (up - down) / (2 * h), 2e-4) << i;
  }
}

TEST(FeatureMseLossTest, HandComputedValueAndGradient) {
  // batch 1, 2 channels x 1 position: s = [1, 3], t = [0, 1]; mean of squares (1 + 4) / 2.
  const std::vector<float> s = {1.f, 3.f}, t = {0.f, 1.f};
  std::vector<float> ds(2);
  EXPECT_NEAR(FeatureMseLoss(s.data(), t.data(), 1, 2, 1, 2, nullptr, 2.0f, ds.data()), 5.0, 1e-9);
  EXPECT_FLOAT_EQ(ds[0], 2.0f);  // 2 * w * (s - t) / 2
  EXPECT_FLOAT_EQ(ds[1], 4.0f);
}

TEST(FeatureMseLossTest, SelectedTeacherChannelsAreCompared) {
  // The teacher has 3 channels of 2 positions; the student keeps teacher channels 2 and 0.
  const std::vector<float> t = {1, 2, 10, 20, 5, 6};
  const std::vector<float> s = {5, 6, 1, 2};  // equal to teacher channels 2, 0
  const std::vector<int64_t> index = {2, 0};
  std::vector<float> ds(4);
  EXPECT_EQ(FeatureMseLoss(s.data(), t.data(), 1, 2, 2, 3, index.data(), 1.0f, ds.data()), 0.0);
  for (float g : ds) EXPECT_EQ(g, 0.0f);
  const std::vector<float> off = {5, 6, 1, 4};
  EXPECT_NEAR(FeatureMseLoss(off.data(), t.data(), 1, 2, 2, 3, index.data(), 1.0f, ds.data()),
              4.0 / 4, 1e-9);
}

TEST(FeatureMseLossTest, GradientMatchesFiniteDifferences) {
  const int64_t batch = 2, channels = 2, spatial = 3, t_channels = 3;
  std::vector<float> s(batch * channels * spatial), t(batch * t_channels * spatial);
  for (size_t i = 0; i < s.size(); ++i) s[i] = std::sin(1.3f * static_cast<float>(i));
  for (size_t i = 0; i < t.size(); ++i) t[i] = std::cos(0.7f * static_cast<float>(i));
  const std::vector<int64_t> index = {1, 2};
  std::vector<float> ds(s.size()), scratch(s.size());
  FeatureMseLoss(s.data(), t.data(), batch, channels, spatial, t_channels, index.data(), 0.7f,
                 ds.data());
  const float h = 1e-2f;
  for (size_t i = 0; i < s.size(); ++i) {
    const float s0 = s[i];
    s[i] = s0 + h;
    const double up = FeatureMseLoss(s.data(), t.data(), batch, channels, spatial, t_channels,
                                     index.data(), 0.7f, scratch.data());
    s[i] = s0 - h;
    const double down = FeatureMseLoss(s.data(), t.data(), batch, channels, spatial, t_channels,
                                       index.data(), 0.7f, scratch.data());
    s[i] = s0;
    EXPECT_NEAR(ds[i], (up - down) / (2 * h), 1e-4) << i;
  }
}

}  // namespace
}  // namespace tinyq::train
