#include "src/quant/error_stats.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace tinyq {
namespace quant {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

ErrorStats StatsOf(const std::vector<float>& ref, const std::vector<float>& test) {
  ErrorAccumulator acc("t");
  EXPECT_TRUE(acc.Add(ref.data(), test.data(), static_cast<int64_t>(ref.size())).ok());
  auto s = acc.Stats();
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? *s : ErrorStats{};
}

// ref (1, 2, 3, 4), test (1, 2, 3, 5): e = (0, 0, 0, -1).
// Σ ref² = 30, Σ e² = 1, Σ ref·test = 1 + 4 + 9 + 20 = 34, Σ test² = 39.
TEST(ErrorAccumulatorTest, HandComputedOneError) {
  const ErrorStats s = StatsOf({1, 2, 3, 4}, {1, 2, 3, 5});
  EXPECT_EQ(s.count, 4);
  EXPECT_NEAR(s.sqnr_db, 10.0 * std::log10(30.0), 1e-12);  // 14.7712 dB
  EXPECT_NEAR(s.cosine, 34.0 / std::sqrt(30.0 * 39.0), 1e-12);
  EXPECT_EQ(s.max_abs_error, 1.0);
  EXPECT_EQ(s.mean_abs_error, 0.25);
}

TEST(ErrorAccumulatorTest, StreamingOverBatchesEqualsOneBatch) {
  ErrorAccumulator acc("t");
  const float r1[] = {1, 2}, t1[] = {1, 2}, r2[] = {3, 4}, t2[] = {3, 5};
  ASSERT_TRUE(acc.Add(r1, t1, 2).ok());
  ASSERT_TRUE(acc.Add(r2, t2, 2).ok());
  ASSERT_TRUE(acc.Add(r2, t2, 0).ok());  // an empty batch changes nothing
  auto s = acc.Stats();
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->count, 4);
  EXPECT_NEAR(s->sqnr_db, 10.0 * std::log10(30.0), 1e-12);
  EXPECT_NEAR(s->cosine, 34.0 / std::sqrt(30.0 * 39.0), 1e-12);
  EXPECT_EQ(s->mean_abs_error, 0.25);
}

TEST(ErrorAccumulatorTest, MergeEqualsOneAccumulator) {
  ErrorAccumulator a("t"), b("t");
  const float r1[] = {1, 2}, r2[] = {3, 4}, t2[] = {3, 5};
  ASSERT_TRUE(a.Add(r1, r1, 2).ok());
  ASSERT_TRUE(b.Add(r2, t2, 2).ok());
  a.Merge(b);
  auto s = a.Stats();
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->count, 4);
  EXPECT_NEAR(s->sqnr_db, 10.0 * std::log10(30.0), 1e-12);
  EXPECT_EQ(s->max_abs_error, 1.0);
}

// ref (1, 0), test (0, 1): Σ ref² = 1, Σ e² = 2, orthogonal.
TEST(ErrorAccumulatorTest, NegativeSqnrAndOrthogonal) {
  const ErrorStats s = StatsOf({1, 0}, {0, 1});
  EXPECT_NEAR(s.sqnr_db, 10.0 * std::log10(0.5), 1e-12);  // -3.0103 dB
  EXPECT_EQ(s.cosine, 0.0);
  EXPECT_EQ(s.max_abs_error, 1.0);
  EXPECT_EQ(s.mean_abs_error, 1.0);
}

TEST(ErrorAccumulatorTest, ExactMatchIsInfiniteSqnr) {
  const ErrorStats s = StatsOf({3, -4}, {3, -4});
  EXPECT_EQ(s.sqnr_db, kInf);
  EXPECT_EQ(s.cosine, 1.0);
  EXPECT_EQ(s.max_abs_error, 0.0);
  EXPECT_EQ(s.mean_abs_error, 0.0);
}

TEST(ErrorAccumulatorTest, ZeroReferenceCases) {
  const ErrorStats both_zero = StatsOf({0, 0}, {0, 0});
  EXPECT_EQ(both_zero.sqnr_db, kInf);
  EXPECT_EQ(both_zero.cosine, 1.0);
  const ErrorStats noise_only = StatsOf({0, 0}, {2, 0});
  EXPECT_EQ(noise_only.sqnr_db, -kInf);
  EXPECT_EQ(noise_only.cosine, 0.0);
  EXPECT_EQ(noise_only.max_abs_error, 2.0);
  EXPECT_EQ(noise_only.mean_abs_error, 1.0);
}

TEST(ErrorAccumulatorTest, RejectsBadInputAndStaysUnchanged) {
  ErrorAccumulator acc("conv1_out");
  const float ok[] = {1, 2}, bad[] = {1, std::numeric_limits<float>::quiet_NaN()};
  Status s = acc.Add(ok, bad, 2);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("tensor 'conv1_out': non-finite test value"), std::string::npos)
      << s.ToString();
  EXPECT_NE(s.message().find("index 1"), std::string::npos) << s.ToString();
  EXPECT_EQ(acc.count(), 0);
  EXPECT_EQ(acc.Add(ok, ok, -1).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(acc.Add(nullptr, ok, 2).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(acc.Stats().status().code(), StatusCode::kFailedPrecondition);
}

TEST(ErrorAccumulatorTest, TensorOverloadChecksShapes) {
  ErrorAccumulator acc("t");
  const Tensor a = Tensor::FromVector<float>({2, 2}, {1, 2, 3, 4});
  const Tensor b = Tensor::FromVector<float>({4}, {1, 2, 3, 5});
  const Tensor c = Tensor::FromVector<float>({2, 2}, {1, 2, 3, 5});
  EXPECT_EQ(acc.Add(a, b).code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(acc.Add(a, c).ok());
  EXPECT_EQ(acc.Stats()->max_abs_error, 1.0);
}

std::vector<ErrorReportRow> TwoRowsOutOfOrder() {
  return {{"relu_out", "Relu", 5, StatsOf({3, -4}, {3, -4})},
          {"conv1_out", "Conv", 2, StatsOf({1, 2, 3, 4}, {1, 2, 3, 5})}};
}

TEST(ErrorStatsTableTest, FixedWidthInGraphOrder) {
  // Columns: name (width 9 = "conv1_out"), op (4), then %10 %9.2f %9.6f %12.6g %12.6g, two spaces
  // between columns. Values from HandComputedOneError and ExactMatchIsInfiniteSqnr.
  const std::string expected =
      "tensor     op      elements    sqnr_db     cosine   max_abs_err  mean_abs_err\n"
      "conv1_out  Conv           4      14.77   0.993999             1          0.25\n"
      "relu_out   Relu           2        inf   1.000000             0             0\n";
  EXPECT_EQ(ErrorStatsTable(TwoRowsOutOfOrder()), expected);
}

TEST(ErrorStatsTableTest, EmptyReportIsHeaderOnly) {
  EXPECT_EQ(ErrorStatsTable({}),
            "tensor  op    elements    sqnr_db     cosine   max_abs_err  mean_abs_err\n");
}

TEST(ErrorStatsJsonTest, SortedAndJsonSafe) {
  std::vector<ErrorReportRow> rows = TwoRowsOutOfOrder();
  rows.push_back({"noise", "Add", 7, StatsOf({0, 0}, {2, 0})});
  const nlohmann::json j = nlohmann::json::parse(ErrorStatsJson(rows));
  EXPECT_EQ(j["format"], "tinyq.error_stats");
  EXPECT_EQ(j["version"], 1);
  ASSERT_EQ(j["tensors"].size(), 3u);
  const nlohmann::json& conv = j["tensors"][0];
  EXPECT_EQ(conv["tensor"], "conv1_out");
  EXPECT_EQ(conv["op"], "Conv");
  EXPECT_EQ(conv["order"], 2);
  EXPECT_EQ(conv["count"], 4);
  EXPECT_NEAR(conv["sqnr_db"].get<double>(), 10.0 * std::log10(30.0), 1e-12);
  EXPECT_EQ(conv["exact"], false);
  EXPECT_NEAR(conv["cosine"].get<double>(), 34.0 / std::sqrt(1170.0), 1e-12);
  EXPECT_EQ(conv["max_abs_error"].get<double>(), 1.0);
  EXPECT_EQ(conv["mean_abs_error"].get<double>(), 0.25);
  const nlohmann::json& relu = j["tensors"][1];
  EXPECT_EQ(relu["tensor"], "relu_out");
  EXPECT_EQ(relu["sqnr_db"].get<double>(), kJsonSqnrCapDb);  // +inf is capped, not null
  EXPECT_EQ(relu["exact"], true);
  EXPECT_EQ(j["tensors"][2]["sqnr_db"].get<double>(), -kJsonSqnrCapDb);
  EXPECT_EQ(j["tensors"][2]["exact"], false);
}

}  // namespace
}  // namespace quant
}  // namespace tinyq
