// src/data/file_io.h - whole-file reads and atomic writes for the data readers/writers.
//
// Error mapping (the same for every data format):
//   - the path does not exist                      -> NotFound
//   - it exists but cannot be opened/read (a directory, no permission, read error) -> IoError
//   - the file is larger than kMaxDataFileBytes    -> InvalidArgument
// Every message starts with the path.
#ifndef TINYQ_SRC_DATA_FILE_IO_H_
#define TINYQ_SRC_DATA_FILE_IO_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "tinyq/status.h"

namespace tinyq {
namespace data {

// Upper bound for any single data file or decoded array (4 GiB). Headers that declare more are
// rejected before anything is allocated.
constexpr uint64_t kMaxDataBytes = uint64_t{1} << 32;

// Reads the whole file at `path` (at most kMaxDataBytes).
StatusOr<std::string> ReadWholeFile(const std::string& path);

// Reads at most `n` bytes from the start of `path` (fewer if the file is shorter).
StatusOr<std::string> ReadFilePrefix(const std::string& path, size_t n);

// Writes `bytes` to a temporary file in the directory of `path`, then renames it over `path`.
// On any failure returns IoError naming `path` and leaves neither `path` changed nor a temp file.
Status WriteFileAtomic(const std::string& path, const std::string& bytes);

// The outputs of one run, all or none: every (path, bytes) is first written to a temporary file
// next to its path, and only when all of them are written are they renamed into place, in order.
// A failure before the renames leaves every path unchanged and no temp file (IoError naming the
// path); a failing rename (only when the folder changes underneath) stops there.
Status WriteFilesAtomic(const std::vector<std::pair<std::string, std::string>>& files);

}  // namespace data
}  // namespace tinyq

#endif  // TINYQ_SRC_DATA_FILE_IO_H_
