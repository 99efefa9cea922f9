// Flatten, Reshape, Identity and Concat gradients against central differences.
#include "tests/train/grad_check.h"

namespace tinyq::train::testing {
namespace {

TEST(ShapeOpTest, FlattenThenGemm) {
  NetBuilder net({1, 2, 2, 2});
  net.Bias(1);
  net.Add(OpKind::kFlatten)->SetInt("axis", 1);
  net.Done();
  net.Add(OpKind::kGemm, {net.Const({8, 3}, 2)});
  net.Done();
  CheckNet(net);
}

TEST(ShapeOpTest, ReshapeWithMinusOne) {
  NetBuilder net({1, 6});
  net.Bias(3);
  net.Add(OpKind::kReshape,
          {net.graph.AddConstant("shape", Tensor::FromVector<int64_t>({3}, {1, 3, -1}))});
  net.Done();
  net.Add(OpKind::kIdentity);
  net.Done();
  net.Add(OpKind::kMatMul, {net.Const({2, 2}, 4)});
  net.Done();
  CheckNet(net);
}

TEST(ShapeOpTest, ConcatChannelsOfTwoBranches) {
  NetBuilder net({1, 2, 2, 2});
  net.Bias(5);
  Value* a = net.cur;
  net.Add(OpKind::kMul, {net.Const({1, 2, 2, 2}, 6)});
  net.Done();
  Value* b = net.cur;
  net.Add(OpKind::kConcat, {b, a}, /*chain=*/false)->SetInt("axis", 1);
  net.Done();
  CheckNet(net);
}

TEST(ShapeOpTest, ReshapeAcrossTheBatchIsUnsupported) {
  NetBuilder net({1, 6});
  net.Add(OpKind::kReshape,
          {net.graph.AddConstant("shape", Tensor::FromVector<int64_t>({1}, {-1}))});
  net.Done();
  net.Finish();
  auto p = TrainProgram::Create(net.graph);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), StatusCode::kUnsupported);
  EXPECT_NE(p.status().message().find("Reshape"), std::string::npos) << p.status().message();
}

TEST(ShapeOpTest, FlattenAtAxisZeroIsUnsupported) {
  NetBuilder net({1, 2, 3});
  net.Add(OpKind::kFlatten)->SetInt("axis", 0);
  net.Done();
  net.Finish();
  auto p = TrainProgram::Create(net.graph);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), StatusCode::kUnsupported);
  EXPECT_NE(p.status().message().find("node 'Flatten'"), std::string::npos) << p.status().message();
}

}  // namespace
}  // namespace tinyq::train::testing
