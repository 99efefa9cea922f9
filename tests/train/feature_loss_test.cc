// Feature-map losses: parsing the CLI spec, binding names to activations (with errors naming the
// model and the tensor), and distillation with a feature term pulling the student's hidden layer
// onto the teacher's.
#include "src/train/feature_loss.h"

#include <cmath>

#include "tests/train/grad_check.h"
#include "tinyq/train.h"

namespace tinyq::train::testing {
namespace {

TEST(ParseFeatureLossTest, TeacherStudentAndOptionalWeight) {
  auto f = ParseFeatureLoss("/3/Relu_output_0:/2/Relu_output_0:0.25");
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ(f->teacher, "/3/Relu_output_0");
  EXPECT_EQ(f->student, "/2/Relu_output_0");
  EXPECT_FLOAT_EQ(f->weight, 0.25f);
  auto g = ParseFeatureLoss("a:b");
  ASSERT_TRUE(g.ok());
  EXPECT_FLOAT_EQ(g->weight, 1.0f);
  for (const char* bad : {"a", "a:", ":b", "a:b:x", "a:b:1:2", "a:b:-1", "a:b:0.5x"}) {
    auto r = ParseFeatureLoss(bad);
    EXPECT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << bad;
  }
}

// The builder's name of the first activation (the hidden layer) of the nets below.
constexpr const char* kHidden = "v";

// x [2] -> Gemm(W1 [2, 3], b1) -> hidden -> Gemm(W2 [3, 2]) -> logits.
std::unique_ptr<Graph> TwoLayer(uint32_t seed, const std::string& file) {
  NetBuilder net({1, 2});
  net.graph.set_source(file);
  net.Add(OpKind::kGemm, {net.graph.AddConstant("W1", RandomTensor({2, 3}, seed)),
                          net.graph.AddConstant("b1", RandomTensor({3}, seed + 1))});
  net.Done();
  EXPECT_EQ(net.cur->name(), kHidden);
  net.Add(OpKind::kGemm, {net.graph.AddConstant("W2", RandomTensor({3, 2}, seed + 2))});
  net.Done();
  net.Finish();
  return net.graph.Clone();
}

Dataset Points(int64_t n, uint32_t seed) {
  Dataset d;
  d.x = RandomTensor({n, 2}, seed);
  d.has_labels = true;
  d.y = Tensor(DType::kS64, {n});
  for (int64_t i = 0; i < n; ++i) d.y.data<int64_t>()[i] = d.x.data<float>()[2 * i] > 0.0f;
  return d;
}

double W1Distance(const Graph& a, const Graph& b) {
  double d = 0.0;
  for (const char* name : {"W1", "b1"}) {
    const Tensor* x = a.FindValue(name)->constant();
    const Tensor* y = b.FindValue(name)->constant();
    for (int64_t i = 0; i < x->numel(); ++i)
      d += std::pow(x->data<float>()[i] - y->data<float>()[i], 2);
  }
  return std::sqrt(d);
}

TEST(FeatureLossDistillTest, FeatureTermPullsTheHiddenLayerOntoTheTeachers) {
  auto teacher = TwoLayer(10, "teacher.onnx");
  const Dataset train = Points(256, 3);
  TrainOptions o;
  o.epochs = 30;
  o.batch = 32;
  o.lr = 0.05f;
  o.optimizer = "adam";
  o.alpha = 0.5f;
  std::vector<double> distance;
  for (bool with_feature : {false, true}) {
    auto student = TwoLayer(20, "student.onnx");
    const double before = W1Distance(*student, *teacher);
    o.feature_losses.clear();
    if (with_feature) o.feature_losses.push_back({kHidden, kHidden, 10.0f, {}});
    auto r = Distill(student.get(), teacher.get(), train, "train.npz", nullptr, "", o);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->teacher_online, with_feature);
    distance.push_back(W1Distance(*student, *teacher) / before);
  }
  // The hidden layer is linear in x, and x spans R^2: matching it means matching W1 and b1.
  EXPECT_LT(distance[1], 0.05);
  EXPECT_GT(distance[0], 0.3);
}

TEST(FeatureLossDistillTest, SelectedTeacherChannelsTrainAPrunedHiddenLayer) {
  // The student keeps teacher hidden channels 2 and 0 (as pruning would): W1 [2, 2].
  auto teacher = TwoLayer(10, "teacher.onnx");
  NetBuilder net({1, 2});
  net.graph.set_source("student.onnx");
  net.Add(OpKind::kGemm, {net.graph.AddConstant("W1", RandomTensor({2, 2}, 30)),
                          net.graph.AddConstant("b1", RandomTensor({2}, 31))});
  net.Done();
  EXPECT_EQ(net.cur->name(), kHidden);
  net.Add(OpKind::kGemm, {net.graph.AddConstant("W2", RandomTensor({2, 2}, 32))});
  net.Done();
  net.Finish();
  TrainOptions o;
  o.epochs = 40;
  o.batch = 32;
  o.lr = 0.05f;
  o.alpha = 0.5f;
  o.feature_losses.push_back({kHidden, kHidden, 10.0f, {2, 0}});
  auto r = Distill(&net.graph, teacher.get(), Points(256, 4), "train.npz", nullptr, "", o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const float* ws = net.graph.FindValue("W1")->constant()->data<float>();
  const float* wt = teacher->FindValue("W1")->constant()->data<float>();
  for (int row = 0; row < 2; ++row) {  // W1 is [in, hidden]: column c of the student = 2, 0
    EXPECT_NEAR(ws[row * 2 + 0], wt[row * 3 + 2], 0.05) << row;
    EXPECT_NEAR(ws[row * 2 + 1], wt[row * 3 + 0], 0.05) << row;
  }
}

TEST(FeatureLossDistillTest, BadNamesAndShapesNameTheModelAndTensor) {
  auto teacher = TwoLayer(10, "teacher.onnx");
  const Dataset train = Points(16, 5);
  TrainOptions o;
  o.epochs = 1;
  struct Case {
    FeatureLoss f;
    const char* expect;
  };
  const std::vector<Case> cases = {
      {{"nope", kHidden, 1.0f, {}},
       "teacher.onnx: feature loss: the teacher has no float "
       "activation 'nope'"},
      {{kHidden, "nope", 1.0f, {}},
       "student.onnx: feature loss: the student has no float "
       "activation 'nope'"},
      {{kHidden, "logits", 1.0f, {}}, "differs from the teacher's"},
      {{kHidden, kHidden, 1.0f, {0, 5, 1}}, "channel 5 outside [0, 3)"},
      {{kHidden, kHidden, 1.0f, {0}}, "1 selected channels"},
  };
  for (const Case& c : cases) {
    auto student = TwoLayer(20, "student.onnx");
    // The logits of the two-layer net are named by the builder; find the output's name.
    FeatureLoss f = c.f;
    if (f.student == "logits") f.student = student->outputs()[0]->name();
    o.feature_losses = {f};
    auto r = Distill(student.get(), teacher.get(), train, "train.npz", nullptr, "", o);
    ASSERT_FALSE(r.ok()) << c.expect;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find(c.expect), std::string::npos) << r.status().message();
    EXPECT_EQ(W1Distance(*student, *TwoLayer(20, "student.onnx")), 0.0);  // unchanged
  }
  o.feature_losses = {{kHidden, kHidden, 1.0f, {}}};
  o.labels_only = true;
  auto student = TwoLayer(20, "student.onnx");
  EXPECT_EQ(Distill(student.get(), nullptr, train, "t.npz", nullptr, "", o).status().code(),
            StatusCode::kInvalidArgument);  // a feature loss needs a teacher
}

}  // namespace
}  // namespace tinyq::train::testing
