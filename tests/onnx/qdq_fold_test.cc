// Tests of QDQ import (src/onnx/qdq_fold.cc via LoadOnnx) on QDQ files written the way common
// quantizers (ONNX Runtime's quantize_static, QDQ format) write them: which patterns fold into QOp
// form, and which stay as QuantizeLinear/DequantizeLinear nodes computing the file's exact float
// semantics.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <random>

#include "tests/onnx/test_util.h"
#include "tinyq/executor.h"
#include "tinyq/onnx.h"

namespace tinyq {
namespace {

using testing_onnx::ScratchDir;
using testing_onnx::WriteBytes;

int CountOps(const Graph& g, OpKind op) {
  int n = 0;
  for (const auto& node : g.nodes()) n += node->op() == op;
  return n;
}

// Builds x:f32[1,2,4,4] -> Q -> DQ -> Conv(DQ(w), DQ(b)) [-> Relu] -> Q -> DQ -> y:f32.
struct QdqConvModel {
  float x_scale = 0.05f;
  int x_zp = -3;
  int x_type = onnx::TensorProto::INT8;  // activation element type (INT8 or UINT8)
  bool per_axis_weights = false;         // else one scalar weight scale
  float w_scale = 0.02f;
  int w_zp = 0;
  float b_scale_factor = 1.0f;  // 1 = the expected s_x * s_w
  bool relu = true;
  float y_scale = 0.1f;
  int y_zp = -128;

  onnx::ModelProto Build() const {
    onnx::ModelProto m;
    m.set_ir_version(8);
    auto* os = m.add_opset_import();
    os->set_version(13);
    auto* g = m.mutable_graph();
    g->set_name("ort_style");
    auto* in = g->add_input();
    in->set_name("x");
    auto* tt = in->mutable_type()->mutable_tensor_type();
    tt->set_elem_type(onnx::TensorProto::FLOAT);
    for (int d : {1, 2, 4, 4}) tt->mutable_shape()->add_dim()->set_dim_value(d);
    auto* out = g->add_output();
    out->set_name("y");
    out->mutable_type()->mutable_tensor_type()->set_elem_type(onnx::TensorProto::FLOAT);
    auto scalar_f = [&](const std::string& name, float v) {
      auto* t = g->add_initializer();
      t->set_name(name);
      t->set_data_type(onnx::TensorProto::FLOAT);
      t->add_float_data(v);
    };
    auto ints = [&](const std::string& name, int type, std::vector<int64_t> dims,
                    std::vector<int32_t> v) {
      auto* t = g->add_initializer();
      t->set_name(name);
      t->set_data_type(type);
      for (int64_t d : dims) t->add_dims(d);
      for (int32_t x : v) t->add_int32_data(x);
    };
    auto node = [&](const std::string& op, const std::string& name, std::vector<std::string> ins,
                    const std::string& o) {
      auto* n = g->add_node();
      n->set_op_type(op);
      n->set_name(name);
      for (auto& s : ins) n->add_input(s);
      n->add_output(o);
      return n;
    };
    scalar_f("x_scale", x_scale);
    ints("x_zp", x_type, {}, {x_zp});
    scalar_f("y_scale", y_scale);
    ints("y_zp", x_type, {}, {y_zp});
    std::mt19937 rng(7);
    std::uniform_int_distribution<int> d(-127, 127);
    std::vector<int32_t> w(3 * 2 * 3 * 3);
    for (auto& v : w) v = d(rng);
    ints("w", onnx::TensorProto::INT8, {3, 2, 3, 3}, w);
    ints("b", onnx::TensorProto::INT32, {3}, {120, -40, 7});
    if (per_axis_weights) {
      auto* s = g->add_initializer();
      s->set_name("w_scale");
      s->set_data_type(onnx::TensorProto::FLOAT);
      s->add_dims(3);
      for (float v : {w_scale, 2 * w_scale, 3 * w_scale}) s->add_float_data(v);
      ints("w_zp", onnx::TensorProto::INT8, {3}, {w_zp, w_zp, w_zp});
      auto* bs = g->add_initializer();
      bs->set_name("b_scale");
      bs->set_data_type(onnx::TensorProto::FLOAT);
      bs->add_dims(3);
      for (float k : {1.0f, 2.0f, 3.0f}) bs->add_float_data(x_scale * k * w_scale * b_scale_factor);
      ints("b_zp", onnx::TensorProto::INT32, {3}, {0, 0, 0});
    } else {
      scalar_f("w_scale", w_scale);
      ints("w_zp", onnx::TensorProto::INT8, {}, {w_zp});
      scalar_f("b_scale", x_scale * w_scale * b_scale_factor);
      ints("b_zp", onnx::TensorProto::INT32, {}, {0});
    }
    node("QuantizeLinear", "x_q", {"x", "x_scale", "x_zp"}, "x_quantized");
    node("DequantizeLinear", "x_dq", {"x_quantized", "x_scale", "x_zp"}, "x_dequantized");
    auto* wdq = node("DequantizeLinear", "w_dq", {"w", "w_scale", "w_zp"}, "w_dequantized");
    auto* bdq = node("DequantizeLinear", "b_dq", {"b", "b_scale", "b_zp"}, "b_dequantized");
    if (per_axis_weights) {
      for (auto* n : {wdq, bdq}) {
        auto* a = n->add_attribute();
        a->set_name("axis");
        a->set_type(onnx::AttributeProto::INT);
        a->set_i(0);
      }
    }
    auto* conv = node("Conv", "conv", {"x_dequantized", "w_dequantized", "b_dequantized"},
                      relu ? "conv_out" : "act_out");
    auto* pads = conv->add_attribute();
    pads->set_name("pads");
    pads->set_type(onnx::AttributeProto::INTS);
    for (int p : {1, 1, 1, 1}) pads->add_ints(p);
    if (relu) node("Relu", "relu", {"conv_out"}, "act_out");
    node("QuantizeLinear", "y_q", {"act_out", "y_scale", "y_zp"}, "y_quantized");
    node("DequantizeLinear", "y_dq", {"y_quantized", "y_scale", "y_zp"}, "y");
    return m;
  }
};

StatusOr<std::unique_ptr<Graph>> Load(const onnx::ModelProto& m, bool fold) {
  const std::string path = ScratchDir() + (fold ? "/folded.onnx" : "/kept.onnx");
  WriteBytes(path, m.SerializeAsString());
  LoadOptions o;
  o.fold_qdq = fold;
  return LoadOnnx(path, o);
}

// A pattern that does not fold must compute exactly what the file says: the float executor gives
// the same result as on the graph loaded without folding.
void ExpectSameFloatResult(const onnx::ModelProto& m) {
  auto folded = Load(m, true);
  auto kept = Load(m, false);
  ASSERT_TRUE(folded.ok()) << folded.status().ToString();
  ASSERT_TRUE(kept.ok()) << kept.status().ToString();
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> d(-2.0f, 2.0f);
  Tensor x(DType::kF32, {1, 2, 4, 4});
  for (int64_t i = 0; i < x.numel(); ++i) x.data<float>()[i] = d(rng);
  auto e1 = Executor::Create(**folded);
  auto e2 = Executor::Create(**kept);
  ASSERT_TRUE(e1.ok()) << e1.status().ToString();
  ASSERT_TRUE(e2.ok()) << e2.status().ToString();
  auto r1 = (*e1)->Run({{"x", x}});
  auto r2 = (*e2)->Run({{"x", x}});
  ASSERT_TRUE(r1.ok() && r2.ok());
  EXPECT_EQ(r1->at("y").ToFloatVector(), r2->at("y").ToFloatVector());
}

TEST(QdqFoldTest, OrtStylePerTensorConvReluFoldsIntoQOpForm) {
  QdqConvModel model;
  auto g = Load(model.Build(), true);
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  // Q (float border) -> Conv{relu} -> DQ (float border).
  EXPECT_EQ((*g)->nodes().size(), 3u);
  const Node* conv = (*g)->FindNode("conv");
  ASSERT_NE(conv, nullptr);
  EXPECT_EQ(conv->GetString("tq_act", ""), "relu");
  EXPECT_EQ(conv->input(0)->name(), "x_quantized");
  EXPECT_EQ(conv->input(0)->dtype(), DType::kS8);
  ASSERT_TRUE(conv->input(0)->quant());
  EXPECT_EQ(conv->input(0)->quant()->scale, std::vector<float>{0.05f});
  EXPECT_EQ(conv->input(0)->quant()->zero_point, std::vector<int32_t>{-3});
  // The per-tensor weight scale is widened to one scale per output channel (axis 0).
  const Value* w = conv->input(1);
  ASSERT_TRUE(w->is_constant() && w->quant());
  EXPECT_EQ(w->dtype(), DType::kS8);
  EXPECT_EQ(w->quant()->scale, std::vector<float>(3, 0.02f));
  EXPECT_EQ(w->quant()->axis, 0);
  const Value* b = conv->input(2);
  ASSERT_TRUE(b->is_constant() && b->quant());
  EXPECT_EQ(b->dtype(), DType::kS32);
  EXPECT_EQ(b->quant()->storage, DType::kS32);
  EXPECT_EQ(b->constant()->ToInt64Vector(), (std::vector<int64_t>{120, -40, 7}));
  const Value* y = conv->output(0);
  EXPECT_EQ(y->name(), "y_quantized");
  ASSERT_TRUE(y->quant());
  EXPECT_EQ(y->quant()->zero_point, std::vector<int32_t>{-128});
  EXPECT_EQ(y->shape(), (Shape{1, 3, 4, 4}));
}

TEST(QdqFoldTest, PerAxisWeightsFoldWithoutRelu) {
  QdqConvModel model;
  model.per_axis_weights = true;
  model.relu = false;
  auto g = Load(model.Build(), true);
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  const Node* conv = (*g)->FindNode("conv");
  ASSERT_NE(conv, nullptr);
  EXPECT_FALSE(conv->HasAttr("tq_act"));
  EXPECT_EQ(conv->input(1)->quant()->scale, (std::vector<float>{0.02f, 0.04f, 0.06f}));
  EXPECT_EQ(CountOps(**g, OpKind::kDequantizeLinear), 1);
}

TEST(QdqFoldTest, Uint8ActivationsStayAsQdqNodes) {
  QdqConvModel model;
  model.x_type = onnx::TensorProto::UINT8;
  model.x_zp = 128;
  model.y_zp = 0;
  auto g = Load(model.Build(), true);
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  EXPECT_EQ((*g)->FindNode("conv")->input(0)->dtype(), DType::kF32);
  EXPECT_EQ(CountOps(**g, OpKind::kDequantizeLinear), 4);
  ExpectSameFloatResult(model.Build());
}

TEST(QdqFoldTest, NonZeroWeightZeroPointStaysAsQdqNodes) {
  QdqConvModel model;
  model.w_zp = 3;
  auto g = Load(model.Build(), true);
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  EXPECT_EQ((*g)->FindNode("conv")->input(1)->dtype(), DType::kF32);
  EXPECT_EQ(CountOps(**g, OpKind::kRelu), 1);
  ExpectSameFloatResult(model.Build());
}

TEST(QdqFoldTest, BiasInOtherUnitsThanInputTimesWeightScaleStays) {
  QdqConvModel model;
  model.b_scale_factor = 2.0f;
  auto g = Load(model.Build(), true);
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  EXPECT_EQ((*g)->FindNode("conv")->input(2)->dtype(), DType::kF32);
  ExpectSameFloatResult(model.Build());
}

TEST(QdqFoldTest, WithoutFoldingTheGraphKeepsEveryQdqNode) {
  QdqConvModel model;
  auto g = Load(model.Build(), false);
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  EXPECT_EQ(CountOps(**g, OpKind::kQuantizeLinear), 2);
  EXPECT_EQ(CountOps(**g, OpKind::kDequantizeLinear), 4);
  // The int8 weight was not folded into a float constant either.
  EXPECT_EQ((*g)->FindValue("w")->dtype(), DType::kS8);
}

TEST(QdqFoldTest, DqAlsoReadByFloatCodeStaysForItWhileTheConvFolds) {
  onnx::ModelProto m = QdqConvModel().Build();
  // A second, float output reads the Conv's dequantized input directly.
  auto* n = m.mutable_graph()->add_node();
  n->set_op_type("Sigmoid");
  n->set_name("float_sigmoid");
  n->add_input("x_dequantized");
  n->add_output("side");
  auto* o = m.mutable_graph()->add_output();
  o->set_name("side");
  o->mutable_type()->mutable_tensor_type()->set_elem_type(onnx::TensorProto::FLOAT);
  auto g = Load(m, true);
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  EXPECT_EQ((*g)->FindNode("conv")->input(0)->dtype(), DType::kS8);
  const Node* sig = (*g)->FindNode("float_sigmoid");
  ASSERT_NE(sig, nullptr);
  ASSERT_NE(sig->input(0)->producer(), nullptr);
  EXPECT_EQ(sig->input(0)->producer()->op(), OpKind::kDequantizeLinear);
  EXPECT_EQ(sig->input(0)->dtype(), DType::kF32);
}

TEST(QdqFoldTest, DisagreeingQAndDqParamsStayAsQdqNodes) {
  onnx::ModelProto m = QdqConvModel().Build();
  // The DQ reads x_quantized with another scale than the Q wrote it with.
  auto* g = m.mutable_graph();
  auto* s = g->add_initializer();
  s->set_name("other_scale");
  s->set_data_type(onnx::TensorProto::FLOAT);
  s->add_float_data(0.07f);
  for (auto& n : *g->mutable_node())
    if (n.name() == "x_dq") n.set_input(1, "other_scale");
  auto folded = Load(m, true);
  ASSERT_TRUE(folded.ok()) << folded.status().ToString();
  EXPECT_EQ((*folded)->FindNode("conv")->input(0)->dtype(), DType::kF32);
  EXPECT_FALSE((*folded)->FindValue("x_quantized")->quant().has_value());
  ExpectSameFloatResult(m);
}

}  // namespace
}  // namespace tinyq
