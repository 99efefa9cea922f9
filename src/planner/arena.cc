// Arena placement: lower bound, greedy planners, the exact-fit search and the overlap checker.
#include "src/planner/arena.h"

#include <algorithm>
#include <numeric>

namespace tinyq {
namespace planner {
namespace {

bool Conflict(const Buffer& a, const Buffer& b) { return a.first <= b.last && b.first <= a.last; }

// Lowest offset >= 0 at which `b` fits next to the already placed conflicting buffers.
int64_t FirstFit(const std::vector<Buffer>& buffers, const std::vector<int64_t>& offsets,
                 const std::vector<bool>& placed, size_t i) {
  std::vector<std::pair<int64_t, int64_t>> taken;  // [begin, end)
  for (size_t j = 0; j < buffers.size(); ++j)
    if (placed[j] && Conflict(buffers[i], buffers[j]))
      taken.emplace_back(offsets[j], offsets[j] + buffers[j].bytes);
  std::sort(taken.begin(), taken.end());
  int64_t at = 0;
  for (const auto& t : taken) {
    if (t.first >= at + buffers[i].bytes) break;
    at = std::max(at, t.second);
  }
  return at;
}

std::vector<int64_t> PlanInOrder(const std::vector<Buffer>& buffers,
                                 const std::vector<size_t>& order) {
  std::vector<int64_t> offsets(buffers.size(), 0);
  std::vector<bool> placed(buffers.size(), false);
  for (size_t i : order) {
    offsets[i] = FirstFit(buffers, offsets, placed, i);
    placed[i] = true;
  }
  return offsets;
}

// Depth-first search for a plan within `limit` bytes. Buffers are placed in `order`; each
// tries the offsets where it touches the arena's ends or a placed conflicting buffer.
class ExactSearch {
 public:
  ExactSearch(const std::vector<Buffer>& buffers, int64_t limit, int64_t budget,
              std::vector<size_t> order)
      : b_(buffers),
        limit_(limit),
        budget_(budget),
        order_(std::move(order)),
        offsets_(buffers.size(), 0),
        placed_(buffers.size(), false) {}
  bool Run() { return Place(0); }
  const std::vector<int64_t>& offsets() const { return offsets_; }

 private:
  bool Fits(size_t i, int64_t at) const {
    if (at < 0 || at + b_[i].bytes > limit_) return false;
    for (size_t j = 0; j < b_.size(); ++j)
      if (placed_[j] && Conflict(b_[i], b_[j]) && at < offsets_[j] + b_[j].bytes &&
          offsets_[j] < at + b_[i].bytes)
        return false;
    return true;
  }
  bool Place(size_t k) {
    if (k == order_.size()) return true;
    if (--budget_ < 0) return false;
    const size_t i = order_[k];
    std::vector<int64_t> cands = {0, limit_ - b_[i].bytes};
    for (size_t j = 0; j < b_.size(); ++j)
      if (placed_[j] && Conflict(b_[i], b_[j])) {
        cands.push_back(offsets_[j] + b_[j].bytes);
        cands.push_back(offsets_[j] - b_[i].bytes);
      }
    std::sort(cands.begin(), cands.end());
    cands.erase(std::unique(cands.begin(), cands.end()), cands.end());
    for (int64_t at : cands) {
      if (!Fits(i, at)) continue;
      offsets_[i] = at;
      placed_[i] = true;
      if (Place(k + 1)) return true;
      placed_[i] = false;
      if (budget_ < 0) return false;
    }
    return false;
  }

  const std::vector<Buffer>& b_;
  int64_t limit_;
  int64_t budget_;
  std::vector<size_t> order_;
  std::vector<int64_t> offsets_;
  std::vector<bool> placed_;
};

}  // namespace

int64_t LiveSetLowerBound(const std::vector<Buffer>& buffers) {
  int last_step = -1;
  for (const Buffer& b : buffers) last_step = std::max(last_step, b.last);
  int64_t best = 0;
  for (int s = 0; s <= last_step; ++s) {
    int64_t live = 0;
    for (const Buffer& b : buffers)
      if (b.first <= s && s <= b.last) live += b.bytes;
    best = std::max(best, live);
  }
  return best;
}

int64_t ArenaSize(const std::vector<Buffer>& buffers, const std::vector<int64_t>& offsets) {
  int64_t size = 0;
  for (size_t i = 0; i < buffers.size(); ++i) size = std::max(size, offsets[i] + buffers[i].bytes);
  return size;
}

std::vector<int64_t> PlanGreedyBySize(const std::vector<Buffer>& buffers) {
  std::vector<size_t> order(buffers.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t x, size_t y) {
    if (buffers[x].bytes != buffers[y].bytes) return buffers[x].bytes > buffers[y].bytes;
    return buffers[x].first < buffers[y].first;
  });
  return PlanInOrder(buffers, order);
}

std::vector<int64_t> PlanGreedyByFirstUse(const std::vector<Buffer>& buffers) {
  std::vector<size_t> order(buffers.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t x, size_t y) {
    if (buffers[x].first != buffers[y].first) return buffers[x].first < buffers[y].first;
    return buffers[x].bytes > buffers[y].bytes;
  });
  return PlanInOrder(buffers, order);
}

std::vector<int64_t> PlanArena(const std::vector<Buffer>& buffers, int64_t node_budget) {
  // Two search orders: largest first (few big buffers decide the layout), and by first use,
  // larger first on ties (conflicts are local in time, so backtracking stays shallow on chains).
  std::vector<size_t> by_size(buffers.size());
  std::iota(by_size.begin(), by_size.end(), 0);
  std::vector<size_t> by_time = by_size;
  std::stable_sort(by_size.begin(), by_size.end(),
                   [&](size_t x, size_t y) { return buffers[x].bytes > buffers[y].bytes; });
  std::stable_sort(by_time.begin(), by_time.end(), [&](size_t x, size_t y) {
    if (buffers[x].first != buffers[y].first) return buffers[x].first < buffers[y].first;
    return buffers[x].bytes > buffers[y].bytes;
  });
  for (const std::vector<size_t>* order : {&by_time, &by_size}) {
    ExactSearch search(buffers, LiveSetLowerBound(buffers), node_budget, *order);
    if (search.Run()) return search.offsets();
  }
  std::vector<int64_t> a = PlanGreedyBySize(buffers);
  std::vector<int64_t> b = PlanGreedyByFirstUse(buffers);
  return ArenaSize(buffers, a) <= ArenaSize(buffers, b) ? a : b;
}

Status CheckNoOverlap(const std::vector<Buffer>& buffers, const std::vector<int64_t>& offsets) {
  if (offsets.size() != buffers.size())
    return Internal("plan has " + std::to_string(offsets.size()) + " offsets for " +
                    std::to_string(buffers.size()) + " buffers");
  for (size_t i = 0; i < buffers.size(); ++i) {
    if (offsets[i] < 0) return Internal("buffer " + std::to_string(i) + " has a negative offset");
    for (size_t j = i + 1; j < buffers.size(); ++j) {
      if (!Conflict(buffers[i], buffers[j]) || buffers[i].bytes == 0 || buffers[j].bytes == 0)
        continue;
      if (offsets[i] < offsets[j] + buffers[j].bytes && offsets[j] < offsets[i] + buffers[i].bytes)
        return Internal("buffers " + std::to_string(i) + " [" + std::to_string(offsets[i]) + ", " +
                        std::to_string(offsets[i] + buffers[i].bytes) + ") and " +
                        std::to_string(j) + " [" + std::to_string(offsets[j]) + ", " +
                        std::to_string(offsets[j] + buffers[j].bytes) +
                        ") are alive together and overlap");
    }
  }
  return Status::Ok();
}

}  // namespace planner
}  // namespace tinyq
