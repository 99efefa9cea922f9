// Sparse weights in generated C (issue 6): after magnitude pruning, a non-depthwise Conv or a Gemm
// whose tq_sparse encoding (mask + nonzero values) is smaller than its dense weights is emitted
// in that format and run by tq_conv2d_sparse_s8 / tq_fully_connected_sparse_s8, as the int8
// executor does. fmnist_dscnn pruned to 70% (Prune, no retraining) must give the int8 executor's
// bytes on the host and on the emulated Cortex-M4 with fewer const bytes than the dense export
// (the quantizer also keeps two of its depthwise Convs in float there: a channel pruned to all
// zeros makes their int32 accumulator bound overflow, so the float path runs too);
// a hand graph checks a sparse Gemm behind a channel-last Flatten (permuted weight columns).
#include <gtest/gtest.h>

#include <algorithm>

#include "tests/codegen/codegen_test_util.h"
#include "tinyq/prune.h"

namespace tinyq {
namespace {

namespace fs = std::filesystem;
using namespace codegen_test;  // NOLINT: the test helpers

int Count(const std::string& text, const std::string& what) {
  int n = 0;
  for (size_t i = 0; (i = text.find(what, i)) != std::string::npos; i += what.size()) ++n;
  return n;
}

TEST(SparseExportTest, PrunedZooModelIsSmallerAndMatchesTheExecutor) {
  auto z = LoadZoo("fmnist_dscnn", "fmnist_calib_1k");
  ASSERT_TRUE(z.ok()) << z.status().ToString();
  PruneOptions po;
  po.preprocess = z->card.preprocess;
  po.sparsity = 0.7;
  po.calib_limit = 64;
  auto pruned = Prune(*z->model, z->calib, z->calib_path, po);
  ASSERT_TRUE(pruned.ok()) << pruned.status().ToString();
  QuantizeOptions qo;
  qo.calib_limit = 200;
  qo.analysis_samples = 4;
  auto dense_q = QuantizeWith(*z, qo);
  auto sparse_q = QuantizeWith(*z, qo, pruned->graph.get());
  ASSERT_TRUE(dense_q.ok() && sparse_q.ok());

  const fs::path work = TempDir("sparse_zoo");
  ExportOptions eo;
  eo.name = "m";
  auto dense = ExportC(*dense_q->graph, eo, (work / "dense").string());
  auto sparse = ExportC(*sparse_q->graph, eo, (work / "gen").string());
  ASSERT_TRUE(dense.ok() && sparse.ok());
  const std::string code = ReadAll(work / "gen" / "m.c");
  // The first Conv, the 4 pointwise Convs and the Gemm go sparse; depthwise Convs never do.
  const std::vector<std::string> want = {"/0/Conv",  "/7/Conv",  "/13/Conv",
                                         "/19/Conv", "/25/Conv", "/31/Gemm"};
  EXPECT_EQ(sparse->sparse_layers, want);
  EXPECT_EQ(Count(code, "tq_conv2d_sparse_s8("), 5);
  EXPECT_EQ(Count(code, "tq_fully_connected_sparse_s8("), 1);
  EXPECT_EQ(Count(code, "tq_conv2d_s8("), 0);
  EXPECT_TRUE(dense->sparse_layers.empty());
  EXPECT_EQ(Count(ReadAll(work / "dense" / "m.c"), "_sparse_s8("), 0);
  // Those layers' const bytes (weights, bias, multipliers): 70% zeros take the int8 weights to
  // 1/8 (bitmap) + 0.3 (values) of their dense size.
  auto layer_bytes = [&](const ExportResult& r) {
    int64_t b = 0;
    for (const LayerFootprint& l : r.layers)
      if (std::find(want.begin(), want.end(), l.node) != want.end()) b += l.weight_bytes;
    return b;
  };
  std::printf("fmnist_dscnn sparse layers' const bytes: dense %lld, 70%% sparse %lld\n",
              static_cast<long long>(layer_bytes(*dense)),
              static_cast<long long>(layer_bytes(*sparse)));
  EXPECT_LT(layer_bytes(*sparse), layer_bytes(*dense) * 6 / 10);

  auto s = ExecutorSamples(*sparse_q->graph, 24, "fmnist_dscnn", "fmnist_test");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(HostRunDiff(work, work / "gen", "m", *s), "");
  EXPECT_EQ(QemuRunDiff(work / "gen", "m", *s, 5), "");
  fs::remove_all(work);
}

// int8 Conv -> Flatten of the channel-last [1,4,6,6] output (a view) -> int8 Gemm with 75% of its
// weights zero: the sparse encoding is of the permuted columns; the integer sums are the same.
TEST(SparseExportTest, SparseGemmBehindChannelLastFlatten) {
  Graph g;
  g.set_source("hand_built");
  auto s8 = [&](const std::string& name, Shape shape, float scale, int32_t zp) {
    Value* v = g.AddValue(name, DType::kS8, std::move(shape));
    v->set_quant(QuantParams{{scale}, {zp}, -1, DType::kS8});
    return v;
  };
  Value* x = s8("x", {1, 3, 6, 6}, 0.05f, 3);
  g.inputs().push_back(x);
  Tensor w(DType::kS8, {4, 3, 3, 3});
  for (int64_t k = 0; k < w.numel(); ++k)
    w.data<int8_t>()[k] = static_cast<int8_t>((k * 53) % 255 - 127);
  Value* wv = g.AddConstant("w", w);
  wv->set_quant(QuantParams{{0.01f, 0.02f, 0.015f, 0.01f}, {0, 0, 0, 0}, 0, DType::kS8});
  Value* c = s8("c", {1, 4, 6, 6}, 0.1f, -3);
  Node* conv = g.AddNode(OpKind::kConv, "conv", {x, wv}, {c});
  conv->SetInts("kernel_shape", {3, 3});
  conv->SetInts("pads", {1, 1, 1, 1});
  Value* fl = s8("fl", {1, 144}, 0.1f, -3);
  g.AddNode(OpKind::kFlatten, "flat", {c}, {fl});
  Tensor b(DType::kS8, {10, 144});
  for (int64_t k = 0; k < b.numel(); ++k)
    b.data<int8_t>()[k] = k % 4 == 1 ? static_cast<int8_t>((k * 31) % 255 - 127) : 0;
  Value* bv = g.AddConstant("b", b);
  bv->set_quant(
      QuantParams{std::vector<float>(10, 0.004f), std::vector<int32_t>(10, 0), 0, DType::kS8});
  Value* y = s8("y", {1, 10}, 0.2f, 1);
  g.AddNode(OpKind::kGemm, "fc", {fl, bv}, {y})->SetInt("transB", 1);
  g.outputs().push_back(y);
  ASSERT_TRUE(Verify(g).ok()) << Verify(g).ToString();

  const fs::path work = TempDir("sparse_flat");
  ExportOptions eo;
  eo.name = "m";
  auto r = ExportC(g, eo, (work / "gen").string());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const std::string code = ReadAll(work / "gen" / "m.c");
  EXPECT_EQ(Count(code, "tq_fully_connected_sparse_s8("), 1);
  EXPECT_EQ(Count(code, "tq_conv2d_s8("), 1);  // the conv is dense
  auto s = ExecutorSamples(g, 20);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(HostRunDiff(work, work / "gen", "m", *s), "");
  fs::remove_all(work);
}

}  // namespace
}  // namespace tinyq
