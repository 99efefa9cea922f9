#include "tinyq/prune.h"

#include <gtest/gtest.h>

#include <cmath>

#include "tests/api/prune_test_util.h"

namespace tinyq {
namespace {

using testing::BuildSmallCnn;
using testing::GraphBuilder;
using testing::RandomData;

// Mean squared difference of the graphs' outputs over `data`.
double OutputMse(const Graph& a, const Graph& b, const Dataset& data) {
  auto ea = Executor::Create(a);
  auto eb = Executor::Create(b);
  EXPECT_TRUE(ea.ok() && eb.ok());
  TensorMap feeds;
  feeds.emplace("x", data.x);
  auto ya = (*ea)->RunBatch(feeds);
  auto yb = (*eb)->RunBatch(feeds);
  EXPECT_TRUE(ya.ok() && yb.ok());
  const Tensor& ta = ya->begin()->second;
  const Tensor& tb = yb->begin()->second;
  double s = 0.0;
  for (int64_t i = 0; i < ta.numel(); ++i) {
    const double d = ta.data<float>()[i] - tb.data<float>()[i];
    s += d * d;
  }
  return s / static_cast<double>(ta.numel());
}

TEST(PruneTest, ZeroRatioGivesTheOriginalFunction) {
  GraphBuilder b;
  BuildSmallCnn(b);
  const Dataset data = RandomData(32, 1);
  auto r = Prune(b.graph(), data, "d.npz", PruneOptions{});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->report.macs_after, r->report.macs_before);
  testing::ExpectSameFunction(b.graph(), *r->graph, 0.0f);
}

TEST(PruneTest, HalfTheChannelsShrinkMacsAndParams) {
  GraphBuilder b;
  BuildSmallCnn(b);
  const Dataset data = RandomData(32, 1);
  PruneOptions o;
  o.channel_ratio = 0.5;
  auto r = Prune(b.graph(), data, "d.npz", o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  // conv1 8 -> 4, conv2 8 -> 4: conv MACs 36*(4*2*9 + 4*4*9) + fc 4*4 vs 36*(8*2*9 + 8*8*9) + 32.
  EXPECT_EQ(r->report.macs_before, 36 * (8 * 2 * 9 + 8 * 8 * 9) + 32);
  EXPECT_EQ(r->report.macs_after, 36 * (4 * 2 * 9 + 4 * 4 * 9) + 16);
  EXPECT_LT(r->report.params_after, r->report.params_before);
  EXPECT_LT(r->report.onnx_bytes_after, r->report.onnx_bytes_before);
  ASSERT_EQ(r->report.groups.size(), 3u);  // conv1, conv2, fc (frozen)
  EXPECT_EQ(r->report.groups[0].channels_after, 4);
  EXPECT_FALSE(r->report.groups[2].frozen_reason.empty());
  EXPECT_EQ(r->graph->outputs()[0]->shape(), (Shape{1, 4}));
  EXPECT_EQ(r->graph->FindNode("bn")->input(1)->shape(), (Shape{4}));
}

TEST(PruneTest, LeastSquaresRecoveryIsCloserToTheOriginalThanNone) {
  GraphBuilder b;
  BuildSmallCnn(b);
  const Dataset data = RandomData(64, 2);
  PruneOptions o;
  o.channel_ratio = 0.5;
  o.positions = 0;  // every position
  auto plain = Prune(b.graph(), data, "d.npz", o);
  o.recover = "lsq";
  auto lsq = Prune(b.graph(), data, "d.npz", o);
  ASSERT_TRUE(plain.ok() && lsq.ok()) << lsq.status().ToString();
  ASSERT_EQ(lsq->report.reconstructed.size(), 2u);  // conv2 and fc lost inputs
  for (const ReconstructedLayer& l : lsq->report.reconstructed) {
    EXPECT_LE(l.error_after, l.error_before) << l.node;
    EXPECT_GT(l.rows, 0);
  }
  EXPECT_LT(lsq->report.reconstructed[0].error_after, lsq->report.reconstructed[0].error_before);
  EXPECT_LT(OutputMse(b.graph(), *lsq->graph, data), OutputMse(b.graph(), *plain->graph, data));
}

TEST(PruneTest, MacTargetIsReached) {
  GraphBuilder b;
  BuildSmallCnn(b);
  PruneOptions o;
  o.target_mac_reduction = 0.5;
  auto r = Prune(b.graph(), RandomData(16, 3), "d.npz", o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_LE(r->report.macs_after, r->report.macs_before / 2);
  EXPECT_GT(r->report.channel_ratio, 0.0);
}

TEST(PruneTest, ActivationCriterionAndScanRun) {
  GraphBuilder b;
  BuildSmallCnn(b);
  const Dataset data = RandomData(32, 4);
  PruneOptions o;
  o.channel_ratio = 0.25;
  o.criterion = "activation";
  o.scan = true;
  o.val = &data;
  o.val_path = "v.npz";
  auto r = Prune(b.graph(), data, "d.npz", o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->report.scan.size(), 2u);  // conv1 and conv2 groups
  for (const ScanRow& row : r->report.scan) EXPECT_EQ(row.metric.size(), 3u);
  ASSERT_TRUE(r->report.val_before && r->report.val_after);
  const std::string json = PruneReportToJson(r->report);
  EXPECT_NE(json.find("\"scan\""), std::string::npos);
  EXPECT_NE(PruneReportToText(r->report).find("sensitivity scan"), std::string::npos);
}

TEST(PruneTest, MagnitudePruningReportsSparseBytes) {
  GraphBuilder b;
  BuildSmallCnn(b);
  PruneOptions o;
  o.sparsity = 0.75;
  auto r = Prune(b.graph(), RandomData(8, 5), "d.npz", o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_GE(r->report.weight_sparsity, 0.74);
  // conv2: 8 rows x 72 weights, 18 nonzero per row at most -> 8 * 9 + <= 144 bytes vs 576 dense.
  EXPECT_EQ(r->report.int8_dense_bytes, 8 * 2 * 9 + 8 * 8 * 9 + 4 * 8);
  EXPECT_LT(r->report.int8_sparse_bytes, r->report.int8_dense_bytes / 2);
}

TEST(PruneTest, BadRequestsAreRefused) {
  GraphBuilder b;
  BuildSmallCnn(b);
  const Dataset data = RandomData(8, 6);
  PruneOptions o;
  o.recover = "distill";  // without training data
  auto no_train = Prune(b.graph(), data, "d.npz", o);
  EXPECT_EQ(no_train.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(no_train.status().message().find("--train"), std::string::npos);
  o.recover = "magic";
  EXPECT_EQ(Prune(b.graph(), data, "d.npz", o).status().code(), StatusCode::kInvalidArgument);
  o.recover = "none";
  o.scan = true;
  EXPECT_EQ(Prune(b.graph(), data, "d.npz", o).status().code(), StatusCode::kFailedPrecondition);
  o.scan = false;
  o.criterion = "l7";
  EXPECT_EQ(Prune(b.graph(), data, "d.npz", o).status().code(), StatusCode::kInvalidArgument);
  o.criterion = "l1";
  Dataset wrong = data;
  wrong.x = Tensor(DType::kF32, {4, 3});
  o.channel_ratio = 0.5;
  auto bad = Prune(b.graph(), wrong, "wrong.npz", o);
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("wrong.npz"), std::string::npos);
}

}  // namespace
}  // namespace tinyq
