#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "tinyq/target.h"

namespace tinyq {
namespace {

TEST(BoardsTest, BuiltinProfilesAreCompleteAndBuildable) {
  const auto& cores = BuildableCores();
  ASSERT_GE(BuiltinBoards().size(), 9u);
  for (const BoardProfile& b : BuiltinBoards()) {
    EXPECT_FALSE(b.id.empty());
    EXPECT_GT(b.flash_bytes, 0) << b.id;
    EXPECT_GT(b.ram_bytes, 0) << b.id;
    EXPECT_GT(b.clock_hz, 0) << b.id;
    EXPECT_GT(b.active_power_mw, 0) << b.id;
    EXPECT_FALSE(b.source.empty()) << b.id;
    EXPECT_NE(std::find(cores.begin(), cores.end(), b.build_core), cores.end()) << b.id;
  }
}

TEST(BoardsTest, CoversTheIssueBoards) {
  // The issue's list, with the datasheet memory sizes.
  EXPECT_EQ(FindBoard("nano33ble")->ram_bytes, 256 * 1024);
  EXPECT_EQ(FindBoard("nucleo_l4r5zi")->ram_bytes, 640 * 1024);
  EXPECT_EQ(FindBoard("nucleo_l4r5zi")->flash_bytes, 2 * 1024 * 1024);
  EXPECT_EQ(FindBoard("stm32f746_disco")->core, "cortex-m7");
  EXPECT_EQ(FindBoard("nucleo_h7a3zi")->core, "cortex-m7");
  EXPECT_EQ(FindBoard("pico")->ram_bytes, 264 * 1024);
  EXPECT_EQ(FindBoard("sparkfun_edge")->core, "cortex-m4");
  EXPECT_EQ(FindBoard("nrf5340")->core, "cortex-m33");
  auto tiny = FindBoard("samd21");
  EXPECT_EQ(tiny->core, "cortex-m0plus");
  EXPECT_LE(tiny->ram_bytes, 32 * 1024);
}

TEST(BoardsTest, Esp32UsesALabelledProxyCore) {
  auto b = FindBoard("esp32s3");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->core, "xtensa-lx7");
  EXPECT_EQ(b->build_core, "cortex-m4");
  auto j = nlohmann::json::parse(BoardsToJson({*b}));
  EXPECT_TRUE(j["boards"][0]["proxy_core"].get<bool>());
  EXPECT_NE(BoardsToText({*b}).find("proxy"), std::string::npos);
}

TEST(BoardsTest, UnknownBoardIsNotFoundListingKnownIds) {
  auto b = FindBoard("arduino_uno");
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.status().code(), StatusCode::kNotFound);
  EXPECT_NE(b.status().message().find("nucleo_l4r5zi"), std::string::npos);
}

TEST(BoardsTest, JsonListsEveryBoard) {
  auto j = nlohmann::json::parse(BoardsToJson(BuiltinBoards()));
  EXPECT_EQ(j["format"], "tinyq.targets");
  EXPECT_EQ(j["boards"].size(), BuiltinBoards().size());
  EXPECT_EQ(j["boards"][1]["flash_bytes"], BuiltinBoards()[1].flash_bytes);
}

}  // namespace
}  // namespace tinyq
