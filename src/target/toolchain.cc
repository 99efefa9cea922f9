#include "src/target/toolchain.h"

#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace tinyq::target {

StatusOr<std::string> FindTool(const std::string& tool, const std::string& debian_package) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "/usr/bin:/bin");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    if (dir.empty()) continue;
    const std::string candidate = dir + "/" + tool;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return FailedPrecondition(tool + " not found on PATH: install the Debian package " +
                            debian_package + " (apt-get install " + debian_package + ")");
}

namespace {
// Single-quotes `s` for /bin/sh.
std::string Quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}
}  // namespace

StatusOr<CommandResult> RunCommand(const std::vector<std::string>& argv, int timeout_s) {
  std::string cmd;
  if (timeout_s > 0) cmd = "timeout --kill-after=5 " + std::to_string(timeout_s) + " ";
  for (const std::string& a : argv) cmd += Quote(a) + " ";
  cmd += "2>&1 </dev/null";
  FILE* pipe = ::popen(cmd.c_str(), "r");
  if (pipe == nullptr) return IoError("cannot start " + (argv.empty() ? cmd : argv[0]));
  CommandResult r;
  char buf[4096];
  size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof(buf), pipe)) > 0) r.output.append(buf, n);
  const int status = ::pclose(pipe);
  if (status == -1) return IoError("waiting for " + argv[0] + " failed");
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.timed_out = timeout_s > 0 && (r.exit_code == 124 || r.exit_code == 137);
  return r;
}

StatusOr<std::string> MakeTempDir(const std::string& tag) {
  const char* tmp = std::getenv("TMPDIR");
  std::string templ = std::string(tmp && *tmp ? tmp : "/tmp") + "/tinyq-" + tag + "-XXXXXX";
  std::vector<char> buf(templ.begin(), templ.end());
  buf.push_back('\0');
  if (::mkdtemp(buf.data()) == nullptr) return IoError(templ + ": cannot create temp dir");
  return std::string(buf.data());
}

void RemoveTree(const std::string& dir) {
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

Status WriteTextFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  out.close();
  if (!out) return IoError(path + ": write failed");
  return Status::Ok();
}

}  // namespace tinyq::target
