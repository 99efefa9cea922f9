// Tests of src/onnx/export.cc: canonical IR -> valid ONNX at opset >= 13, round trips, atomic
// file writes. The ONNX reference checker (python3-onnx 1.12, knows opsets <= 17) judges validity.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <filesystem>

#include "tests/onnx/test_util.h"

namespace tinyq {
namespace {

using ::testing::HasSubstr;
using testing_onnx::CheckerAccepts;
using testing_onnx::ImportTestFile;
using testing_onnx::ReadBytes;
using testing_onnx::ScratchDir;
namespace fs = std::filesystem;

// PrintGraph without its first line (which names the opset).
std::string Body(const Graph& g) {
  const std::string s = PrintGraph(g);
  return s.substr(s.find('\n') + 1);
}

onnx::ModelProto Parse(const std::string& bytes) {
  onnx::ModelProto m;
  EXPECT_TRUE(m.ParseFromString(bytes));
  return m;
}

std::vector<std::string> OpTypes(const onnx::ModelProto& m) {
  std::vector<std::string> ops;
  for (const auto& n : m.graph().node()) ops.push_back(n.op_type());
  return ops;
}

TEST(OnnxExportTest, ImportExportImportKeepsTheCanonicalGraph) {
  const char* files[] = {"mlp_13.onnx",       "squeeze_7.onnx",         "squeeze_18.onnx",
                         "unsqueeze_13.onnx", "split_7.onnx",           "split_18.onnx",
                         "reducemean_7.onnx", "reducemean_18.onnx",     "clip_7.onnx",
                         "pad_7.onnx",        "slice_7.onnx",           "resize_10.onnx",
                         "upsample_7.onnx",   "resize_11.onnx",         "constants.onnx",
                         "init_raw.onnx",     "relu_dynamic_batch.onnx"};
  // Without shape inference intermediate values have no shape, which the ONNX checker refuses
  // on graph outputs; load_test.cc runs the checker on fully loaded graphs.
  for (const char* file : files) {
    SCOPED_TRACE(file);
    auto first = ImportTestFile(std::string("onnx/") + file);
    ASSERT_TRUE(first.ok()) << first.status().ToString();
    auto bytes = SerializeOnnx(**first);
    ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
    auto second = ImportGraphWithoutShapes(*bytes, "again.onnx", "", {});
    ASSERT_TRUE(second.ok()) << second.status().ToString();
    EXPECT_EQ(Body(**second), Body(**first));
    EXPECT_EQ((*second)->opset(), std::max<int64_t>((*first)->opset(), 13));
  }
}

TEST(OnnxExportTest, CanonicalAttributesBecomeOpset13Inputs) {
  auto g = ImportTestFile("onnx/squeeze_7.onnx");
  ASSERT_TRUE(g.ok());
  const onnx::ModelProto m = Parse(*SerializeOnnx(**g));
  EXPECT_EQ(m.opset_import(0).version(), 13);
  ASSERT_EQ(m.graph().node_size(), 1);
  const auto& sq = m.graph().node(0);
  ASSERT_EQ(sq.input_size(), 2);
  EXPECT_EQ(sq.attribute_size(), 0);
  ASSERT_EQ(m.graph().initializer_size(), 1);
  const auto& axes = m.graph().initializer(0);
  EXPECT_EQ(axes.name(), sq.input(1));
  EXPECT_EQ(axes.data_type(), onnx::TensorProto::INT64);
  int64_t v = 0;
  ASSERT_EQ(axes.raw_data().size(), sizeof(v));
  std::memcpy(&v, axes.raw_data().data(), sizeof(v));
  EXPECT_EQ(v, 1);
}

// x: f32[2,3,4] -> Softmax{axis, tq_coerce_2d=1} -> y
std::unique_ptr<Graph> CoercedSoftmax(int64_t axis) {
  auto g = std::make_unique<Graph>();
  g->set_opset(11);
  Value* x = g->AddValue("x", DType::kF32, {2, 3, 4});
  Value* y = g->AddValue("y", DType::kF32, {2, 3, 4});
  Node* n = g->AddNode(OpKind::kSoftmax, "sm", {x}, {y});
  n->SetInt("axis", axis);
  n->SetInt("tq_coerce_2d", 1);
  g->inputs() = {x};
  g->outputs() = {y};
  return g;
}

TEST(OnnxExportTest, CoercedSoftmaxOnInnerAxisIsFlattenSoftmaxReshape) {
  auto g = CoercedSoftmax(1);
  const std::string path = ScratchDir() + "/sm.onnx";
  ASSERT_TRUE(SaveOnnx(*g, path).ok());
  const onnx::ModelProto m = Parse(ReadBytes(path));
  EXPECT_EQ(OpTypes(m), (std::vector<std::string>{"Flatten", "Softmax", "Reshape"}));
  EXPECT_EQ(m.graph().node(0).attribute(0).i(), 1);  // Flatten axis
  EXPECT_EQ(m.graph().node(1).attribute(0).i(), 1);  // Softmax over the flattened rows
  EXPECT_EQ(m.graph().node(2).output(0), "y");
  EXPECT_TRUE(CheckerAccepts(path));
}

TEST(OnnxExportTest, CoercedSoftmaxOnLastAxisIsPlainSoftmax) {
  auto g = CoercedSoftmax(-1);
  const onnx::ModelProto m = Parse(*SerializeOnnx(*g));
  EXPECT_EQ(OpTypes(m), (std::vector<std::string>{"Softmax"}));
  ASSERT_EQ(m.graph().node(0).attribute_size(), 1);
  EXPECT_EQ(m.graph().node(0).attribute(0).name(), "axis");
  EXPECT_EQ(m.graph().node(0).attribute(0).i(), 2);
}

TEST(OnnxExportTest, UnknownInternalAttributeIsUnsupported) {
  auto g = CoercedSoftmax(-1);
  g->FindNode("sm")->mutable_attrs().erase("tq_coerce_2d");
  g->FindNode("sm")->SetInt("tq_fused", 1);
  auto bytes = SerializeOnnx(*g);
  ASSERT_FALSE(bytes.ok());
  EXPECT_EQ(bytes.status().code(), StatusCode::kUnsupported);
  EXPECT_THAT(bytes.status().message(), HasSubstr("node 'sm' (Softmax): internal attribute"));
}

TEST(OnnxExportTest, QdqNodesKeepScaleAndZeroPointInitializers) {
  Graph g;
  g.set_name("qdq");
  Value* x = g.AddValue("x", DType::kF32, {1, 4});
  Value* s = g.AddConstant("scale", Tensor::FromVector<float>({}, {0.05f}));
  Value* z = g.AddConstant("zp", Tensor::FromVector<int8_t>({}, {-3}));
  Value* q = g.AddValue("q", DType::kS8, {1, 4});
  Value* y = g.AddValue("y", DType::kF32, {1, 4});
  g.AddNode(OpKind::kQuantizeLinear, "quant", {x, s, z}, {q});
  g.AddNode(OpKind::kDequantizeLinear, "dequant", {q, s, z}, {y});
  g.inputs() = {x};
  g.outputs() = {y};
  const std::string path = ScratchDir() + "/qdq.onnx";
  ASSERT_TRUE(SaveOnnx(g, path).ok());
  const onnx::ModelProto m = Parse(ReadBytes(path));
  EXPECT_EQ(OpTypes(m), (std::vector<std::string>{"QuantizeLinear", "DequantizeLinear"}));
  ASSERT_EQ(m.graph().initializer_size(), 2);
  EXPECT_EQ(m.graph().initializer(0).data_type(), onnx::TensorProto::FLOAT);
  EXPECT_EQ(m.graph().initializer(1).data_type(), onnx::TensorProto::INT8);
  ASSERT_EQ(m.graph().value_info_size(), 1);  // q, with its shape
  EXPECT_EQ(m.graph().value_info(0).name(), "q");
  EXPECT_EQ(m.graph().value_info(0).type().tensor_type().shape().dim_size(), 2);
  EXPECT_TRUE(CheckerAccepts(path));
  auto back = ImportGraphWithoutShapes(ReadBytes(path), "qdq.onnx", "", {});
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  const Node* quant = (*back)->FindNode("quant");
  const Node* dequant = (*back)->FindNode("dequant");
  ASSERT_NE(quant, nullptr);
  ASSERT_NE(dequant, nullptr);
  EXPECT_EQ(dequant->input(0), quant->output(0));
  EXPECT_EQ(quant->input(1)->constant()->ToFloatVector(), (std::vector<float>{0.05f}));
  EXPECT_EQ(quant->input(2)->constant()->dtype(), DType::kS8);
  EXPECT_EQ(quant->input(2)->constant()->ToInt64Vector(), (std::vector<int64_t>{-3}));
  EXPECT_EQ(dequant->input(1), quant->input(1));
}

TEST(OnnxExportTest, ConstantGraphOutputIsAConstantNode) {
  Graph g;
  Value* x = g.AddValue("x", DType::kF32, {2});
  Value* y = g.AddValue("y", DType::kF32, {2});
  Value* c = g.AddConstant("c", Tensor::FromVector<int64_t>({2}, {5, 6}));
  g.AddNode(OpKind::kRelu, "relu", {x}, {y});
  g.inputs() = {x};
  g.outputs() = {y, c};
  const std::string path = ScratchDir() + "/c.onnx";
  ASSERT_TRUE(SaveOnnx(g, path).ok());
  const onnx::ModelProto m = Parse(ReadBytes(path));
  EXPECT_EQ(OpTypes(m), (std::vector<std::string>{"Constant", "Relu"}));
  EXPECT_EQ(m.graph().initializer_size(), 0);
  EXPECT_TRUE(CheckerAccepts(path));
  auto back = ImportGraphWithoutShapes(ReadBytes(path), "c.onnx", "", {});
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ASSERT_EQ((*back)->outputs().size(), 2u);
  ASSERT_TRUE((*back)->outputs()[1]->is_constant());
  EXPECT_EQ((*back)->outputs()[1]->constant()->ToInt64Vector(), (std::vector<int64_t>{5, 6}));
}

TEST(OnnxExportTest, SaveReplacesFileAndLeavesNoTemporary) {
  auto g = ImportTestFile("onnx/mlp_13.onnx");
  ASSERT_TRUE(g.ok());
  const std::string dir = ScratchDir();
  testing_onnx::WriteBytes(dir + "/m.onnx", "old contents");
  ASSERT_TRUE(SaveOnnx(**g, dir + "/m.onnx").ok());
  EXPECT_EQ(ReadBytes(dir + "/m.onnx"), *SerializeOnnx(**g));
  int files = 0;
  for (const auto& e : fs::directory_iterator(dir)) files += e.is_regular_file() ? 1 : 0;
  EXPECT_EQ(files, 1);
}

TEST(OnnxExportTest, FailedSaveIsIoErrorAndLeavesNoTemporary) {
  auto g = ImportTestFile("onnx/mlp_13.onnx");
  ASSERT_TRUE(g.ok());
  const std::string dir = ScratchDir();
  // Missing folder: the temporary file cannot even be created.
  Status s = SaveOnnx(**g, dir + "/missing/m.onnx");
  EXPECT_EQ(s.code(), StatusCode::kIoError);
  EXPECT_EQ(s.message().rfind(dir + "/missing/m.onnx: ", 0), 0u) << s.message();
  // Target is a folder: writing works, the rename fails; the temporary must be removed.
  fs::create_directories(dir + "/taken.onnx");
  testing_onnx::WriteBytes(dir + "/taken.onnx/keep", "x");
  s = SaveOnnx(**g, dir + "/taken.onnx");
  EXPECT_EQ(s.code(), StatusCode::kIoError);
  EXPECT_THAT(s.message(), HasSubstr(dir + "/taken.onnx: cannot rename"));
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  EXPECT_EQ(names, (std::vector<std::string>{"taken.onnx"}));
}

}  // namespace
}  // namespace tinyq
