// Distill: a separable toy problem is learned from labels and from a teacher, runs are
// reproducible, and bad inputs are refused without touching the student.
#include <cstdio>
#include <cstring>
#include <filesystem>

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

}  // namespace
}  // namespace tinyq::train::testing
