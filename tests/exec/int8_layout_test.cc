// Tests of the int8 executor's channel-last plan (src/exec/int8_layout.cc) and of the kernels
// running on it: which values a graph keeps channel-last, and that every node of a chain of
// Conv / depthwise Conv / LUT / Add / pool nodes gives, through the executor (values kept
// channel-last, reported to the observer in NCHW), exactly what the node gives alone (every
// value NCHW).
#include "src/exec/int8_layout.h"

#include <map>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/exec/int8_test_util.h"

namespace tinyq {
namespace {

using testing::AddBias;
using testing::AddS8;
using testing::AddS8Input;
using testing::AddS8Output;
using testing::AddWeights;

// Adds a Conv (weights and bias random) from `x` to a new value `y` of `y_shape`.
Node* AddConv(Graph& g, const std::string& name, Value* x, Value* y, int64_t cout, int64_t k,
              int64_t group, int64_t pad, uint32_t seed) {
  const int64_t cin = x->shape()[1];
  const Shape ws = {cout, cin / group, k, k};
  std::vector<float> sw;
  for (int64_t o = 0; o < cout; ++o) sw.push_back(0.01f + 0.003f * static_cast<float>(o % 4));
  Value* w =
      AddWeights(g, name + ".w", ws, testing::RandomS8(NumElements(ws), seed, -127, 127), sw);
  Value* b = AddBias(g, name + ".b", testing::RandomS32(cout, seed + 1, -500, 500),
                     x->quant()->scale[0], sw);
  Node* n = g.AddNode(OpKind::kConv, name, {x, w, b}, {y});
  n->SetInt("group", group);
  n->SetInts("kernel_shape", {k, k});
  n->SetInts("pads", {pad, pad, pad, pad});
  return n;
}

// x [1,3,8,8] -> conv 3x3 -> c1 -> relu (LUT) -> r1 -> depthwise 3x3 -> d1 -> conv 1x1 -> c2;
// add(c2, r1) -> a1 -> maxpool 2x2 -> p1 -> conv 1x1 -> c3 -> global average pool -> y [1,8,1,1].
std::unique_ptr<Graph> BuildChain() {
  auto g = std::make_unique<Graph>();
  g->set_source("chain.onnx");
  Value* x = AddS8Input(*g, "x", {1, 3, 8, 8}, 0.05f, 3);
  Value* c1 = AddS8(*g, "c1", {1, 8, 8, 8}, 0.2f, -4);
  AddConv(*g, "conv1", x, c1, 8, 3, 1, 1, 10);
  Value* r1 = AddS8(*g, "r1", {1, 8, 8, 8}, 0.1f, -128);
  g->AddNode(OpKind::kRelu, "relu", {c1}, {r1});
  Value* d1 = AddS8(*g, "d1", {1, 8, 8, 8}, 0.15f, 2);
  AddConv(*g, "dw", r1, d1, 8, 3, 8, 1, 20);
  Value* c2 = AddS8(*g, "c2", {1, 8, 8, 8}, 0.1f, -1);
  AddConv(*g, "conv2", d1, c2, 8, 1, 1, 0, 30);
  Value* a1 = AddS8(*g, "a1", {1, 8, 8, 8}, 0.2f, 0);
  g->AddNode(OpKind::kAdd, "add", {c2, r1}, {a1});
  Value* p1 = AddS8(*g, "p1", {1, 8, 4, 4}, 0.2f, 0);
  Node* pool = g->AddNode(OpKind::kMaxPool, "pool", {a1}, {p1});
  pool->SetInts("kernel_shape", {2, 2});
  pool->SetInts("strides", {2, 2});
  Value* c3 = AddS8(*g, "c3", {1, 8, 4, 4}, 0.1f, 5);
  AddConv(*g, "conv3", p1, c3, 8, 1, 1, 0, 40);
  Value* y = AddS8Output(*g, "y", {1, 8, 1, 1}, 0.05f, -2);
  g->AddNode(OpKind::kGlobalAveragePool, "gap", {c3}, {y});
  return g;
}

std::vector<const Node*> Order(const Graph& g) {
  std::vector<const Node*> order;
  for (const Node* n : g.TopoOrder()) order.push_back(n);
  return order;
}

TEST(Int8LayoutTest, ValuesBetweenNativeAndElementwiseKernelsAreChannelLast) {
  auto g = BuildChain();
  const auto plan = PlanInt8ChannelLast(*g, Order(*g));
  std::vector<std::string> names;
  for (const Value* v : plan) names.push_back(v->name());
  std::sort(names.begin(), names.end());
  // x is the graph input and y the graph output: they keep the model's order.
  EXPECT_EQ(names, (std::vector<std::string>{"a1", "c1", "c2", "c3", "d1", "p1", "r1"}));
}

TEST(Int8LayoutTest, OtherConsumersAndTrivialShapesKeepNchw) {
  auto g = BuildChain();
  // A Flatten reading c3 (it needs NCHW order) keeps c3 NCHW; the chain before it is unchanged.
  Value* f = AddS8Output(*g, "f", {1, 128}, 0.1f, 5);
  Node* flat = g->AddNode(OpKind::kFlatten, "flat", {g->FindValue("c3")}, {f});
  flat->SetInt("axis", 1);
  const auto plan = PlanInt8ChannelLast(*g, Order(*g));
  EXPECT_FALSE(plan.count(g->FindValue("c3")));
  EXPECT_TRUE(plan.count(g->FindValue("p1")));
  EXPECT_FALSE(ChannelLastMatters({1, 1, 8, 8}));  // one channel
  EXPECT_FALSE(ChannelLastMatters({1, 8, 1, 1}));  // one pixel
  EXPECT_TRUE(ChannelLastMatters({1, 8, 5}));      // [N,C,L]
}

// A graph of the single node `n` of `g`: its non-constant inputs become graph inputs, its
// output the graph output (so every value is NCHW).
std::unique_ptr<Graph> Alone(const Graph& g, const Node& n) {
  auto one = std::make_unique<Graph>();
  one->set_source(g.source());
  std::vector<Value*> ins;
  for (const Value* v : n.inputs()) {
    if (v->is_constant()) {
      ins.push_back(one->AddConstant(v->name(), *v->constant()));
    } else {
      ins.push_back(one->AddValue(v->name(), v->dtype(), v->shape()));
      one->inputs().push_back(ins.back());
    }
    if (v->quant()) ins.back()->set_quant(*v->quant());
  }
  const Value* y = n.output(0);
  Value* out = one->AddValue(y->name(), y->dtype(), y->shape());
  out->set_quant(*y->quant());
  one->outputs().push_back(out);
  Node* copy = one->AddNode(n.op(), n.name(), ins, {out});
  copy->mutable_attrs() = n.attrs();
  return one;
}

TEST(Int8LayoutTest, ChainThroughTheExecutorEqualsEveryNodeAlone) {
  auto g = BuildChain();
  auto ex = Executor::Create(*g, {.int8 = true});
  ASSERT_TRUE(ex.ok()) << ex.status().ToString();
  std::map<std::string, Tensor> seen;  // every value as the observer reports it (NCHW)
  const Tensor x = Tensor::FromVector<int8_t>({1, 3, 8, 8}, testing::RandomS8(192, 7));
  seen.emplace("x", x);
  auto out = (*ex)->Run(
      {{"x", x}}, [&](const Value& v, const Tensor& t) { seen.insert_or_assign(v.name(), t); });
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  for (const Node* n : g->TopoOrder()) {
    auto one = Alone(*g, *n);
    TensorMap feeds;
    for (const Value* v : one->inputs()) feeds.emplace(v->name(), seen.at(v->name()));
    const Tensor want = testing::RunInt8(*one, feeds, n->output(0)->name());
    const Tensor& got = seen.at(n->output(0)->name());
    ASSERT_EQ(got.nbytes(), want.nbytes()) << n->name();
    EXPECT_EQ(std::vector<int8_t>(got.data<int8_t>(), got.data<int8_t>() + got.numel()),
              std::vector<int8_t>(want.data<int8_t>(), want.data<int8_t>() + want.numel()))
        << "node " << n->name();
  }
  const Tensor& y = out->at("y");
  EXPECT_EQ(std::vector<int8_t>(y.data<int8_t>(), y.data<int8_t>() + 8),
            std::vector<int8_t>(seen.at("y").data<int8_t>(), seen.at("y").data<int8_t>() + 8));
}

}  // namespace
}  // namespace tinyq
