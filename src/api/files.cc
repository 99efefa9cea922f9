// WriteFileAtomic: every tinyq output is written to a temp file in the same folder and renamed,
// so a failed or interrupted run never leaves a half-written file under the requested name.
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "tinyq/api.h"

namespace tinyq {

Status WriteFileAtomic(const std::string& path, const std::string& contents) {
  std::string tmp = path + ".tmp-" + std::to_string(::getpid());
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  if (!f) return IoError(path + ": cannot write: " + std::strerror(errno));
  bool ok = std::fwrite(contents.data(), 1, contents.size(), f) == contents.size();
  ok = (std::fclose(f) == 0) && ok;
  if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    std::remove(tmp.c_str());
    return IoError(path + ": cannot write: " + std::strerror(err));
  }
  return Status::Ok();
}

}  // namespace tinyq
