// src/data/byte_order.h - loading little/big-endian scalars from unaligned bytes.
#ifndef TINYQ_SRC_DATA_BYTE_ORDER_H_
#define TINYQ_SRC_DATA_BYTE_ORDER_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

namespace tinyq {
namespace data {

inline bool HostIsLittleEndian() {
  const uint16_t one = 1;
  uint8_t first;
  std::memcpy(&first, &one, 1);
  return first == 1;
}

// Reverses the bytes of one element of N bytes in place.
template <size_t N>
inline void ReverseBytes(uint8_t* p) {
  for (size_t i = 0; i < N / 2; ++i) {
    uint8_t t = p[i];
    p[i] = p[N - 1 - i];
    p[N - 1 - i] = t;
  }
}

// Loads a T stored at `p` (any alignment); `swap` reverses its bytes first (file order != host).
template <typename T>
inline T LoadScalar(const uint8_t* p, bool swap) {
  uint8_t b[sizeof(T)];
  std::memcpy(b, p, sizeof(T));
  if (swap) ReverseBytes<sizeof(T)>(b);
  T v;
  std::memcpy(&v, b, sizeof(T));
  return v;
}

inline uint16_t LoadU16LE(const uint8_t* p) { return static_cast<uint16_t>(p[0] | (p[1] << 8)); }
inline uint32_t LoadU32LE(const uint8_t* p) {
  return uint32_t{p[0]} | (uint32_t{p[1]} << 8) | (uint32_t{p[2]} << 16) | (uint32_t{p[3]} << 24);
}
inline uint64_t LoadU64LE(const uint8_t* p) {
  return uint64_t{LoadU32LE(p)} | (uint64_t{LoadU32LE(p + 4)} << 32);
}
inline uint32_t LoadU32BE(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

inline void AppendU16LE(std::string* s, uint16_t v) {
  s->push_back(static_cast<char>(v & 0xff));
  s->push_back(static_cast<char>(v >> 8));
}
inline void AppendU32LE(std::string* s, uint32_t v) {
  for (int i = 0; i < 4; ++i) s->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

}  // namespace data
}  // namespace tinyq

#endif  // TINYQ_SRC_DATA_BYTE_ORDER_H_
