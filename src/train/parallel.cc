// src/train/parallel.cc - RunChunks: a caller + one helper thread claiming chunks under a mutex.
//
// The helper sleeps on a condition variable. A call publishes the job (function, chunk count,
// next chunk) and wakes it; both threads claim chunks with next++ under the mutex and run them
// unlocked. The call returns once every claimed chunk is done; it then clears the job, so a helper
// that wakes late finds nothing to do and never touches a finished call's function.
#include "src/train/parallel.h"

#include <condition_variable>
#include <mutex>
#include <thread>

namespace tinyq::train {
namespace {

class Helper {
 public:
  Helper() : thread_([this] { Loop(); }) {}
  ~Helper() {
    {
      std::lock_guard<std::mutex> lock(m_);
      stop_ = true;
    }
    wake_.notify_one();
    thread_.join();
  }

  void Run(int chunks, const std::function<void(int)>& f) {
    std::unique_lock<std::mutex> lock(m_);
    job_ = &f;
    chunks_ = chunks;
    next_ = 0;
    done_ = 0;
    wake_.notify_one();
    while (next_ < chunks_) {
      const int i = next_++;
      lock.unlock();
      f(i);
      lock.lock();
      ++done_;
    }
    finished_.wait(lock, [this] { return done_ == chunks_; });
    job_ = nullptr;
  }

  std::mutex call;  // one call at a time uses the helper

 private:
  void Loop() {
    std::unique_lock<std::mutex> lock(m_);
    for (;;) {
      wake_.wait(lock, [this] { return stop_ || (job_ != nullptr && next_ < chunks_); });
      if (stop_) return;
      const std::function<void(int)>* f = job_;
      const int i = next_++;
      lock.unlock();
      (*f)(i);
      lock.lock();
      ++done_;
      finished_.notify_one();
    }
  }

  std::mutex m_;
  std::condition_variable wake_, finished_;
  const std::function<void(int)>* job_ = nullptr;
  int chunks_ = 0, next_ = 0, done_ = 0;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace

void RunChunks(int chunks, const std::function<void(int)>& f) {
  static Helper helper;
  std::unique_lock<std::mutex> busy(helper.call, std::try_to_lock);
  if (chunks < 2 || !busy.owns_lock()) {
    for (int i = 0; i < chunks; ++i) f(i);
    return;
  }
  helper.Run(chunks, f);
}

}  // namespace tinyq::train
