// Budget of the hand-built fixture against boards: fit, not fit (which limit, by how much).
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "tests/target/fixture.h"
#include "tinyq/target.h"

namespace tinyq {
namespace {

TEST(BudgetTest, FitsABigBoardAndReportsEstimates) {
  const std::string dir = testing::MakeTinyFixtureDir();
  BudgetRequest req;
  req.model = dir;
  req.target = "nucleo_l4r5zi";
  req.rate = "1/s";
  req.battery = "220mAh@3V";
  auto r = RunBudget(req);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_TRUE(r->fits);
  EXPECT_TRUE(r->failures.empty());
  EXPECT_EQ(r->flash_total, r->build.weights_bytes + r->build.code_bytes + r->build.data_bytes);
  EXPECT_EQ(r->ram_total, 48 + 16 + 4 + r->build.stack_bytes);
  // latency = instructions / 120 MHz; energy = 13.2 mA * 3.3 V * latency.
  EXPECT_NEAR(r->latency_ms, r->build.instructions / 120e6 * 1e3, 1e-9);
  EXPECT_NEAR(r->energy_uj, 43.56 * r->latency_ms, 1e-6);
  // 220 mAh at 3 V = 2376 J; one inference per second.
  EXPECT_NEAR(r->battery_days, 2376.0 / (r->energy_uj * 1e-6) / 86400.0, 1e-6 * r->battery_days);
  auto j = nlohmann::json::parse(BudgetToJson(*r));
  EXPECT_TRUE(j["fits"].get<bool>());
  EXPECT_EQ(j["ram"]["arena_bytes"], 48);
  EXPECT_FALSE(j["estimates"]["assumptions"].empty());
  EXPECT_NE(BudgetToText(*r).find("FITS"), std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST(BudgetTest, RamOverrideTooSmallFailsWithTheMargin) {
  const std::string dir = testing::MakeTinyFixtureDir();
  BudgetRequest req;
  req.model = dir;
  req.target = "samd21";
  req.ram = "64";
  auto r = RunBudget(req);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_FALSE(r->fits);
  ASSERT_EQ(r->failures.size(), 1u);
  EXPECT_EQ(r->failures[0].limit, "ram");
  EXPECT_EQ(r->failures[0].available, 64);
  EXPECT_EQ(r->failures[0].over_by, r->ram_total - 64);
  auto j = nlohmann::json::parse(BudgetToJson(*r));
  EXPECT_FALSE(j["fits"].get<bool>());
  EXPECT_EQ(j["failures"][0]["limit"], "ram");
  EXPECT_EQ(j["failures"][0]["over_by_bytes"], r->ram_total - 64);
  std::filesystem::remove_all(dir);
}

TEST(BudgetTest, BadRequestsAreErrors) {
  BudgetRequest req;
  req.model = ".";
  EXPECT_EQ(RunBudget(req).status().code(), StatusCode::kInvalidArgument);  // no board
  req.target = "nope";
  EXPECT_EQ(RunBudget(req).status().code(), StatusCode::kNotFound);
  req.target = "pico";
  req.flash = "lots";
  EXPECT_EQ(RunBudget(req).status().code(), StatusCode::kInvalidArgument);
  req.flash.clear();
  req.model = "/nonexistent/dir";
  EXPECT_EQ(RunBudget(req).status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace tinyq
