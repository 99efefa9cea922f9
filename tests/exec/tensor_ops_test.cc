// Kernels of the shape & data-movement ops (src/exec/kernels_tensor.cc). Expected values are
// worked out by hand from the ONNX operator specification (several are the spec's own examples).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <vector>

#include "tests/exec/tensor_op_runner.h"

namespace tinyq {
namespace {

using F = std::vector<float>;
using I64 = std::vector<int64_t>;

Tensor Iota(Shape shape) {
  Tensor t(DType::kF32, shape);
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = static_cast<float>(i);
  return t;
}
Tensor S64(I64 v) { return Tensor::FromVector<int64_t>({static_cast<int64_t>(v.size())}, v); }

void ExpectError(OneNodeRunner& r, StatusCode code, const std::string& op) {
  Status s = r.Prepare();
  EXPECT_EQ(s.code(), code) << s.ToString();
  EXPECT_EQ(s.message().rfind("test.onnx: node 'n' (" + op + "): ", 0), 0u) << s.message();
}

// ---- Flatten / Reshape / Squeeze / Unsqueeze ----

TEST(FlattenTest, NegativeAxisSplitsBeforeLastDim) {
  OneNodeRunner r;
  r.Add(OpKind::kFlatten, {r.Input(Iota({2, 3, 4}))})->SetInt("axis", -1);
  auto out = r.Run();
  EXPECT_EQ(out[0].shape(), (Shape{6, 4}));
  EXPECT_EQ(out[0].data<float>()[23], 23.0f);
}

TEST(FlattenTest, AxisOutOfRangeIsInvalidModel) {
  OneNodeRunner r;
  r.Add(OpKind::kFlatten, {r.Input(Iota({2, 3, 4}))})->SetInt("axis", 4);
  ExpectError(r, StatusCode::kInvalidModel, "Flatten");
}

TEST(ReshapeTest, ZeroCopiesDimAndMinusOneIsInferred) {
  OneNodeRunner r;
  r.Add(OpKind::kReshape, {r.Input(Iota({2, 3, 4})), r.Const(S64({0, -1}))});
  auto out = r.Run();
  EXPECT_EQ(out[0].shape(), (Shape{2, 12}));
  EXPECT_EQ(Values<float>(out[0]), Values<float>(Iota({2, 12})));
}

TEST(ReshapeTest, AllowZeroKeepsZeroDim) {
  OneNodeRunner r;
  r.Add(OpKind::kReshape, {r.Input(Tensor(DType::kF32, {0, 3})), r.Const(S64({3, 0}))})
      ->SetInt("allowzero", 1);
  auto out = r.Run();
  EXPECT_EQ(out[0].shape(), (Shape{3, 0}));
}

TEST(ReshapeTest, S64DataMovesUnchanged) {
  OneNodeRunner r;
  r.Add(OpKind::kReshape,
        {r.Input(Tensor::FromVector<int64_t>({2, 2}, {-1, 1LL << 40, 3, -4})), r.Const(S64({4}))});
  auto out = r.Run();
  EXPECT_EQ(Values<int64_t>(out[0]), (I64{-1, 1LL << 40, 3, -4}));
}

TEST(ReshapeTest, NonConstantShapeIsUnsupported) {
  OneNodeRunner r;
  r.Add(OpKind::kReshape, {r.Input(Iota({2, 3})), r.Input(S64({3, 2}))});
  ExpectError(r, StatusCode::kUnsupported, "Reshape");
}

TEST(ReshapeTest, ElementCountMismatchIsInvalidModel) {
  OneNodeRunner r;
  r.Add(OpKind::kReshape, {r.Input(Iota({2, 3})), r.Const(S64({4, 2}))});
  ExpectError(r, StatusCode::kInvalidModel, "Reshape");
}

TEST(SqueezeTest, NegativeAxisDropsLastDim) {
  OneNodeRunner r;
  r.Add(OpKind::kSqueeze, {r.Input(Iota({1, 3, 1}))})->SetInts("axes", {-1});
  auto out = r.Run();
  EXPECT_EQ(out[0].shape(), (Shape{1, 3}));
  EXPECT_EQ(Values<float>(out[0]), (F{0, 1, 2}));
}

TEST(SqueezeTest, AxisOfSizeThreeIsInvalidModel) {
  OneNodeRunner r;
  r.Add(OpKind::kSqueeze, {r.Input(Iota({1, 3}))})->SetInts("axes", {1});
  ExpectError(r, StatusCode::kInvalidModel, "Squeeze");
}

TEST(UnsqueezeTest, UnsortedAxesCountInOutputRank) {
  OneNodeRunner r;
  r.Add(OpKind::kUnsqueeze, {r.Input(Iota({3, 4}))})->SetInts("axes", {-1, 0});
  auto out = r.Run();
  EXPECT_EQ(out[0].shape(), (Shape{1, 3, 4, 1}));
  EXPECT_EQ(out[0].data<float>()[11], 11.0f);
}

// ---- Transpose ----

TEST(TransposeTest, DefaultPermReversesDims) {
  OneNodeRunner r;
  r.Add(OpKind::kTranspose, {r.Input(Iota({2, 3}))});
  auto out = r.Run();
  EXPECT_EQ(out[0].shape(), (Shape{3, 2}));
  EXPECT_EQ(Values<float>(out[0]), (F{0, 3, 1, 4, 2, 5}));
}

TEST(TransposeTest, NchwToNhwcU8) {
  // x[n][c][h][w] = 10*c + 2*h + w for C=3, H=2, W=2.
  std::vector<uint8_t> x;
  for (int c = 0; c < 3; ++c)
    for (int h = 0; h < 2; ++h)
      for (int w = 0; w < 2; ++w) x.push_back(static_cast<uint8_t>(10 * c + 2 * h + w));
  OneNodeRunner r;
  r.Add(OpKind::kTranspose, {r.Input(Tensor::FromVector<uint8_t>({1, 3, 2, 2}, x))})
      ->SetInts("perm", {0, 2, 3, 1});
  auto out = r.Run();
  EXPECT_EQ(out[0].shape(), (Shape{1, 2, 2, 3}));
  EXPECT_EQ(Values<uint8_t>(out[0]),
            (std::vector<uint8_t>{0, 10, 20, 1, 11, 21, 2, 12, 22, 3, 13, 23}));
}

TEST(TransposeTest, AllPermutationsOf4dMatchNaiveIndexing) {
  const Shape in_shape = {2, 3, 4, 5};
  std::vector<int> perm = {0, 1, 2, 3};
  do {
    OneNodeRunner r;
    r.Add(OpKind::kTranspose, {r.Input(Iota(in_shape))})
        ->SetInts("perm", {perm[0], perm[1], perm[2], perm[3]});
    auto out = r.Run();
    ASSERT_EQ(out.size(), 1u);
    // out[i0][i1][i2][i3] = in[j] with j[perm[k]] = i[k].
    const int64_t stride[4] = {60, 20, 5, 1};
    int64_t flat = 0;
    for (int64_t i0 = 0; i0 < in_shape[perm[0]]; ++i0)
      for (int64_t i1 = 0; i1 < in_shape[perm[1]]; ++i1)
        for (int64_t i2 = 0; i2 < in_shape[perm[2]]; ++i2)
          for (int64_t i3 = 0; i3 < in_shape[perm[3]]; ++i3, ++flat) {
            const int64_t src = i0 * stride[perm[0]] + i1 * stride[perm[1]] + i2 * stride[perm[2]] +
                                i3 * stride[perm[3]];
            ASSERT_EQ(out[0].data<float>()[flat], static_cast<float>(src));
          }
  } while (std::next_permutation(perm.begin(), perm.end()));
}

TEST(TransposeTest, RepeatedPermEntryIsInvalidModel) {
  OneNodeRunner r;
  r.Add(OpKind::kTranspose, {r.Input(Iota({2, 3}))})->SetInts("perm", {1, 1});
  ExpectError(r, StatusCode::kInvalidModel, "Transpose");
}

// ---- Concat / Split ----

TEST(ConcatTest, NegativeAxisJoinsColumns) {
  OneNodeRunner r;
  r.Add(OpKind::kConcat,
        {r.Input(Iota({2, 2})), r.Const(Tensor::FromVector<float>({2, 1}, {8, 9}))})
      ->SetInt("axis", -1);
  auto out = r.Run();
  EXPECT_EQ(out[0].shape(), (Shape{2, 3}));
  EXPECT_EQ(Values<float>(out[0]), (F{0, 1, 8, 2, 3, 9}));
}

TEST(ConcatTest, ThreeS64InputsAlongAxisZeroIncludingEmpty) {
  OneNodeRunner r;
  r.Add(OpKind::kConcat,
        {r.Input(S64({1, 2})), r.Input(Tensor(DType::kS64, {0})), r.Const(S64({-3}))})
      ->SetInt("axis", 0);
  auto out = r.Run();
  EXPECT_EQ(Values<int64_t>(out[0]), (I64{1, 2, -3}));
}

TEST(ConcatTest, MismatchedDimIsInvalidModel) {
  OneNodeRunner r;
  r.Add(OpKind::kConcat, {r.Input(Iota({2, 2})), r.Input(Iota({3, 1}))})->SetInt("axis", 1);
  ExpectError(r, StatusCode::kInvalidModel, "Concat");
}

TEST(SplitTest, SplitAttributeOnAxisOne) {
  OneNodeRunner r;
  Node* n = r.Add(OpKind::kSplit, {r.Input(Iota({2, 3}))}, 2);
  n->SetInt("axis", 1);
  n->SetInts("split", {1, 2});
  auto out = r.Run();
  EXPECT_EQ(Values<float>(out[0]), (F{0, 3}));
  EXPECT_EQ(Values<float>(out[1]), (F{1, 2, 4, 5}));
}

TEST(SplitTest, NumOutputsGivesSmallerLastChunk) {
  OneNodeRunner r;
  r.Add(OpKind::kSplit, {r.Input(Iota({7}))}, 4)->SetInt("num_outputs", 4);
  auto out = r.Run();
  EXPECT_EQ(Values<float>(out[0]), (F{0, 1}));
  EXPECT_EQ(Values<float>(out[2]), (F{4, 5}));
  EXPECT_EQ(Values<float>(out[3]), (F{6}));
}

TEST(SplitTest, EqualSplitOfU8) {
  OneNodeRunner r;
  r.Add(OpKind::kSplit, {r.Input(Tensor::FromVector<uint8_t>({4}, {9, 8, 7, 6}))}, 2);
  auto out = r.Run();
  EXPECT_EQ(Values<uint8_t>(out[1]), (std::vector<uint8_t>{7, 6}));
}

TEST(SplitTest, SizesNotSummingToDimAreInvalidModel) {
  OneNodeRunner r;
  r.Add(OpKind::kSplit, {r.Input(Iota({5}))}, 2)->SetInts("split", {2, 2});
  ExpectError(r, StatusCode::kInvalidModel, "Split");
}

// ---- Slice ----

constexpr int64_t kMax64 = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin64 = std::numeric_limits<int64_t>::min();

TEST(SliceTest, SpecExampleWithSteps) {
  // data = [[1,2,3,4],[5,6,7,8]], axes [0,1], starts [1,0], ends [2,3], steps [1,2] -> [[5,7]].
  OneNodeRunner r;
  r.Add(OpKind::kSlice,
        {r.Input(Tensor::FromVector<float>({2, 4}, {1, 2, 3, 4, 5, 6, 7, 8})), r.Const(S64({1, 0})),
         r.Const(S64({2, 3})), r.Const(S64({0, 1})), r.Const(S64({1, 2}))});
  auto out = r.Run();
  EXPECT_EQ(out[0].shape(), (Shape{1, 2}));
  EXPECT_EQ(Values<float>(out[0]), (F{5, 7}));
}

TEST(SliceTest, SpecExampleNegativeEndAndClampedEnd) {
  // starts [0,1], ends [-1,1000] -> [[2,3,4]].
  OneNodeRunner r;
  r.Add(OpKind::kSlice, {r.Input(Tensor::FromVector<float>({2, 4}, {1, 2, 3, 4, 5, 6, 7, 8})),
                         r.Const(S64({0, 1})), r.Const(S64({-1, 1000}))});
  auto out = r.Run();
  EXPECT_EQ(out[0].shape(), (Shape{1, 3}));
  EXPECT_EQ(Values<float>(out[0]), (F{2, 3, 4}));
}

TEST(SliceTest, StepMinusOneFromEndToIntMinReverses) {
  OneNodeRunner r;
  r.Add(OpKind::kSlice, {r.Input(Iota({5})), r.Const(S64({-1})), r.Const(S64({kMin64})),
                         r.Const(S64({0})), r.Const(S64({-1}))});
  auto out = r.Run();
  EXPECT_EQ(Values<float>(out[0]), (F{4, 3, 2, 1, 0}));
}

TEST(SliceTest, StepMinusTwoOnNegativeAxisWithClampedStart) {
  // Axis -1 of a [2,5]: start 100 clamps to 4, end -6 -> -1 clamps to -1: columns 4, 2, 0.
  OneNodeRunner r;
  r.Add(OpKind::kSlice, {r.Input(Iota({2, 5})), r.Const(S64({100})), r.Const(S64({-6})),
                         r.Const(S64({-1})), r.Const(S64({-2}))});
  auto out = r.Run();
  EXPECT_EQ(out[0].shape(), (Shape{2, 3}));
  EXPECT_EQ(Values<float>(out[0]), (F{4, 2, 0, 9, 7, 5}));
}

TEST(SliceTest, IntMaxEndAndEmptyResultOnS64) {
  OneNodeRunner r;
  r.Add(OpKind::kSlice, {r.Input(S64({10, 20, 30})), r.Const(S64({1})), r.Const(S64({kMax64}))});
  EXPECT_EQ(Values<int64_t>(r.Run()[0]), (I64{20, 30}));
  OneNodeRunner e;
  e.Add(OpKind::kSlice, {e.Input(S64({10, 20, 30})), e.Const(S64({2})), e.Const(S64({1}))});
  EXPECT_EQ(e.Run()[0].shape(), (Shape{0}));
}

TEST(SliceTest, NonConstantStartsAreUnsupported) {
  OneNodeRunner r;
  r.Add(OpKind::kSlice, {r.Input(Iota({4})), r.Input(S64({1})), r.Const(S64({3}))});
  ExpectError(r, StatusCode::kUnsupported, "Slice");
}

TEST(SliceTest, ZeroStepIsInvalidModel) {
  OneNodeRunner r;
  r.Add(OpKind::kSlice, {r.Input(Iota({4})), r.Const(S64({0})), r.Const(S64({3})),
                         r.Const(S64({0})), r.Const(S64({0}))});
  ExpectError(r, StatusCode::kInvalidModel, "Slice");
}

// ---- Gather ----

TEST(GatherTest, Axis0With2dIndices) {
  // Spec example: data [[1,1.2],[2.3,3.4],[4.5,5.7]], indices [[0,1],[1,2]].
  OneNodeRunner r;
  r.Add(OpKind::kGather,
        {r.Input(Tensor::FromVector<float>({3, 2}, {1, 1.2f, 2.3f, 3.4f, 4.5f, 5.7f})),
         r.Const(Tensor::FromVector<int64_t>({2, 2}, {0, 1, 1, 2}))});
  auto out = r.Run();
  EXPECT_EQ(out[0].shape(), (Shape{2, 2, 2}));
  EXPECT_EQ(Values<float>(out[0]), (F{1, 1.2f, 2.3f, 3.4f, 2.3f, 3.4f, 4.5f, 5.7f}));
}

TEST(GatherTest, NegativeAxisAndNegativeS32Indices) {
  OneNodeRunner r;
  r.Add(OpKind::kGather,
        {r.Input(Iota({2, 3})), r.Input(Tensor::FromVector<int32_t>({2}, {-1, 0}))})
      ->SetInt("axis", -1);
  auto out = r.Run();
  EXPECT_EQ(out[0].shape(), (Shape{2, 2}));
  EXPECT_EQ(Values<float>(out[0]), (F{2, 0, 5, 3}));
}

TEST(GatherTest, ScalarIndexDropsAxis) {
  OneNodeRunner r;
  r.Add(OpKind::kGather, {r.Input(S64({7, 8, 9})), r.Const(Tensor::FromVector<int64_t>({}, {2}))});
  auto out = r.Run();
  EXPECT_EQ(out[0].shape(), (Shape{}));
  EXPECT_EQ(Values<int64_t>(out[0]), (I64{9}));
}

TEST(GatherTest, ConstantIndexOutOfRangeIsInvalidModel) {
  OneNodeRunner r;
  r.Add(OpKind::kGather, {r.Input(Iota({3})), r.Const(S64({3}))});
  ExpectError(r, StatusCode::kInvalidModel, "Gather");
}

TEST(GatherTest, RuntimeIndexOutOfRangeIsClamped) {
  // Documented behaviour: Eval cannot fail, so run-time indices are clamped to [0, dim-1].
  OneNodeRunner r;
  r.Add(OpKind::kGather, {r.Input(Iota({3})), r.Input(S64({5, -9}))});
  EXPECT_EQ(Values<float>(r.Run()[0]), (F{2, 0}));
}

// ---- Pad ----

TEST(PadTest, ConstantValueOnBothSides) {
  OneNodeRunner r;
  r.Add(OpKind::kPad, {r.Input(Tensor::FromVector<float>({2}, {1, 2})), r.Const(S64({1, 2})),
                       r.Const(Tensor::FromVector<float>({}, {-5}))});
  EXPECT_EQ(Values<float>(r.Run()[0]), (F{-5, 1, 2, -5, -5}));
}

TEST(PadTest, NegativePadsCrop) {
  // [[1,2,3],[4,5,6]], pads [1,-1, 0,1]: a zero row on top, first column cropped, zero column
  // appended.
  OneNodeRunner r;
  r.Add(OpKind::kPad, {r.Input(Tensor::FromVector<float>({2, 3}, {1, 2, 3, 4, 5, 6})),
                       r.Const(S64({1, -1, 0, 1}))});
  auto out = r.Run();
  EXPECT_EQ(out[0].shape(), (Shape{3, 3}));
  EXPECT_EQ(Values<float>(out[0]), (F{0, 0, 0, 2, 3, 0, 5, 6, 0}));
}

TEST(PadTest, AxesInputPadsOnlyLastDimOfU8) {
  OneNodeRunner r;
  r.Add(OpKind::kPad, {r.Input(Tensor::FromVector<uint8_t>({2, 1}, {3, 4})), r.Const(S64({1, 0})),
                       r.Const(Tensor::FromVector<uint8_t>({}, {255})), r.Const(S64({-1}))});
  auto out = r.Run();
  EXPECT_EQ(out[0].shape(), (Shape{2, 2}));
  EXPECT_EQ(Values<uint8_t>(out[0]), (std::vector<uint8_t>{255, 3, 255, 4}));
}

TEST(PadTest, ReflectModeIsUnsupported) {
  OneNodeRunner r;
  r.Add(OpKind::kPad, {r.Input(Iota({3})), r.Const(S64({1, 1}))})->SetString("mode", "reflect");
  ExpectError(r, StatusCode::kUnsupported, "Pad");
}

// ---- Shape / Range ----

TEST(ShapeOpTest, StartAndNegativeEnd) {
  OneNodeRunner r;
  Node* n = r.Add(OpKind::kShape, {r.Input(Iota({2, 3, 4, 5}))});
  n->SetInt("start", 1);
  n->SetInt("end", -1);
  auto out = r.Run();
  EXPECT_EQ(out[0].dtype(), DType::kS64);
  EXPECT_EQ(Values<int64_t>(out[0]), (I64{3, 4}));
}

TEST(RangeTest, F32SpecExample) {
  // start 3, limit 9, delta 3 -> [3, 6].
  auto f = [](float v) { return Tensor::FromVector<float>({}, {v}); };
  OneNodeRunner r;
  r.Add(OpKind::kRange, {r.Const(f(3)), r.Const(f(9)), r.Const(f(3))});
  EXPECT_EQ(Values<float>(r.Run()[0]), (F{3, 6}));
}

TEST(RangeTest, S32NegativeDelta) {
  // start 10, limit 4, delta -3 -> [10, 7].
  auto s = [](int32_t v) { return Tensor::FromVector<int32_t>({}, {v}); };
  OneNodeRunner r;
  r.Add(OpKind::kRange, {r.Const(s(10)), r.Const(s(4)), r.Const(s(-3))});
  EXPECT_EQ(Values<int32_t>(r.Run()[0]), (std::vector<int32_t>{10, 7}));
}

TEST(RangeTest, S64ExtremesCountExactlyWithoutOverflow) {
  // [INT64_MIN, INT64_MAX) by 2^62: span 2^64 - 1 -> 4 elements; 3 * 2^62 alone overflows int64.
  auto s = [](int64_t v) { return Tensor::FromVector<int64_t>({}, {v}); };
  OneNodeRunner r;
  r.Add(OpKind::kRange, {r.Const(s(kMin64)), r.Const(s(kMax64)), r.Const(s(int64_t{1} << 62))});
  EXPECT_EQ(Values<int64_t>(r.Run()[0]),
            (I64{kMin64, kMin64 + (int64_t{1} << 62), 0, int64_t{1} << 62}));
}

TEST(RangeTest, NonConstantLimitIsUnsupported) {
  OneNodeRunner r;
  r.Add(OpKind::kRange, {r.Const(S64({0})), r.Input(S64({4})), r.Const(S64({1}))});
  ExpectError(r, StatusCode::kUnsupported, "Range");
}

}  // namespace
}  // namespace tinyq
