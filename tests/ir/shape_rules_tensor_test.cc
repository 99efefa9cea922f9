// Shape rules of the tensor ops (src/ir/shape_rules_tensor.cc, src/ir/tensor_op_params.cc):
// output dtype and shape from hand-worked ONNX semantics, and the errors on bad models.
#include <gtest/gtest.h>

#include <limits>
#include <vector>

#include "src/ir/shape_inference.h"
#include "tinyq/ir.h"

namespace tinyq {
namespace {

using I64 = std::vector<int64_t>;

class RuleTest : public ::testing::Test {
 protected:
  RuleTest() { g_.set_source("m.onnx"); }
  Value* In(DType t, Shape s) {
    return g_.AddValue("v" + std::to_string(g_.values().size()), t, std::move(s));
  }
  Value* F32(Shape s) { return In(DType::kF32, std::move(s)); }
  Value* Ints(I64 v) {
    return g_.AddConstant("c" + std::to_string(g_.values().size()),
                          Tensor::FromVector<int64_t>({static_cast<int64_t>(v.size())}, v));
  }
  Node* Add(OpKind op, std::vector<Value*> inputs, int num_outputs = 1) {
    std::vector<Value*> outs;
    for (int i = 0; i < num_outputs; ++i) outs.push_back(g_.AddValue("o" + std::to_string(i)));
    return node_ = g_.AddNode(op, "n", std::move(inputs), std::move(outs));
  }
  Status Infer() { return InferNodeShapes(g_, *node_); }
  // Infers and returns output i's shape (failing the test on error).
  Shape Out(int i = 0) {
    Status s = Infer();
    EXPECT_TRUE(s.ok()) << s.ToString();
    return node_->output(i)->shape();
  }
  void ExpectError(StatusCode code, const std::string& op) {
    Status s = Infer();
    EXPECT_EQ(s.code(), code) << s.ToString();
    EXPECT_EQ(s.message().rfind("m.onnx: node 'n' (" + op + "): ", 0), 0u) << s.message();
  }

  Graph g_;
  Node* node_ = nullptr;
};

TEST_F(RuleTest, FlattenAxisZeroAndNegative) {
  Add(OpKind::kFlatten, {F32({2, 3, 4})})->SetInt("axis", 0);
  EXPECT_EQ(Out(), (Shape{1, 24}));
  node_->SetInt("axis", -2);
  EXPECT_EQ(Out(), (Shape{2, 12}));
  node_->SetInt("axis", 3);
  EXPECT_EQ(Out(), (Shape{24, 1}));
  node_->SetInt("axis", -4);
  ExpectError(StatusCode::kInvalidModel, "Flatten");
}

TEST_F(RuleTest, ReshapeZeroMinusOneAndAllowZero) {
  Add(OpKind::kReshape, {In(DType::kU8, {2, 3, 4}), Ints({-1, 0, 2})});
  EXPECT_EQ(Out(), (Shape{4, 3, 2}));
  EXPECT_EQ(node_->output(0)->dtype(), DType::kU8);
}

TEST_F(RuleTest, ReshapeErrors) {
  Add(OpKind::kReshape, {F32({2, 3}), Ints({-1, -1})});
  ExpectError(StatusCode::kInvalidModel, "Reshape");
  g_.SetInput(node_, 1, Ints({0, 0, 0}));  // copies a dim the input does not have
  ExpectError(StatusCode::kInvalidModel, "Reshape");
  g_.SetInput(node_, 1, Ints({0, -1}));
  node_->SetInt("allowzero", 1);  // 0 is a literal 0 now, next to a -1
  ExpectError(StatusCode::kInvalidModel, "Reshape");
  g_.SetInput(node_, 1, In(DType::kS64, {2}));
  ExpectError(StatusCode::kUnsupported, "Reshape");
}

TEST_F(RuleTest, TransposePermAndDefault) {
  Add(OpKind::kTranspose, {F32({1, 3, 5, 7})})->SetInts("perm", {0, 2, 3, 1});
  EXPECT_EQ(Out(), (Shape{1, 5, 7, 3}));
  node_->mutable_attrs().erase("perm");
  EXPECT_EQ(Out(), (Shape{7, 5, 3, 1}));
  node_->SetInts("perm", {0, 1, 2});
  ExpectError(StatusCode::kInvalidModel, "Transpose");
}

TEST_F(RuleTest, ConcatNegativeAxisAndDtypeMismatch) {
  Add(OpKind::kConcat, {F32({2, 3}), F32({2, 5})})->SetInt("axis", -1);
  EXPECT_EQ(Out(), (Shape{2, 8}));
  node_->SetInt("axis", -3);
  ExpectError(StatusCode::kInvalidModel, "Concat");
  node_->SetInt("axis", 1);
  g_.SetInput(node_, 1, In(DType::kS8, {2, 5}));
  ExpectError(StatusCode::kInvalidModel, "Concat");
}

TEST_F(RuleTest, SplitVariantsAndErrors) {
  Add(OpKind::kSplit, {F32({10, 4})}, 3)->SetInt("num_outputs", 3);  // chunks of ceil(10/3) = 4
  EXPECT_EQ(Out(0), (Shape{4, 4}));
  EXPECT_EQ(node_->output(2)->shape(), (Shape{2, 4}));
  node_->mutable_attrs().erase("num_outputs");
  ExpectError(StatusCode::kInvalidModel, "Split");  // 10 is not divisible by 3
  node_->SetInt("axis", -1);
  node_->SetInts("split", {1, 0, 3});
  EXPECT_EQ(Out(1), (Shape{10, 0}));
  // Sizes whose sum overflows int64 (found by fuzz_onnx_import) are refused, not summed.
  node_->SetInts("split", {std::numeric_limits<int64_t>::max(), 1, 3});
  ExpectError(StatusCode::kInvalidModel, "Split");
  EXPECT_NE(Infer().message().find("does not cut dim 4 into 3 outputs"), std::string::npos);
}

TEST_F(RuleTest, SliceClampsAndCountsNegativeSteps) {
  const int64_t kMax = std::numeric_limits<int64_t>::max();
  const int64_t kMin = std::numeric_limits<int64_t>::min();
  // axis 0: [1, INT_MAX) -> 9; axis 2 (as -1): from 7 down to INT_MIN (-> -1) by -3 -> 7,4,1.
  Add(OpKind::kSlice,
      {F32({10, 6, 8}), Ints({1, 7}), Ints({kMax, kMin}), Ints({0, -1}), Ints({1, -3})});
  EXPECT_EQ(Out(), (Shape{9, 6, 3}));
}

TEST_F(RuleTest, SliceErrors) {
  Add(OpKind::kSlice, {F32({4, 4}), Ints({0, 0}), Ints({1, 1}), Ints({1, -1})});
  ExpectError(StatusCode::kInvalidModel, "Slice");  // axis 1 twice
  g_.SetInput(node_, 3, Ints({0, 2}));
  ExpectError(StatusCode::kInvalidModel, "Slice");  // axis out of range
  g_.SetInput(node_, 3, Ints({0}));
  ExpectError(StatusCode::kInvalidModel, "Slice");  // lengths differ
}

TEST_F(RuleTest, GatherShapeAndIndexDtype) {
  Add(OpKind::kGather, {F32({5, 6, 7}), In(DType::kS32, {2, 3})})->SetInt("axis", -2);
  EXPECT_EQ(Out(), (Shape{5, 2, 3, 7}));
  g_.SetInput(node_, 1, In(DType::kF32, {2}));
  ExpectError(StatusCode::kInvalidModel, "Gather");
}

TEST_F(RuleTest, SqueezeWithoutAxesDropsAllOnes) {
  Add(OpKind::kSqueeze, {F32({1, 3, 1, 2})});
  EXPECT_EQ(Out(), (Shape{3, 2}));
  node_->SetInts("axes", {-2, 0});
  EXPECT_EQ(Out(), (Shape{3, 2}));
  node_->SetInts("axes", {4});
  ExpectError(StatusCode::kInvalidModel, "Squeeze");
}

TEST_F(RuleTest, UnsqueezeOutputRankIsInputPlusAxes) {
  Add(OpKind::kUnsqueeze, {F32({3, 4, 5})})->SetInts("axes", {2, 0, 5});
  EXPECT_EQ(Out(), (Shape{1, 3, 1, 4, 5, 1}));
  node_->SetInts("axes", {-1});
  EXPECT_EQ(Out(), (Shape{3, 4, 5, 1}));
  node_->SetInts("axes", {0, -5});  // both name output dim 0
  ExpectError(StatusCode::kInvalidModel, "Unsqueeze");
}

TEST_F(RuleTest, PadGrowsAndCrops) {
  Add(OpKind::kPad, {F32({1, 3, 4, 4}), Ints({0, 0, 1, -1, 0, 0, 2, -2})});
  EXPECT_EQ(Out(), (Shape{1, 3, 7, 1}));
  g_.SetInput(node_, 1, Ints({0, 0, 0, -5, 0, 0, 0, 0}));
  ExpectError(StatusCode::kInvalidModel, "Pad");
  g_.SetInput(node_, 1, Ints({1, 1}));
  ExpectError(StatusCode::kInvalidModel, "Pad");  // needs 8 entries without axes
  g_.SetInput(node_, 1, In(DType::kS64, {8}));
  ExpectError(StatusCode::kUnsupported, "Pad");
}

TEST_F(RuleTest, ShapeClampsStartAndEnd) {
  Add(OpKind::kShape, {F32({2, 3, 4})})->SetInt("start", -10);
  EXPECT_EQ(Out(), (Shape{3}));
  EXPECT_EQ(node_->output(0)->dtype(), DType::kS64);
  node_->SetInt("start", 2);
  node_->SetInt("end", 1);
  EXPECT_EQ(Out(), (Shape{0}));
}

TEST_F(RuleTest, RangeCountIsCeilOfSpanOverDelta) {
  auto f = [this](float v) {
    return g_.AddConstant("f" + std::to_string(g_.values().size()),
                          Tensor::FromVector<float>({}, {v}));
  };
  Add(OpKind::kRange, {f(1.0f), f(2.05f), f(0.25f)});  // 1.05 / 0.25 = 4.2 -> 5
  EXPECT_EQ(Out(), (Shape{5}));
  g_.SetInput(node_, 1, f(-3.0f));  // limit below start with positive delta: empty
  EXPECT_EQ(Out(), (Shape{0}));
  g_.SetInput(node_, 2, f(0.0f));
  ExpectError(StatusCode::kInvalidModel, "Range");
}

TEST_F(RuleTest, QuantizeDtypeFollowsZeroPoint) {
  Value* scale = g_.AddConstant("s", Tensor::FromVector<float>({}, {0.5f}));
  Value* zp = g_.AddConstant("z", Tensor::FromVector<int8_t>({}, {3}));
  Add(OpKind::kQuantizeLinear, {F32({2, 3}), scale, zp});
  EXPECT_EQ(Out(), (Shape{2, 3}));
  EXPECT_EQ(node_->output(0)->dtype(), DType::kS8);
  g_.SetInput(node_, 2, nullptr);
  EXPECT_EQ(Out(), (Shape{2, 3}));
  EXPECT_EQ(node_->output(0)->dtype(), DType::kU8);
}

TEST_F(RuleTest, DequantizePerAxisNeedsOneScalePerChannel) {
  Value* scales = g_.AddConstant("s", Tensor::FromVector<float>({3}, {1, 2, 3}));
  Add(OpKind::kDequantizeLinear, {In(DType::kS8, {1, 3, 2}), scales});
  EXPECT_EQ(Out(), (Shape{1, 3, 2}));
  EXPECT_EQ(node_->output(0)->dtype(), DType::kF32);
  node_->SetInt("axis", -1);
  ExpectError(StatusCode::kInvalidModel, "DequantizeLinear");
  node_->SetInt("axis", 1);
  g_.SetInput(node_, 0, F32({1, 3, 2}));
  ExpectError(StatusCode::kUnsupported, "DequantizeLinear");
}

}  // namespace
}  // namespace tinyq
