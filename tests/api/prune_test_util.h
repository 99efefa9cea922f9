// tests/api/prune_test_util.h - a small conv classifier and random data for the prune tests.
#ifndef TINYQ_TESTS_API_PRUNE_TEST_UTIL_H_
#define TINYQ_TESTS_API_PRUNE_TEST_UTIL_H_

#include <random>

#include "tests/passes/pass_test_util.h"
#include "tinyq/data.h"

namespace tinyq {
namespace testing {

// x[1,2,6,6] -> conv1(8, 3x3) -> BN -> relu -> conv2(8, 3x3) -> relu -> GAP -> flatten -> fc(4).
inline void BuildSmallCnn(GraphBuilder& b) {
  auto pads = [](Node* n) { n->SetInts("pads", {1, 1, 1, 1}); };
  Value* x = b.Input("x", {1, 2, 6, 6});
  Value* y = b.Out(OpKind::kConv, "conv1", {x, b.Const("w1", {8, 2, 3, 3})}, pads);
  y = b.Out(OpKind::kBatchNormalization, "bn",
            {y, b.Const("gamma", {8}, 0.5f, 1.5f), b.Const("beta", {8}, -0.2f, 0.5f),
             b.Const("mean", {8}, -0.1f, 0.1f), b.Const("var", {8}, 0.5f, 2.0f)});
  y = b.Out(OpKind::kRelu, "relu1", {y});
  y = b.Out(OpKind::kConv, "conv2", {y, b.Const("w2", {8, 8, 3, 3}), b.Const("b2", {8})}, pads);
  y = b.Out(OpKind::kRelu, "relu2", {y});
  y = b.Out(OpKind::kGlobalAveragePool, "gap", {y});
  y = b.Out(OpKind::kFlatten, "flat", {y});
  b.Output(b.Out(OpKind::kGemm, "fc", {y, b.Const("wfc", {4, 8}), b.Const("bfc", {4})},
                 [](Node* n) { n->SetInt("transB", 1); }));
}

// n samples of x [n, 2, 6, 6] uniform in [-1, 1) and labels y in 0..3 (fixed seed).
inline Dataset RandomData(int64_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(-1.0f, 1.0f);
  Dataset data;
  data.x = Tensor(DType::kF32, {n, 2, 6, 6});
  for (int64_t i = 0; i < data.x.numel(); ++i) data.x.data<float>()[i] = d(rng);
  data.y = Tensor(DType::kS64, {n});
  for (int64_t i = 0; i < n; ++i) data.y.data<int64_t>()[i] = static_cast<int64_t>(rng() % 4);
  data.has_labels = true;
  return data;
}

}  // namespace testing
}  // namespace tinyq

#endif  // TINYQ_TESTS_API_PRUNE_TEST_UTIL_H_
