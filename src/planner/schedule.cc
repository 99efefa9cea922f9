// Execution order, lifetimes with aliasing/in-place sharing, and the arena plan of a program.
#include "src/planner/schedule.h"

#include <algorithm>
#include <limits>
#include <numeric>

namespace tinyq {
namespace planner {
namespace {

int64_t RoundUp(int64_t v, int64_t align) { return (v + align - 1) / align * align; }

class UnionFind {
 public:
  explicit UnionFind(size_t n) : parent_(n) { std::iota(parent_.begin(), parent_.end(), 0); }
  int Find(int x) {
    while (parent_[static_cast<size_t>(x)] != x) x = parent_[static_cast<size_t>(x)];
    return x;
  }
  void Join(int keep, int other) { parent_[static_cast<size_t>(Find(other))] = Find(keep); }

 private:
  std::vector<int> parent_;
};

// Buffers of one execution order; fills everything of ProgramPlan but the offsets.
ProgramPlan Lifetimes(const std::vector<ProgramValue>& values,
                      const std::vector<ProgramStep>& steps, const std::vector<int>& order,
                      int64_t align) {
  const size_t nv = values.size();
  std::vector<int> pos_of(steps.size());
  for (size_t p = 0; p < order.size(); ++p)
    pos_of[static_cast<size_t>(order[p])] = static_cast<int>(p);
  std::vector<int> last_read(nv, -1), first_write(nv, -1);
  for (size_t s = 0; s < steps.size(); ++s) {
    for (int v : steps[s].reads)
      last_read[static_cast<size_t>(v)] = std::max(last_read[static_cast<size_t>(v)], pos_of[s]);
    for (int v : steps[s].writes) first_write[static_cast<size_t>(v)] = pos_of[s];
  }
  UnionFind uf(nv);
  std::vector<bool> external(nv), read_only(nv);
  for (size_t v = 0; v < nv; ++v) {
    external[v] = values[v].external;
    read_only[v] = values[v].read_only;
  }
  std::vector<int> group_last(last_read);  // valid at roots
  ProgramPlan plan;
  plan.order = order;
  plan.in_place.assign(steps.size(), false);
  for (size_t p = 0; p < order.size(); ++p) {
    const ProgramStep& st = steps[static_cast<size_t>(order[p])];
    if (st.writes.empty()) continue;
    const int out = st.writes[0];
    int share = -1;
    if (st.alias_input >= 0) {
      share = st.reads[static_cast<size_t>(st.alias_input)];
    } else if (st.inplace_input >= 0) {
      const int in = st.reads[static_cast<size_t>(st.inplace_input)];
      const auto r = static_cast<size_t>(uf.Find(in));
      const bool dies = group_last[r] <= static_cast<int>(p);
      const bool same = RoundUp(values[static_cast<size_t>(in)].bytes, align) ==
                        RoundUp(values[static_cast<size_t>(out)].bytes, align);
      if (dies && same && !external[r] && !read_only[r]) share = in;
    }
    if (share < 0) continue;
    if (st.alias_input < 0) plan.in_place[static_cast<size_t>(order[p])] = true;
    const auto a = static_cast<size_t>(uf.Find(share));
    const auto b = static_cast<size_t>(uf.Find(out));
    const bool ext = external[a] || external[b];
    const bool ro = read_only[a] || read_only[b];
    const int last = std::max(group_last[a], group_last[b]);
    uf.Join(static_cast<int>(a), static_cast<int>(b));
    external[a] = ext;
    read_only[a] = ro;
    group_last[a] = last;
  }
  // One buffer per non-external storage.
  std::vector<int> buffer_of_root(nv, -1);
  plan.storage_of_value.resize(nv);
  for (size_t v = 0; v < nv; ++v) {
    const auto r = static_cast<size_t>(uf.Find(static_cast<int>(v)));
    plan.storage_of_value[v] = static_cast<int>(r);
    if (external[r]) continue;
    const int first = first_write[v] >= 0 ? first_write[v] : 0;
    const int last = std::max(first, last_read[v]);
    const int64_t bytes = RoundUp(values[v].bytes, align);
    int& bi = buffer_of_root[r];
    if (bi < 0) {
      bi = static_cast<int>(plan.buffers.size());
      plan.buffers.push_back({bytes, first, last});
      plan.buffer_names.push_back(values[r].name);
    } else {
      Buffer& b = plan.buffers[static_cast<size_t>(bi)];
      b.bytes = std::max(b.bytes, bytes);
      b.first = std::min(b.first, first);
      b.last = std::max(b.last, last);
    }
  }
  plan.value_offset.assign(nv, -1);
  std::vector<int> scratch_buffer(steps.size(), -1);
  for (size_t s = 0; s < steps.size(); ++s) {
    if (steps[s].scratch_bytes <= 0) continue;
    scratch_buffer[s] = static_cast<int>(plan.buffers.size());
    plan.buffers.push_back({RoundUp(steps[s].scratch_bytes, align), pos_of[s], pos_of[s]});
    plan.buffer_names.push_back(steps[s].name + ".scratch");
  }
  plan.lower_bound_bytes = LiveSetLowerBound(plan.buffers);
  // Remember which buffer each value / scratch uses (offsets are filled by the caller).
  plan.scratch_offset.assign(steps.size(), -1);
  for (size_t s = 0; s < steps.size(); ++s) plan.scratch_offset[s] = scratch_buffer[s];
  for (size_t v = 0; v < nv; ++v)
    plan.value_offset[v] = buffer_of_root[static_cast<size_t>(plan.storage_of_value[v])];
  plan.buffer_of_value.assign(plan.value_offset.begin(), plan.value_offset.end());
  return plan;
}

// Kahn's algorithm; `pick` chooses among ready steps. Empty when there is a cycle.
template <typename Pick>
std::vector<int> TopoOrder(const std::vector<ProgramStep>& steps, const std::vector<int>& producer,
                           Pick pick) {
  std::vector<int> pending(steps.size(), 0);
  for (size_t s = 0; s < steps.size(); ++s)
    for (int v : steps[s].reads)
      if (producer[static_cast<size_t>(v)] >= 0) ++pending[s];
  std::vector<bool> done(steps.size(), false);
  std::vector<int> order;
  for (size_t n = 0; n < steps.size(); ++n) {
    std::vector<int> ready;
    for (size_t s = 0; s < steps.size(); ++s)
      if (!done[s] && pending[s] == 0) ready.push_back(static_cast<int>(s));
    if (ready.empty()) return {};
    const int s = pick(ready, done);
    done[static_cast<size_t>(s)] = true;
    order.push_back(s);
    for (int w : steps[static_cast<size_t>(s)].writes)
      for (size_t t = 0; t < steps.size(); ++t)
        for (int v : steps[t].reads)
          if (v == w) --pending[t];
  }
  return order;
}

}  // namespace

StatusOr<ProgramPlan> PlanProgram(const std::vector<ProgramValue>& values,
                                  const std::vector<ProgramStep>& steps, bool reorder,
                                  int64_t align) {
  const size_t nv = values.size();
  std::vector<int> producer(nv, -1);
  for (size_t s = 0; s < steps.size(); ++s) {
    for (int v : steps[s].writes) {
      if (v < 0 || static_cast<size_t>(v) >= nv || producer[static_cast<size_t>(v)] >= 0)
        return InvalidArgument("step '" + steps[s].name + "' writes an unknown or already " +
                               "written value");
      producer[static_cast<size_t>(v)] = static_cast<int>(s);
    }
    for (int v : steps[s].reads)
      if (v < 0 || static_cast<size_t>(v) >= nv)
        return InvalidArgument("step '" + steps[s].name + "' reads an unknown value");
  }
  for (size_t s = 0; s < steps.size(); ++s)
    for (int v : steps[s].reads)
      if (producer[static_cast<size_t>(v)] < 0 && !values[static_cast<size_t>(v)].read_only)
        return InvalidArgument("step '" + steps[s].name + "' reads '" +
                               values[static_cast<size_t>(v)].name +
                               "' which no step writes and which is not an input");
  // Candidate orders: lowest index first (the program's order when it is topological) ...
  std::vector<std::vector<int>> orders;
  orders.push_back(
      TopoOrder(steps, producer,
                [](const std::vector<int>& r, const std::vector<bool>&) { return r.front(); }));
  if (orders[0].empty()) return InvalidArgument("the steps form a cycle");
  // ... and the greedy order that keeps the fewest live bytes.
  if (reorder) {
    std::vector<int> readers_left(nv, 0);
    for (const ProgramStep& st : steps)
      for (int v : st.reads) ++readers_left[static_cast<size_t>(v)];
    orders.push_back(
        TopoOrder(steps, producer, [&](const std::vector<int>& ready, const std::vector<bool>&) {
          int best = ready.front();
          int64_t best_score = std::numeric_limits<int64_t>::max();
          for (int s : ready) {
            const ProgramStep& st = steps[static_cast<size_t>(s)];
            int64_t score = st.scratch_bytes;
            for (int w : st.writes)
              if (!values[static_cast<size_t>(w)].external && st.alias_input < 0)
                score += values[static_cast<size_t>(w)].bytes;
            for (int v : st.reads)
              if (readers_left[static_cast<size_t>(v)] == 1 &&
                  !values[static_cast<size_t>(v)].external)
                score -= values[static_cast<size_t>(v)].bytes;
            if (score < best_score) {
              best_score = score;
              best = s;
            }
          }
          for (int v : steps[static_cast<size_t>(best)].reads)
            --readers_left[static_cast<size_t>(v)];
          return best;
        }));
  }
  ProgramPlan best;
  bool have = false;
  for (const std::vector<int>& order : orders) {
    ProgramPlan p = Lifetimes(values, steps, order, align);
    if (!have || p.lower_bound_bytes < best.lower_bound_bytes) {
      best = std::move(p);
      have = true;
    }
  }
  best.buffer_offsets = PlanArena(best.buffers);
  TQ_RETURN_IF_ERROR(CheckNoOverlap(best.buffers, best.buffer_offsets));
  best.arena_bytes = ArenaSize(best.buffers, best.buffer_offsets);
  best.greedy_bytes = ArenaSize(best.buffers, PlanGreedyBySize(best.buffers));
  for (int64_t& o : best.value_offset)
    if (o >= 0) o = best.buffer_offsets[static_cast<size_t>(o)];
  for (int64_t& o : best.scratch_offset)
    if (o >= 0) o = best.buffer_offsets[static_cast<size_t>(o)];
  return best;
}

}  // namespace planner
}  // namespace tinyq
