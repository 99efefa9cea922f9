// Distill: a separable toy problem is learned from labels and from a teacher, runs are
// reproducible, and bad inputs are refused without touching the student.
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "tests/train/grad_check.h"
#include "tinyq/train.h"

namespace tinyq::train::testing {
namespace {

// Points in [-1, 1]^2, label 1 when x0 + x1 > 0.
Dataset Toy(int64_t n, uint32_t seed) {
  Dataset d;
  d.x = RandomTensor({n, 2}, seed);
  d.has_labels = true;
  d.y = Tensor(DType::kS64, {n});
  for (int64_t i = 0; i < n; ++i)
    d.y.data<int64_t>()[i] = d.x.data<float>()[2 * i] + d.x.data<float>()[2 * i + 1] > 0.0f;
  return d;
}

// logits = x * W + b with W [2, 2].
std::unique_ptr<Graph> Linear(const std::vector<float>& w, const std::vector<float>& b) {
  NetBuilder net({1, 2});
  net.Add(OpKind::kGemm, {net.graph.AddConstant("W", Tensor::FromVector<float>({2, 2}, w)),
                          net.graph.AddConstant("B", Tensor::FromVector<float>({2}, b))});
  net.Done();
  net.Finish();
  return net.graph.Clone();
}

std::vector<float> Weights(const Graph& g) {
  const Tensor* t = g.FindValue("W")->constant();
  return std::vector<float>(t->data<float>(), t->data<float>() + 4);
}

TrainOptions Options() {
  TrainOptions o;
  o.epochs = 8;
  o.batch = 16;
  o.lr = 0.5f;
  o.optimizer = "sgd";
  o.schedule = "constant";
  return o;
}

TEST(DistillTest, LabelsOnlyDrivesTheLossDownOnASeparableProblem) {
  auto student = Linear({0.3f, -0.2f, 0.1f, 0.4f}, {0.f, 0.f});
  const Dataset train = Toy(256, 1), val = Toy(200, 2);
  TrainOptions o = Options();
  o.labels_only = true;
  auto r = Distill(student.get(), nullptr, train, "train.npz", &val, "val.npz", o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->epochs.size(), 8u);
  EXPECT_LT(r->epochs.back().train_loss, 0.5 * r->epochs.front().train_loss);
  EXPECT_GT(r->best_val_top1, 95.0);
  EXPECT_EQ(r->trained_params, 6);
}

TEST(DistillTest, PureDistillationLearnsTheTeachersBoundary) {
  auto teacher = Linear({-4.f, 4.f, -4.f, 4.f}, {0.f, 0.f});
  auto student = Linear({0.3f, -0.2f, 0.1f, 0.4f}, {0.f, 0.f});
  const Dataset train = Toy(256, 3), val = Toy(200, 4);
  TrainOptions o = Options();
  o.alpha = 1.0f;  // no label term at all
  o.temperature = 2.0f;
  auto r = Distill(student.get(), teacher.get(), train, "train.npz", &val, "val.npz", o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_GT(r->best_val_top1, 95.0);
  EXPECT_LT(r->epochs.back().train_loss, r->epochs.front().train_loss);
}

TEST(DistillTest, TheTeachersValidationTop1IsReported) {
  // The Toy labels are x0 + x1 > 0: this teacher gets every sample right, the mirrored one none.
  auto right = Linear({-4.f, 4.f, -4.f, 4.f}, {0.f, 0.f});
  auto wrong = Linear({4.f, -4.f, 4.f, -4.f}, {0.f, 0.f});
  const Dataset train = Toy(64, 18), val = Toy(100, 19);
  TrainOptions o = Options();
  o.epochs = 1;
  for (const auto* teacher : {right.get(), wrong.get()}) {
    auto s = Linear({0.3f, -0.2f, 0.1f, 0.4f}, {0.f, 0.f});
    auto r = Distill(s.get(), teacher, train, "t.npz", &val, "v.npz", o);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->teacher_val_top1, teacher == right.get() ? 100.0 : 0.0);
    EXPECT_NE(r->TeacherText().find(teacher == right.get() ? "teacher val top1 100.00%"
                                                           : "teacher val top1 0.00%"),
              std::string::npos);
  }
  // Without validation data, or without a teacher, there is none.
  auto s = Linear({0.3f, -0.2f, 0.1f, 0.4f}, {0.f, 0.f});
  auto r = Distill(s.get(), right.get(), train, "t.npz", nullptr, "", o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->teacher_val_top1, -1.0);
  o.labels_only = true;
  r = Distill(s.get(), nullptr, train, "t.npz", &val, "v.npz", o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->teacher_val_top1, -1.0);
}

TEST(DistillTest, SameSeedGivesIdenticalWeightsOtherSeedDiffers) {
  auto teacher = Linear({-4.f, 4.f, -4.f, 4.f}, {0.f, 0.f});
  const Dataset train = Toy(100, 5);
  TrainOptions o = Options();
  o.optimizer = "adam";
  o.lr = 0.05f;
  o.epochs = 2;
  o.schedule = "cosine";
  std::vector<std::vector<float>> w;
  for (uint64_t seed : {7u, 7u, 8u}) {
    auto s = Linear({0.3f, -0.2f, 0.1f, 0.4f}, {0.f, 0.f});
    o.seed = seed;
    ASSERT_TRUE(Distill(s.get(), teacher.get(), train, "t.npz", nullptr, "", o).ok());
    w.push_back(Weights(*s));
  }
  EXPECT_EQ(std::memcmp(w[0].data(), w[1].data(), 4 * sizeof(float)), 0);
  EXPECT_NE(std::memcmp(w[0].data(), w[2].data(), 4 * sizeof(float)), 0);
}

TEST(DistillTest, TeacherCacheIsWrittenThenRead) {
  auto teacher = Linear({-4.f, 4.f, -4.f, 4.f}, {0.f, 0.f});
  const Dataset train = Toy(64, 6);
  const std::string cache =
      (std::filesystem::temp_directory_path() / "tinyq_distill_cache_test.npz").string();
  std::remove(cache.c_str());
  TrainOptions o = Options();
  o.epochs = 1;
  o.teacher_cache = cache;
  std::vector<std::vector<float>> w;
  for (bool expect_hit : {false, true}) {
    auto s = Linear({0.3f, -0.2f, 0.1f, 0.4f}, {0.f, 0.f});
    auto r = Distill(s.get(), teacher.get(), train, "t.npz", nullptr, "", o);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->teacher_cache_hit, expect_hit);
    w.push_back(Weights(*s));
  }
  EXPECT_EQ(w[0], w[1]);
  // Same size, other samples: the fingerprint differs, so the logits are recomputed.
  auto s = Linear({0.3f, -0.2f, 0.1f, 0.4f}, {0.f, 0.f});
  auto r = Distill(s.get(), teacher.get(), Toy(64, 60), "t.npz", nullptr, "", o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->teacher_cache_hit);
  std::remove(cache.c_str());
}

TEST(DistillTest, MissingLabelsNameTheFileAndLeaveTheStudentUnchanged) {
  auto student = Linear({0.3f, -0.2f, 0.1f, 0.4f}, {0.f, 0.f});
  Dataset train = Toy(10, 7);
  train.has_labels = false;
  TrainOptions o = Options();
  o.labels_only = true;
  auto r = Distill(student.get(), nullptr, train, "nolabels.npz", nullptr, "", o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("nolabels.npz"), std::string::npos);
  EXPECT_EQ(Weights(*student), (std::vector<float>{0.3f, -0.2f, 0.1f, 0.4f}));
}

TEST(DistillTest, WrongSampleShapeAndBadOptionsAreInvalidArgument) {
  auto student = Linear({0.3f, -0.2f, 0.1f, 0.4f}, {0.f, 0.f});
  Dataset train = Toy(10, 8);
  train.x = RandomTensor({10, 3}, 9);
  TrainOptions o = Options();
  o.labels_only = true;
  auto r = Distill(student.get(), nullptr, train, "wide.npz", nullptr, "", o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("wide.npz"), std::string::npos);
  o.alpha = 1.5f;
  EXPECT_EQ(Distill(student.get(), nullptr, Toy(10, 8), "t.npz", nullptr, "", o).status().code(),
            StatusCode::kInvalidArgument);
  TrainOptions kd = Options();
  EXPECT_EQ(Distill(student.get(), nullptr, Toy(10, 8), "t.npz", nullptr, "", kd).status().code(),
            StatusCode::kInvalidArgument);  // KD without a teacher
}

// x [2] -> Gemm(W [2, 2], B) -> BatchNormalization(scale, bias, rmean, rvar) -> logits.
std::unique_ptr<Graph> LinearBn() {
  NetBuilder net({1, 2});
  net.Add(OpKind::kGemm,
          {net.graph.AddConstant("W", Tensor::FromVector<float>({2, 2}, {1, 0, 0, 1})),
           net.graph.AddConstant("B", Tensor::FromVector<float>({2}, {3, -2}))});
  net.Done();
  net.Add(OpKind::kBatchNormalization,
          {net.graph.AddConstant("scale", Tensor::FromVector<float>({2}, {1, 1})),
           net.graph.AddConstant("bias", Tensor::FromVector<float>({2}, {0, 0})),
           net.graph.AddConstant("rmean", Tensor::FromVector<float>({2}, {50, 50})),
           net.graph.AddConstant("rvar", Tensor::FromVector<float>({2}, {9, 9}))});
  net.Done();
  net.Finish();
  return net.graph.Clone();
}

std::vector<float> Values(const Graph& g, const char* name) {
  const Tensor* t = g.FindValue(name)->constant();
  return std::vector<float>(t->data<float>(), t->data<float>() + t->numel());
}

// Options() for label training with this learning rate, 2 epochs.
TrainOptions LabelsOnly(float lr) {
  TrainOptions o = Options();
  o.labels_only = true;
  o.lr = lr;
  o.epochs = 2;
  return o;
}

TEST(DistillTest, BatchNormTrainModeMovesTheSavedRunningStatisticsFrozenDoesNot) {
  const Dataset train = Toy(128, 11);
  TrainOptions o = LabelsOnly(0.01f);
  auto frozen = LinearBn();
  ASSERT_TRUE(Distill(frozen.get(), nullptr, train, "t.npz", nullptr, "", o).ok());
  EXPECT_EQ(Values(*frozen, "rmean"), (std::vector<float>{50, 50}));
  o.batch_norm = "train";
  auto trained = LinearBn();
  ASSERT_TRUE(Distill(trained.get(), nullptr, train, "t.npz", nullptr, "", o).ok());
  // 16 steps of 0.9 * old + 0.1 * batch mean (about 3 and -2) from 50: far below 50 by now.
  const std::vector<float> rm = Values(*trained, "rmean");
  EXPECT_LT(rm[0], 15.0f);
  EXPECT_LT(rm[1], 10.0f);
  o.batch_norm = "sideways";
  EXPECT_EQ(Distill(trained.get(), nullptr, train, "t.npz", nullptr, "", o).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(DistillTest, BnRecalibrationSetsTheRunningStatisticsOfTheFinalWeights) {
  const Dataset train = Toy(96, 12);
  TrainOptions o = LabelsOnly(0.05f);
  o.bn_recalibrate = 64;
  auto g = LinearBn();
  ASSERT_TRUE(Distill(g.get(), nullptr, train, "t.npz", nullptr, "", o).ok());
  // h = x W + B with the final W, B over the first 64 samples in the 4 batches of 16: the running
  // mean is the mean of the batch means, the running variance that of the batch (unbiased)
  // variances.
  const std::vector<float> w = Values(*g, "W"), b = Values(*g, "B");
  const std::vector<float> rm = Values(*g, "rmean"), rv = Values(*g, "rvar");
  for (int c = 0; c < 2; ++c) {
    double mean_sum = 0.0, var_sum = 0.0;
    for (int64_t batch = 0; batch < 4; ++batch) {
      double sum = 0.0, sq = 0.0;
      for (int64_t i = batch * 16; i < (batch + 1) * 16; ++i) {
        const float* x = train.x.data<float>() + 2 * i;
        const double h = x[0] * w[c] + x[1] * w[2 + c] + b[c];
        sum += h;
        sq += h * h;
      }
      const double mean = sum / 16;
      mean_sum += mean;
      var_sum += (sq - 16 * mean * mean) / 15;
    }
    EXPECT_NEAR(rm[c], mean_sum / 4, 1e-4) << c;
    EXPECT_NEAR(rv[c], var_sum / 4, 1e-3) << c;
  }
}

TEST(DistillTest, KeepZerosKeepsZeroWeightsAtZero) {
  const Dataset train = Toy(64, 13);
  TrainOptions o = LabelsOnly(Options().lr);
  for (bool keep : {false, true}) {
    auto s = Linear({0.0f, -0.2f, 0.0f, 0.4f}, {0.f, 0.f});
    o.keep_zeros = keep;
    ASSERT_TRUE(Distill(s.get(), nullptr, train, "t.npz", nullptr, "", o).ok());
    const std::vector<float> w = Weights(*s);
    EXPECT_EQ(w[0] == 0.0f && w[2] == 0.0f, keep);
    EXPECT_NE(w[1], -0.2f);  // the others train
  }
}

// x [1, 4, 4] -> Conv(2, 3x3, pad 1) -> GlobalAveragePool -> Flatten: an image student/teacher.
std::unique_ptr<Graph> TinyConv(uint32_t seed) {
  NetBuilder net({1, 1, 4, 4});
  Node* c = net.Add(OpKind::kConv, {net.Const({2, 1, 3, 3}, seed), net.Const({2}, seed + 1)});
  c->SetInts("pads", {1, 1, 1, 1});
  net.Done();
  net.Add(OpKind::kGlobalAveragePool);
  net.Done();
  net.Add(OpKind::kFlatten);
  net.Done();
  net.Finish();
  return net.graph.Clone();
}

// 40 random 1x4x4 images labelled 0, 1, 0, 1, ...
Dataset TinyImages(uint32_t seed) {
  Dataset d;
  d.x = RandomTensor({40, 1, 4, 4}, seed);
  d.y = Tensor(DType::kS64, {40});
  for (int64_t i = 0; i < 40; ++i) d.y.data<int64_t>()[i] = i % 2;
  d.has_labels = true;
  return d;
}

TEST(DistillTest, AugmentationRunsTheTeacherOnlineAndIsReproducible) {
  const Dataset train = TinyImages(14);
  auto teacher = TinyConv(20);
  TrainOptions o = Options();
  o.epochs = 2;
  o.lr = 0.05f;
  o.augment_shift = 1;
  o.augment_flip = true;
  std::vector<std::vector<float>> w;
  for (int run = 0; run < 2; ++run) {
    auto s = TinyConv(30);
    auto r = Distill(s.get(), teacher.get(), train, "img.npz", nullptr, "", o);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_TRUE(r->teacher_online);
    const Tensor* t = s->FindValue(s->FindNode("Conv")->input(1)->name())->constant();
    w.emplace_back(t->data<float>(), t->data<float>() + t->numel());
  }
  EXPECT_EQ(w[0], w[1]);
  // Not an image input: refused, naming the student.
  auto flat = Linear({0.3f, -0.2f, 0.1f, 0.4f}, {0.f, 0.f});
  o.labels_only = true;
  auto r = Distill(flat.get(), nullptr, Toy(10, 15), "t.npz", nullptr, "", o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("net.onnx"), std::string::npos) << r.status().message();
}

// A teacher whose logits are [ln 3, 0] for every input: softmax(t / T) = [3^(1/T), 1] / (3^(1/T) +
// 1) in closed form, so the measured entropy and top probability are known at every T.
double TwoClassEntropy(double p) { return -(p * std::log(p) + (1 - p) * std::log(1 - p)); }
double TopAt(double temp) { return std::pow(3.0, 1 / temp) / (std::pow(3.0, 1 / temp) + 1); }

TEST(DistillTest, SoftLabelEntropyIsMeasuredAndANearlyUniformTeacherWarns) {
  auto teacher = Linear({0.f, 0.f, 0.f, 0.f}, {std::log(3.f), 0.f});
  const Dataset train = Toy(50, 16);
  TrainOptions o = Options();
  o.epochs = 1;
  o.temperature = 2.0f;  // entropy 0.657 of ln 2 = 0.693: 95 % of uniform
  std::vector<std::string> told;
  o.warn = [&](const std::string& w) { told.push_back(w); };
  auto s = Linear({0.3f, -0.2f, 0.1f, 0.4f}, {0.f, 0.f});
  auto r = Distill(s.get(), teacher.get(), train, "t.npz", nullptr, "", o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->soft_label_samples, 50);
  EXPECT_NEAR(r->max_entropy, std::log(2.0), 1e-12);
  ASSERT_EQ(r->soft_labels.size(), 4u);
  const double temps[] = {1, 2, 4, 8};
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(r->soft_labels[i].temperature, temps[i]);
    EXPECT_NEAR(r->soft_labels[i].mean_top_probability, TopAt(temps[i]), 1e-6);
    EXPECT_NEAR(r->soft_labels[i].mean_entropy, TwoClassEntropy(TopAt(temps[i])), 1e-6);
  }
  EXPECT_TRUE(r->soft_labels_near_uniform);
  ASSERT_EQ(r->warnings.size(), 1u);
  EXPECT_EQ(told, r->warnings);  // told before training, and kept in the report
  const std::string& w = r->warnings[0];
  EXPECT_NE(w.find("temperature 2 are nearly uniform: mean entropy 0.66 of at most 0.69 nats"),
            std::string::npos)
      << w;
  EXPECT_NE(w.find("0.56 at T=1"), std::string::npos) << w;  // the lower temperature to try
  EXPECT_NE(r->TeacherText().find("warning: " + w), std::string::npos);
  const auto j = nlohmann::json::parse(r->ToJson());
  EXPECT_EQ(j["teacher_soft_labels"]["by_temperature"].size(), 4u);
  EXPECT_EQ(j["warnings"][0], w);

  // At T = 1 (81 % of uniform) no warning; an unlisted T is measured too, in order.
  for (float temp : {1.0f, 3.0f}) {
    told.clear();
    o.temperature = temp;
    auto s2 = Linear({0.3f, -0.2f, 0.1f, 0.4f}, {0.f, 0.f});
    auto r2 = Distill(s2.get(), teacher.get(), train, "t.npz", nullptr, "", o);
    ASSERT_TRUE(r2.ok()) << r2.status().ToString();
    EXPECT_EQ(r2->soft_labels.size(), temp == 1.0f ? 4u : 5u);
    if (temp == 3.0f) {
      EXPECT_EQ(r2->soft_labels[2].temperature, 3.0);
      EXPECT_NEAR(r2->soft_labels[2].mean_entropy, TwoClassEntropy(TopAt(3.0)), 1e-6);
    }
    EXPECT_EQ(r2->soft_labels_near_uniform, temp == 3.0f);
    EXPECT_EQ(told.size(), temp == 3.0f ? 1u : 0u);
  }
  // Without a KD term there is nothing to measure.
  o.labels_only = true;
  auto s3 = Linear({0.3f, -0.2f, 0.1f, 0.4f}, {0.f, 0.f});
  auto r3 = Distill(s3.get(), nullptr, train, "t.npz", nullptr, "", o);
  ASSERT_TRUE(r3.ok());
  EXPECT_TRUE(r3->soft_labels.empty());
  EXPECT_TRUE(r3->warnings.empty());
  EXPECT_EQ(nlohmann::json::parse(r3->ToJson()).count("teacher_soft_labels"), 0u);
}

TEST(DistillTest, AnOnlineTeachersSoftLabelsAreMeasuredOnTheUnaugmentedSamples) {
  const Dataset train = TinyImages(17);
  auto teacher = TinyConv(20);
  TrainOptions o = Options();
  o.epochs = 1;
  o.batch = 16;  // the online measurement runs in batches too
  std::vector<TrainReport> reports;
  for (bool online : {false, true}) {
    o.augment_shift = online ? 1 : 0;
    auto s = TinyConv(30);
    auto r = Distill(s.get(), teacher.get(), train, "img.npz", nullptr, "", o);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->teacher_online, online);
    reports.push_back(*r);
  }
  ASSERT_EQ(reports[1].soft_labels.size(), reports[0].soft_labels.size());
  EXPECT_EQ(reports[1].soft_label_samples, 40);
  for (size_t i = 0; i < reports[0].soft_labels.size(); ++i)
    EXPECT_NEAR(reports[1].soft_labels[i].mean_entropy, reports[0].soft_labels[i].mean_entropy,
                1e-6);
}

}  // namespace
}  // namespace tinyq::train::testing
