#include <gtest/gtest.h>

#include <cmath>

#include "tinyq/ir.h"

namespace tinyq {
namespace {

TEST(VerifyTest, CycleIsReportedWithNode) {
  Graph g;
  g.set_source("c.onnx");
  Value* a = g.AddValue("a", DType::kF32, {1});
  Value* b = g.AddValue("b", DType::kF32, {1});
  g.AddNode(OpKind::kRelu, "n1", {a}, {b});
  g.AddNode(OpKind::kRelu, "n2", {b}, {a});
  g.outputs() = {b};
  Status s = Verify(g);
  EXPECT_EQ(s.code(), StatusCode::kInvalidModel);
  EXPECT_NE(s.message().find("c.onnx: node 'n"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("cycle"), std::string::npos) << s.message();
}

TEST(VerifyTest, UndefinedInputIsReported) {
  Graph g;
  Value* a = g.AddValue("a", DType::kF32, {1});
  Value* b = g.AddValue("b", DType::kF32, {1});
  g.AddNode(OpKind::kRelu, "n1", {a}, {b});
  g.outputs() = {b};
  Status s = Verify(g);
  EXPECT_EQ(s.code(), StatusCode::kInvalidModel);
  EXPECT_NE(s.message().find("'a' is not produced"), std::string::npos) << s.message();
}

TEST(VerifyTest, QuantParamsChecked) {
  Graph g;
  Value* a = g.AddValue("a", DType::kF32, {1, 2});
  Value* b = g.AddValue("b", DType::kF32, {1, 2});
  g.AddNode(OpKind::kRelu, "n1", {a}, {b});
  g.inputs() = {a};
  g.outputs() = {b};
  ASSERT_TRUE(Verify(g).ok());
  b->set_quant(QuantParams{{0.0f}, {0}, -1, DType::kS8});
  EXPECT_EQ(Verify(g).code(), StatusCode::kInvalidModel);
  b->set_quant(QuantParams{{NAN}, {0}, -1, DType::kS8});
  EXPECT_EQ(Verify(g).code(), StatusCode::kInvalidModel);
  b->set_quant(QuantParams{{0.1f}, {200}, -1, DType::kS8});
  EXPECT_NE(Verify(g).message().find("zero point 200"), std::string::npos);
  b->set_quant(QuantParams{{0.1f, 0.2f}, {0, 0}, 1, DType::kS8});
  EXPECT_TRUE(Verify(g).ok());
  b->set_quant(QuantParams{{0.1f, 0.2f, 0.3f}, {0, 0, 0}, 1, DType::kS8});
  EXPECT_EQ(Verify(g).code(), StatusCode::kInvalidModel);
}

TEST(VerifyTest, ConstantMustMatchValue) {
  Graph g;
  Value* w = g.AddConstant("w", Tensor::FromVector<float>({2}, {1, 2}));
  Value* y = g.AddValue("y", DType::kF32, {2});
  g.AddNode(OpKind::kRelu, "n", {w}, {y});
  g.outputs() = {y};
  ASSERT_TRUE(Verify(g).ok());
  w->set_shape({3});
  EXPECT_EQ(Verify(g).code(), StatusCode::kInvalidModel);
}

}  // namespace
}  // namespace tinyq
