// Tests of the per-verb "tinyq.report" envelopes (src/api/verb_reports.cc): each verb's result
// rendered with known numbers lands in the shared fields (model, metric, footprint) in the units
// docs/report_schema.md gives, keeps its own section, keeps wall-clock figures in "timing" only,
// and `tinyq check` (CheckReports) reads it.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "tinyq/api.h"
#include "tinyq/export.h"
#include "tinyq/prune.h"
#include "tinyq/quantize.h"
#include "tinyq/report.h"
#include "tinyq/target.h"
#include "tinyq/train.h"

namespace tinyq {
namespace {

using Json = nlohmann::ordered_json;

// A model file holding "abc": its sha256 is the FIPS 180-2 example digest. One file per process:
// ctest runs these tests in parallel, and a file another test is rewriting may be read empty.
ReportModel AbcModel() {
  const std::string path = std::string(TINYQ_BINARY_DIR) + "/verb_reports_test_abc." +
                           std::to_string(getpid()) + ".onnx";
  std::ofstream(path, std::ios::binary) << "abc";
  return ReportModelOfFile(path);
}

std::vector<std::string> Keys(const Json& j) {
  std::vector<std::string> k;
  for (const auto& item : j.items()) k.push_back(item.key());
  return k;
}

StatusOr<CheckSummary> Check(const std::string& json, const CheckLimits& l) {
  return CheckReports(ReportText{"r.json", json}, nullptr, l);
}

const CheckResult* Find(const CheckSummary& s, const std::string& name) {
  for (const auto& c : s.checks)
    if (c.name == name) return &c;
  return nullptr;
}

TEST(VerbReportsTest, ModelIsThePathAndTheSha256OfTheFile) {
  const ReportModel m = AbcModel();
  EXPECT_EQ(m.sha256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(ReportModelOfFile(TINYQ_BINARY_DIR).sha256, "");  // a directory: no digest
}

TEST(VerbReportsTest, QuantizeWithValidationHasTheMetricAndTheEnvelopeOrder) {
  QuantizeReport r;
  r.method = "minmax";
  r.float_weight_bytes = 4000;
  r.quantized_weight_bytes = 1000;
  r.layers.push_back({"conv1_out", "conv1", "Conv", 35.5, 0.999, 0.01});
  r.val_float = 90.5;
  r.val_int8 = 89.75;
  r.seconds = 12.5;
  const Json j = Json::parse(QuantizeReportJson(r, AbcModel(), "top1", 500));
  EXPECT_EQ(Keys(j),
            (std::vector<std::string>{"format", "version", "verb", "tinyq_version", "model",
                                      "metric", "footprint", "quantize", "timing"}));
  EXPECT_EQ(j["format"], "tinyq.report");
  EXPECT_EQ(j["version"], kReportVersion);
  EXPECT_EQ(j["verb"], "quantize");
  EXPECT_EQ(j["model"]["sha256"], AbcModel().sha256);
  EXPECT_EQ(j["metric"]["name"], "top1");
  EXPECT_EQ(j["metric"]["float"], 90.5);
  EXPECT_EQ(j["metric"]["int8"], 89.75);
  EXPECT_EQ(j["metric"]["samples"], 500);
  EXPECT_EQ(j["footprint"]["int8_weight_bytes"], 1000);
  EXPECT_EQ(j["quantize"]["layers"][0]["node"], "conv1");
  EXPECT_FALSE(j["quantize"].contains("seconds"));  // wall clock only in "timing"
  EXPECT_FALSE(j["quantize"].contains("format"));
  EXPECT_EQ(j["timing"]["seconds"], 12.5);
  CheckLimits l;
  l.max_accuracy_drop = 0.5;  // 0.75 pt dropped
  auto s = Check(j.dump(), l);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ASSERT_NE(Find(*s, "int8 top1 drop vs float"), nullptr);
  EXPECT_NEAR(Find(*s, "int8 top1 drop vs float")->value, 0.75, 1e-12);
  EXPECT_FALSE(s->passed());
}

TEST(VerbReportsTest, QuantizeWithoutValidationHasNoMetricAndCheckSaysSo) {
  QuantizeReport r;
  const std::string json = QuantizeReportJson(r, AbcModel(), "top1", 0);
  EXPECT_FALSE(Json::parse(json).contains("metric"));
  CheckLimits l;
  l.max_accuracy_drop = 1.0;
  auto s = Check(json, l);
  ASSERT_FALSE(s.ok());  // the only requested check cannot run
  EXPECT_NE(s.status().message().find("nothing to check"), std::string::npos);
  EXPECT_NE(s.status().message().find("the quantize report has no metric"), std::string::npos)
      << s.status().message();
}

TEST(VerbReportsTest, PruneAucPointsBecomeCardUnits) {
  PruneReport r;
  r.metric = "auc";
  r.val_before = 98.0;  // points (AUC x 100), as the prune section and --max-drop count
  r.val_after = 95.5;
  r.seconds = 3.0;
  const Json j = Json::parse(PruneReportJson(r, AbcModel(), 200));
  EXPECT_DOUBLE_EQ(j["metric"]["float"].get<double>(), 0.98);
  EXPECT_DOUBLE_EQ(j["metric"]["pruned"].get<double>(), 0.955);
  EXPECT_FALSE(j["metric"].contains("int8"));
  EXPECT_EQ(j["prune"]["validation"]["before"], 98.0);
  EXPECT_FALSE(j.contains("footprint"));
  CheckLimits l;
  l.max_accuracy_drop = 2.0;  // 2.5 points
  auto s = Check(j.dump(), l);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ASSERT_NE(Find(*s, "pruned auc drop vs float"), nullptr);
  EXPECT_NEAR(Find(*s, "pruned auc drop vs float")->value, 2.5, 1e-9);
  EXPECT_FALSE(s->passed());
}

TEST(VerbReportsTest, EvalPutsTheValueUnderTheExecutorsModel) {
  EvalResult r;
  r.metric = "top1";
  r.value = 88.0;
  r.loss = 0.4;
  r.samples = 1000;
  r.int8 = true;
  const Json j = Json::parse(EvalReportJson(r, AbcModel(), "test.npz"));
  EXPECT_EQ(j["verb"], "eval");
  EXPECT_EQ(j["metric"]["int8"], 88.0);
  EXPECT_FALSE(j["metric"].contains("float"));
  EXPECT_EQ(j["eval"]["executor"], "int8");
  EXPECT_EQ(j["eval"]["data"], "test.npz");
  EXPECT_EQ(j["eval"]["value"], 88.0);
  r.int8 = false;
  EXPECT_EQ(Json::parse(EvalReportJson(r, AbcModel(), "t.npz"))["metric"]["float"], 88.0);
  // One model measured: the drop vs float is skipped, a baseline's int8 is compared.
  QuantizeReport q;
  q.val_float = 90.0;
  q.val_int8 = 89.0;
  const std::string base = QuantizeReportJson(q, AbcModel(), "top1", 1000);
  const ReportText cur{"eval.json", j.dump()}, b{"base.json", base};
  CheckLimits l;
  l.max_accuracy_drop = 0.5;
  auto s = CheckReports(cur, &b, l);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->skipped(), 1);
  const CheckResult* vs_float = Find(*s, "int8 top1 drop vs float");
  ASSERT_NE(vs_float, nullptr);
  EXPECT_TRUE(vs_float->skipped);
  EXPECT_NE(vs_float->detail.find("measured one model (metric.int8 only)"), std::string::npos)
      << vs_float->detail;
  ASSERT_NE(Find(*s, "int8 top1 drop vs baseline"), nullptr);
  EXPECT_NEAR(Find(*s, "int8 top1 drop vs baseline")->value, 1.0, 1e-12);  // 89 -> 88
  EXPECT_FALSE(s->passed());
}

TEST(VerbReportsTest, DistillKeepsTimingApart) {
  TrainReport r;
  r.epochs = {{1, 1.5, 70.0, 2.0}, {2, 1.0, 75.0, 2.5}};
  r.best_epoch = 2;
  r.best_val_top1 = 75.0;
  r.samples_per_second = 900.0;
  r.teacher_seconds = 0.5;
  const Json j = Json::parse(DistillReportJson(r, "train", AbcModel(), 300));
  EXPECT_EQ(j["verb"], "train");
  EXPECT_EQ(j["metric"]["float"], 75.0);
  EXPECT_EQ(j["metric"]["samples"], 300);
  EXPECT_EQ(j["distill"]["best_epoch"], 2);
  EXPECT_FALSE(j["distill"]["epochs"][1].contains("seconds"));
  EXPECT_FALSE(j["distill"].contains("samples_per_second"));
  EXPECT_EQ(j["timing"]["epoch_seconds"], Json::array({2.0, 2.5}));
  EXPECT_EQ(j["timing"]["samples_per_second"], 900.0);
  r.best_val_top1 = -1.0;  // no validation set
  EXPECT_FALSE(Json::parse(DistillReportJson(r, "distill", AbcModel(), 0)).contains("metric"));
}

TEST(VerbReportsTest, ExportFootprintAndArenaGrowthAgainstABaseline) {
  ExportResult r;
  r.weight_bytes = 5000;
  r.arena_bytes = 1100;
  r.lower_bound_bytes = 1000;
  const Json j = Json::parse(ExportReportJson(r, AbcModel()));
  EXPECT_EQ(j["footprint"]["const_bytes"], 5000);
  EXPECT_EQ(j["footprint"]["arena_bytes"], 1100);
  EXPECT_EQ(j["export"]["arena_bytes"], 1100);
  r.arena_bytes = 1000;
  r.weight_bytes = 5500;
  const ReportText cur{"cur.json", j.dump()}, base{"base.json", ExportReportJson(r, AbcModel())};
  CheckLimits l;
  l.max_flash_growth_pct = 5.0;  // const data -9 %: passes
  l.max_ram_growth_pct = 5.0;    // arena +10 %: fails
  auto s = CheckReports(cur, &base, l);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ASSERT_NE(Find(*s, "C const data growth vs baseline"), nullptr);
  EXPECT_TRUE(Find(*s, "C const data growth vs baseline")->passed);
  ASSERT_NE(Find(*s, "arena growth vs baseline"), nullptr);
  EXPECT_NEAR(Find(*s, "arena growth vs baseline")->value, 10.0, 1e-9);
  EXPECT_FALSE(Find(*s, "arena growth vs baseline")->passed);
}

TEST(VerbReportsTest, BudgetThatDoesNotFitFailsTheCheck) {
  BudgetReport r;
  r.board.id = "samd21";
  r.board.flash_bytes = 1024;
  r.board.ram_bytes = 32768;
  r.flash_total = 3000;
  r.ram_total = 2000;
  r.fits = false;
  r.build.instructions = 12345;
  r.build.arena_bytes = 700;
  const Json j = Json::parse(BudgetReportJson(r, AbcModel()));
  EXPECT_EQ(j["footprint"]["board"], "samd21");
  EXPECT_EQ(j["footprint"]["flash_bytes"], 3000);
  EXPECT_EQ(j["footprint"]["flash_limit_bytes"], 1024);
  EXPECT_FALSE(j["footprint"]["fits"].get<bool>());
  EXPECT_FALSE(j["budget"].contains("format"));
  auto s = Check(j.dump(), CheckLimits{});
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ASSERT_EQ(s->checks.size(), 2u);
  EXPECT_FALSE(Find(*s, "flash fits the board")->passed);
  EXPECT_TRUE(Find(*s, "RAM fits the board")->passed);
}

}  // namespace
}  // namespace tinyq
