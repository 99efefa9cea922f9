// InstallInterruptHandler / TempPathGuard: see tinyq/interrupt.h.
#include "tinyq/interrupt.h"

#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <mutex>
#include <set>
#include <thread>

namespace tinyq {
namespace {

std::mutex& RegistryMutex() {
  static std::mutex m;
  return m;
}

std::multiset<std::string>& Registry() {
  static std::multiset<std::string> paths;
  return paths;
}

// Removes every registered path. Other threads may still be writing into a registered
// directory, so removal is retried a few times.
void RemoveRegistered() {
  std::lock_guard<std::mutex> lock(RegistryMutex());
  for (const std::string& p : Registry()) {
    for (int attempt = 0; attempt < 5; ++attempt) {
      std::error_code ec;
      std::filesystem::remove_all(p, ec);
      if (!std::filesystem::exists(p, ec)) break;
    }
  }
}

void WatchSignals(sigset_t set) {
  int sig = 0;
  while (sigwait(&set, &sig) != 0) {
  }
  RemoveRegistered();
  static const char kMsg[] = "\ntinyq: interrupted; partial outputs removed\n";
  (void)!write(STDERR_FILENO, kMsg, sizeof(kMsg) - 1);
  _exit(sig == SIGTERM ? kExitTerminated : kExitInterrupted);
}

}  // namespace

TempPathGuard::TempPathGuard(std::string path) : path_(std::move(path)) {
  std::lock_guard<std::mutex> lock(RegistryMutex());
  Registry().insert(path_);
}

TempPathGuard::~TempPathGuard() {
  std::lock_guard<std::mutex> lock(RegistryMutex());
  auto it = Registry().find(path_);
  if (it != Registry().end()) Registry().erase(it);
}

void InstallInterruptHandler() {
  static std::once_flag once;
  std::call_once(once, [] {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    std::thread(WatchSignals, set).detach();
  });
}

}  // namespace tinyq
