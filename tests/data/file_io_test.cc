#include "src/data/file_io.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "tests/data/data_test_util.h"

namespace tinyq {
namespace data {
namespace {

using testing_data::ReadBytes;
using testing_data::TempDir;
using testing_data::WriteBytes;

TEST(FileIoTest, AtomicWriteReplacesFileAndLeavesNoTemp) {
  TempDir dir;
  const std::string path = dir.File("a.bin");
  WriteBytes(path, "old contents");
  ASSERT_TRUE(WriteFileAtomic(path, std::string("new\0bytes", 9)).ok());
  EXPECT_EQ(ReadBytes(path), std::string("new\0bytes", 9));
  EXPECT_EQ(dir.Listing(), "a.bin\n");
  struct stat st;
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_NE(st.st_mode & S_IRGRP, 0u) << "written files must not stay 0600 like the temp file";
}

TEST(FileIoTest, FailedWriteIsIoErrorAndKeepsTheOldFile) {
  TempDir dir;
  // The "directory" is a regular file, so no temp file can be created in it.
  const std::string blocker = dir.File("blocker");
  WriteBytes(blocker, "x");
  const std::string path = blocker + "/out.bin";
  Status s = WriteFileAtomic(path, "data");
  EXPECT_EQ(s.code(), StatusCode::kIoError);
  EXPECT_EQ(s.message().rfind(path, 0), 0u) << s.message();
  // Renaming over a directory fails after the temp file was written: it must be cleaned up.
  const std::string subdir = dir.File("sub");
  ASSERT_EQ(mkdir(subdir.c_str(), 0755), 0);
  ASSERT_EQ(mkdir((subdir + "/target").c_str(), 0755), 0);
  WriteBytes(subdir + "/target/keep", "k");
  Status r = WriteFileAtomic(subdir + "/target", "data");
  EXPECT_EQ(r.code(), StatusCode::kIoError);
  EXPECT_EQ(ReadBytes(subdir + "/target/keep"), "k");
  EXPECT_EQ(dir.Listing(), "blocker\nsub\n");
  EXPECT_EQ(testing_data::ListDir(subdir), "target\n");
}

TEST(FileIoTest, ReadsWholeFileAndPrefix) {
  TempDir dir;
  const std::string path = dir.File("f");
  WriteBytes(path, "0123456789");
  EXPECT_EQ(*ReadWholeFile(path), "0123456789");
  EXPECT_EQ(*ReadFilePrefix(path, 4), "0123");
  EXPECT_EQ(*ReadFilePrefix(path, 40), "0123456789");
}

TEST(FileIoTest, MissingIsNotFoundAndDirectoryIsIoError) {
  TempDir dir;
  EXPECT_EQ(ReadWholeFile(dir.File("nope")).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(ReadWholeFile(dir.File("nope/deeper")).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(ReadWholeFile(dir.path()).status().code(), StatusCode::kIoError);
  EXPECT_EQ(ReadFilePrefix(dir.path(), 4).status().code(), StatusCode::kIoError);
}

}  // namespace
}  // namespace data
}  // namespace tinyq
