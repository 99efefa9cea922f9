// src/planner/arena.h - placing buffers with known lifetimes into one arena.
//
// A buffer is (bytes, first step, last step), both steps inclusive. Two buffers conflict when
// their lifetimes intersect; conflicting buffers must not share bytes. Planners return one byte
// offset per buffer; the arena size is max(offset + bytes).
//
// Lower bound: at every step the buffers alive then are all distinct, so no plan can beat
//   LB = max over steps s of sum { bytes(b) : first(b) <= s <= last(b) }.
// PlanArena searches for a plan of exactly LB (a depth-first search over left/right-justified
// positions, largest buffers first, with a node budget) and falls back to the better of two
// greedy plans when the budget runs out. PlanGreedyBySize is TFLite Micro's GreedyMemoryPlanner
// strategy (largest first, each at the lowest offset that fits among already placed conflicting
// buffers), reported for comparison.
#ifndef TINYQ_SRC_PLANNER_ARENA_H_
#define TINYQ_SRC_PLANNER_ARENA_H_

#include <cstdint>
#include <string>
#include <vector>

#include "tinyq/status.h"

namespace tinyq {
namespace planner {

struct Buffer {
  int64_t bytes = 0;
  int first = 0;  // first step the buffer is alive (written)
  int last = 0;   // last step it is alive (read), >= first
};

// max over steps of the sum of live buffer sizes (0 for no buffers).
int64_t LiveSetLowerBound(const std::vector<Buffer>& buffers);

// max(offset + bytes) (0 for no buffers).
int64_t ArenaSize(const std::vector<Buffer>& buffers, const std::vector<int64_t>& offsets);

// TFLM-style greedy: largest first (ties: earlier first step), first fit.
std::vector<int64_t> PlanGreedyBySize(const std::vector<Buffer>& buffers);

// Greedy in order of first use (ties: larger first), first fit.
std::vector<int64_t> PlanGreedyByFirstUse(const std::vector<Buffer>& buffers);

// The plan used for code generation: the lower bound when the search finds it within
// `node_budget` search nodes, else the smaller greedy plan.
std::vector<int64_t> PlanArena(const std::vector<Buffer>& buffers, int64_t node_budget = 200000);

// OK when no two buffers with intersecting lifetimes share a byte and every offset is >= 0;
// else Internal naming the two buffers (by index) and their ranges.
Status CheckNoOverlap(const std::vector<Buffer>& buffers, const std::vector<int64_t>& offsets);

}  // namespace planner
}  // namespace tinyq

#endif  // TINYQ_SRC_PLANNER_ARENA_H_
