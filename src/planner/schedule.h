// src/planner/schedule.h - execution order, buffer lifetimes and in-place sharing of a program
// of steps, then the arena plan (src/planner/arena.h) of the resulting buffers.
//
// A program is what codegen lowers a graph into: values (activations with a byte size; graph
// inputs/outputs live in caller memory and are "external") and steps that read and write values
// and may need scratch. A step may declare
//   - alias_input k:   its output 0 is a view of input k (Reshape/Flatten/Squeeze: same bytes);
//   - inplace_input k: its output 0 may overwrite input k when input k dies at this step
//                      (elementwise ops with equal sizes: LUT, Add, float BatchNormalization).
// Values joined this way form one storage; a storage lives from the first step writing any of
// its values to the last step reading any of them (external storages are not planned).
//
// Reordering: among several topological orders (the program's own order, and a greedy one that
// at each step runs the ready step keeping the fewest live bytes) the one with the smallest
// live-set lower bound is chosen; the arena plan then tries to reach that bound exactly.
#ifndef TINYQ_SRC_PLANNER_SCHEDULE_H_
#define TINYQ_SRC_PLANNER_SCHEDULE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "src/planner/arena.h"
#include "tinyq/status.h"

namespace tinyq {
namespace planner {

struct ProgramValue {
  std::string name;
  int64_t bytes = 0;
  bool external = false;   // graph input/output: caller memory
  bool read_only = false;  // graph input: never written in place
};

struct ProgramStep {
  std::string name;
  std::vector<int> reads;   // value ids
  std::vector<int> writes;  // value ids
  int64_t scratch_bytes = 0;
  int alias_input = -1;    // index into reads
  int inplace_input = -1;  // index into reads
};

struct ProgramPlan {
  std::vector<int> order;               // step ids in execution order
  std::vector<int> storage_of_value;    // value id -> storage id
  std::vector<int64_t> value_offset;    // arena offset of each value (-1: external)
  std::vector<int> buffer_of_value;     // index into buffers (-1: external)
  std::vector<int64_t> scratch_offset;  // per step id (-1: no scratch)
  std::vector<bool> in_place;           // per step id: output shares an input's storage
  std::vector<Buffer> buffers;          // planned buffers (storages, then scratch)
  std::vector<std::string> buffer_names;
  std::vector<int64_t> buffer_offsets;
  int64_t arena_bytes = 0;
  int64_t lower_bound_bytes = 0;
  int64_t greedy_bytes = 0;
};

// Sizes are rounded up to `align` bytes before planning (offsets stay multiples of it).
// InvalidArgument when the steps do not form a DAG over the values (a value read before any
// step writes it and not external-input, or written twice).
StatusOr<ProgramPlan> PlanProgram(const std::vector<ProgramValue>& values,
                                  const std::vector<ProgramStep>& steps, bool reorder,
                                  int64_t align = 4);

}  // namespace planner
}  // namespace tinyq

#endif  // TINYQ_SRC_PLANNER_SCHEDULE_H_
