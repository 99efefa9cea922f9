// TrainProgram: op coverage errors, batching, gradient accumulation and write-back.
#include "src/train/tape.h"

#include "src/train/loss.h"
#include "tests/train/grad_check.h"

namespace tinyq::train::testing {
namespace {

TEST(TrainProgramTest, UnsupportedOpNamesTheNode) {
  NetBuilder net({1, 4});
  net.Add(OpKind::kGemm, {net.Const({4, 2}, 1)});
  net.Done();
  net.Add(OpKind::kSigmoid);
  net.Done();
  net.Finish();
  auto p = TrainProgram::Create(net.graph);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), StatusCode::kUnsupported);
  EXPECT_NE(p.status().message().find("net.onnx: node 'Sigmoid' (Sigmoid)"), std::string::npos)
      << p.status().message();
}

TEST(TrainProgramTest, TwoInputsAreUnsupported) {
  Graph g;
  g.set_source("two.onnx");
  Value* a = g.AddValue("a", DType::kF32, {1, 2});
  Value* b = g.AddValue("b", DType::kF32, {1, 2});
  Value* y = g.AddValue("y", DType::kF32, {1, 2});
  g.AddNode(OpKind::kAdd, "add", {a, b}, {y});
  g.inputs() = {a, b};
  g.outputs() = {y};
  auto p = TrainProgram::Create(g);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), StatusCode::kUnsupported);
}

TEST(TrainProgramTest, BatchOfTwoEqualsTwoSingleSamplesAndGradientsAccumulate) {
  NetBuilder net({1, 3});
  net.Add(OpKind::kGemm, {net.Const({3, 2}, 1), net.Const({2}, 2)});
  net.Done();
  net.Finish();
  auto p = TrainProgram::Create(net.graph);
  ASSERT_TRUE(p.ok());
  const std::vector<float> x = RandomVector(6, 3), r = RandomVector(4, 4);
  (*p)->Forward(x.data(), 2);
  (*p)->ZeroParamGrads();
  (*p)->Backward(r.data());
  const FloatVec both = (*p)->ParamGrad((*p)->params()[0]);
  (*p)->ZeroParamGrads();
  for (int b = 0; b < 2; ++b) {
    (*p)->Forward(x.data() + 3 * b, 1);
    (*p)->Backward(r.data() + 2 * b);  // no ZeroParamGrads in between: the sum accumulates
  }
  const FloatVec& split = (*p)->ParamGrad((*p)->params()[0]);
  for (size_t i = 0; i < both.size(); ++i) EXPECT_NEAR(both[i], split[i], 1e-5f);
}

TEST(TrainProgramTest, DsCnnStyleNetworkGradientsMatch) {
  // Conv -> BN -> Relu -> depthwise Conv -> BN -> Relu -> GAP -> Flatten -> Gemm, as in the zoo.
  NetBuilder net({1, 1, 6, 6});
  Node* c1 = net.Add(OpKind::kConv, {net.Const({4, 1, 3, 3}, 1)});
  c1->SetInts("strides", {2, 2});
  c1->SetInts("pads", {1, 1, 1, 1});
  net.Done();
  net.Add(OpKind::kBatchNormalization,
          {net.Const({4}, 2), net.Const({4}, 3), net.Const({4}, 4), net.Const({4}, 5, 0.5f, 2.0f)});
  net.Done();
  net.Add(OpKind::kRelu);
  net.Done();
  Node* dw = net.Add(OpKind::kConv, {net.Const({4, 1, 3, 3}, 6)});
  dw->SetInt("group", 4);
  dw->SetInts("pads", {1, 1, 1, 1});
  net.Done();
  net.Add(OpKind::kBatchNormalization, {net.Const({4}, 7), net.Const({4}, 8), net.Const({4}, 9),
                                        net.Const({4}, 10, 0.5f, 2.0f)});
  net.Done();
  net.Add(OpKind::kRelu);
  net.Done();
  net.Add(OpKind::kGlobalAveragePool);
  net.Done();
  net.Add(OpKind::kFlatten);
  net.Done();
  net.Add(OpKind::kGemm, {net.Const({4, 3}, 11), net.Const({3}, 12)});
  net.Done();
  CheckNet(net);
}

TEST(TrainProgramTest, GradientSeedsOnAnIntermediateActivationMatchFiniteDifferences) {
  // L = sum r * y + FeatureMse(h, target) with h the Relu output in the middle of the net.
  NetBuilder net({1, 3});
  net.Add(OpKind::kGemm, {net.Const({3, 4}, 1), net.Const({4}, 2)});
  net.Done();
  net.Add(OpKind::kRelu);
  net.Done();
  const std::string hidden = net.cur->name();
  net.Add(OpKind::kGemm, {net.Const({4, 2}, 3)});
  net.Done();
  net.Finish();
  auto created = TrainProgram::Create(net.graph);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  TrainProgram& p = **created;
  const int h = p.FindSlot(hidden);
  ASSERT_GE(h, 0);
  EXPECT_EQ(p.FindSlot("no such value"), -1);
  const int64_t batch = 3;
  const std::vector<float> x = RandomVector(batch * 3, 4), r = RandomVector(batch * 2, 5);
  const std::vector<float> target = RandomVector(batch * 4, 6);
  std::vector<float> dh(target.size());
  auto loss = [&]() {
    const double out = WeightedSum(p, x, batch, r);
    return out +
           FeatureMseLoss(p.SlotData(h), target.data(), batch, 4, 1, 4, nullptr, 0.5f, dh.data());
  };
  loss();
  p.ZeroParamGrads();
  p.Backward(r.data(), {{h, dh.data()}});
  for (const Param& prm : p.params()) {
    const FloatVec analytic = p.ParamGrad(prm);
    FloatVec& w = p.ParamData(prm);
    for (size_t k = 0; k < w.size(); ++k) {
      const float w0 = w[k];
      w[k] = w0 + 1e-3f;
      const double up = loss();
      w[k] = w0 - 1e-3f;
      const double down = loss();
      w[k] = w0;
      EXPECT_NEAR(analytic[k], (up - down) / 2e-3, 1e-2) << prm.name << "[" << k << "]";
    }
  }
}

TEST(TrainProgramTest, WriteBackCopiesTrainedWeights) {
  NetBuilder net({1, 2});
  net.Add(OpKind::kMatMul, {net.graph.AddConstant("w", RandomTensor({2, 2}, 5))});
  net.Done();
  net.Finish();
  auto p = TrainProgram::Create(net.graph);
  ASSERT_TRUE(p.ok());
  (*p)->ParamData((*p)->params()[0]) = {1.f, 2.f, 3.f, 4.f};
  ASSERT_TRUE((*p)->WriteBack(&net.graph).ok());
  const float* w = net.graph.FindValue("w")->constant()->data<float>();
  EXPECT_EQ(std::vector<float>(w, w + 4), (std::vector<float>{1.f, 2.f, 3.f, 4.f}));
}

}  // namespace
}  // namespace tinyq::train::testing
