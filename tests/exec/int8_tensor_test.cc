// Tests of the int8 data-movement and Concat node kernels (src/exec/int8_tensor.cc).
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/exec/int8_test_util.h"

namespace tinyq {
namespace {

using testing::AddS8Input;
using testing::AddS8Output;

TEST(ConcatS8Test, RescalesEachInputToOutputParams) {
  Graph g;
  g.set_source("t.onnx");
  const Shape sa = {1, 2, 3}, sb = {1, 1, 3}, sc = {1, 3, 3};
  Value* a = AddS8Input(g, "a", sa, 0.1f, 3);
  Value* b = AddS8Input(g, "b", sb, 0.05f, -7);
  Value* c = AddS8Input(g, "c", sc, 0.08f, 0);  // same params as the output: copied
  Value* y = AddS8Output(g, "y", {1, 6, 3}, 0.08f, 0);
  g.AddNode(OpKind::kConcat, "cat", {a, b, c}, {y})->SetInt("axis", 1);
  const auto xa = testing::RandomS8(6, 1), xb = testing::RandomS8(3, 2),
             xc = testing::RandomS8(9, 3);
  const Tensor out = testing::RunInt8(g,
                                      {{"a", Tensor::FromVector<int8_t>(sa, xa)},
                                       {"b", Tensor::FromVector<int8_t>(sb, xb)},
                                       {"c", Tensor::FromVector<int8_t>(sc, xc)}},
                                      "y");
  std::vector<int> want;
  for (int8_t q : xa) want.push_back(testing::QuantRef(testing::Deq(q, 0.1f, 3), 0.08f, 0));
  for (int8_t q : xb) want.push_back(testing::QuantRef(testing::Deq(q, 0.05f, -7), 0.08f, 0));
  for (int8_t q : xc) want.push_back(q);
  testing::ExpectCodesNear(out, want, 1);
  for (size_t i = 0; i < xc.size(); ++i) EXPECT_EQ(out.data<int8_t>()[9 + i], xc[i]);
}

TEST(ConcatS8Test, InnerAxisInterleavesRows) {
  Graph g;
  Value* a = AddS8Input(g, "a", {2, 1}, 0.1f, 0);
  Value* b = AddS8Input(g, "b", {2, 2}, 0.1f, 0);
  Value* y = AddS8Output(g, "y", {2, 3}, 0.1f, 0);
  g.AddNode(OpKind::kConcat, "cat", {a, b}, {y})->SetInt("axis", 1);
  const Tensor out = testing::RunInt8(g,
                                      {{"a", Tensor::FromVector<int8_t>({2, 1}, {1, 2})},
                                       {"b", Tensor::FromVector<int8_t>({2, 2}, {3, 4, 5, 6})}},
                                      "y");
  testing::ExpectCodesNear(out, {1, 3, 4, 2, 5, 6}, 0);
}

TEST(DataMovementS8Test, TransposeReusesFloatKernelExactly) {
  Graph g;
  Value* x = AddS8Input(g, "x", {2, 3}, 0.1f, 4);
  Value* y = AddS8Output(g, "y", {3, 2}, 0.1f, 4);
  g.AddNode(OpKind::kTranspose, "t", {x}, {y})->SetInts("perm", {1, 0});
  const Tensor out =
      testing::RunInt8(g, {{"x", Tensor::FromVector<int8_t>({2, 3}, {1, 2, 3, 4, 5, 6})}}, "y");
  testing::ExpectCodesNear(out, {1, 4, 2, 5, 3, 6}, 0);
}

TEST(DataMovementS8Test, ReshapeWithOtherOutputParamsIsRefused) {
  Graph g;
  g.set_source("t.onnx");
  Value* x = AddS8Input(g, "x", {2, 3}, 0.1f, 4);
  Value* s = g.AddConstant("s", Tensor::FromVector<int64_t>({1}, {6}));
  Value* y = AddS8Output(g, "y", {6}, 0.1f, 5);
  g.AddNode(OpKind::kReshape, "r", {x, s}, {y});
  const Status st = testing::PrepareInt8(g);
  EXPECT_EQ(st.code(), StatusCode::kInvalidModel);
  EXPECT_NE(st.message().find("t.onnx: node 'r' (Reshape): output params"), std::string::npos)
      << st.message();
}

TEST(DataMovementS8Test, SplitChecksEveryOutput) {
  Graph g;
  Value* x = AddS8Input(g, "x", {4}, 0.1f, 0);
  Value* y0 = AddS8Output(g, "y0", {2}, 0.1f, 0);
  Value* y1 = AddS8Output(g, "y1", {2}, 0.2f, 0);
  g.AddNode(OpKind::kSplit, "sp", {x}, {y0, y1});
  EXPECT_EQ(testing::PrepareInt8(g).code(), StatusCode::kInvalidModel);
  y1->set_quant(testing::ActParams(0.1f, 0));
  const Tensor out =
      testing::RunInt8(g, {{"x", Tensor::FromVector<int8_t>({4}, {1, 2, 3, 4})}}, "y1");
  testing::ExpectCodesNear(out, {3, 4}, 0);
}

TEST(DataMovementS8Test, GatherAndSliceMoveCodes) {
  Graph g;
  Value* x = AddS8Input(g, "x", {2, 3}, 0.1f, 1);
  Value* idx = g.AddConstant("idx", Tensor::FromVector<int64_t>({2}, {2, 0}));
  Value* gy = AddS8Output(g, "gy", {2, 2}, 0.1f, 1);
  g.AddNode(OpKind::kGather, "gather", {x, idx}, {gy})->SetInt("axis", 1);
  Value* st = g.AddConstant("st", Tensor::FromVector<int64_t>({1}, {1}));
  Value* en = g.AddConstant("en", Tensor::FromVector<int64_t>({1}, {3}));
  Value* ax = g.AddConstant("ax", Tensor::FromVector<int64_t>({1}, {1}));
  Value* sy = AddS8Output(g, "sy", {2, 2}, 0.1f, 1);
  g.AddNode(OpKind::kSlice, "slice", {x, st, en, ax}, {sy});
  auto ex = Executor::Create(g, {.int8 = true});
  ASSERT_TRUE(ex.ok()) << ex.status().ToString();
  auto out = (*ex)->Run({{"x", Tensor::FromVector<int8_t>({2, 3}, {1, 2, 3, 4, 5, 6})}});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  testing::ExpectCodesNear(out->at("gy"), {3, 1, 6, 4}, 0);
  testing::ExpectCodesNear(out->at("sy"), {2, 3, 5, 6}, 0);
}

Node* BuildPad(Graph& g, Value* value) {
  g.set_source("t.onnx");
  Value* x = AddS8Input(g, "x", {1, 2}, 0.1f, -9);
  Value* pads = g.AddConstant("pads", Tensor::FromVector<int64_t>({4}, {0, 1, 1, 0}));
  Value* y = AddS8Output(g, "y", {2, 3}, 0.1f, -9);
  std::vector<Value*> ins = {x, pads};
  if (value) ins.push_back(value);
  return g.AddNode(OpKind::kPad, "pad", ins, {y});
}

TEST(PadS8Test, PadsWithZeroPoint) {
  Graph g;
  BuildPad(g, nullptr);
  const Tensor out = testing::RunInt8(g, {{"x", Tensor::FromVector<int8_t>({1, 2}, {5, 6})}}, "y");
  testing::ExpectCodesNear(out, {-9, 5, 6, -9, -9, -9}, 0);
}

TEST(PadS8Test, NonZeroConstantValueIsRefused) {
  Graph g;
  BuildPad(g, g.AddConstant("v", Tensor::FromVector<int8_t>({}, {5})));  // zero point is -9
  const Status s = testing::PrepareInt8(g);
  EXPECT_EQ(s.code(), StatusCode::kUnsupported);
  EXPECT_NE(s.message().find("t.onnx: node 'pad' (Pad): int8 Pad pads with real 0"),
            std::string::npos)
      << s.message();
  Graph g2;
  BuildPad(g2, g2.AddConstant("v", Tensor::FromVector<int8_t>({}, {-9})));
  EXPECT_TRUE(testing::PrepareInt8(g2).ok());
}

TEST(ResizeS8Test, NearestUpsampleRepeatsCodes) {
  Graph g;
  Value* x = AddS8Input(g, "x", {1, 1, 2, 2}, 0.1f, 0);
  Value* roi = g.AddConstant("roi", Tensor::FromVector<float>({0}, {}));
  Value* sc = g.AddConstant("scales", Tensor::FromVector<float>({4}, {1, 1, 2, 2}));
  Value* y = AddS8Output(g, "y", {1, 1, 4, 4}, 0.1f, 0);
  Node* n = g.AddNode(OpKind::kResize, "up", {x, roi, sc}, {y});
  n->SetString("mode", "nearest");
  n->SetString("coordinate_transformation_mode", "asymmetric");
  n->SetString("nearest_mode", "floor");
  const Tensor out =
      testing::RunInt8(g, {{"x", Tensor::FromVector<int8_t>({1, 1, 2, 2}, {1, 2, 3, 4})}}, "y");
  testing::ExpectCodesNear(out, {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4}, 0);
}

TEST(ResizeS8Test, LinearModeIsRefused) {
  Graph g;
  g.set_source("t.onnx");
  Value* x = AddS8Input(g, "x", {1, 1, 2, 2}, 0.1f, 0);
  Value* y = AddS8Output(g, "y", {1, 1, 4, 4}, 0.1f, 0);
  g.AddNode(OpKind::kResize, "up", {x}, {y})->SetString("mode", "linear");
  const Status s = testing::PrepareInt8(g);
  EXPECT_EQ(s.code(), StatusCode::kUnsupported);
  EXPECT_NE(s.message().find("nearest"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace tinyq
