// src/data/inflate.h - bounded zlib decompression (raw deflate for zip, gzip for IDX).
//
// Nothing here trusts a size from a file: raw inflate writes into a caller-sized buffer and fails
// if the stream would produce more or less; the gzip reader hands out exactly the bytes asked for.
#ifndef TINYQ_SRC_DATA_INFLATE_H_
#define TINYQ_SRC_DATA_INFLATE_H_

#include <cstddef>
#include <cstdint>
#include <memory>

#include "tinyq/status.h"

namespace tinyq {
namespace data {

// Deflate's best case is about 1032:1, so a stream of n compressed bytes never inflates to more
// than MaxInflatedSize(n) bytes. Used to reject sizes a header could not honestly declare.
inline uint64_t MaxInflatedSize(uint64_t compressed) { return compressed * 1032 + 1024; }

// Inflates the raw deflate stream in[0, in_len) into out[0, out_len). Fails (InvalidArgument,
// message without a file name) unless the stream is valid, ends within the input, and produces
// exactly out_len bytes.
Status InflateRaw(const uint8_t* in, size_t in_len, uint8_t* out, size_t out_len);

// True if `bytes` start with the gzip magic 1f 8b.
inline bool IsGzip(const uint8_t* bytes, size_t len) {
  return len >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b;
}

// Sequential reader over a plain or gzip-compressed byte buffer (which must outlive it). Read
// copies/inflates straight into the destination in large chunks: no per-byte calls.
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Fills dst[0, n) or fails with InvalidArgument ("truncated ..." or "corrupt gzip ...").
  virtual Status Read(uint8_t* dst, size_t n) = 0;
  // OK if no bytes are left (trailing data is an error).
  virtual Status ExpectEnd() = 0;
  // Upper bound on the bytes this source can still produce (for sanity checks before allocating).
  virtual uint64_t MaxRemaining() const = 0;
};

// A plain source for non-gzip data and a gzip one (concatenated members allowed) otherwise.
std::unique_ptr<ByteSource> MakeByteSource(const uint8_t* bytes, size_t len);

}  // namespace data
}  // namespace tinyq

#endif  // TINYQ_SRC_DATA_INFLATE_H_
