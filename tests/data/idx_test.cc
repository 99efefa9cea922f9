// ReadIdx: plain and gzip IDX fixtures of every type, a tiny MNIST-like file, the real
// Fashion-MNIST files from Debian's dataset-fashion-mnist, and broken files.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "tests/data/data_test_util.h"
#include "tinyq/data.h"

namespace tinyq {
namespace {

using testing_data::Fixture;
using testing_data::ReadBytes;
using testing_data::TempDir;

const char kFashion[] = "/usr/share/datasets/fashion-mnist/";

TEST(IdxTest, ReadsEveryTypePlainAndGzip) {
  using namespace testing_data;  // NOLINT: formula helpers
  for (const char* suffix : {".idx", ".idx.gz"}) {
    auto u1 = ReadIdx(Fixture(std::string("idx_u1") + suffix));
    auto i1 = ReadIdx(Fixture(std::string("idx_i1") + suffix));
    auto i2 = ReadIdx(Fixture(std::string("idx_i2") + suffix));
    auto i4 = ReadIdx(Fixture(std::string("idx_i4") + suffix));
    auto f4 = ReadIdx(Fixture(std::string("idx_f4") + suffix));
    auto f8 = ReadIdx(Fixture(std::string("idx_f8") + suffix));
    for (auto* t : {&u1, &i1, &i2, &i4, &f4, &f8}) {
      ASSERT_TRUE(t->ok()) << t->status().ToString();
      ASSERT_EQ((*t)->shape(), (Shape{3, 4}));
    }
    EXPECT_EQ(u1->dtype(), DType::kU8);
    EXPECT_EQ(i1->dtype(), DType::kS8);
    EXPECT_EQ(i2->dtype(), DType::kS16);
    EXPECT_EQ(i4->dtype(), DType::kS32);
    EXPECT_EQ(f4->dtype(), DType::kF32);
    EXPECT_EQ(f8->dtype(), DType::kF64);
    for (int64_t i = 0; i < 12; ++i) {
      EXPECT_EQ(u1->data<uint8_t>()[i], ValueU1(i));
      EXPECT_EQ(i1->data<int8_t>()[i], ValueI1(i));
      EXPECT_EQ(i2->data<int16_t>()[i], ValueI2(i));
      EXPECT_EQ(i4->data<int32_t>()[i], ValueI4(i));
      EXPECT_EQ(f4->data<float>()[i], static_cast<float>(ValueF4(i)));
      EXPECT_EQ(f8->data<double>()[i], ValueF8(i));
    }
  }
}

TEST(IdxTest, ReadsTinyMnistLikePair) {
  auto images = ReadIdx(Fixture("mini-images-idx3-ubyte.gz"));
  ASSERT_TRUE(images.ok()) << images.status().ToString();
  ASSERT_EQ(images->shape(), (Shape{3, 28, 28}));
  for (int k = 0; k < 3; ++k) {
    for (int r = 0; r < 28; ++r) {
      for (int c = 0; c < 28; ++c) {
        ASSERT_EQ(images->data<uint8_t>()[(k * 28 + r) * 28 + c], (50 * k + 9 * r + c) % 256);
      }
    }
  }
  auto labels = ReadIdx(Fixture("mini-labels-idx1-ubyte.gz"));
  ASSERT_TRUE(labels.ok()) << labels.status().ToString();
  EXPECT_EQ(labels->ToInt64Vector(), (std::vector<int64_t>{7, 2, 1}));
}

TEST(IdxTest, RealFashionMnistTestLabelsAreBalanced) {
  auto labels = ReadIdx(std::string(kFashion) + "t10k-labels-idx1-ubyte.gz");
  ASSERT_TRUE(labels.ok()) << labels.status().ToString();
  ASSERT_EQ(labels->shape(), (Shape{10000}));
  std::vector<int> count(10, 0);
  for (int64_t v : labels->ToInt64Vector()) {
    ASSERT_GE(v, 0);
    ASSERT_LT(v, 10);
    ++count[static_cast<size_t>(v)];
  }
  for (int c = 0; c < 10; ++c) EXPECT_EQ(count[static_cast<size_t>(c)], 1000) << "class " << c;
}

TEST(IdxTest, RealFashionMnistTrainImagesHaveMnistShape) {
  auto images = ReadIdx(std::string(kFashion) + "train-images-idx3-ubyte.gz");
  ASSERT_TRUE(images.ok()) << images.status().ToString();
  EXPECT_EQ(images->dtype(), DType::kU8);
  EXPECT_EQ(images->shape(), (Shape{60000, 28, 28}));
  // Not a blank buffer: real images use the full 0..255 range.
  const uint8_t* p = images->data<uint8_t>();
  uint8_t lo = 255, hi = 0;
  for (int64_t i = 0; i < images->numel(); ++i) {
    lo = std::min(lo, p[i]);
    hi = std::max(hi, p[i]);
  }
  EXPECT_EQ(lo, 0);
  EXPECT_EQ(hi, 255);
}

class BrokenIdxTest : public ::testing::Test {
 protected:
  void ExpectBroken(const std::string& bytes, const std::string& fragment) {
    testing_data::ExpectBrokenFile(ReadIdx, dir_.File("broken.idx"), bytes, fragment);
  }
  TempDir dir_;
};

TEST_F(BrokenIdxTest, EmptyBadMagicAndTypeCode) {
  ExpectBroken("", "empty");
  ExpectBroken(std::string("\x01\x00\x08\x01\x00\x00\x00\x01x", 9), "two zero bytes");
  ExpectBroken(std::string("\x00\x00\x07\x01\x00\x00\x00\x01x", 9), "type code 7");
  ExpectBroken(std::string("\x00\x00\x08\x00", 4), "rank is 0");
}

TEST_F(BrokenIdxTest, TruncatedHeaderAndData) {
  const std::string good = ReadBytes(Fixture("idx_i4.idx"));
  ExpectBroken(good.substr(0, 6), "IDX header");
  ExpectBroken(good.substr(0, good.size() - 1), "file truncated");
  ExpectBroken(good + "x", "longer than shape");
}

TEST_F(BrokenIdxTest, TruncatedAndOverlongGzip) {
  const std::string gz = ReadBytes(Fixture("mini-images-idx3-ubyte.gz"));
  ExpectBroken(gz.substr(0, gz.size() - 12), "truncated");
  // Header of the first gzip file plus data of another: declared dims no longer match.
  const std::string labels = ReadBytes(Fixture("mini-labels-idx1-ubyte.gz"));
  ExpectBroken(labels + gz, "longer than shape");
}

TEST_F(BrokenIdxTest, HugeDimsInTinyFileAreRejectedBeforeAllocating) {
  // 3 x 65535 x 65535 u8 = 12 GiB declared by a 16-byte file.
  ExpectBroken(std::string("\x00\x00\x08\x03\x00\x00\x00\x03\x00\x00\xff\xff\x00\x00\xff\xff", 16),
               "needs more data");
  // 1 GiB declared by a ~60-byte gzip file: more than deflate could ever expand it to.
  const std::string gz = ReadBytes(Fixture("huge-dims-idx1-ubyte.gz"));
  ASSERT_LT(gz.size(), 1024u);
  ExpectBroken(gz, "needs more data");
}

// Found by fuzz_idx: a 0 dim made the byte count 0, so [0xffffffef, 0xff000000, 0] passed and
// the element count of the two large dims overflowed int64 (UBSan). Empty, but refused.
TEST_F(BrokenIdxTest, ZeroDimDoesNotHideOverflowingDims) {
  ExpectBroken(std::string("\x00\x00\x0d\x03\xff\xff\xff\xef\xff\x00\x00\x00\x00\x00\x00\x00", 16),
               "needs more data");
}

TEST(IdxFileTest, MissingFileIsNotFound) {
  const std::string path = Fixture("missing-idx1-ubyte");
  EXPECT_FAILS_NAMING(ReadIdx(path), StatusCode::kNotFound, path);
}

}  // namespace
}  // namespace tinyq
