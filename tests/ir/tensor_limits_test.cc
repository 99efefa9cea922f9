// Size limits of tensors (src/ir/tensor_limits.cc) and their use by shape inference: shapes whose
// element or byte count overflows the 2^31 / 2 GiB caps (or int64) are InvalidModel naming the
// place, checked without overflowing.
#include "src/ir/tensor_limits.h"

#include <gtest/gtest.h>

#include <limits>

#include "src/ir/shape_inference.h"
#include "tinyq/ir.h"

namespace tinyq {
namespace {

constexpr int64_t kI64Max = std::numeric_limits<int64_t>::max();

std::string Message(const Status& s) { return s.message(); }

TEST(TensorLimitsTest, AcceptsShapesUpToTheCaps) {
  EXPECT_TRUE(CheckTensorSize({}, 4, "w: ").ok());
  EXPECT_TRUE(CheckTensorSize({1, 3, 224, 224}, 4, "w: ").ok());
  EXPECT_TRUE(CheckTensorSize({int64_t{1} << 31}, 1, "w: ").ok());  // 2 GiB of int8
  EXPECT_TRUE(CheckTensorSize({int64_t{1} << 29}, 4, "w: ").ok());  // 2 GiB of f32
  EXPECT_TRUE(CheckTensorSize({0, 5}, 4, "w: ").ok());
}

TEST(TensorLimitsTest, RefusesTooManyElementsWithoutOverflowing) {
  // 2^31 + 1 elements, and products that overflow int64 many times over.
  for (const Shape& s : {Shape{(int64_t{1} << 31) + 1}, Shape{1 << 20, 1 << 20},
                         Shape{kI64Max, kI64Max, kI64Max}, Shape{3, kI64Max / 2}}) {
    const Status st = CheckTensorSize(s, 1, "m.onnx: initializer 'w': ");
    EXPECT_EQ(st.code(), StatusCode::kInvalidModel) << ShapeToString(s);
    EXPECT_EQ(Message(st), "m.onnx: initializer 'w': shape " + ShapeToString(s) +
                               " has too many elements (limit 2^31)");
  }
}

TEST(TensorLimitsTest, RefusesTooManyBytes) {
  // 2^30 f32 elements = 4 GiB.
  const Status st = CheckTensorSize({1 << 15, 1 << 15}, 4, "x: ");
  EXPECT_EQ(st.code(), StatusCode::kInvalidModel);
  EXPECT_EQ(Message(st), "x: shape [32768,32768] is too large (limit 2 GiB)");
}

TEST(TensorLimitsTest, EmptyTensorsStillBoundTheirOtherDims) {
  // Zero elements, but the per-sample size 2^60 would overflow stride arithmetic.
  const Status st = CheckTensorSize({0, int64_t{1} << 30, int64_t{1} << 30}, 1, "x: ");
  EXPECT_EQ(st.code(), StatusCode::kInvalidModel);
  EXPECT_NE(Message(st).find("has too many elements"), std::string::npos) << Message(st);
}

TEST(TensorLimitsTest, RefusesNegativeDims) {
  const Status st = CheckTensorSize({2, -3}, 4, "x: ");
  EXPECT_EQ(Message(st), "x: negative dimension in [2,-3]");
}

// Shape inference checks every output: a Pad that grows a [1,4] input past 2^31 elements.
TEST(TensorLimitsTest, InferredOutputsAreChecked) {
  Graph g;
  g.set_source("m.onnx");
  Value* x = g.AddValue("x", DType::kF32, {1, 4});
  Value* pads =
      g.AddConstant("pads", Tensor::FromVector<int64_t>({4}, {0, 0, 0, int64_t{1} << 31}));
  Value* y = g.AddValue("y");
  Node* n = g.AddNode(OpKind::kPad, "pad", {x, pads}, {y});
  const Status st = InferNodeShapes(g, *n);
  EXPECT_EQ(st.code(), StatusCode::kInvalidModel);
  EXPECT_EQ(Message(st),
            "m.onnx: node 'pad' (Pad): output 'y': shape [1,2147483652] has too "
            "many elements (limit 2^31)");
}

// Pads near INT64_MAX are refused before they are added to the dim (no signed overflow).
TEST(TensorLimitsTest, HugePadsAreRefusedBeforeAdding) {
  Graph g;
  g.set_source("m.onnx");
  Value* x = g.AddValue("x", DType::kF32, {1, 4});
  Value* pads = g.AddConstant("pads", Tensor::FromVector<int64_t>({4}, {0, kI64Max, 0, kI64Max}));
  Value* y = g.AddValue("y");
  Node* n = g.AddNode(OpKind::kPad, "pad", {x, pads}, {y});
  const Status st = InferNodeShapes(g, *n);
  EXPECT_EQ(st.code(), StatusCode::kInvalidModel);
  EXPECT_NE(Message(st).find("are larger than 2^31"), std::string::npos) << Message(st);
}

}  // namespace
}  // namespace tinyq
