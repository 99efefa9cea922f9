// Tests of CheckReport (src/api/report_check.cc) and its renderings: hand-written reports with
// known numbers, each check's pass/fail boundary, requested checks skipped for lack of figures,
// and malformed-report errors naming file + field.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "tinyq/report.h"

namespace tinyq {
namespace {

std::string WriteTemp(const std::string& name, const std::string& text) {
  const std::string path = std::string(TINYQ_BINARY_DIR) + "/report_check_test_" + name;
  std::ofstream(path) << text;
  return path;
}

// A report with the given metric and footprint (negative = field absent).
std::string Report(const std::string& name, double flt, double int8, double flash, double ram,
                   double flash_limit = -1, double ram_limit = -1,
                   const std::string& metric = "top1", bool higher = true) {
  std::string fp =
      "\"flash_bytes\": " + std::to_string(flash) + ", \"ram_bytes\": " + std::to_string(ram);
  if (flash_limit >= 0) fp += ", \"flash_limit_bytes\": " + std::to_string(flash_limit);
  if (ram_limit >= 0) fp += ", \"ram_limit_bytes\": " + std::to_string(ram_limit);
  return WriteTemp(name, std::string("{\"format\": \"tinyq.report\", \"version\": 1, ") +
                             "\"verb\": \"shrink\", \"metric\": {\"name\": \"" + metric +
                             "\", \"higher_is_better\": " + (higher ? "true" : "false") +
                             ", \"float\": " + std::to_string(flt) + ", \"int8\": " +
                             std::to_string(int8) + "}, \"footprint\": {" + fp + "}}");
}

const CheckResult* Find(const CheckSummary& s, const std::string& name) {
  for (const auto& c : s.checks)
    if (c.name == name) return &c;
  return nullptr;
}

TEST(CheckReportTest, AccuracyDropVsFloatAndBaseline) {
  const std::string cur = Report("cur.json", 90.5, 90.0, 1000, 500);
  const std::string base = Report("base.json", 90.5, 90.3, 1000, 500);
  CheckLimits l;
  l.max_accuracy_drop = 0.4;
  auto s = CheckReport(cur, base, l);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  const CheckResult* vs_float = Find(*s, "int8 top1 drop vs float");
  const CheckResult* vs_base = Find(*s, "int8 top1 drop vs baseline");
  ASSERT_NE(vs_float, nullptr);
  ASSERT_NE(vs_base, nullptr);
  EXPECT_NEAR(vs_float->value, 0.5, 1e-9);  // 90.5 - 90.0 > 0.4: fails
  EXPECT_FALSE(vs_float->passed);
  EXPECT_NEAR(vs_base->value, 0.3, 1e-9);  // 90.3 - 90.0 <= 0.4: passes
  EXPECT_TRUE(vs_base->passed);
  EXPECT_FALSE(s->passed());
  EXPECT_EQ(s->failures(), 1);
}

TEST(CheckReportTest, LowerIsBetterMetricFlipsTheSign) {
  const std::string cur = Report("mse.json", 0.10, 0.12, 1000, 500, -1, -1, "mse", false);
  CheckLimits l;
  l.max_accuracy_drop = 0.01;
  auto s = CheckReport(cur, "", l);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ASSERT_EQ(s->checks.size(), 1u);
  EXPECT_NEAR(s->checks[0].value, 0.02, 1e-9);
  EXPECT_FALSE(s->checks[0].passed);
}

TEST(CheckReportTest, AucDropsAreCountedInPointsTimes100) {
  const std::string cur = Report("auc_drop.json", 0.980, 0.974, 1000, 500, -1, -1, "auc");
  CheckLimits l;
  l.max_accuracy_drop = 0.5;  // points: 0.006 AUC = 0.6 pt > 0.5
  auto s = CheckReport(cur, "", l);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ASSERT_EQ(s->checks.size(), 1u);
  EXPECT_NEAR(s->checks[0].value, 0.6, 1e-9);
  EXPECT_EQ(s->checks[0].unit, "pt");
  EXPECT_FALSE(s->checks[0].passed);
}

TEST(CheckReportTest, FlashAndRamGrowthAgainstBaseline) {
  const std::string cur = Report("grow_cur.json", 90, 90, 1100, 500);
  const std::string base = Report("grow_base.json", 90, 90, 1000, 400);
  CheckLimits l;
  l.max_flash_growth_pct = 10.0;  // +10 % exactly: passes
  l.max_ram_growth_pct = 20.0;    // +25 %: fails
  auto s = CheckReport(cur, base, l);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ASSERT_NE(Find(*s, "flash growth vs baseline"), nullptr);
  EXPECT_NEAR(Find(*s, "flash growth vs baseline")->value, 10.0, 1e-9);
  EXPECT_TRUE(Find(*s, "flash growth vs baseline")->passed);
  EXPECT_NEAR(Find(*s, "RAM growth vs baseline")->value, 25.0, 1e-9);
  EXPECT_FALSE(Find(*s, "RAM growth vs baseline")->passed);
  // Shrinking is negative growth and passes any limit.
  auto shrink = CheckReport(base, cur, l);
  ASSERT_TRUE(shrink.ok());
  EXPECT_TRUE(shrink->passed());
}

TEST(CheckReportTest, BoardLimitsInTheReportAreAlwaysChecked) {
  const std::string fits = Report("fits.json", 90, 90, 1000, 500, 1000, 499);
  auto s = CheckReport(fits, "", CheckLimits{});
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_TRUE(Find(*s, "flash fits the board")->passed);  // 1000 of 1000
  EXPECT_FALSE(Find(*s, "RAM fits the board")->passed);   // 500 of 499
}

TEST(CheckReportTest, RenderingsCarryEveryCheck) {
  const std::string cur = Report("render.json", 90.5, 90.0, 1000, 500, 900, 600);
  CheckLimits l;
  l.max_accuracy_drop = 1.0;
  auto s = CheckReport(cur, "", l);
  ASSERT_TRUE(s.ok());
  const std::string xml = CheckToJUnit(*s);
  EXPECT_NE(xml.find("tests=\"3\" failures=\"1\""), std::string::npos) << xml;
  EXPECT_NE(xml.find("<failure message=\"FAIL  flash fits the board"), std::string::npos) << xml;
  const std::string md = CheckToMarkdown(*s);
  EXPECT_NE(md.find("❌ failed"), std::string::npos) << md;
  EXPECT_NE(md.find("| flash fits the board | 1000 | 900 | ❌ **fail**"), std::string::npos) << md;
  const std::string text = CheckToText(*s);
  EXPECT_NE(text.find("PASS  int8 top1 drop vs float: 0.50 pt (limit 1.00 pt"), std::string::npos)
      << text;
  EXPECT_NE(CheckToJson(*s).find("\"failures\": 1"), std::string::npos);
}

TEST(CheckReportTest, RequestedChecksWithoutFiguresAreSkippedAndListed) {
  // Reports with a metric and no footprint (a quantize report with --max-drop --val).
  const std::string metric = "\"metric\": {\"name\": \"top1\", \"float\": 90.0, \"int8\": ";
  const std::string cur = WriteTemp("q_cur.json",
                                    "{\"format\": \"tinyq.report\", \"version\": 2, "
                                    "\"verb\": \"quantize\", " +
                                        metric + "89.8}}");
  const std::string base = WriteTemp("q_base.json",
                                     "{\"format\": \"tinyq.report\", \"version\": 2, "
                                     "\"verb\": \"quantize\", " +
                                         metric + "90.0}}");
  CheckLimits l;
  l.max_accuracy_drop = 0.5;
  l.max_flash_growth_pct = 5;
  auto s = CheckReport(cur, base, l);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ASSERT_EQ(s->checks.size(), 3u);
  EXPECT_TRUE(s->passed());
  EXPECT_EQ(s->skipped(), 1);
  EXPECT_NEAR(Find(*s, "int8 top1 drop vs baseline")->value, 0.2, 1e-9);
  const CheckResult* flash = Find(*s, "flash growth vs baseline");
  ASSERT_NE(flash, nullptr);
  EXPECT_TRUE(flash->skipped);
  EXPECT_FALSE(flash->passed);
  const std::string text = CheckToText(*s);
  EXPECT_NE(text.find("SKIP  flash growth vs baseline: not run: no figure in both reports "
                      "(footprint.flash_bytes, footprint.const_bytes, "
                      "footprint.int8_weight_bytes)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("passed (2 checks, 0 failed, 1 skipped)"), std::string::npos) << text;
  const std::string xml = CheckToJUnit(*s);
  EXPECT_NE(xml.find("skipped=\"1\""), std::string::npos) << xml;
  EXPECT_NE(xml.find("<skipped message=\"not run: no figure"), std::string::npos) << xml;
  EXPECT_NE(CheckToMarkdown(*s).find("| ⏭️ skipped |"), std::string::npos);
  EXPECT_NE(CheckToJson(*s).find("\"result\": \"skip\""), std::string::npos);
}

TEST(CheckReportTest, GrowthFallsBackToAFigureBothReportsHave) {
  // The report measured flash on a board, the baseline did not: int8 weights are compared.
  const std::string cur = WriteTemp("fb_cur.json",
                                    "{\"format\": \"tinyq.report\", \"version\": 2, \"footprint\": "
                                    "{\"flash_bytes\": 9000, \"int8_weight_bytes\": 1100}}");
  const std::string base =
      WriteTemp("fb_base.json",
                "{\"format\": \"tinyq.report\", \"version\": 1, \"footprint\": "
                "{\"int8_weight_bytes\": 1000}}");
  CheckLimits l;
  l.max_flash_growth_pct = 5;
  auto s = CheckReport(cur, base, l);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  const CheckResult* c = Find(*s, "int8 weights growth vs baseline");
  ASSERT_NE(c, nullptr);
  EXPECT_NEAR(c->value, 10.0, 1e-9);
  EXPECT_FALSE(c->passed);
  EXPECT_NE(c->detail.find("flash_bytes is not in both reports"), std::string::npos) << c->detail;
}

TEST(CheckReportTest, InMemoryReportsAreNamedByTheirLabel) {
  const ReportText r{"<budget report>",
                     "{\"format\": \"tinyq.report\", \"version\": 2, "
                     "\"footprint\": {\"ram_bytes\": \"x\"}}"};
  auto s = CheckReports(r, nullptr, CheckLimits{});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().message(), "<budget report>: footprint.ram_bytes: expected a number");
}

TEST(CheckReportTest, MalformedReportsNameTheFileAndField) {
  CheckLimits l;
  l.max_accuracy_drop = 1.0;
  struct Case {
    const char* text;
    const char* expect;
    StatusCode code;
  } cases[] = {
      {"not json", "not a JSON object", StatusCode::kInvalidArgument},
      {"{\"format\": \"tinyq.quantize_report\", \"version\": 1}", "format",
       StatusCode::kInvalidArgument},
      {"{\"format\": \"tinyq.report\"}", "version", StatusCode::kInvalidArgument},
      {"{\"format\": \"tinyq.report\", \"version\": 9}", "newer than this tinyq",
       StatusCode::kUnsupported},
      {"{\"format\": \"tinyq.report\", \"version\": 1, \"metric\": {\"name\": \"top1\", "
       "\"int8\": \"high\"}}",
       "metric.int8: expected a number", StatusCode::kInvalidArgument},
      {"{\"format\": \"tinyq.report\", \"version\": 1, \"footprint\": {\"flash_bytes\": -4}}",
       "footprint.flash_bytes", StatusCode::kInvalidArgument},
      {"{\"format\": \"tinyq.report\", \"version\": 1, \"metric\": {\"name\": \"top1\"}}",
       "nothing to check; top1 drop vs float: not run", StatusCode::kInvalidArgument},
      {"{\"format\": \"tinyq.report\", \"version\": 2, \"verb\": 7}", "verb: expected a string",
       StatusCode::kInvalidArgument},
  };
  int i = 0;
  for (const Case& c : cases) {
    const std::string path = WriteTemp("bad" + std::to_string(i++) + ".json", c.text);
    auto s = CheckReport(path, "", l);
    ASSERT_FALSE(s.ok()) << c.text;
    EXPECT_EQ(s.status().code(), c.code) << s.status().ToString();
    EXPECT_NE(s.status().message().find(path), std::string::npos) << s.status().ToString();
    EXPECT_NE(s.status().message().find(c.expect), std::string::npos) << s.status().ToString();
  }
  auto missing = CheckReport("/nonexistent/r.json", "", l);
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
}

TEST(CheckReportTest, NothingToCheckAndBadLimitsAreErrors) {
  const std::string cur = Report("nothing.json", 90, 90, 1000, 500);
  auto none = CheckReport(cur, "", CheckLimits{});
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.status().message().find("nothing to check"), std::string::npos);
  CheckLimits growth_only;
  growth_only.max_flash_growth_pct = 5;
  EXPECT_FALSE(CheckReport(cur, "", growth_only).ok());  // needs a baseline
  CheckLimits negative;
  negative.max_accuracy_drop = -1;
  EXPECT_EQ(CheckReport(cur, "", negative).status().code(), StatusCode::kInvalidArgument);
  const std::string auc = Report("auc.json", 0.98, 0.97, 1000, 500, -1, -1, "auc");
  CheckLimits l;
  l.max_accuracy_drop = 0.5;
  auto mixed = CheckReport(cur, auc, l);
  ASSERT_FALSE(mixed.ok());
  EXPECT_NE(mixed.status().message().find("differs"), std::string::npos);
}

}  // namespace
}  // namespace tinyq
