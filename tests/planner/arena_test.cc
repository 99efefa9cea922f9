// Tests of src/planner/arena.h: lower bound, greedy planners, exact-fit search, overlap checker.
#include "src/planner/arena.h"

#include <gtest/gtest.h>

namespace tinyq::planner {
namespace {

TEST(ArenaTest, LowerBoundIsTheLargestLiveSum) {
  // step 0: 10, step 1: 10 + 20, step 2: 20 + 5, step 3: 5.
  const std::vector<Buffer> b = {{10, 0, 1}, {20, 1, 2}, {5, 2, 3}};
  EXPECT_EQ(LiveSetLowerBound(b), 30);
  EXPECT_EQ(LiveSetLowerBound({}), 0);
}

TEST(ArenaTest, ChainReachesTheLowerBound) {
  const std::vector<Buffer> b = {{100, 0, 1}, {60, 1, 2}, {80, 2, 3}, {30, 3, 4}};
  const std::vector<int64_t> off = PlanArena(b);
  ASSERT_TRUE(CheckNoOverlap(b, off).ok());
  EXPECT_EQ(ArenaSize(b, off), 160);  // max(100+60, 60+80, 80+30)
}

// Largest-first greedy puts A and B at 0, C above A, and D must go above C: 3 + 2 + 2 = 7.
// The lower bound is 5 (steps 0 and 2) and is reachable: B at 2, D at 0, A at 0, C at 3.
TEST(ArenaTest, GreedyBySizeCanMissTheBoundTheSearchFinds) {
  const std::vector<Buffer> b = {{3, 0, 0}, {3, 2, 2}, {2, 0, 1}, {2, 1, 2}};
  EXPECT_EQ(LiveSetLowerBound(b), 5);
  const std::vector<int64_t> greedy = PlanGreedyBySize(b);
  ASSERT_TRUE(CheckNoOverlap(b, greedy).ok());
  EXPECT_EQ(ArenaSize(b, greedy), 7);
  const std::vector<int64_t> best = PlanArena(b);
  ASSERT_TRUE(CheckNoOverlap(b, best).ok());
  EXPECT_EQ(ArenaSize(b, best), 5);
}

TEST(ArenaTest, ExhaustedSearchFallsBackToAValidGreedyPlan) {
  const std::vector<Buffer> b = {{3, 0, 0}, {3, 2, 2}, {2, 0, 1}, {2, 1, 2}};
  const std::vector<int64_t> off = PlanArena(b, /*node_budget=*/1);
  EXPECT_TRUE(CheckNoOverlap(b, off).ok());
  EXPECT_GE(ArenaSize(b, off), 5);
}

TEST(ArenaTest, OverlapCheckerRejectsSharedBytesOfLiveBuffers) {
  const std::vector<Buffer> b = {{10, 0, 1}, {10, 1, 2}};
  const Status s = CheckNoOverlap(b, {0, 5});
  EXPECT_EQ(s.code(), StatusCode::kInternal);
  EXPECT_NE(s.message().find("overlap"), std::string::npos);
  EXPECT_TRUE(CheckNoOverlap(b, {0, 10}).ok());
  // Disjoint lifetimes may share bytes.
  EXPECT_TRUE(CheckNoOverlap({{10, 0, 0}, {10, 1, 1}}, {0, 0}).ok());
  EXPECT_FALSE(CheckNoOverlap(b, {0}).ok());
  EXPECT_FALSE(CheckNoOverlap(b, {-1, 10}).ok());
}

}  // namespace
}  // namespace tinyq::planner
