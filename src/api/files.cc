// WriteFileAtomic / WriteFilesAtomic: every tinyq output is written to a temp file in the same
// folder and renamed, so a failed or interrupted run never leaves a half-written file under the
// requested name. One implementation: data::WriteFileAtomic (src/data/file_io.cc).
#include "src/data/file_io.h"
#include "tinyq/api.h"

namespace tinyq {

Status WriteFileAtomic(const std::string& path, const std::string& contents) {
  return data::WriteFileAtomic(path, contents);
}

Status WriteFilesAtomic(const std::vector<std::pair<std::string, std::string>>& files) {
  return data::WriteFilesAtomic(files);
}

}  // namespace tinyq
