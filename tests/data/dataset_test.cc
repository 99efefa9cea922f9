// ReadDataset: format detection by content, x/y contract of .npz datasets, label checks.
#include <gtest/gtest.h>

#include <random>

#include "tests/data/data_test_util.h"
#include "tinyq/data.h"

namespace tinyq {
namespace {

using testing_data::Fixture;
using testing_data::ReadBytes;
using testing_data::TempDir;
using testing_data::WriteBytes;

TEST(DatasetTest, NpzWithLabels) {
  for (const char* name : {"stored.npz", "compressed.npz"}) {
    auto ds = ReadDataset(Fixture(name));
    ASSERT_TRUE(ds.ok()) << ds.status().ToString();
    EXPECT_EQ(ds->x.shape(), (Shape{4, 2, 3}));
    ASSERT_TRUE(ds->has_labels);
    EXPECT_EQ(ds->y.dtype(), DType::kS64);
    EXPECT_EQ(ds->y.ToInt64Vector(), (std::vector<int64_t>{3, 0, 2, 1}));
  }
}

TEST(DatasetTest, Uint8LabelsAreWidenedToS64) {
  auto ds = ReadDataset(Fixture("y_uint8.npz"));
  ASSERT_TRUE(ds.ok()) << ds.status().ToString();
  ASSERT_TRUE(ds->has_labels);
  EXPECT_EQ(ds->y.dtype(), DType::kS64);
  EXPECT_EQ(ds->y.ToInt64Vector(), (std::vector<int64_t>{3, 0, 2, 1}));
}

TEST(DatasetTest, NpzWithoutLabelsNpyAndIdxGiveXOnly) {
  TempDir dir;
  const std::string path = dir.File("x_only.npz");
  ASSERT_TRUE(WriteNpz(path, {{"x", Tensor(DType::kF32, {5, 2})}}).ok());
  auto npz = ReadDataset(path);
  ASSERT_TRUE(npz.ok()) << npz.status().ToString();
  EXPECT_FALSE(npz->has_labels);
  EXPECT_EQ(npz->x.shape(), (Shape{5, 2}));

  auto npy = ReadDataset(Fixture("dtype_u1.npy"));
  ASSERT_TRUE(npy.ok()) << npy.status().ToString();
  EXPECT_FALSE(npy->has_labels);
  EXPECT_EQ(npy->x.shape(), (Shape{2, 3, 4}));

  for (const char* idx : {"mini-images-idx3-ubyte.gz", "idx_f4.idx"}) {
    auto ds = ReadDataset(Fixture(idx));
    ASSERT_TRUE(ds.ok()) << ds.status().ToString();
    EXPECT_FALSE(ds->has_labels);
  }
  EXPECT_EQ(ReadDataset(Fixture("mini-images-idx3-ubyte.gz"))->x.shape(), (Shape{3, 28, 28}));
}

TEST(DatasetTest, FormatIsDetectedByContentNotName) {
  TempDir dir;
  const std::string path = dir.File("actually_npy.npz");
  WriteBytes(path, ReadBytes(Fixture("dtype_i2.npy")));
  auto ds = ReadDataset(path);
  ASSERT_TRUE(ds.ok()) << ds.status().ToString();
  EXPECT_EQ(ds->x.dtype(), DType::kS16);
}

class BrokenDatasetTest : public ::testing::Test {
 protected:
  // Writes an .npz with the given arrays and expects ReadDataset to fail naming it.
  void ExpectBroken(const std::map<std::string, Tensor>& arrays, const std::string& fragment) {
    const std::string path = dir_.File("broken.npz");
    ASSERT_TRUE(WriteNpz(path, arrays).ok());
    ExpectBrokenFile(path, fragment);
  }
  void ExpectBrokenFile(const std::string& path, const std::string& fragment) {
    auto ds = ReadDataset(path);
    EXPECT_FAILS_NAMING(ds, StatusCode::kInvalidArgument, path);
    EXPECT_NE(ds.status().message().find(fragment), std::string::npos) << ds.status().ToString();
  }
  TempDir dir_;
};

TEST_F(BrokenDatasetTest, MissingX) {
  ExpectBroken({{"images", Tensor(DType::kF32, {2})}}, "no array 'x' in the .npz (arrays: images)");
}

TEST_F(BrokenDatasetTest, LabelsWithWrongLength) {
  ExpectBroken({{"x", Tensor(DType::kF32, {4, 2})}, {"y", Tensor(DType::kS64, {3})}},
               "labels 'y' have shape [3], expected [4]");
}

TEST_F(BrokenDatasetTest, LabelsThatAreNot1D) {
  ExpectBroken({{"x", Tensor(DType::kF32, {4, 2})}, {"y", Tensor(DType::kS64, {4, 1})}},
               "have shape [4,1]");
}

TEST_F(BrokenDatasetTest, FloatAndBoolLabels) {
  ExpectBroken({{"x", Tensor(DType::kF32, {2, 2})}, {"y", Tensor(DType::kF32, {2})}},
               "must be integers, got f32");
  ExpectBroken({{"x", Tensor(DType::kF32, {2, 2})}, {"y", Tensor(DType::kBool, {2})}},
               "must be integers, got bool");
}

TEST_F(BrokenDatasetTest, NegativeLabels) {
  ExpectBroken(
      {{"x", Tensor(DType::kF32, {3, 2})}, {"y", Tensor::FromVector<int32_t>({3}, {1, -4, 0})}},
      "label y[1] = -4 is negative");
}

TEST_F(BrokenDatasetTest, ScalarX) {
  ExpectBroken({{"x", Tensor(DType::kF32, {})}}, "leading N dimension");
}

TEST_F(BrokenDatasetTest, EmptyAndUnknownFiles) {
  const std::string empty = dir_.File("empty.npz");
  WriteBytes(empty, "");
  ExpectBrokenFile(empty, "empty");
  const std::string text = dir_.File("data.csv");
  WriteBytes(text, "1,2,3\n");
  ExpectBrokenFile(text, "unrecognised dataset format");
}

// Seeded random corruptions (byte flips, truncations, insertions) of every format: each read
// either succeeds or fails with InvalidArgument naming the file; never a crash or another code.
// Run under ASan/UBSan to catch out-of-bounds reads (done for the initial commit).
TEST(DatasetFuzzTest, CorruptedFilesFailCleanly) {
  TempDir dir;
  std::mt19937 rng(20261125);
  const std::string path = dir.File("mutant");
  int failures = 0;
  for (const char* name : {"stored.npz", "compressed.npz", "fortran_f8_2d.npy", "be_i4.npy",
                           "idx_i2.idx", "mini-labels-idx1-ubyte.gz", "idx_f8.idx.gz"}) {
    const std::string good = ReadBytes(Fixture(name));
    for (int trial = 0; trial < 300; ++trial) {
      std::string b = good;
      const int edits = 1 + static_cast<int>(rng() % 4);
      for (int e = 0; e < edits && !b.empty(); ++e) {
        const size_t at = rng() % b.size();
        switch (rng() % 4) {
          case 0:
            b[at] = static_cast<char>(rng());
            break;
          case 1:
            b[at] = static_cast<char>(b[at] ^ (1 << (rng() % 8)));
            break;
          case 2:
            b.resize(at);
            break;
          default:
            b.insert(at, 1, static_cast<char>(rng()));
            break;
        }
      }
      WriteBytes(path, b);
      auto ds = ReadDataset(path);
      if (ds.ok()) continue;
      ++failures;
      ASSERT_EQ(ds.status().code(), StatusCode::kInvalidArgument)
          << name << " trial " << trial << ": " << ds.status().ToString();
      ASSERT_EQ(ds.status().message().rfind(path, 0), 0u) << ds.status().ToString();
    }
  }
  EXPECT_GT(failures, 1000);  // most corruptions must be detected
}

TEST(DatasetFileTest, MissingFileIsNotFoundDirectoryIsIoError) {
  const std::string missing = Fixture("missing.npz");
  EXPECT_FAILS_NAMING(ReadDataset(missing), StatusCode::kNotFound, missing);
  TempDir dir;
  EXPECT_FAILS_NAMING(ReadDataset(dir.path()), StatusCode::kIoError, dir.path());
}

}  // namespace
}  // namespace tinyq
