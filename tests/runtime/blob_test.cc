// Tests of tq_blob (src/runtime/tq_blob.c): the CRC-32 against zlib and the standard check value,
// and tq_blob_open on blobs assembled byte by byte here from the layout in tq_blob.h.
#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

#include "src/runtime/tq_blob.h"

namespace {

void PutU32(std::vector<uint8_t>* b, size_t off, uint32_t v) {
  for (int i = 0; i < 4; ++i) (*b)[off + i] = static_cast<uint8_t>(v >> (8 * i));
}

uint32_t ZlibCrc(const uint8_t* p, size_t n) {
  return static_cast<uint32_t>(crc32_z(0L, p, n));
}

struct Blob {
  std::vector<uint8_t> sha = std::vector<uint8_t>(32);
  std::vector<uint8_t> payload;
  // 4-byte aligned storage for the bytes.
  std::vector<uint32_t> storage;
  size_t size = 0;
  const uint8_t* data() const { return reinterpret_cast<const uint8_t*>(storage.data()); }
  uint8_t* data() { return reinterpret_cast<uint8_t*>(storage.data()); }
};

// Header fields as the layout says; the header CRC is recomputed after `edit` changes fields.
Blob MakeBlob(size_t payload_size, uint32_t version = 1,
              void (*edit)(std::vector<uint8_t>*) = nullptr) {
  Blob blob;
  std::mt19937 rng(7);
  for (auto& s : blob.sha) s = static_cast<uint8_t>(rng());
  blob.payload.resize(payload_size);
  for (auto& p : blob.payload) p = static_cast<uint8_t>(rng());
  std::vector<uint8_t> b(64 + payload_size, 0);
  std::memcpy(b.data(), "TQWB", 4);
  PutU32(&b, 4, version);
  PutU32(&b, 8, 64);
  PutU32(&b, 12, static_cast<uint32_t>(payload_size));
  std::memcpy(b.data() + 16, blob.sha.data(), 32);
  PutU32(&b, 48, ZlibCrc(blob.payload.data(), payload_size));
  if (edit) edit(&b);
  PutU32(&b, 60, ZlibCrc(b.data(), 60));
  if (payload_size) std::memcpy(b.data() + 64, blob.payload.data(), payload_size);
  blob.storage.assign((b.size() + 3) / 4 + 1, 0);
  std::memcpy(blob.data(), b.data(), b.size());
  blob.size = b.size();
  return blob;
}

tq_status Open(const Blob& blob, size_t size, const std::vector<uint8_t>& sha, uint32_t payload,
               const uint8_t** out) {
  return tq_blob_open(blob.data(), size, sha.data(), payload, out);
}

TEST(TqCrc32Test, StandardCheckValue) {
  const char* s = "123456789";
  EXPECT_EQ(tq_crc32(0, reinterpret_cast<const uint8_t*>(s), 9), 0xCBF43926u);
  EXPECT_EQ(tq_crc32(0, nullptr, 0), 0u);
}

TEST(TqCrc32Test, MatchesZlibOnRandomDataAndContinues) {
  std::mt19937 rng(3);
  for (size_t n : {1u, 2u, 15u, 16u, 17u, 255u, 4096u, 10007u}) {
    std::vector<uint8_t> d(n);
    for (auto& x : d) x = static_cast<uint8_t>(rng());
    EXPECT_EQ(tq_crc32(0, d.data(), n), ZlibCrc(d.data(), n)) << n;
    const size_t half = n / 3;
    EXPECT_EQ(tq_crc32(tq_crc32(0, d.data(), half), d.data() + half, n - half),
              ZlibCrc(d.data(), n))
        << n;
  }
}

TEST(TqBlobTest, OpensAValidBlobAndPointsAtThePayload) {
  Blob b = MakeBlob(1000);
  const uint8_t* p = nullptr;
  ASSERT_EQ(Open(b, b.size, b.sha, 1000, &p), TQ_OK);
  ASSERT_EQ(p, b.data() + 64);
  EXPECT_EQ(std::memcmp(p, b.payload.data(), 1000), 0);
  Blob empty = MakeBlob(0);
  EXPECT_EQ(Open(empty, empty.size, empty.sha, 0, &p), TQ_OK);
}

TEST(TqBlobTest, ExtraTrailingBytesAreAccepted) {
  Blob b = MakeBlob(100);
  const uint8_t* p = nullptr;
  EXPECT_EQ(Open(b, b.size + 3, b.sha, 100, &p), TQ_OK);  // storage has the room
}

TEST(TqBlobTest, EveryFlippedPayloadOrHeaderBitIsCaught) {
  Blob b = MakeBlob(64);
  const uint8_t* p = nullptr;
  for (size_t byte = 0; byte < b.size; ++byte) {
    for (int bit = 0; bit < 8; ++bit) {
      b.data()[byte] ^= static_cast<uint8_t>(1u << bit);
      const tq_status s = Open(b, b.size, b.sha, 64, &p);
      EXPECT_TRUE(s == TQ_BLOB_CORRUPT || s == TQ_BLOB_MISMATCH) << byte << ":" << bit;
      b.data()[byte] ^= static_cast<uint8_t>(1u << bit);
    }
  }
  EXPECT_EQ(Open(b, b.size, b.sha, 64, &p), TQ_OK);
}

TEST(TqBlobTest, AnotherModelOrVersionIsAMismatch) {
  Blob b = MakeBlob(32);
  const uint8_t* p = nullptr;
  std::vector<uint8_t> other_sha = b.sha;
  other_sha[31] ^= 1;
  EXPECT_EQ(Open(b, b.size, other_sha, 32, &p), TQ_BLOB_MISMATCH);
  EXPECT_EQ(Open(b, b.size, b.sha, 36, &p), TQ_BLOB_MISMATCH);
  Blob v2 = MakeBlob(32, 2);
  EXPECT_EQ(Open(v2, v2.size, v2.sha, 32, &p), TQ_BLOB_MISMATCH);
  Blob wrong_header = MakeBlob(32, 1, [](std::vector<uint8_t>* h) { PutU32(h, 8, 128); });
  EXPECT_EQ(Open(wrong_header, wrong_header.size, wrong_header.sha, 32, &p), TQ_BLOB_MISMATCH);
  Blob magic = MakeBlob(32, 1, [](std::vector<uint8_t>* h) { (*h)[0] = 'X'; });
  EXPECT_EQ(Open(magic, magic.size, magic.sha, 32, &p), TQ_BLOB_MISMATCH);
  EXPECT_EQ(p, nullptr);
}

TEST(TqBlobTest, TruncatedBlobsAreCorrupt) {
  Blob b = MakeBlob(200);
  const uint8_t* p = nullptr;
  for (size_t n : {size_t{0}, size_t{3}, size_t{63}, size_t{64}, b.size - 1}) {
    EXPECT_EQ(Open(b, n, b.sha, 200, &p), TQ_BLOB_CORRUPT) << n;
  }
  // A header claiming more payload than the file holds (CRCs consistent) is corrupt, not read
  // past the end.
  Blob liar = MakeBlob(8, 1, [](std::vector<uint8_t>* h) { PutU32(h, 12, 4000); });
  EXPECT_EQ(Open(liar, liar.size, liar.sha, 4000, &p), TQ_BLOB_CORRUPT);
}

TEST(TqBlobTest, NullOrMisalignedArgumentsAreArgErrors) {
  Blob b = MakeBlob(16);
  const uint8_t* p = nullptr;
  EXPECT_EQ(tq_blob_open(nullptr, b.size, b.sha.data(), 16, &p), TQ_ARG_ERROR);
  EXPECT_EQ(tq_blob_open(b.data(), b.size, nullptr, 16, &p), TQ_ARG_ERROR);
  EXPECT_EQ(tq_blob_open(b.data(), b.size, b.sha.data(), 16, nullptr), TQ_ARG_ERROR);
  EXPECT_EQ(tq_blob_open(b.data() + 1, b.size - 1, b.sha.data(), 16, &p), TQ_ARG_ERROR);
}

}  // namespace
