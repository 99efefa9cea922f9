// src/train/parallel.h - running a fixed set of chunks on the calling thread and one helper.
#ifndef TINYQ_SRC_TRAIN_PARALLEL_H_
#define TINYQ_SRC_TRAIN_PARALLEL_H_

#include <functional>

namespace tinyq::train {

// Calls f(i) for every chunk i in [0, chunks), on the calling thread and one long-lived helper
// thread, and returns when all calls have returned. Chunks are claimed one at a time, so when the
// helper is not scheduled in time (a loaded machine) the caller runs them all instead of waiting
// for it; the caller only waits for chunks the helper has started. Results must not depend on
// which thread runs a chunk (give each chunk its own buffers and combine them in chunk order).
// Calls from several threads at once are safe: one at a time uses the helper, the others run
// their chunks inline.
void RunChunks(int chunks, const std::function<void(int)>& f);

}  // namespace tinyq::train

#endif  // TINYQ_SRC_TRAIN_PARALLEL_H_
