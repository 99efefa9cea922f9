#include "src/exec/broadcast.h"

#include <gtest/gtest.h>

namespace tinyq {
namespace {

using V = std::vector<int64_t>;

TEST(BroadcastPlanTest, SameShapeCollapsesToOneDim) {
  BroadcastPlan p = MakeBroadcastPlan({2, 3, 4}, {2, 3, 4}, {2, 3, 4});
  EXPECT_EQ(p.dims, V{24});
  EXPECT_EQ(p.stride_a, V{1});
  EXPECT_EQ(p.stride_b, V{1});
  EXPECT_EQ(p.numel, 24);
}

TEST(BroadcastPlanTest, ScalarCollapsesToOneDimWithZeroStride) {
  BroadcastPlan p = MakeBroadcastPlan({2, 3, 4}, {2, 3, 4}, {});
  EXPECT_EQ(p.dims, V{24});
  EXPECT_EQ(p.stride_b, V{0});
}

TEST(BroadcastPlanTest, PerChannelNchwMergesSpatialDims) {
  BroadcastPlan p = MakeBroadcastPlan({2, 3, 4, 5}, {2, 3, 4, 5}, {3, 1, 1});
  EXPECT_EQ(p.dims, (V{2, 3, 20}));
  EXPECT_EQ(p.stride_a, (V{60, 20, 1}));
  EXPECT_EQ(p.stride_b, (V{0, 1, 0}));
}

TEST(BroadcastPlanTest, SizeOneOutputDimsAreDropped) {
  BroadcastPlan p = MakeBroadcastPlan({1, 5, 1, 8}, {1, 5, 1, 8}, {8});
  EXPECT_EQ(p.dims, (V{5, 8}));
  EXPECT_EQ(p.stride_a, (V{8, 1}));
  EXPECT_EQ(p.stride_b, (V{0, 1}));
  BroadcastPlan single = MakeBroadcastPlan({1, 1}, {1}, {1, 1});
  EXPECT_TRUE(single.dims.empty());
  EXPECT_EQ(single.numel, 1);
}

TEST(BroadcastPlanTest, ApplyColumnBroadcastHandComputed) {
  BroadcastPlan p = MakeBroadcastPlan({2, 3}, {2, 3}, {2, 1});
  const int a[6] = {1, 2, 3, 4, 5, 6};
  const int b[2] = {10, 100};
  int out[6];
  ApplyBroadcast(p, a, b, out, [](int x, int y) { return x * y; });
  EXPECT_EQ(V(out, out + 6), (V{10, 20, 30, 400, 500, 600}));
}

TEST(BroadcastPlanTest, ApplyBothSidedBroadcastHandComputed) {
  // [2,1] - [3] -> [2,3]; a scalar-vector inner loop under an outer odometer.
  BroadcastPlan p = MakeBroadcastPlan({2, 3}, {2, 1}, {3});
  const int a[2] = {10, 20};
  const int b[3] = {1, 2, 3};
  int out[6];
  ApplyBroadcast(p, a, b, out, [](int x, int y) { return x - y; });
  EXPECT_EQ(V(out, out + 6), (V{9, 8, 7, 19, 18, 17}));
}

}  // namespace
}  // namespace tinyq
