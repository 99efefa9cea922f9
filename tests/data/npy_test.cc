// ReadNpy/ParseNpy/WriteNpy: fixtures written by numpy (tests/testdata/gen_data_fixtures.py),
// round trips, and a catalogue of broken files.
#include <gtest/gtest.h>

#include <functional>

#include "tests/data/data_test_util.h"
#include "tinyq/data.h"

namespace tinyq {
namespace {

using testing_data::Fixture;
using testing_data::ReadBytes;
using testing_data::TempDir;

// Element i of `t` (C order), widened.
double AtF(const Tensor& t, int64_t i) {
  return t.dtype() == DType::kF32 ? t.data<float>()[i] : t.data<double>()[i];
}
int64_t AtI(const Tensor& t, int64_t i) { return t.ToInt64Vector()[static_cast<size_t>(i)]; }

struct DTypeCase {
  std::string code;
  DType dtype;
  std::function<double(int64_t)> value;
};

std::vector<DTypeCase> AllDTypes() {
  using namespace testing_data;  // NOLINT: the formula helpers
  return {
      {"f4", DType::kF32, ValueF4},
      {"f8", DType::kF64, ValueF8},
      {"i1", DType::kS8, [](int64_t i) { return static_cast<double>(ValueI1(i)); }},
      {"u1", DType::kU8, [](int64_t i) { return static_cast<double>(ValueU1(i)); }},
      {"i2", DType::kS16, [](int64_t i) { return static_cast<double>(ValueI2(i)); }},
      {"u2", DType::kU16, [](int64_t i) { return static_cast<double>(ValueU2(i)); }},
      {"i4", DType::kS32, [](int64_t i) { return static_cast<double>(ValueI4(i)); }},
      {"u4", DType::kS64, [](int64_t i) { return static_cast<double>(ValueU4(i)); }},
      {"i8", DType::kS64, [](int64_t i) { return static_cast<double>(ValueI8(i)); }},
      {"u8", DType::kS64, [](int64_t i) { return static_cast<double>(ValueU8(i)); }},
      {"b1", DType::kBool, [](int64_t i) { return ValueB1(i) ? 1.0 : 0.0; }},
  };
}

// Checks shape, dtype and every element against the generator's formula (exact comparison: all
// formula values are exactly representable in double, and i8 values are compared as integers).
void ExpectFormula(const Tensor& t, const DTypeCase& c, const Shape& shape) {
  ASSERT_EQ(t.dtype(), c.dtype) << c.code;
  ASSERT_EQ(t.shape(), shape) << c.code;
  for (int64_t i = 0; i < t.numel(); ++i) {
    if (c.dtype == DType::kF32 || c.dtype == DType::kF64) {
      const double want = c.dtype == DType::kF32 ? static_cast<float>(c.value(i)) : c.value(i);
      EXPECT_EQ(AtF(t, i), want) << c.code << " element " << i;
    } else if (c.code == "i8") {
      EXPECT_EQ(AtI(t, i), testing_data::ValueI8(i)) << "element " << i;
    } else if (c.code == "u8") {
      EXPECT_EQ(AtI(t, i), testing_data::ValueU8(i)) << "element " << i;
    } else {
      EXPECT_EQ(AtI(t, i), static_cast<int64_t>(c.value(i))) << c.code << " element " << i;
    }
  }
}

TEST(NpyTest, ReadsEveryDTypeWrittenByNumpy) {
  for (const DTypeCase& c : AllDTypes()) {
    auto t = ReadNpy(Fixture("dtype_" + c.code + ".npy"));
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    ExpectFormula(*t, c, {2, 3, 4});
  }
}

DTypeCase Case(const std::string& code) {
  for (const DTypeCase& c : AllDTypes()) {
    if (c.code == code) return c;
  }
  ADD_FAILURE() << "no case " << code;
  return AllDTypes()[0];
}

TEST(NpyTest, FortranOrderIsConvertedToCOrder) {
  for (const char* code : {"f4", "u1", "i2", "i8", "b1"}) {
    auto t = ReadNpy(Fixture(std::string("fortran_") + code + ".npy"));
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    ExpectFormula(*t, Case(code), {2, 3, 4});
  }
  auto t2 = ReadNpy(Fixture("fortran_f8_2d.npy"));
  ASSERT_TRUE(t2.ok()) << t2.status().ToString();
  ExpectFormula(*t2, Case("f8"), {3, 5});
}

TEST(NpyTest, BigEndianIsConvertedToHostOrder) {
  for (const char* code : {"f4", "f8", "i2", "u2", "i4", "u4", "i8"}) {
    auto t = ReadNpy(Fixture(std::string("be_") + code + ".npy"));
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    ExpectFormula(*t, Case(code), {2, 3, 4});
  }
  auto bf = ReadNpy(Fixture("be_fortran_i4.npy"));
  ASSERT_TRUE(bf.ok()) << bf.status().ToString();
  ExpectFormula(*bf, Case("i4"), {2, 3, 4});
}

TEST(NpyTest, ReadsScalarEmptyAndVersion2And3Headers) {
  auto s = ReadNpy(Fixture("scalar_f8.npy"));
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->rank(), 0);
  EXPECT_EQ(s->data<double>()[0], testing_data::ValueF8(0));
  auto e = ReadNpy(Fixture("empty_f4.npy"));
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->shape(), (Shape{0, 3}));
  for (const char* v : {"v2_f4.npy", "v3_f4.npy"}) {
    auto t = ReadNpy(Fixture(v));
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    ExpectFormula(*t, Case("f4"), {2, 3, 4});
  }
}

TEST(NpyTest, WriteThenReadRoundTripsEveryDType) {
  TempDir dir;
  for (const DTypeCase& c : AllDTypes()) {
    auto src = ReadNpy(Fixture("dtype_" + c.code + ".npy"));
    ASSERT_TRUE(src.ok());
    const std::string path = dir.File(c.code + ".npy");
    ASSERT_TRUE(WriteNpy(path, *src).ok());
    const std::string bytes = ReadBytes(path);
    // numpy's layout: header (magic .. '\n') padded to a multiple of 64 bytes.
    const size_t header = 10 + (static_cast<uint8_t>(bytes[8]) | (bytes[9] << 8));
    EXPECT_EQ(header % 64, 0u);
    EXPECT_EQ(bytes[header - 1], '\n');
    EXPECT_EQ(bytes.size(), header + src->nbytes());
    auto back = ReadNpy(path);
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_EQ(back->dtype(), src->dtype());
    EXPECT_EQ(back->shape(), src->shape());
    EXPECT_EQ(std::memcmp(back->raw(), src->raw(), src->nbytes()), 0) << c.code;
  }
  EXPECT_EQ(dir.Listing().find(".tmp"), std::string::npos) << dir.Listing();
}

TEST(NpyTest, WriteIsByteIdenticalToNumpyForCOrderLittleEndian) {
  // numpy 1.24 pads version 1.0 headers to 64 bytes exactly like WriteNpy.
  TempDir dir;
  for (const char* code : {"f4", "u1", "i8", "b1"}) {
    const std::string fixture = Fixture(std::string("dtype_") + code + ".npy");
    auto t = ReadNpy(fixture);
    ASSERT_TRUE(t.ok());
    ASSERT_TRUE(WriteNpy(dir.File("out.npy"), *t).ok());
    EXPECT_EQ(ReadBytes(dir.File("out.npy")), ReadBytes(fixture)) << code;
  }
}

// ---- Broken files: every one is InvalidArgument (or NotFound/IoError) naming the file. ----

class BrokenNpyTest : public ::testing::Test {
 protected:
  // Writes `bytes` as a file and expects ReadNpy to fail with `code` and a message naming it and
  // containing `fragment`.
  void ExpectBroken(const std::string& bytes, const std::string& fragment,
                    StatusCode code = StatusCode::kInvalidArgument) {
    testing_data::ExpectBrokenFile(ReadNpy, dir_.File("broken.npy"), bytes, fragment, code);
  }
  std::string Good() { return ReadBytes(Fixture("dtype_f4.npy")); }
  // A version 1.0 file with the given header dict and data.
  static std::string WithHeader(const std::string& dict, const std::string& data) {
    std::string h = dict + "\n";
    std::string out = "\x93NUMPY\x01";
    out.push_back('\0');
    out.push_back(static_cast<char>(h.size() & 0xff));
    out.push_back(static_cast<char>(h.size() >> 8));
    return out + h + data;
  }
  TempDir dir_;
};

TEST_F(BrokenNpyTest, EmptyFile) { ExpectBroken("", "empty"); }

TEST_F(BrokenNpyTest, BadMagic) {
  std::string b = Good();
  b[1] = 'X';
  ExpectBroken(b, "bad magic");
}

TEST_F(BrokenNpyTest, TruncatedHeader) {
  ExpectBroken(Good().substr(0, 9), "truncated");
  ExpectBroken(Good().substr(0, 40), "truncated .npy header");
}

TEST_F(BrokenNpyTest, UnsupportedVersion) {
  std::string b = Good();
  b[6] = 4;
  ExpectBroken(b, "version 4.0");
}

TEST_F(BrokenNpyTest, HeaderDictMissingShape) {
  ExpectBroken(WithHeader("{'descr': '<f4', 'fortran_order': False}", std::string(4, '\0')),
               "missing key 'shape'");
}

TEST_F(BrokenNpyTest, DataShorterAndLongerThanShape) {
  std::string b = Good();
  ExpectBroken(b.substr(0, b.size() - 1), "file truncated");
  ExpectBroken(b + "xxxx", "trailing bytes");
}

TEST_F(BrokenNpyTest, UnsupportedDTypes) {
  const std::string tail = "', 'fortran_order': False, 'shape': (2,), }";
  ExpectBroken(WithHeader("{'descr': '<f2" + tail, std::string(4, '\0')), "'<f2'");
  ExpectBroken(WithHeader("{'descr': '|O" + tail, std::string(16, '\0')), "'|O'");
  ExpectBroken(WithHeader("{'descr': '<U3" + tail, std::string(24, '\0')), "'<U3'");
  ExpectBroken(WithHeader("{'descr': '|f4" + tail, std::string(8, '\0')), "'|'");
  ExpectBroken(WithHeader("{'descr': '=f4" + tail, std::string(8, '\0')), "byte order");
}

TEST_F(BrokenNpyTest, NegativeAndOverflowingShapes) {
  ExpectBroken(WithHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (-2,), }", ""),
               "negative");
  // Each dim is fine on its own; the product overflows int64 many times over.
  ExpectBroken(WithHeader("{'descr': '<f8', 'fortran_order': False, 'shape': "
                          "(4611686018427387904, 4611686018427387904), }",
                          ""),
               "too large");
  // Empty (a 0 dim), but the other dims' product would still overflow later size arithmetic.
  ExpectBroken(WithHeader("{'descr': '<f4', 'fortran_order': False, 'shape': "
                          "(0, 4611686018427387904, 4611686018427387904), }",
                          ""),
               "too large");
}

TEST_F(BrokenNpyTest, U8ValueAboveInt64MaxIsRejected) {
  std::string data(8, '\xff');
  ExpectBroken(WithHeader("{'descr': '<u8', 'fortran_order': False, 'shape': (1,), }", data),
               "does not fit in s64");
}

TEST(NpyFileTest, MissingFileIsNotFoundAndDirectoryIsIoError) {
  const std::string missing = Fixture("no_such_file.npy");
  EXPECT_FAILS_NAMING(ReadNpy(missing), StatusCode::kNotFound, missing);
  TempDir dir;
  EXPECT_FAILS_NAMING(ReadNpy(dir.path()), StatusCode::kIoError, dir.path());
}

TEST(NpyFileTest, WriteIntoMissingDirectoryIsIoErrorAndLeavesNoFile) {
  TempDir dir;
  const std::string path = dir.File("missing_dir/out.npy");
  EXPECT_FAILS_NAMING(WriteNpy(path, Tensor(DType::kF32, {2})), StatusCode::kIoError, path);
  EXPECT_EQ(dir.Listing(), "");
}

TEST(NpyFileTest, ParseNpyNamesTheGivenSource) {
  auto t = ParseNpy("garbage", "archive.npz: entry 'x.npy'");
  EXPECT_FAILS_NAMING(t, StatusCode::kInvalidArgument, "archive.npz: entry 'x.npy'");
}

}  // namespace
}  // namespace tinyq
