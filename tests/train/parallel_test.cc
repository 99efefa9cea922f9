// RunChunks: every chunk runs exactly once, the call returns only after all are done, and calls
// from several threads at once (some running their chunks inline) all complete.
#include "src/train/parallel.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

namespace tinyq::train {
namespace {

TEST(RunChunksTest, EveryChunkRunsOnceAndIsDoneOnReturn) {
  for (int chunks : {1, 2, 5}) {
    for (int round = 0; round < 200; ++round) {
      std::vector<int> runs(static_cast<size_t>(chunks), 0);
      RunChunks(chunks, [&](int i) {
        if (i == chunks - 1) std::this_thread::sleep_for(std::chrono::microseconds(50));
        ++runs[static_cast<size_t>(i)];  // distinct chunks touch distinct elements
      });
      for (int r : runs) ASSERT_EQ(r, 1) << chunks << " chunks, round " << round;
    }
  }
}

TEST(RunChunksTest, ConcurrentCallersAllComplete) {
  std::atomic<int> total{0};
  std::vector<std::thread> callers;
  for (int t = 0; t < 4; ++t)
    callers.emplace_back([&] {
      for (int round = 0; round < 100; ++round) RunChunks(2, [&](int) { ++total; });
    });
  for (std::thread& c : callers) c.join();
  EXPECT_EQ(total.load(), 4 * 100 * 2);
}

}  // namespace
}  // namespace tinyq::train
