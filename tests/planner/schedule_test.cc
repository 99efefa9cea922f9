// Tests of src/planner/schedule.h on hand-built programs: chain, in-place, alias, residual-like
// branches (reordering), concat and diamond lifetimes.
#include "src/planner/schedule.h"

#include <gtest/gtest.h>

namespace tinyq::planner {
namespace {

struct Builder {
  std::vector<ProgramValue> values;
  std::vector<ProgramStep> steps;
  int Value(const std::string& name, int64_t bytes, bool external = false, bool input = false) {
    values.push_back({name, bytes, external, input});
    return static_cast<int>(values.size()) - 1;
  }
  ProgramStep& Step(const std::string& name, std::vector<int> reads, std::vector<int> writes) {
    steps.push_back({name, std::move(reads), std::move(writes)});
    return steps.back();
  }
  ProgramPlan Plan(bool reorder = true) {
    auto p = PlanProgram(values, steps, reorder);
    EXPECT_TRUE(p.ok()) << p.status().ToString();
    EXPECT_TRUE(CheckNoOverlap(p->buffers, p->buffer_offsets).ok());
    return std::move(p).value();
  }
};

TEST(ScheduleTest, ChainLifetimesAndBound) {
  Builder b;
  const int x = b.Value("x", 50, true, true);
  const int a = b.Value("a", 100), c = b.Value("b", 60);
  const int y = b.Value("y", 10, true);
  b.Step("conv1", {x}, {a});
  b.Step("conv2", {a}, {c}).scratch_bytes = 8;
  b.Step("fc", {c}, {y});
  const ProgramPlan p = b.Plan();
  EXPECT_EQ(p.order, (std::vector<int>{0, 1, 2}));
  ASSERT_EQ(p.buffers.size(), 3u);  // a, b, conv2 scratch (x and y are caller memory)
  EXPECT_EQ(p.buffers[0].first, 0);
  EXPECT_EQ(p.buffers[0].last, 1);
  EXPECT_EQ(p.buffers[1].first, 1);
  EXPECT_EQ(p.buffers[1].last, 2);
  EXPECT_EQ(p.lower_bound_bytes, 168);  // step 1: a + b + scratch
  EXPECT_EQ(p.arena_bytes, 168);
  EXPECT_EQ(p.value_offset[static_cast<size_t>(x)], -1);
  EXPECT_EQ(p.value_offset[static_cast<size_t>(y)], -1);
}

TEST(ScheduleTest, ElementwiseRunsInPlaceWhenItsInputDies) {
  Builder b;
  const int x = b.Value("x", 40, true, true);
  const int a = b.Value("a", 100), r = b.Value("r", 100), y = b.Value("y", 10, true);
  b.Step("conv", {x}, {a});
  b.Step("relu", {a}, {r}).inplace_input = 0;
  b.Step("fc", {r}, {y});
  const ProgramPlan p = b.Plan();
  EXPECT_TRUE(p.in_place[1]);
  EXPECT_EQ(p.value_offset[static_cast<size_t>(a)], p.value_offset[static_cast<size_t>(r)]);
  EXPECT_EQ(p.lower_bound_bytes, 100);
  EXPECT_EQ(p.arena_bytes, 100);
}

TEST(ScheduleTest, NoInPlaceWhenTheInputIsReadLater) {
  Builder b;
  const int x = b.Value("x", 40, true, true);
  const int a = b.Value("a", 100), r = b.Value("r", 100), y = b.Value("y", 100, true);
  b.Step("conv", {x}, {a});
  b.Step("relu", {a}, {r}).inplace_input = 0;
  b.Step("add", {a, r}, {y});
  const ProgramPlan p = b.Plan();
  EXPECT_FALSE(p.in_place[1]);
  EXPECT_EQ(p.lower_bound_bytes, 200);
  // Never in place onto the (read-only) graph input.
  Builder c;
  const int cx = c.Value("x", 40, true, true);
  const int cr = c.Value("r", 40, true);
  c.Step("relu", {cx}, {cr}).inplace_input = 0;
  EXPECT_FALSE(c.Plan().in_place[0]);
}

TEST(ScheduleTest, ReshapeIsAView) {
  Builder b;
  const int x = b.Value("x", 40, true, true);
  const int a = b.Value("a", 64), f = b.Value("flat", 64), y = b.Value("y", 10, true);
  b.Step("pool", {x}, {a});
  b.Step("flatten", {a}, {f}).alias_input = 0;
  b.Step("fc", {f}, {y});
  const ProgramPlan p = b.Plan();
  EXPECT_EQ(p.buffers.size(), 1u);
  EXPECT_EQ(p.buffers[0].first, 0);
  EXPECT_EQ(p.buffers[0].last, 2);
  EXPECT_EQ(p.value_offset[static_cast<size_t>(a)], p.value_offset[static_cast<size_t>(f)]);
  EXPECT_EQ(p.buffer_of_value[static_cast<size_t>(f)], 0);
  EXPECT_EQ(p.buffer_of_value[static_cast<size_t>(x)], -1);
}

// Two branches, each a big intermediate then a small result, joined by Add. The listed order
// runs both big steps back to back (t + A1 + B1 = 212 live); finishing branch A first keeps
// t + A2 + B1 = 124. (Sizes are multiples of 4: the planner rounds up to 4 bytes.)
Builder TwoBranches() {
  Builder b;
  const int x = b.Value("x", 10, true, true);
  const int t = b.Value("t", 12), a1 = b.Value("A1", 100), b1 = b.Value("B1", 100);
  const int a2 = b.Value("A2", 12), b2 = b.Value("B2", 12), y = b.Value("y", 10, true);
  b.Step("s0", {x}, {t});
  b.Step("a1", {t}, {a1});
  b.Step("b1", {t}, {b1});
  b.Step("a2", {a1}, {a2});
  b.Step("b2", {b1}, {b2});
  b.Step("add", {a2, b2}, {y});
  return b;
}

TEST(ScheduleTest, ReorderingLowersThePeakOfBranches) {
  Builder fixed = TwoBranches();
  const ProgramPlan p0 = fixed.Plan(/*reorder=*/false);
  EXPECT_EQ(p0.lower_bound_bytes, 212);
  EXPECT_EQ(p0.arena_bytes, 212);
  Builder re = TwoBranches();
  const ProgramPlan p1 = re.Plan(/*reorder=*/true);
  EXPECT_EQ(p1.order, (std::vector<int>{0, 1, 3, 2, 4, 5}));
  EXPECT_EQ(p1.lower_bound_bytes, 124);
  EXPECT_EQ(p1.arena_bytes, 124);
}

TEST(ScheduleTest, ConcatKeepsAllInputsAliveTogether) {
  Builder b;
  const int x = b.Value("x", 10, true, true);
  const int c1 = b.Value("c1", 32), c2 = b.Value("c2", 20), c3 = b.Value("c3", 40);
  const int cat = b.Value("cat", 92), y = b.Value("y", 10, true);
  b.Step("p1", {x}, {c1});
  b.Step("p2", {x}, {c2});
  b.Step("p3", {x}, {c3});
  b.Step("concat", {c1, c2, c3}, {cat});
  b.Step("fc", {cat}, {y});
  const ProgramPlan p = b.Plan();
  EXPECT_EQ(p.lower_bound_bytes, 184);  // 32 + 20 + 40 + 92 at the concat
  EXPECT_EQ(p.arena_bytes, 184);
}

TEST(ScheduleTest, DiamondInputLivesUntilItsLastReader) {
  Builder b;
  const int x = b.Value("x", 10, true, true);
  const int a = b.Value("a", 20), l = b.Value("l", 12), r = b.Value("r", 8),
            y = b.Value("y", 8, true);
  b.Step("s", {x}, {a});
  b.Step("left", {a}, {l});
  b.Step("right", {a}, {r});
  b.Step("join", {l, r}, {y});
  const ProgramPlan p = b.Plan(/*reorder=*/false);
  EXPECT_EQ(p.buffers[0].first, 0);  // a
  EXPECT_EQ(p.buffers[0].last, 2);
  EXPECT_EQ(p.buffers[1].first, 1);  // l lives until the join
  EXPECT_EQ(p.buffers[1].last, 3);
  EXPECT_EQ(p.lower_bound_bytes, 40);  // step 2: a + l + r
  EXPECT_EQ(p.arena_bytes, 40);
}

TEST(ScheduleTest, RejectsUnwrittenValuesAndDoubleWrites) {
  Builder b;
  const int a = b.Value("a", 4), y = b.Value("y", 4, true);
  b.Step("f", {a}, {y});
  EXPECT_EQ(PlanProgram(b.values, b.steps, true).status().code(), StatusCode::kInvalidArgument);
  Builder c;
  const int x = c.Value("x", 4, true, true), z = c.Value("z", 4);
  c.Step("f", {x}, {z});
  c.Step("g", {x}, {z});
  EXPECT_EQ(PlanProgram(c.values, c.steps, true).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace tinyq::planner
