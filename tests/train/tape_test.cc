// TrainProgram: op coverage errors, batching, gradient accumulation and write-back.
#include "src/train/tape.h"

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
