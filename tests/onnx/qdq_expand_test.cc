// Tests of QDQ export (src/onnx/qdq_expand.cc via SaveOnnx) and of the QOp -> QDQ -> QOp round
// trip (qdq_fold.cc via LoadOnnx): hand-built QOp graphs (docs/quantized_ir.md) are saved, judged
// by onnx.checker, loaded back and compared field by field; a hand-computed Gemm checks that the
// file means what the QOp graph means.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <filesystem>
#include <limits>

#include "tests/onnx/qdq_test_util.h"
#include "tests/onnx/test_util.h"
#include "tinyq/executor.h"
#include "tinyq/onnx.h"

namespace tinyq {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using testing_onnx::CheckerAccepts;
using testing_onnx::ReadBytes;
using testing_onnx::ScratchDir;
using testing_qdq::ExpectSameGraph;
using testing_qdq::QOpBuilder;
using testing_qdq::SetFusedAct;

constexpr float kInf = std::numeric_limits<float>::infinity();

// Saves `g`, checks the file with onnx.checker, loads it back and expects the same graph.
std::unique_ptr<Graph> RoundTrip(const Graph& g, const std::string& file = "model.onnx") {
  EXPECT_TRUE(Verify(g).ok()) << Verify(g).ToString();
  const std::string path = ScratchDir() + "/" + file;
  Status saved = SaveOnnx(g, path);
  EXPECT_TRUE(saved.ok()) << saved.ToString();
  EXPECT_TRUE(CheckerAccepts(path));
  auto loaded = LoadOnnx(path);
  EXPECT_TRUE(loaded.ok()) << loaded.status().ToString();
  if (!loaded.ok()) return nullptr;
  EXPECT_TRUE(Verify(**loaded).ok());
  ExpectSameGraph(g, **loaded);
  return std::move(*loaded);
}

onnx::ModelProto Parse(const std::string& path) {
  onnx::ModelProto m;
  EXPECT_TRUE(m.ParseFromString(ReadBytes(path)));
  return m;
}

std::vector<std::string> OpTypes(const onnx::ModelProto& m) {
  std::vector<std::string> ops;
  for (const auto& n : m.graph().node()) ops.push_back(n.op_type());
  return ops;
}

// int8 input -> Conv+relu -> depthwise Conv+clip[0,6] -> MaxPool -> GAP -> Flatten -> Gemm ->
// Softmax -> int8 output.
std::unique_ptr<Graph> SmallCnn() {
  QOpBuilder b;
  Value* x = b.Int8Input("x", {1, 3, 8, 8}, 0.05f, -3);
  Value* w1 = b.Weight("w1", {4, 3, 3, 3});
  Value* c1 = b.Act("c1", {1, 4, 8, 8}, 0.04f, -128);
  Node* conv1 = b.Op(OpKind::kConv, "conv1", {x, w1, b.Bias("b1", w1, 0.05f)}, {c1});
  conv1->SetInts("kernel_shape", {3, 3});
  conv1->SetInts("pads", {1, 1, 1, 1});
  SetFusedAct(conv1, "relu", 0.0f, kInf);
  Value* w2 = b.Weight("w2", {4, 1, 3, 3});
  Value* c2 = b.Act("c2", {1, 4, 8, 8}, 0.03f, -20);
  Node* dw = b.Op(OpKind::kConv, "dw", {c1, w2, b.Bias("b2", w2, 0.04f)}, {c2});
  dw->SetInt("group", 4);
  dw->SetInts("pads", {1, 1, 1, 1});
  SetFusedAct(dw, "clip", 0.0f, 6.0f);
  Value* p = b.Act("p", {1, 4, 4, 4}, 0.03f, -20);
  Node* pool = b.Op(OpKind::kMaxPool, "pool", {c2}, {p});
  pool->SetInts("kernel_shape", {2, 2});
  pool->SetInts("strides", {2, 2});
  Value* g = b.Act("g", {1, 4, 1, 1}, 0.02f, -10);
  b.Op(OpKind::kGlobalAveragePool, "gap", {p}, {g});
  Value* f = b.Act("f", {1, 4}, 0.02f, -10);
  b.Op(OpKind::kFlatten, "flat", {g}, {f})->SetInt("axis", 1);
  Value* w3 = b.Weight("w3", {5, 4});
  Value* logits = b.Act("logits", {1, 5}, 0.1f, 5);
  b.Op(OpKind::kGemm, "fc", {f, w3, b.Bias("b3", w3, 0.02f)}, {logits})->SetInt("transB", 1);
  Value* prob = b.Act("prob", {1, 5}, 1.0f / 256.0f, -128);
  b.Op(OpKind::kSoftmax, "softmax", {logits}, {prob})->SetInt("axis", -1);
  b.Output(prob);
  return b.Take();
}

TEST(QdqExportTest, SmallCnnWithInt8IoRoundTrips) {
  auto g = SmallCnn();
  RoundTrip(*g);
}

TEST(QdqExportTest, Int8IoFileHasInt8TensorsAndQdqNodes) {
  auto g = SmallCnn();
  const std::string path = ScratchDir() + "/cnn.onnx";
  ASSERT_TRUE(SaveOnnx(*g, path).ok());
  const onnx::ModelProto m = Parse(path);
  ASSERT_EQ(m.graph().input_size(), 1);
  EXPECT_EQ(m.graph().input(0).type().tensor_type().elem_type(), onnx::TensorProto::INT8);
  EXPECT_EQ(m.graph().output(0).type().tensor_type().elem_type(), onnx::TensorProto::INT8);
  std::map<std::string, const onnx::TensorProto*> init;
  for (const auto& t : m.graph().initializer()) init[t.name()] = &t;
  ASSERT_TRUE(init.count("w1"));
  EXPECT_EQ(init["w1"]->data_type(), onnx::TensorProto::INT8);
  EXPECT_EQ(init["w1"]->raw_data().size(), 4u * 3 * 3 * 3);
  ASSERT_TRUE(init.count("b1"));
  EXPECT_EQ(init["b1"]->data_type(), onnx::TensorProto::INT32);
  const std::vector<std::string> ops = OpTypes(m);
  EXPECT_EQ(std::count(ops.begin(), ops.end(), "QuantizeLinear"), 7);  // one per quantized node
  // x, w1, b1, c1, w2, b2, c2, p, g, f, w3, b3, logits: one DQ per quantized value read.
  EXPECT_EQ(std::count(ops.begin(), ops.end(), "DequantizeLinear"), 13);
  EXPECT_THAT(ops, Contains("Relu"));
  EXPECT_THAT(ops, Contains("Clip"));
  // The weight DQ is per output channel along axis 0.
  for (const auto& n : m.graph().node()) {
    if (n.op_type() != "DequantizeLinear" || n.input(0) != "w1") continue;
    ASSERT_EQ(n.attribute_size(), 1);
    EXPECT_EQ(n.attribute(0).name(), "axis");
    EXPECT_EQ(n.attribute(0).i(), 0);
    EXPECT_EQ(init.at(n.input(1))->dims_size(), 1);
    EXPECT_EQ(init.at(n.input(1))->dims(0), 4);
  }
}

TEST(QdqExportTest, Int8WeightsMakeTheFileAboutAQuarterOfTheFloatOne) {
  QOpBuilder q;
  Value* x = q.Int8Input("x", {1, 32, 4, 4}, 0.05f, 0);
  Value* w = q.Weight("w", {64, 32, 3, 3});
  Value* y = q.Act("y", {1, 64, 2, 2}, 0.1f, 0);
  q.Op(OpKind::kConv, "conv", {x, w, q.Bias("b", w, 0.05f)}, {y});
  q.Output(y);
  Graph f;
  f.set_opset(13);
  Value* fx = f.AddValue("x", DType::kF32, {1, 32, 4, 4});
  f.inputs().push_back(fx);
  Value* fw = f.AddConstant("w", q.graph().FindValue("w")->constant()->CastTo(DType::kF32));
  Value* fb = f.AddConstant("b", q.graph().FindValue("b")->constant()->CastTo(DType::kF32));
  Value* fy = f.AddValue("y", DType::kF32, {1, 64, 2, 2});
  f.AddNode(OpKind::kConv, "conv", {fx, fw, fb}, {fy});
  f.outputs().push_back(fy);
  const std::string dir = ScratchDir();
  ASSERT_TRUE(SaveOnnx(q.graph(), dir + "/int8.onnx").ok());
  ASSERT_TRUE(SaveOnnx(f, dir + "/float.onnx").ok());
  const auto int8_size = std::filesystem::file_size(dir + "/int8.onnx");
  const auto float_size = std::filesystem::file_size(dir + "/float.onnx");
  EXPECT_LT(int8_size * 10, float_size * 3) << int8_size << " vs " << float_size;
  EXPECT_TRUE(CheckerAccepts(dir + "/int8.onnx"));
}

TEST(QdqExportTest, AddConcatSigmoidMulReshapeRoundTrip) {
  QOpBuilder b;
  Value* a = b.Int8Input("a", {1, 2, 4, 4}, 0.1f, 0);
  Value* c = b.Int8Input("c", {1, 2, 4, 4}, 0.05f, 10);
  Value* s = b.Act("s", {1, 2, 4, 4}, 0.01f, 0);
  SetFusedAct(b.Op(OpKind::kAdd, "add", {a, c}, {s}), "clip", -1.0f, 1.0f);
  Value* cat = b.Act("cat", {1, 4, 4, 4}, 0.2f, 3);
  b.Op(OpKind::kConcat, "concat", {s, a}, {cat})->SetInt("axis", 1);
  Value* y = b.Act("y", {1, 4, 4, 4}, 1.0f / 256.0f, -128);
  b.Op(OpKind::kSigmoid, "sigmoid", {cat}, {y});
  Value* m = b.Act("m", {1, 4, 4, 4}, 0.004f, -128);
  b.Op(OpKind::kMul, "mul", {y, y}, {m});
  Value* r = b.Act("r", {1, 64}, 0.004f, -128);
  b.Op(OpKind::kReshape, "reshape", {m, b.Int64Const("shape", {1, 64})}, {r});
  b.Output(r);
  auto g = b.Take();
  RoundTrip(*g);
}

TEST(QdqExportTest, ReluAsALookupTableOpRoundTripsAsItsOwnNode) {
  QOpBuilder b;
  Value* x = b.Int8Input("x", {1, 8}, 0.1f, 0);
  Value* y = b.Act("y", {1, 8}, 0.05f, -128);
  b.Op(OpKind::kRelu, "relu", {x}, {y});
  b.Output(y);
  auto g = b.Take();
  auto back = RoundTrip(*g);
  ASSERT_NE(back, nullptr);
  EXPECT_FALSE(back->FindNode("relu")->HasAttr("tq_act"));
}

// float input -> QuantizeLinear -> Conv+relu -> AveragePool -> DequantizeLinear -> float output,
// and the Conv output is also an (int8) graph output read by a second border DQ.
TEST(QdqExportTest, FloatIoWithBordersRoundTrips) {
  QOpBuilder b;
  Value* x = b.FloatInput("x", {1, 2, 6, 6});
  Value* xq = b.Act("x.q", {1, 2, 6, 6}, 0.02f, 0);
  b.Op(OpKind::kQuantizeLinear, "x_quantize",
       {x, b.FloatScalar("x_scale", 0.02f), b.Int8Scalar("x_zp", 0)}, {xq});
  Value* w = b.Weight("w", {3, 2, 3, 3});
  Value* y = b.Act("y", {1, 3, 4, 4}, 0.05f, -128);
  SetFusedAct(b.Op(OpKind::kConv, "conv", {xq, w, b.Bias("b", w, 0.02f)}, {y}), "relu", 0.0f, kInf);
  Value* ap = b.Act("ap", {1, 3, 2, 2}, 0.05f, -128);
  Node* pool = b.Op(OpKind::kAveragePool, "avg", {y}, {ap});
  pool->SetInts("kernel_shape", {2, 2});
  pool->SetInts("strides", {2, 2});
  Value* out = b.Float("ap.dq", {1, 3, 2, 2});
  b.Op(OpKind::kDequantizeLinear, "ap_dequantize",
       {ap, b.FloatScalar("ap_scale", 0.05f), b.Int8Scalar("ap_zp", -128)}, {out});
  Value* ydq = b.Float("y.dq", {1, 3, 4, 4});
  b.Op(OpKind::kDequantizeLinear, "y_dequantize",
       {y, b.FloatScalar("y_scale", 0.05f), b.Int8Scalar("y_zp", -128)}, {ydq});
  b.Output(out);
  b.Output(ydq);
  auto g = b.Take();
  RoundTrip(*g);
}

TEST(QdqExportTest, SplitTransposeAndSqueezeKeepTheirInputParams) {
  QOpBuilder b;
  Value* x = b.Int8Input("x", {1, 4, 2, 1}, 0.1f, 7);
  Value* s0 = b.Act("s0", {1, 2, 2, 1}, 0.1f, 7);
  Value* s1 = b.Act("s1", {1, 2, 2, 1}, 0.1f, 7);
  Node* split = b.Op(OpKind::kSplit, "split", {x}, {s0, s1});
  split->SetInt("axis", 1);
  split->SetInts("split", {2, 2});
  Value* t = b.Act("t", {1, 1, 2, 2}, 0.1f, 7);
  b.Op(OpKind::kTranspose, "transpose", {s0}, {t})->SetInts("perm", {0, 3, 2, 1});
  Value* q = b.Act("q", {1, 2, 2}, 0.1f, 7);
  b.Op(OpKind::kSqueeze, "squeeze", {s1}, {q})->SetInts("axes", {3});
  b.Output(t);
  b.Output(q);
  auto g = b.Take();
  RoundTrip(*g);
}

TEST(QdqExportTest, Int8OutputAlsoReadByAQuantizedOpRoundTrips) {
  QOpBuilder b;
  Value* x = b.Int8Input("x", {1, 2, 4, 4}, 0.1f, 1);
  Value* w = b.Weight("w", {2, 2, 1, 1});
  Value* c = b.Act("c", {1, 2, 4, 4}, 0.05f, -128);
  SetFusedAct(b.Op(OpKind::kConv, "conv", {x, w}, {c}), "relu", 0.0f, kInf);
  Value* m = b.Act("m", {1, 2, 1, 1}, 0.05f, -128);
  b.Op(OpKind::kGlobalMaxPool, "gmp", {c}, {m});
  b.Output(c);  // both an int8 graph output and the pool's input
  b.Output(m);
  auto g = b.Take();
  RoundTrip(*g);
}

TEST(QdqExportTest, ClipWithZeroToInfinityComesBackAsRelu) {
  // Exported as a Relu node, which imports as tq_act = "relu": the same clamp [0, +inf].
  QOpBuilder b;
  Value* x = b.Int8Input("x", {1, 4}, 0.1f, 0);
  Value* w = b.Weight("w", {3, 4});
  Value* y = b.Act("y", {1, 3}, 0.2f, -128);
  Node* fc = b.Op(OpKind::kGemm, "fc", {x, w}, {y});
  fc->SetInt("transB", 1);
  SetFusedAct(fc, "clip", 0.0f, kInf);
  b.Output(y);
  const std::string path = ScratchDir() + "/m.onnx";
  ASSERT_TRUE(SaveOnnx(b.graph(), path).ok());
  EXPECT_THAT(OpTypes(Parse(path)), Contains("Relu"));
  auto back = LoadOnnx(path);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  const Node* n = (*back)->FindNode("fc");
  ASSERT_NE(n, nullptr);
  EXPECT_EQ(n->GetString("tq_act", ""), "relu");
  EXPECT_EQ(n->GetFloat("tq_act_min", -1.0f), 0.0f);
  EXPECT_EQ(n->GetFloat("tq_act_max", 0.0f), kInf);
  EXPECT_EQ(n->input(2), nullptr);
}

// Hand-computed: x = 0.5 * (q - 2) = {4, -11}; W = {{1,2},{3,-4}} * s_w {0.1, 0.2};
// b = {100, -50} * {0.05, 0.1} = {5, -5}; y = x W^T + b = {0.4 - 2.2 + 5, 2.4 + 8.8 - 5} =
// {3.2, 6.2}; clip [0, 5] -> {3.2, 5}; q_y = round(y / 0.1) - 10 = {22, 40}.
TEST(QdqExportTest, ExportedFileComputesTheQOpSemantics) {
  QOpBuilder b;
  Value* x = b.Int8Input("x", {1, 2}, 0.5f, 2);
  Graph& g = b.graph();
  Value* w = g.AddConstant("w", Tensor::FromVector<int8_t>({2, 2}, {1, 2, 3, -4}));
  QuantParams wq;
  wq.scale = {0.1f, 0.2f};
  wq.zero_point = {0, 0};
  wq.axis = 0;
  w->set_quant(wq);
  Value* bias = g.AddConstant("b", Tensor::FromVector<int32_t>({2}, {100, -50}));
  QuantParams bq = wq;
  bq.scale = {0.5f * 0.1f, 0.5f * 0.2f};
  bq.storage = DType::kS32;
  bias->set_quant(bq);
  Value* y = b.Act("y", {1, 2}, 0.1f, -10);
  Node* fc = b.Op(OpKind::kGemm, "fc", {x, w, bias}, {y});
  fc->SetInt("transB", 1);
  SetFusedAct(fc, "clip", 0.0f, 5.0f);
  b.Output(y);
  const std::string path = ScratchDir() + "/gemm.onnx";
  ASSERT_TRUE(SaveOnnx(g, path).ok());
  LoadOptions keep;
  keep.fold_qdq = false;
  auto qdq = LoadOnnx(path, keep);
  ASSERT_TRUE(qdq.ok()) << qdq.status().ToString();
  auto exec = Executor::Create(**qdq);
  ASSERT_TRUE(exec.ok()) << exec.status().ToString();
  auto out = (*exec)->Run({{"x", Tensor::FromVector<int8_t>({1, 2}, {10, -20})}});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  const Tensor& q = out->at("y");
  ASSERT_EQ(q.dtype(), DType::kS8);
  EXPECT_EQ(q.data<int8_t>()[0], 22);
  EXPECT_EQ(q.data<int8_t>()[1], 40);
}

TEST(QdqExportTest, FloatGraphFusedActivationsBecomeReluAndClip) {
  // fuse_activation leaves tq_act on float nodes; the exporter refused them before.
  Graph g;
  g.set_opset(13);
  Value* x = g.AddValue("x", DType::kF32, {1, 2});
  g.inputs().push_back(x);
  Value* w = g.AddConstant("w", Tensor::FromVector<float>({2, 2}, {1.0f, -2.0f, 3.0f, 0.5f}));
  Value* h = g.AddValue("h", DType::kF32, {1, 2});
  Node* fc = g.AddNode(OpKind::kGemm, "fc", {x, w}, {h});
  fc->SetInt("transB", 1);
  SetFusedAct(fc, "relu", 0.0f, kInf);
  Value* y = g.AddValue("y", DType::kF32, {1, 2});
  SetFusedAct(g.AddNode(OpKind::kAdd, "add", {h, x}, {y}), "clip", -kInf, 1.5f);
  g.outputs().push_back(y);
  const std::string path = ScratchDir() + "/float.onnx";
  ASSERT_TRUE(SaveOnnx(g, path).ok());
  EXPECT_TRUE(CheckerAccepts(path));
  const std::vector<std::string> ops = OpTypes(Parse(path));
  EXPECT_EQ(ops, (std::vector<std::string>{"Gemm", "Relu", "Add", "Clip"}));
  auto back = LoadOnnx(path);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  const TensorMap in = {{"x", Tensor::FromVector<float>({1, 2}, {0.75f, -0.5f})}};
  auto e1 = Executor::Create(g);
  auto e2 = Executor::Create(**back);
  ASSERT_TRUE(e1.ok() && e2.ok());
  auto r1 = (*e1)->Run(in);
  auto r2 = (*e2)->Run(in);
  ASSERT_TRUE(r1.ok() && r2.ok());
  // h = relu({0.75 + 1, 2.25 - 0.25}) = {1.75, 2}; y = min(h + x, 1.5) = {1.5, 1.5}.
  EXPECT_EQ(r2->at("y").ToFloatVector(), (std::vector<float>{1.5f, 1.5f}));
  EXPECT_EQ(r1->at("y").ToFloatVector(), r2->at("y").ToFloatVector());
}

TEST(QdqExportTest, QuantizedNodeWithAnUnparameterisedInt8OutputIsRefused) {
  QOpBuilder b;
  Value* x = b.Int8Input("x", {1, 4}, 0.1f, 0);
  Value* y = b.graph().AddValue("y", DType::kS8, {1, 4});  // no QuantParams
  b.Op(OpKind::kRelu, "relu", {x}, {y});
  b.Output(y);
  auto bytes = SerializeOnnx(b.graph());
  ASSERT_FALSE(bytes.ok());
  EXPECT_EQ(bytes.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(bytes.status().message(), HasSubstr("qop.onnx: node 'relu' (Relu): "));
}

TEST(QdqExportTest, QuantizedNodeWithAnUnparameterisedInt8InputIsRefused) {
  QOpBuilder b;
  Value* x = b.Int8Input("x", {1, 4}, 0.1f, 0);
  Value* c = b.graph().AddConstant("c", Tensor::FromVector<int8_t>({1, 4}, {1, 2, 3, 4}));
  Value* y = b.Act("y", {1, 4}, 0.2f, 0);
  b.Op(OpKind::kAdd, "add", {x, c}, {y});
  b.Output(y);
  auto bytes = SerializeOnnx(b.graph());
  ASSERT_FALSE(bytes.ok());
  EXPECT_EQ(bytes.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(bytes.status().message(), HasSubstr("qop.onnx: node 'add' (Add): input 'c'"));
}

TEST(QdqExportTest, UnknownFusedActivationIsUnsupported) {
  Graph g;
  Value* x = g.AddValue("x", DType::kF32, {1, 2});
  g.inputs().push_back(x);
  Value* y = g.AddValue("y", DType::kF32, {1, 2});
  SetFusedAct(g.AddNode(OpKind::kAdd, "add", {x, x}, {y}), "gelu", 0.0f, 1.0f);
  g.outputs().push_back(y);
  auto bytes = SerializeOnnx(g);
  ASSERT_FALSE(bytes.ok());
  EXPECT_EQ(bytes.status().code(), StatusCode::kUnsupported);
  EXPECT_THAT(bytes.status().message(), HasSubstr("node 'add' (Add): "));
  EXPECT_THAT(bytes.status().message(), HasSubstr("gelu"));
}

}  // namespace
}  // namespace tinyq
