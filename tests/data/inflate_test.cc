#include "src/data/inflate.h"

#include <gtest/gtest.h>

#include "src/data/zip.h"
#include "tests/data/data_test_util.h"

namespace tinyq {
namespace data {
namespace {

using testing_data::Fixture;
using testing_data::ReadBytes;

const uint8_t* U8(const std::string& s) { return reinterpret_cast<const uint8_t*>(s.data()); }

// Reads everything `src` holds when it is known to hold exactly n bytes.
std::string ReadAll(ByteSource* src, size_t n) {
  std::string out(n, '\0');
  Status s = src->Read(reinterpret_cast<uint8_t*>(&out[0]), n);
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_TRUE(src->ExpectEnd().ok());
  return out;
}

TEST(InflateTest, GzipSourceMatchesPlainFile) {
  // Python's gzip module wrote the .gz fixtures from the same bytes as the plain ones.
  for (const char* name : {"idx_u1.idx", "idx_f8.idx"}) {
    const std::string plain = ReadBytes(Fixture(name));
    const std::string gz = ReadBytes(Fixture(std::string(name) + ".gz"));
    ASSERT_TRUE(IsGzip(U8(gz), gz.size()));
    ASSERT_FALSE(IsGzip(U8(plain), plain.size()));
    auto src = MakeByteSource(U8(gz), gz.size());
    EXPECT_EQ(ReadAll(src.get(), plain.size()), plain);
  }
}

TEST(InflateTest, GzipReadsInSeveralPieces) {
  const std::string plain = ReadBytes(Fixture("idx_f8.idx"));
  const std::string gz = ReadBytes(Fixture("idx_f8.idx.gz"));
  auto src = MakeByteSource(U8(gz), gz.size());
  std::string out(plain.size(), '\0');
  for (size_t at = 0; at < plain.size(); at += 7) {
    const size_t n = std::min<size_t>(7, plain.size() - at);
    ASSERT_TRUE(src->Read(reinterpret_cast<uint8_t*>(&out[at]), n).ok());
  }
  EXPECT_EQ(out, plain);
  EXPECT_TRUE(src->ExpectEnd().ok());
}

TEST(InflateTest, ConcatenatedGzipMembersAreOneStream) {
  const std::string a = ReadBytes(Fixture("idx_u1.idx.gz")),
                    b = ReadBytes(Fixture("idx_i2.idx.gz"));
  const std::string want = ReadBytes(Fixture("idx_u1.idx")) + ReadBytes(Fixture("idx_i2.idx"));
  const std::string gz = a + b;
  auto src = MakeByteSource(U8(gz), gz.size());
  EXPECT_EQ(ReadAll(src.get(), want.size()), want);
}

TEST(InflateTest, TruncatedCorruptAndOverlongGzipFail) {
  const std::string plain = ReadBytes(Fixture("idx_f8.idx"));
  const std::string gz = ReadBytes(Fixture("idx_f8.idx.gz"));
  std::string out(plain.size() + 1, '\0');
  auto* dst = reinterpret_cast<uint8_t*>(&out[0]);

  const std::string cut = gz.substr(0, gz.size() / 2);
  auto s1 = MakeByteSource(U8(cut), cut.size());
  EXPECT_NE(s1->Read(dst, plain.size()).message().find("truncated"), std::string::npos);

  std::string bad = gz;
  for (size_t i = 10; i < 30; ++i) bad[i] = static_cast<char>(0xff);
  auto s2 = MakeByteSource(U8(bad), bad.size());
  Status r2 = s2->Read(dst, plain.size());
  EXPECT_EQ(r2.code(), StatusCode::kInvalidArgument);

  auto s3 = MakeByteSource(U8(gz), gz.size());
  ASSERT_TRUE(s3->Read(dst, plain.size() - 1).ok());
  EXPECT_NE(s3->ExpectEnd().message().find("longer"), std::string::npos);

  const std::string trailing = gz + "junk";
  auto s4 = MakeByteSource(U8(trailing), trailing.size());
  ASSERT_TRUE(s4->Read(dst, plain.size()).ok());
  EXPECT_FALSE(s4->ExpectEnd().ok());
}

// The raw deflate stream of the first entry of compressed.npz (written by numpy/zlib).
struct DeflateFixture {
  std::string bytes;
  ZipEntry entry;
  const uint8_t* data() const {
    const uint64_t lh = entry.local_header_offset;
    const auto* b = U8(bytes);
    return b + lh + 30 + (b[lh + 26] | (b[lh + 27] << 8)) + (b[lh + 28] | (b[lh + 29] << 8));
  }
};

DeflateFixture LoadDeflate() {
  DeflateFixture f{ReadBytes(Fixture("compressed_big.npz")), {}};
  f.entry = (*ListZipEntries(f.bytes))[0];
  return f;
}

TEST(InflateTest, RawInflateNeedsTheExactDeclaredSize) {
  DeflateFixture f = LoadDeflate();
  ASSERT_EQ(f.entry.method, 8);
  const size_t n = static_cast<size_t>(f.entry.uncompressed_size);
  std::string out(n + 1, '\0');
  auto* dst = reinterpret_cast<uint8_t*>(&out[0]);
  const size_t csize = static_cast<size_t>(f.entry.compressed_size);
  ASSERT_TRUE(InflateRaw(f.data(), csize, dst, n).ok());
  EXPECT_EQ(Crc32(out.substr(0, n)), f.entry.crc32);
  EXPECT_NE(InflateRaw(f.data(), csize, dst, n - 1).message().find("longer"), std::string::npos);
  EXPECT_NE(InflateRaw(f.data(), csize, dst, n + 1).message().find("declared size"),
            std::string::npos);
  EXPECT_NE(InflateRaw(f.data(), csize / 2, dst, n).message().find("truncated"), std::string::npos);
  const std::string garbage(64, '\xff');
  EXPECT_NE(InflateRaw(U8(garbage), garbage.size(), dst, n).message().find("corrupt"),
            std::string::npos);
}

TEST(InflateTest, MaxInflatedSizeCoversDeflateWorstRatio) {
  // deflate encodes at most 258 bytes per 2 bits or so: ~1032:1.
  EXPECT_GE(MaxInflatedSize(1000), 1032000u);
  EXPECT_LT(MaxInflatedSize(1024), uint64_t{4} << 30);
}

}  // namespace
}  // namespace data
}  // namespace tinyq
