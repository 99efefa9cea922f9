#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "tinyq/target.h"

namespace tinyq {
namespace {

constexpr const char* kGood =
    R"({"name": "my_l476", "core": "cortex-m4", "clock_mhz": 80, "flash_kb": 1024,
        "ram_kb": 128, "active_power_mw": 30, "mcu": "STM32L476RG", "source": "DS10198"})";

TEST(BoardProfileTest, ParsesAGoodProfile) {
  auto b = ParseBoardProfileJson(kGood, "p.json");
  ASSERT_TRUE(b.ok()) << b.status().message();
  EXPECT_EQ(b->id, "my_l476");
  EXPECT_EQ(b->core, "cortex-m4");
  EXPECT_EQ(b->build_core, "cortex-m4");
  EXPECT_EQ(b->clock_hz, 80e6);
  EXPECT_EQ(b->flash_bytes, 1024 * 1024);
  EXPECT_EQ(b->ram_bytes, 128 * 1024);
  EXPECT_EQ(b->active_power_mw, 30);
  EXPECT_EQ(b->mcu, "STM32L476RG");
}

TEST(BoardProfileTest, PowerIsOptional) {
  auto b = ParseBoardProfileJson(
      R"({"name": "x", "core": "cortex-m0plus", "clock_mhz": 48, "flash_kb": 64, "ram_kb": 8})",
      "p.json");
  ASSERT_TRUE(b.ok()) << b.status().message();
  EXPECT_EQ(b->active_power_mw, 0);
}

struct BadCase {
  const char* json;
  const char* expected;  // part of the message, after "p.json: "
};

TEST(BoardProfileTest, RejectsBadProfilesNamingFileAndField) {
  const BadCase cases[] = {
      {R"({"core": "cortex-m4", "clock_mhz": 80, "flash_kb": 1, "ram_kb": 1})", "'name'"},
      {R"({"name": "x", "clock_mhz": 80, "flash_kb": 1, "ram_kb": 1})", "'core'"},
      {R"({"name": "x", "core": "xtensa", "clock_mhz": 80, "flash_kb": 1, "ram_kb": 1})",
       "unknown core 'xtensa'"},
      {R"({"name": "x", "core": "cortex-m4", "flash_kb": 1, "ram_kb": 1})",
       "field 'clock_mhz' is missing"},
      {R"({"name": "x", "core": "cortex-m4", "clock_mhz": 80, "flash_kb": -5, "ram_kb": 1})",
       "field 'flash_kb' must be > 0"},
      {R"({"name": "x", "core": "cortex-m4", "clock_mhz": 80, "flash_kb": 1, "ram_kb": 0})",
       "field 'ram_kb' must be > 0"},
      {R"({"name": "x", "core": "cortex-m4", "clock_mhz": "fast", "flash_kb": 1, "ram_kb": 1})",
       "field 'clock_mhz' must be a number"},
      {R"({"name": "x", "core": "cortex-m4", "clock_mhz": 80, "flash_kb": 1, "ram_kb": 1,
           "ram_kib": 2})",
       "unknown field 'ram_kib'"},
      {R"({"name": "x", "core": "cortex-m4", "clock_mhz": 80, "flash_kb": 1, "ram_kb": 1,
           "active_power_mw": -1})",
       "field 'active_power_mw' must be > 0"},
      {R"([1, 2])", "must be a JSON object"},
      {R"({"name": )", "not valid JSON"},
      // Sizes beyond a 32-bit address space (and far beyond int64 bytes) are refused.
      {R"({"name": "x", "core": "cortex-m4", "clock_mhz": 80, "flash_kb": 1e300, "ram_kb": 1})",
       "field 'flash_kb' must be at most 4194304, got 1e+300"},
      {R"({"name": "x", "core": "cortex-m4", "clock_mhz": 80, "flash_kb": 1, "ram_kb": 4194305})",
       "field 'ram_kb' must be at most 4194304"},
  };
  for (const BadCase& c : cases) {
    auto b = ParseBoardProfileJson(c.json, "p.json");
    ASSERT_FALSE(b.ok()) << c.json;
    EXPECT_EQ(b.status().code(), StatusCode::kInvalidArgument) << c.json;
    EXPECT_EQ(b.status().message().rfind("p.json: ", 0), 0u) << b.status().message();
    EXPECT_NE(b.status().message().find(c.expected), std::string::npos)
        << b.status().message() << " lacks " << c.expected;
  }
}

TEST(BoardProfileTest, LoadsFromFileAndReportsMissingFile) {
  const std::string path = std::filesystem::temp_directory_path() / "tinyq_profile_test.json";
  {
    std::ofstream out(path);
    out << kGood;
  }
  auto b = LoadBoardProfile(path);
  ASSERT_TRUE(b.ok()) << b.status().message();
  EXPECT_EQ(b->ram_bytes, 128 * 1024);
  std::remove(path.c_str());
  auto missing = LoadBoardProfile(path);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find(path), std::string::npos);
}

TEST(BoardProfileTest, ParsesSizesRatesAndBatteries) {
  EXPECT_EQ(*ParseByteSize("256K", "--ram"), 262144);
  EXPECT_EQ(*ParseByteSize("256KB", "--ram"), 262144);
  EXPECT_EQ(*ParseByteSize("1M", "--flash"), 1048576);
  EXPECT_EQ(*ParseByteSize("32768", "--ram"), 32768);
  for (const char* bad : {"", "-1K", "0", "12Q", "K", "1e30", "4097M", "inf"}) {
    auto s = ParseByteSize(bad, "--ram");
    ASSERT_FALSE(s.ok()) << bad;
    EXPECT_NE(s.status().message().find("--ram"), std::string::npos);
  }
  EXPECT_EQ(*ParseByteSize("4096M", "--flash"), int64_t{4} << 30);  // the largest accepted
  EXPECT_NE(ParseByteSize("1e30", "--flash").status().message().find("more than 4 GiB"),
            std::string::npos);
  EXPECT_DOUBLE_EQ(*ParseRate("1/s"), 1.0);
  EXPECT_DOUBLE_EQ(*ParseRate("30/min"), 0.5);
  EXPECT_DOUBLE_EQ(*ParseRate("36/h"), 0.01);
  EXPECT_DOUBLE_EQ(*ParseRate("2"), 2.0);
  for (const char* bad : {"0/s", "1/day", "x/s", "-1/s"}) EXPECT_FALSE(ParseRate(bad).ok()) << bad;
  auto bat = ParseBattery("220mAh@3V");
  ASSERT_TRUE(bat.ok());
  EXPECT_DOUBLE_EQ(bat->first, 220);
  EXPECT_DOUBLE_EQ(bat->second, 3);
  for (const char* bad : {"220mAh", "220@3V", "0mAh@3V", "220mAh@0V", "220mAh@3"}) {
    auto b = ParseBattery(bad);
    ASSERT_FALSE(b.ok()) << bad;
    EXPECT_NE(b.status().message().find("--battery"), std::string::npos);
  }
}

}  // namespace
}  // namespace tinyq
