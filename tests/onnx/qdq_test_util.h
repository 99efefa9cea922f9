// Helpers of the QDQ tests: hand-built QOp graphs (docs/quantized_ir.md) and a structural graph
// comparison (names, dtypes, shapes, constants, quant params, nodes, attributes).
#ifndef TINYQ_TESTS_ONNX_QDQ_TEST_UTIL_H_
#define TINYQ_TESTS_ONNX_QDQ_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "tinyq/ir.h"

namespace tinyq {
namespace testing_qdq {

inline QuantParams ActParams(float scale, int32_t zp) {
  QuantParams q;
  q.scale = {scale};
  q.zero_point = {zp};
  return q;
}

// Builds a QOp-form graph with static shapes. Values get deterministic pseudo-random contents
// (std::mt19937, seeded per builder) so round trips compare real data.
class QOpBuilder {
 public:
  QOpBuilder() : g_(std::make_unique<Graph>()) {
    g_->set_name("qop");
    g_->set_opset(13);
    g_->set_source("qop.onnx");
  }
  Graph& graph() { return *g_; }
  std::unique_ptr<Graph> Take() { return std::move(g_); }

  // int8 graph input with activation params.
  Value* Int8Input(const std::string& name, Shape shape, float scale, int32_t zp) {
    Value* v = g_->AddValue(name, DType::kS8, std::move(shape));
    v->set_quant(ActParams(scale, zp));
    g_->inputs().push_back(v);
    return v;
  }
  Value* FloatInput(const std::string& name, Shape shape) {
    Value* v = g_->AddValue(name, DType::kF32, std::move(shape));
    g_->inputs().push_back(v);
    return v;
  }
  // An s8 activation value (to be written by a node).
  Value* Act(const std::string& name, Shape shape, float scale, int32_t zp) {
    Value* v = g_->AddValue(name, DType::kS8, std::move(shape));
    v->set_quant(ActParams(scale, zp));
    return v;
  }
  Value* Float(const std::string& name, Shape shape) {
    return g_->AddValue(name, DType::kF32, std::move(shape));
  }
  // Symmetric per-output-channel s8 weight, values in [-127, 127], scales 0.01 * (c + 1).
  Value* Weight(const std::string& name, Shape shape) {
    Tensor t(DType::kS8, shape);
    std::uniform_int_distribution<int> d(-127, 127);
    for (int64_t i = 0; i < t.numel(); ++i) t.data<int8_t>()[i] = static_cast<int8_t>(d(rng_));
    Value* v = g_->AddConstant(name, std::move(t));
    QuantParams q;
    for (int64_t c = 0; c < shape[0]; ++c) {
      q.scale.push_back(0.01f * static_cast<float>(c + 1));
      q.zero_point.push_back(0);
    }
    q.axis = 0;
    v->set_quant(q);
    return v;
  }
  // s32 bias for `w` read by an input of scale `in_scale`: scale[c] = in_scale * s_w[c].
  Value* Bias(const std::string& name, const Value* w, float in_scale) {
    const QuantParams& wq = *w->quant();
    const int64_t c = static_cast<int64_t>(wq.scale.size());
    Tensor t(DType::kS32, {c});
    std::uniform_int_distribution<int> d(-5000, 5000);
    QuantParams q;
    for (int64_t i = 0; i < c; ++i) {
      t.data<int32_t>()[i] = d(rng_);
      q.scale.push_back(in_scale * wq.scale[static_cast<size_t>(i)]);
      q.zero_point.push_back(0);
    }
    q.axis = 0;
    q.storage = DType::kS32;
    Value* v = g_->AddConstant(name, std::move(t));
    v->set_quant(q);
    return v;
  }
  Value* Int64Const(const std::string& name, std::vector<int64_t> v) {
    const int64_t n = static_cast<int64_t>(v.size());
    return g_->AddConstant(name, Tensor::FromVector<int64_t>({n}, v));
  }
  Value* FloatScalar(const std::string& name, float v) {
    return g_->AddConstant(name, Tensor::FromVector<float>({}, {v}));
  }
  Value* Int8Scalar(const std::string& name, int8_t v) {
    return g_->AddConstant(name, Tensor::FromVector<int8_t>({}, {v}));
  }
  Node* Op(OpKind op, const std::string& name, std::vector<Value*> in, std::vector<Value*> out) {
    return g_->AddNode(op, name, std::move(in), std::move(out));
  }
  void Output(Value* v) { g_->outputs().push_back(v); }

 private:
  std::unique_ptr<Graph> g_;
  std::mt19937 rng_{20260};
};

inline void SetFusedAct(Node* n, const std::string& act, float lo, float hi) {
  n->SetString("tq_act", act);
  n->SetFloat("tq_act_min", lo);
  n->SetFloat("tq_act_max", hi);
}

inline bool SameAttr(const Attribute& a, const Attribute& b) {
  return a.type == b.type && a.i == b.i && (a.f == b.f || (std::isnan(a.f) && std::isnan(b.f))) &&
         a.s == b.s && a.ints == b.ints && a.floats == b.floats && a.strings == b.strings;
}

inline bool SameQuant(const std::optional<QuantParams>& a, const std::optional<QuantParams>& b) {
  if (!a || !b) return !a && !b;
  return a->scale == b->scale && a->zero_point == b->zero_point && a->axis == b->axis &&
         a->storage == b->storage;
}

// Every used value and every node of `want` exists in `got` with the same contents, and `got`
// has nothing more.
inline void ExpectSameGraph(const Graph& want, const Graph& got) {
  auto names = [](const std::vector<Value*>& vs) {
    std::vector<std::string> n;
    for (const Value* v : vs) n.push_back(v ? v->name() : "");
    return n;
  };
  EXPECT_EQ(names(got.inputs()), names(want.inputs()));
  EXPECT_EQ(names(got.outputs()), names(want.outputs()));
  size_t used = 0;
  for (const auto& v : want.values()) {
    if (!v->producer() && v->uses().empty()) continue;
    ++used;
    SCOPED_TRACE("value " + v->name());
    const Value* o = got.FindValue(v->name());
    ASSERT_NE(o, nullptr);
    EXPECT_EQ(DTypeName(o->dtype()), std::string(DTypeName(v->dtype())));
    EXPECT_EQ(ShapeToString(o->shape()), ShapeToString(v->shape()));
    EXPECT_TRUE(SameQuant(o->quant(), v->quant()));
    ASSERT_EQ(o->is_constant(), v->is_constant());
    if (v->is_constant()) {
      ASSERT_EQ(o->constant()->nbytes(), v->constant()->nbytes());
      EXPECT_EQ(std::memcmp(o->constant()->raw(), v->constant()->raw(), v->constant()->nbytes()),
                0);
    }
  }
  size_t got_used = 0;
  for (const auto& v : got.values()) got_used += v->producer() || !v->uses().empty();
  EXPECT_EQ(got_used, used);
  EXPECT_EQ(got.nodes().size(), want.nodes().size());
  for (const auto& n : want.nodes()) {
    SCOPED_TRACE("node " + n->name());
    const Node* o = got.FindNode(n->name());
    ASSERT_NE(o, nullptr);
    EXPECT_EQ(OpKindName(o->op()), std::string(OpKindName(n->op())));
    EXPECT_EQ(names(o->inputs()), names(n->inputs()));
    EXPECT_EQ(names(o->outputs()), names(n->outputs()));
    EXPECT_EQ(o->attrs().size(), n->attrs().size());
    for (const auto& [k, a] : n->attrs()) {
      const Attribute* b = o->FindAttr(k);
      ASSERT_NE(b, nullptr) << k;
      EXPECT_TRUE(SameAttr(a, *b)) << k;
    }
  }
}

}  // namespace testing_qdq
}  // namespace tinyq

#endif  // TINYQ_TESTS_ONNX_QDQ_TEST_UTIL_H_
