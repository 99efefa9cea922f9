// src/target/toolchain.h - running the cross tools (arm-none-eabi-*, qemu-system-arm) as child
// processes, with clear errors when one is missing.
#ifndef TINYQ_SRC_TARGET_TOOLCHAIN_H_
#define TINYQ_SRC_TARGET_TOOLCHAIN_H_

#include <string>
#include <vector>

#include "tinyq/status.h"

namespace tinyq::target {

// Full path of `tool` on PATH, or FailedPrecondition "TOOL not found on PATH: install the Debian
// package PACKAGE (apt-get install PACKAGE)".
StatusOr<std::string> FindTool(const std::string& tool, const std::string& debian_package);

struct CommandResult {
  int exit_code = 0;  // the child's exit status; 124 when `timeout` stopped it
  bool timed_out = false;
  std::string output;  // stdout and stderr, interleaved
};

// Runs argv (no shell interpretation of the arguments) with stdout+stderr captured, killed after
// `timeout_s` seconds when > 0 (coreutils timeout). IoError when it cannot be started.
StatusOr<CommandResult> RunCommand(const std::vector<std::string>& argv, int timeout_s = 0);

// A fresh directory under $TMPDIR (or /tmp), "tinyq-<tag>-XXXXXX".
StatusOr<std::string> MakeTempDir(const std::string& tag);
void RemoveTree(const std::string& dir);  // best effort

Status WriteTextFile(const std::string& path, const std::string& text);

}  // namespace tinyq::target

#endif  // TINYQ_SRC_TARGET_TOOLCHAIN_H_
