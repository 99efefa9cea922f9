// tinyq/interrupt.h - Ctrl-C (SIGINT) and SIGTERM stop the CLI cleanly, leaving no partial output.
//
// Every output is written under a temporary name and renamed into place (WriteFileAtomic, and the
// temp directories of multi-file outputs); while it exists, a TempPathGuard registers it. The CLI
// calls InstallInterruptHandler() first thing in main(): the signals are then blocked in every
// thread and one watcher thread waits for them; on a signal it removes every registered temporary
// path, prints "tinyq: interrupted" and exits with 130 (SIGINT) or 143 (SIGTERM). A final output
// only ever appears by an atomic rename, so after an interrupt each output is either complete or
// absent.
#ifndef TINYQ_INTERRUPT_H_
#define TINYQ_INTERRUPT_H_

#include <string>

namespace tinyq {

// Registers a temporary file or directory for removal on interrupt, for its lifetime.
class TempPathGuard {
 public:
  explicit TempPathGuard(std::string path);
  ~TempPathGuard();
  TempPathGuard(const TempPathGuard&) = delete;
  TempPathGuard& operator=(const TempPathGuard&) = delete;

 private:
  std::string path_;
};

// Call before any other thread starts (the signal mask is inherited). Idempotent.
void InstallInterruptHandler();

// The exit codes after an interrupt.
inline constexpr int kExitInterrupted = 130;
inline constexpr int kExitTerminated = 143;

}  // namespace tinyq

#endif  // TINYQ_INTERRUPT_H_
