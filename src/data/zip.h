// src/data/zip.h - the subset of ZIP that .npz files use.
//
// Reading: end of central directory (+ zip64 locator/record), central directory entries (+ zip64
// extra fields), local headers; methods 0 (stored) and 8 (deflate); CRC-32 verified. Every offset
// and size is checked against the buffer before use, and a deflated entry may not declare more
// than MaxInflatedSize(compressed size) bytes, so a header can never make us allocate more than
// ~1000x the file. Writing: stored entries only, no zip64 (entries and archive < 4 GiB).
// Error messages do not start with a file name; callers add it.
#ifndef TINYQ_SRC_DATA_ZIP_H_
#define TINYQ_SRC_DATA_ZIP_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "tinyq/status.h"

namespace tinyq {
namespace data {

struct ZipEntry {
  std::string name;
  uint16_t flags = 0;
  uint16_t method = 0;  // 0 stored, 8 deflate
  uint32_t crc32 = 0;
  uint64_t compressed_size = 0;
  uint64_t uncompressed_size = 0;
  uint64_t local_header_offset = 0;
};

// Lists the entries of the zip archive in `bytes` (central directory order).
StatusOr<std::vector<ZipEntry>> ListZipEntries(const std::string& bytes);

// Returns the uncompressed, CRC-checked contents of `entry` (from ListZipEntries(bytes)).
StatusOr<std::string> ExtractZipEntry(const std::string& bytes, const ZipEntry& entry);

// A zip archive with the given (name, contents) files stored uncompressed.
StatusOr<std::string> BuildStoredZip(const std::vector<std::pair<std::string, std::string>>& files);

// CRC-32 (ISO-HDLC, as used by zip and gzip) of `bytes`.
uint32_t Crc32(const std::string& bytes);

}  // namespace data
}  // namespace tinyq

#endif  // TINYQ_SRC_DATA_ZIP_H_
