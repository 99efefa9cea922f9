// The weights blob: header fields little-endian, CRCs by the runtime's tq_crc32.
#include "src/codegen/blob.h"

#include <cstdint>

#include "src/runtime/tq_blob.h"

namespace tinyq {
namespace codegen {
namespace {

void PutU32(std::string* s, size_t at, uint32_t v) {
  for (int b = 0; b < 4; ++b) (*s)[at + static_cast<size_t>(b)] = static_cast<char>(v >> (8 * b));
}

uint32_t Crc(const std::string& s, size_t from, size_t size) {
  return tq_crc32(0, reinterpret_cast<const uint8_t*>(s.data()) + from, size);
}

}  // namespace

std::string MakeWeightsBlob(const std::string& payload, const std::string& sha256) {
  std::string blob(TQ_BLOB_HEADER_SIZE, '\0');
  blob.replace(0, 4, "TQWB");
  PutU32(&blob, 4, TQ_BLOB_VERSION);
  PutU32(&blob, 8, TQ_BLOB_HEADER_SIZE);
  PutU32(&blob, 12, static_cast<uint32_t>(payload.size()));
  blob.replace(16, 32, sha256.substr(0, 32));
  blob += payload;
  PutU32(&blob, 48, Crc(blob, TQ_BLOB_HEADER_SIZE, payload.size()));
  PutU32(&blob, 60, Crc(blob, 0, 60));
  return blob;
}

std::string Sha256HexToBytes(const std::string& hex) {
  if (hex.size() != 64) return "";
  std::string out(32, '\0');
  for (size_t i = 0; i < 64; ++i) {
    const char c = hex[i];
    int v;
    if (c >= '0' && c <= '9') {
      v = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      v = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
      v = c - 'A' + 10;
    } else {
      return "";
    }
    out[i / 2] = static_cast<char>((out[i / 2] << 4) | v);
  }
  return out;
}

}  // namespace codegen
}  // namespace tinyq
