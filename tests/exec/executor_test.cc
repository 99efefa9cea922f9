#include "tinyq/executor.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <thread>
#include <vector>

#include "src/ir/shape_inference.h"

namespace tinyq {
namespace {

// x[1,2,6,6] -> Conv(3 out, 3x3, pad 1) -> Relu -> y. Conv kernels own scratch, so this graph
// catches executors that share kernel instances across threads.
std::unique_ptr<Graph> ConvRelu() {
  auto g = std::make_unique<Graph>();
  g->set_source("e.onnx");
  std::mt19937 rng(3);
  std::normal_distribution<float> nd;
  std::vector<float> w(3 * 2 * 3 * 3);
  for (float& v : w) v = nd(rng);
  Value* x = g->AddValue("x", DType::kF32, {1, 2, 6, 6});
  Value* wv = g->AddConstant("w", Tensor::FromVector<float>({3, 2, 3, 3}, w));
  Value* c = g->AddValue("c");
  Value* y = g->AddValue("y");
  Node* conv = g->AddNode(OpKind::kConv, "conv", {x, wv}, {c});
  conv->SetInts("pads", {1, 1, 1, 1});
  Node* relu = g->AddNode(OpKind::kRelu, "relu", {c}, {y});
  g->inputs() = {x};
  g->outputs() = {y};
  EXPECT_TRUE(InferNodeShapes(*g, *conv).ok());
  EXPECT_TRUE(InferNodeShapes(*g, *relu).ok());
  return g;
}

Tensor RandomInput(int64_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> nd;
  Tensor t(DType::kF32, {n, 2, 6, 6});
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = nd(rng);
  return t;
}

TEST(ExecutorTest, ThreadedBatchEqualsSampleBySample) {
  auto g = ConvRelu();
  ExecutorOptions o;
  o.threads = 2;
  auto ex = Executor::Create(*g, o);
  ASSERT_TRUE(ex.ok()) << ex.status().ToString();
  const Tensor batch = RandomInput(9, 1);
  auto all = (*ex)->RunBatch({{"x", batch}});
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  const Tensor& y = all->at("y");
  ASSERT_EQ(y.shape(), (Shape{9, 3, 6, 6}));
  auto single = Executor::Create(*g);
  ASSERT_TRUE(single.ok());
  for (int64_t i = 0; i < 9; ++i) {
    Tensor xi(DType::kF32, {1, 2, 6, 6});
    std::memcpy(xi.raw(), batch.data<float>() + i * 72, 72 * sizeof(float));
    auto yi = (*single)->Run({{"x", xi}});
    ASSERT_TRUE(yi.ok());
    EXPECT_EQ(0, std::memcmp(yi->at("y").raw(), y.data<float>() + i * 108, 108 * sizeof(float)))
        << "sample " << i;
  }
}

TEST(ExecutorTest, ObserverSeesEveryNodeOutput) {
  auto g = ConvRelu();
  auto ex = Executor::Create(*g);
  ASSERT_TRUE(ex.ok());
  std::vector<std::string> seen;
  float min_relu = 0.0f;
  auto out = (*ex)->Run({{"x", RandomInput(1, 2)}}, [&](const Value& v, const Tensor& t) {
    seen.push_back(v.name());
    if (v.name() == "y")
      for (int64_t i = 0; i < t.numel(); ++i) min_relu = std::min(min_relu, t.data<float>()[i]);
  });
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(seen, (std::vector<std::string>{"c", "y"}));
  EXPECT_EQ(min_relu, 0.0f);
}

TEST(ExecutorTest, ThreadedObserverSeesTheCallsOfAOneThreadRunInOrder) {
  // 11 slices on 2 (and 3) threads: the observer must get every (value, tensor) of slice 0, then
  // of slice 1, ... exactly as with one thread, on the calling thread.
  auto g = ConvRelu();
  const Tensor batch = RandomInput(11, 4);
  struct Call {
    std::string name;
    std::vector<float> values;
    std::thread::id thread;
  };
  auto observe_with = [&](int threads) {
    ExecutorOptions o;
    o.threads = threads;
    auto ex = Executor::Create(*g, o);
    EXPECT_TRUE(ex.ok());
    std::vector<Call> calls;
    auto out = (*ex)->RunBatch({{"x", batch}}, [&](const Value& v, const Tensor& t) {
      calls.push_back({v.name(), t.ToFloatVector(), std::this_thread::get_id()});
    });
    EXPECT_TRUE(out.ok());
    return calls;
  };
  const std::vector<Call> one = observe_with(1);
  ASSERT_EQ(one.size(), 22u);
  for (int threads : {2, 3}) {
    const std::vector<Call> many = observe_with(threads);
    ASSERT_EQ(many.size(), one.size()) << threads << " threads";
    for (size_t i = 0; i < one.size(); ++i) {
      EXPECT_EQ(many[i].name, one[i].name) << "call " << i;
      EXPECT_EQ(many[i].values, one[i].values) << "call " << i;
      EXPECT_EQ(many[i].thread, std::this_thread::get_id()) << "call " << i;
    }
  }
}

TEST(ExecutorTest, BadFeedsNameTheInput) {
  auto g = ConvRelu();
  auto ex = Executor::Create(*g);
  ASSERT_TRUE(ex.ok());
  auto missing = (*ex)->Run({});
  EXPECT_EQ(missing.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(missing.status().message().find("missing input 'x'"), std::string::npos);
  auto extra = (*ex)->Run({{"x", RandomInput(1, 0)}, {"z", RandomInput(1, 0)}});
  EXPECT_NE(extra.status().message().find("no input named 'z'"), std::string::npos);
  auto shape = (*ex)->Run({{"x", RandomInput(2, 0)}});
  EXPECT_EQ(shape.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(shape.status().message().find("e.onnx: input 'x': expected shape [1,2,6,6]"),
            std::string::npos)
      << shape.status().message();
  auto dtype = (*ex)->Run({{"x", Tensor(DType::kF64, {1, 2, 6, 6})}});
  EXPECT_NE(dtype.status().message().find("expected dtype f32, got f64"), std::string::npos);
}

TEST(ExecutorTest, MissingKernelIsUnsupportedNamingTheNode) {
  Graph g;
  g.set_source("u.onnx");
  Value* x = g.AddValue("x", DType::kF32, {2});
  Value* y = g.AddValue("y", DType::kF32, {2});
  g.AddNode(OpKind::kConstant, "k", {x}, {y});  // Constant never reaches the executor
  g.inputs() = {x};
  g.outputs() = {y};
  auto ex = Executor::Create(g);
  EXPECT_EQ(ex.status().code(), StatusCode::kUnsupported);
  EXPECT_NE(ex.status().message().find("u.onnx: node 'k' (Constant)"), std::string::npos);
}

}  // namespace
}  // namespace tinyq
