#include "src/data/zip.h"

#include <gtest/gtest.h>

#include "src/data/byte_order.h"
#include "tests/data/data_test_util.h"

namespace tinyq {
namespace data {
namespace {

using testing_data::Fixture;
using testing_data::ReadBytes;

// Bitwise CRC-32 (reflected, polynomial 0xEDB88320): an independent reference for Crc32.
uint32_t NaiveCrc32(const std::string& s) {
  uint32_t c = 0xffffffffu;
  for (unsigned char ch : s) {
    c ^= ch;
    for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1u)));
  }
  return c ^ 0xffffffffu;
}

void PutU32(std::string* s, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) (*s)[at + i] = static_cast<char>((v >> (8 * i)) & 0xff);
}

TEST(ZipTest, Crc32MatchesCheckValueAndNaiveReference) {
  EXPECT_EQ(Crc32("123456789"), 0xCBF43926u);  // the published CRC-32/ISO-HDLC check value
  std::string bytes;
  for (int i = 0; i < 1000; ++i) bytes.push_back(static_cast<char>(i * 7));
  EXPECT_EQ(Crc32(bytes), NaiveCrc32(bytes));
}

TEST(ZipTest, StoredArchiveRoundTrips) {
  auto zip = BuildStoredZip({{"a.npy", "hello"}, {"b.npy", ""}, {"c", std::string(300, 'z')}});
  ASSERT_TRUE(zip.ok());
  auto entries = ListZipEntries(*zip);
  ASSERT_TRUE(entries.ok()) << entries.status().ToString();
  ASSERT_EQ(entries->size(), 3u);
  EXPECT_EQ((*entries)[0].name, "a.npy");
  EXPECT_EQ((*entries)[0].crc32, NaiveCrc32("hello"));
  EXPECT_EQ((*entries)[2].uncompressed_size, 300u);
  EXPECT_EQ(*ExtractZipEntry(*zip, (*entries)[0]), "hello");
  EXPECT_EQ(*ExtractZipEntry(*zip, (*entries)[1]), "");
  EXPECT_EQ(*ExtractZipEntry(*zip, (*entries)[2]), std::string(300, 'z'));
}

TEST(ZipTest, ReadsPythonStoredAndDeflatedEntries) {
  for (const char* name : {"stored.npz", "compressed.npz"}) {
    const std::string bytes = ReadBytes(Fixture(name));
    auto entries = ListZipEntries(bytes);
    ASSERT_TRUE(entries.ok()) << entries.status().ToString();
    ASSERT_EQ(entries->size(), 2u);
    EXPECT_EQ((*entries)[0].method, std::string(name) == "stored.npz" ? 0 : 8);
    for (const ZipEntry& e : *entries) {
      auto contents = ExtractZipEntry(bytes, e);
      ASSERT_TRUE(contents.ok()) << contents.status().ToString();
      EXPECT_EQ(contents->size(), e.uncompressed_size);
      EXPECT_EQ(contents->compare(0, 6, "\x93NUMPY"), 0);
    }
  }
}

TEST(ZipTest, Zip64ExtraFieldSuppliesSaturatedSizes) {
  // Rewrite a stored archive's central directory entry so sizes and offset live in a zip64 extra.
  const std::string payload = "zip64 payload";
  auto zip = BuildStoredZip({{"a.npy", payload}});
  ASSERT_TRUE(zip.ok());
  const size_t cd = zip->find("PK\x01\x02");
  ASSERT_NE(cd, std::string::npos);
  std::string z = zip->substr(0, cd);  // local header + data, unchanged
  std::string central = zip->substr(cd, 46 + 5);
  PutU32(&central, 20, 0xffffffffu);
  PutU32(&central, 24, 0xffffffffu);
  PutU32(&central, 42, 0xffffffffu);
  central[30] = 28;  // extra length: 4 + 3 * 8
  std::string extra = std::string("\x01\x00\x18\x00", 4);
  for (uint64_t v : {uint64_t{payload.size()}, uint64_t{payload.size()}, uint64_t{0}}) {
    for (int i = 0; i < 8; ++i) extra.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  }
  central += extra;
  std::string eocd = zip->substr(zip->size() - 22);
  PutU32(&eocd, 12, static_cast<uint32_t>(central.size()));
  PutU32(&eocd, 16, static_cast<uint32_t>(z.size()));
  z += central + eocd;
  auto entries = ListZipEntries(z);
  ASSERT_TRUE(entries.ok()) << entries.status().ToString();
  EXPECT_EQ((*entries)[0].uncompressed_size, payload.size());
  EXPECT_EQ((*entries)[0].local_header_offset, 0u);
  EXPECT_EQ(*ExtractZipEntry(z, (*entries)[0]), payload);
  // The same entry without the extra field must be refused, not read with 4 GiB sizes.
  std::string no_extra = z;
  no_extra[cd + 30] = 0;
  auto bad = ListZipEntries(no_extra);
  EXPECT_FALSE(bad.ok());
}

void PutU64(std::string* s, size_t at, uint64_t v) {
  for (int i = 0; i < 8; ++i) (*s)[at + i] = static_cast<char>((v >> (8 * i)) & 0xff);
}

TEST(ZipTest, Zip64EndOfCentralDirectoryIsUsed) {
  auto zip = BuildStoredZip({{"a.npy", "first"}, {"b.npy", "second"}});
  ASSERT_TRUE(zip.ok());
  const size_t eocd_at = zip->size() - 22;
  const size_t cd = zip->find("PK\x01\x02");
  const uint64_t cd_size = eocd_at - cd;
  std::string z = zip->substr(0, eocd_at);
  // Zip64 end of central directory record (56 bytes) + locator (20 bytes), then a classic EOCD
  // whose counts and offsets are saturated so only the zip64 record has the real values.
  const size_t rec_at = z.size();
  std::string rec(56, '\0');
  PutU32(&rec, 0, 0x06064b50);
  PutU64(&rec, 4, 44);
  PutU64(&rec, 24, 2);
  PutU64(&rec, 32, 2);
  PutU64(&rec, 40, cd_size);
  PutU64(&rec, 48, cd);
  std::string loc(20, '\0');
  PutU32(&loc, 0, 0x07064b50);
  PutU64(&loc, 8, rec_at);
  PutU32(&loc, 16, 1);
  std::string eocd = zip->substr(eocd_at);
  eocd[8] = eocd[9] = eocd[10] = eocd[11] = static_cast<char>(0xff);
  PutU32(&eocd, 12, 0xffffffffu);
  PutU32(&eocd, 16, 0xffffffffu);
  z += rec + loc + eocd;
  auto entries = ListZipEntries(z);
  ASSERT_TRUE(entries.ok()) << entries.status().ToString();
  ASSERT_EQ(entries->size(), 2u);
  EXPECT_EQ(*ExtractZipEntry(z, (*entries)[1]), "second");
  // A locator pointing at garbage is an error, not a silent fallback.
  std::string bad = z;
  PutU64(&bad, rec_at + 56 + 8, 3);
  EXPECT_NE(ListZipEntries(bad).status().message().find("zip64"), std::string::npos);
}

TEST(ZipTest, RejectsWrongCrc) {
  auto zip = BuildStoredZip({{"a.npy", "hello"}});
  ASSERT_TRUE(zip.ok());
  std::string z = *zip;
  z[30 + 5] = 'j';  // first data byte
  auto entries = ListZipEntries(z);
  ASSERT_TRUE(entries.ok());
  auto c = ExtractZipEntry(z, (*entries)[0]);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("CRC-32 mismatch"), std::string::npos);
}

TEST(ZipTest, RejectsGarbageAndMissingEndRecord) {
  EXPECT_FALSE(ListZipEntries("").ok());
  EXPECT_FALSE(ListZipEntries(std::string(100, 'x')).ok());
  auto zip = BuildStoredZip({{"a.npy", "hello"}});
  ASSERT_TRUE(zip.ok());
  std::string z = *zip;
  PutU32(&z, z.size() - 22 + 16, 0x7fffffff);  // central directory offset beyond the file
  auto e = ListZipEntries(z);
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.status().message().find("outside the file"), std::string::npos);
}

TEST(ZipTest, DeclaredSizesBeyondTheFileAreRejectedBeforeAllocating) {
  auto zip = BuildStoredZip({{"a.npy", "hello"}});
  ASSERT_TRUE(zip.ok());
  auto entries = ListZipEntries(*zip);
  ASSERT_TRUE(entries.ok());
  ZipEntry stored = (*entries)[0];
  stored.compressed_size = stored.uncompressed_size = uint64_t{4} << 30;
  auto s = ExtractZipEntry(*zip, stored);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("past the end"), std::string::npos);
  ZipEntry deflated = (*entries)[0];
  deflated.method = 8;
  deflated.uncompressed_size = uint64_t{4} << 30;  // 4 GiB from 5 compressed bytes: impossible
  auto d = ExtractZipEntry(*zip, deflated);
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.status().message().find("impossible"), std::string::npos);
}

TEST(ZipTest, RejectsUnsupportedMethodAndEncryption) {
  auto zip = BuildStoredZip({{"a.npy", "hello"}});
  ASSERT_TRUE(zip.ok());
  ZipEntry e = (*ListZipEntries(*zip))[0];
  e.method = 12;  // bzip2
  EXPECT_NE(ExtractZipEntry(*zip, e).status().message().find("method 12"), std::string::npos);
  e.method = 0;
  e.flags = 1;
  EXPECT_NE(ExtractZipEntry(*zip, e).status().message().find("encrypted"), std::string::npos);
}

}  // namespace
}  // namespace data
}  // namespace tinyq
