// ReadNpz/WriteNpz: archives written by np.savez/np.savez_compressed, round trips, broken archives.
#include <gtest/gtest.h>

#include "src/data/zip.h"
#include "tests/data/data_test_util.h"
#include "tinyq/data.h"

namespace tinyq {
namespace {

using testing_data::Fixture;
using testing_data::ReadBytes;
using testing_data::TempDir;

void PutU32(std::string* s, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) (*s)[at + i] = static_cast<char>((v >> (8 * i)) & 0xff);
}

void ExpectXY(const std::map<std::string, Tensor>& a) {
  ASSERT_EQ(a.size(), 2u);
  const Tensor& x = a.at("x");
  ASSERT_EQ(x.dtype(), DType::kF32);
  ASSERT_EQ(x.shape(), (Shape{4, 2, 3}));
  for (int64_t i = 0; i < x.numel(); ++i) {
    EXPECT_EQ(x.data<float>()[i], static_cast<float>(testing_data::ValueF4(i)));
  }
  const Tensor& y = a.at("y");
  ASSERT_EQ(y.dtype(), DType::kS64);
  EXPECT_EQ(y.ToInt64Vector(), (std::vector<int64_t>{3, 0, 2, 1}));
}

TEST(NpzTest, ReadsNumpySavezStored) {
  auto a = ReadNpz(Fixture("stored.npz"));
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  ExpectXY(*a);
}

TEST(NpzTest, ReadsNumpySavezCompressed) {
  auto a = ReadNpz(Fixture("compressed.npz"));
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  ExpectXY(*a);
  auto big = ReadNpz(Fixture("compressed_big.npz"));
  ASSERT_TRUE(big.ok()) << big.status().ToString();
  const Tensor& x = big->at("x");
  ASSERT_EQ(x.shape(), (Shape{64, 32}));
  for (int64_t i = 0; i < x.numel(); ++i) {
    ASSERT_EQ(x.data<uint8_t>()[i], testing_data::ValueU1(i)) << i;
  }
}

TEST(NpzTest, WriteThenReadRoundTrips) {
  TempDir dir;
  std::map<std::string, Tensor> arrays;
  arrays["x"] = Tensor::FromVector<float>({2, 2}, {1.5f, -2.0f, 0.0f, 3.25f});
  arrays["labels"] = Tensor::FromVector<int64_t>({2}, {9, 4});
  Tensor mask(DType::kBool, {3});
  mask.data<bool>()[0] = true;
  mask.data<bool>()[2] = true;
  arrays["mask"] = mask;
  const std::string path = dir.File("out.npz");
  ASSERT_TRUE(WriteNpz(path, arrays).ok());
  auto back = ReadNpz(path);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ASSERT_EQ(back->size(), 3u);
  for (const auto& [name, t] : arrays) {
    const Tensor& b = back->at(name);
    EXPECT_EQ(b.dtype(), t.dtype()) << name;
    EXPECT_EQ(b.shape(), t.shape()) << name;
    EXPECT_EQ(std::memcmp(b.raw(), t.raw(), t.nbytes()), 0) << name;
  }
  EXPECT_EQ(dir.Listing(), "out.npz\n");
}

TEST(NpzTest, WriteIntoMissingDirectoryIsIoError) {
  TempDir dir;
  const std::string path = dir.File("nope/out.npz");
  EXPECT_FAILS_NAMING(WriteNpz(path, {{"x", Tensor(DType::kU8, {3})}}), StatusCode::kIoError, path);
  EXPECT_EQ(dir.Listing(), "");
}

class BrokenNpzTest : public ::testing::Test {
 protected:
  void ExpectBroken(const std::string& bytes, const std::string& fragment) {
    testing_data::ExpectBrokenFile(ReadNpz, dir_.File("broken.npz"), bytes, fragment);
  }
  TempDir dir_;
};

TEST_F(BrokenNpzTest, EmptyAndNotAZip) {
  ExpectBroken("", "empty");
  ExpectBroken(std::string(200, 'a'), "not a zip archive");
}

TEST_F(BrokenNpzTest, TruncatedArchive) {
  const std::string z = ReadBytes(Fixture("stored.npz"));
  ExpectBroken(z.substr(0, z.size() - 30), "not a zip archive");
}

TEST_F(BrokenNpzTest, WrongCrcInStoredEntry) {
  std::string z = ReadBytes(Fixture("stored.npz"));
  const size_t cd = z.find("PK\x01\x02");
  ASSERT_NE(cd, std::string::npos);
  z[cd + 16] = static_cast<char>(z[cd + 16] ^ 0x55);  // stored CRC of the first entry
  ExpectBroken(z, "CRC-32 mismatch");
}

TEST_F(BrokenNpzTest, DeflateGarbage) {
  std::string z = ReadBytes(Fixture("compressed.npz"));
  // The first entry's deflate data follows its local header (30 bytes + name + extra).
  const size_t data = 30 + (z[26] | (z[27] << 8)) + (z[28] | (z[29] << 8));
  for (size_t i = data; i < data + 40; ++i) z[i] = static_cast<char>(0xff);
  ExpectBroken(z, "entry 'x.npy'");
}

TEST_F(BrokenNpzTest, EntryDeclaringFourGigabytesInASmallFile) {
  std::string z = ReadBytes(Fixture("compressed.npz"));
  ASSERT_LT(z.size(), 1024u);
  const size_t cd = z.find("PK\x01\x02");
  PutU32(&z, cd + 24, 0xfffffff0u);  // uncompressed size ~4 GiB (deflated entry)
  ExpectBroken(z, "impossible");
  std::string s = ReadBytes(Fixture("stored.npz"));
  const size_t scd = s.find("PK\x01\x02");
  PutU32(&s, scd + 20, 0xfffffff0u);  // compressed size ~4 GiB (stored entry)
  PutU32(&s, scd + 24, 0xfffffff0u);
  ExpectBroken(s, "past the end");
}

TEST_F(BrokenNpzTest, EntryThatIsNotNpy) {
  std::string z = ReadBytes(Fixture("stored.npz"));
  const size_t cd = z.find("PK\x01\x02");
  z[cd + 46 + 2] = 't';  // "x.npy" -> "x.tpy" in the central directory
  ExpectBroken(z, "is not a .npy file");
}

TEST_F(BrokenNpzTest, BrokenNpyInsideNamesArchiveAndEntry) {
  auto zip = data::BuildStoredZip({{"x.npy", "not an array"}});
  ASSERT_TRUE(zip.ok());
  ExpectBroken(*zip, "entry 'x.npy': not a .npy file (bad magic");
}

TEST_F(BrokenNpzTest, DuplicateArrayName) {
  auto zip = data::BuildStoredZip({{"x.npy", ReadBytes(Fixture("dtype_f4.npy"))},
                                   {"x.npy", ReadBytes(Fixture("dtype_f4.npy"))}});
  ASSERT_TRUE(zip.ok());
  ExpectBroken(*zip, "duplicate array 'x'");
}

TEST(NpzFileTest, MissingFileIsNotFound) {
  const std::string path = Fixture("missing.npz");
  EXPECT_FAILS_NAMING(ReadNpz(path), StatusCode::kNotFound, path);
}

}  // namespace
}  // namespace tinyq
