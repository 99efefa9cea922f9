// Tests of src/onnx/import.cc (and tensor_proto.cc / attributes.cc through it): structure only,
// no shape rules needed. Models come from tests/testdata/gen_onnx_models.py or are built here
// with the onnx protobuf classes.
#include "src/onnx/import.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <filesystem>

#include "tests/onnx/test_util.h"

namespace tinyq {
namespace {

using ::testing::HasSubstr;
using testing_onnx::AddNode;
using testing_onnx::AddOutput;
using testing_onnx::ExpectError;
using testing_onnx::Import;
using testing_onnx::ImportTestFile;
using testing_onnx::ReadBytes;
using testing_onnx::ScratchDir;
using testing_onnx::TestData;
using testing_onnx::TinyModel;
using testing_onnx::WriteBytes;
namespace fs = std::filesystem;

template <typename T>
std::vector<T> Values(const Graph& g, const std::string& name) {
  const Value* v = g.FindValue(name);
  if (!v || !v->constant()) return {};
  const Tensor& t = *v->constant();
  return std::vector<T>(t.data<T>(), t.data<T>() + t.numel());
}

// The values gen_onnx_models.py writes (INIT_VALUES), once in typed fields, once as raw_data.
void ExpectInitValues(const Graph& g) {
  EXPECT_EQ(Values<float>(g, "f32"), (std::vector<float>{1.5f, -2.0f, 3.25f}));
  EXPECT_EQ(Values<double>(g, "f64"), (std::vector<double>{0.5, -1.0e10}));
  EXPECT_EQ(Values<int8_t>(g, "s8"), (std::vector<int8_t>{-128, 0, 127}));
  EXPECT_EQ(Values<uint8_t>(g, "u8"), (std::vector<uint8_t>{0, 200, 255}));
  EXPECT_EQ(Values<int16_t>(g, "s16"), (std::vector<int16_t>{-32768, 7, 32767}));
  EXPECT_EQ(Values<uint16_t>(g, "u16"), (std::vector<uint16_t>{0, 65535}));
  EXPECT_EQ(Values<int32_t>(g, "s32"), (std::vector<int32_t>{INT32_MIN, 5, INT32_MAX}));
  EXPECT_EQ(Values<int64_t>(g, "s64"),
            (std::vector<int64_t>{-(int64_t{1} << 40), 1, int64_t{1} << 40}));
  EXPECT_EQ(Values<uint8_t>(g, "b"), (std::vector<uint8_t>{1, 0, 1}));
  EXPECT_EQ(g.FindValue("b")->dtype(), DType::kBool);
  EXPECT_EQ(g.outputs().size(), 9u);
}

TEST(OnnxImportTest, TypedFieldInitializersOfEveryDtype) {
  auto g = ImportTestFile("onnx/init_typed.onnx");
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  ExpectInitValues(**g);
}

TEST(OnnxImportTest, RawDataInitializersOfEveryDtype) {
  auto g = ImportTestFile("onnx/init_raw.onnx");
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  ExpectInitValues(**g);
}

TEST(OnnxImportTest, DynamicBatchBecomesOneAndRawIsRowMajor) {
  auto g = ImportTestFile("onnx/relu_dynamic_batch.onnx");
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  ASSERT_EQ((*g)->inputs().size(), 1u);
  EXPECT_EQ((*g)->inputs()[0]->shape(), (Shape{1, 3}));
  const Value* w = (*g)->FindValue("w");
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->shape(), (Shape{2, 3}));
  EXPECT_EQ(Values<float>(**g, "w"), (std::vector<float>{0, 1, 2, 3, 4, 5}));
  EXPECT_EQ((*g)->opset(), 13);
}

TEST(OnnxImportTest, InputShapesOverrideDynamicDims) {
  LoadOptions o;
  o.input_shapes["x"] = {8, 3};
  auto g = ImportTestFile("onnx/relu_dynamic_batch.onnx", o);
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  EXPECT_EQ((*g)->inputs()[0]->shape(), (Shape{8, 3}));
}

TEST(OnnxImportTest, InputShapesErrorsAreInvalidArgument) {
  const std::vector<std::pair<std::string, Shape>> bad = {
      {"nope", {1, 3}},  // no such input
      {"w", {2, 3}},     // an initializer, not an input
      {"x", {8, 3, 1}},  // rank mismatch
      {"x", {0, 3}},     // non-positive dim
  };
  const std::vector<std::string> want = {"'nope', which is not a graph input",
                                         "'w', which is not a graph input", "rank 3",
                                         "dimensions must be > 0"};
  for (size_t i = 0; i < bad.size(); ++i) {
    LoadOptions o;
    o.input_shapes[bad[i].first] = bad[i].second;
    auto g = ImportTestFile("onnx/relu_dynamic_batch.onnx", o);
    ASSERT_FALSE(g.ok());
    EXPECT_EQ(g.status().code(), StatusCode::kInvalidArgument) << g.status().ToString();
    EXPECT_THAT(g.status().message(), HasSubstr("relu_dynamic_batch.onnx: "));
    EXPECT_THAT(g.status().message(), HasSubstr(want[i]));
  }
}

TEST(OnnxImportTest, ConstantNodesOfAllFormsBecomeConstantValues) {
  auto g = ImportTestFile("onnx/constants.onnx");
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  EXPECT_TRUE((*g)->nodes().empty());
  EXPECT_EQ(Values<float>(**g, "c_tensor"), (std::vector<float>{1, 2, 3, 4}));
  EXPECT_EQ((*g)->FindValue("c_tensor")->shape(), (Shape{2, 2}));
  EXPECT_EQ(Values<float>(**g, "c_float"), (std::vector<float>{2.5f}));
  EXPECT_EQ((*g)->FindValue("c_float")->shape(), Shape{});
  EXPECT_EQ(Values<float>(**g, "c_floats"), (std::vector<float>{1.0f, -1.0f}));
  EXPECT_EQ(Values<int64_t>(**g, "c_int"), (std::vector<int64_t>{7}));
  EXPECT_EQ((*g)->FindValue("c_int")->shape(), Shape{});
  EXPECT_EQ(Values<int64_t>(**g, "c_ints"), (std::vector<int64_t>{3, -4, 5}));
  EXPECT_TRUE(Verify(**g).ok()) << Verify(**g).ToString();
}

TEST(OnnxImportTest, ExternalDataIsReadAtItsOffset) {
  auto g = ImportTestFile("onnx/ext_ok.onnx");
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  EXPECT_EQ(Values<float>(**g, "w"), (std::vector<float>{1.0f, 2.0f, -3.0f, 4.5f, 0.25f, -0.125f}));
}

TEST(OnnxImportTest, ExternalDataNeedsAModelFolder) {
  const std::string bytes = ReadBytes(TestData("onnx/ext_ok.onnx"));
  auto g = ImportGraphWithoutShapes(bytes, "mem", "", {});
  ExpectError(g, StatusCode::kInvalidModel, "mem: initializer 'w': external data 'ext_ok.bin'");
}

TEST(OnnxImportTest, ExternalDataSymlinkInsideFolderIsFollowed) {
  const std::string dir = ScratchDir();
  WriteBytes(dir + "/model.onnx", ReadBytes(TestData("onnx/ext_symlink.onnx")));
  WriteBytes(dir + "/real.bin", ReadBytes(TestData("onnx/ext_ok.bin")));
  fs::create_symlink("real.bin", dir + "/link.bin");
  auto g = ImportGraphWithoutShapes(ReadBytes(dir + "/model.onnx"), "model.onnx", dir, {});
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  EXPECT_EQ(Values<float>(**g, "w")[2], -3.0f);
}

TEST(OnnxImportTest, ExternalDataSymlinkEscapingFolderIsRefused) {
  const std::string dir = ScratchDir();
  fs::create_directories(dir + "/model");
  WriteBytes(dir + "/model/model.onnx", ReadBytes(TestData("onnx/ext_symlink.onnx")));
  WriteBytes(dir + "/outside.bin", ReadBytes(TestData("onnx/ext_ok.bin")));
  fs::create_symlink(fs::absolute(dir + "/outside.bin"), dir + "/model/link.bin");
  auto g = ImportGraphWithoutShapes(ReadBytes(dir + "/model/model.onnx"), "model.onnx",
                                    dir + "/model", {});
  ExpectError(g, StatusCode::kInvalidModel,
              "model.onnx: initializer 'w': external data path 'link.bin' escapes");
}

TEST(OnnxImportTest, ExternalDataFileTooShortIsInvalidModel) {
  const std::string dir = ScratchDir();
  WriteBytes(dir + "/model.onnx", ReadBytes(TestData("onnx/ext_ok.onnx")));
  WriteBytes(dir + "/ext_ok.bin", std::string(30, '\0'));  // needs 16 + 24 bytes
  auto g = ImportGraphWithoutShapes(ReadBytes(dir + "/model.onnx"), "model.onnx", dir, {});
  ExpectError(g, StatusCode::kInvalidModel, "'ext_ok.bin' has 30 bytes, needs 24");
}

// --- models built here with the protobuf classes --------------------------------------------

TEST(OnnxImportTest, UnnamedAndDuplicateNodesGetUniqueNames) {
  auto m = TinyModel();
  AddNode(&m, "Relu", "", {"x"}, {"a"});
  AddNode(&m, "Relu", "r", {"a"}, {"b"});
  AddNode(&m, "Relu", "r", {"b"}, {"c"});
  AddNode(&m, "Relu", "Relu_0", {"c"}, {"y"});
  AddOutput(&m, "y");
  auto g = Import(m);
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  std::vector<std::string> names;
  for (const Node* n : (*g)->TopoOrder()) names.push_back(n->name());
  EXPECT_EQ(names, (std::vector<std::string>{"Relu_0_1", "r", "r_1", "Relu_0"}));
  EXPECT_EQ((*g)->inputs()[0]->shape(), (Shape{2, 1}));
}

TEST(OnnxImportTest, InitializerListedAsInputIsAConstant) {
  auto m = TinyModel();
  auto* w = m.mutable_graph()->add_initializer();
  w->set_name("w");
  w->set_data_type(onnx::TensorProto::FLOAT);
  w->add_dims(1);
  w->add_float_data(3.0f);
  auto* in = m.mutable_graph()->add_input();
  in->set_name("w");
  in->mutable_type()->mutable_tensor_type()->set_elem_type(onnx::TensorProto::FLOAT);
  AddNode(&m, "Add", "add", {"x", "w"}, {"y"});
  AddOutput(&m, "y");
  auto g = Import(m);
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  ASSERT_EQ((*g)->inputs().size(), 1u);
  EXPECT_EQ((*g)->inputs()[0]->name(), "x");
  EXPECT_TRUE((*g)->FindValue("w")->is_constant());
  EXPECT_EQ((*g)->FindNode("add")->input(1), (*g)->FindValue("w"));
}

TEST(OnnxImportTest, AttributesOfEveryKindAreKept) {
  auto m = TinyModel();
  auto* n = AddNode(&m, "Relu", "r", {"x"}, {"y"});
  auto add = [&](const std::string& name, onnx::AttributeProto::AttributeType t) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(t);
    return a;
  };
  add("i", onnx::AttributeProto::INT)->set_i(-5);
  add("f", onnx::AttributeProto::FLOAT)->set_f(0.25f);
  add("s", onnx::AttributeProto::STRING)->set_s("abc");
  auto* is = add("is", onnx::AttributeProto::INTS);
  is->add_ints(1);
  is->add_ints(2);
  add("fs", onnx::AttributeProto::FLOATS)->add_floats(1.5f);
  add("ss", onnx::AttributeProto::STRINGS)->add_strings("q");
  auto* t = add("t", onnx::AttributeProto::TENSOR)->mutable_t();
  t->set_data_type(onnx::TensorProto::INT64);
  t->add_dims(2);
  t->add_int64_data(4);
  t->add_int64_data(9);
  auto* untyped = n->add_attribute();  // pre-IR-3 style: no type, the field says it
  untyped->set_name("old");
  untyped->set_f(2.0f);
  AddOutput(&m, "y");
  auto g = Import(m);
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  const Node* r = (*g)->FindNode("r");
  EXPECT_EQ(r->GetInt("i", 0), -5);
  EXPECT_EQ(r->GetFloat("f", 0), 0.25f);
  EXPECT_EQ(r->GetString("s", ""), "abc");
  EXPECT_EQ(r->GetInts("is"), (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(r->GetFloats("fs"), (std::vector<float>{1.5f}));
  ASSERT_NE(r->FindAttr("ss"), nullptr);
  EXPECT_EQ(r->FindAttr("ss")->strings, (std::vector<std::string>{"q"}));
  ASSERT_NE(r->FindAttr("t"), nullptr);
  EXPECT_EQ(r->FindAttr("t")->t.at(0).ToInt64Vector(), (std::vector<int64_t>{4, 9}));
  EXPECT_EQ(r->GetFloat("old", 0), 2.0f);
}

TEST(OnnxImportTest, GraphAttributeIsUnsupportedNamingNode) {
  auto m = TinyModel();
  auto* n = AddNode(&m, "Relu", "r", {"x"}, {"y"});
  auto* a = n->add_attribute();
  a->set_name("body");
  a->set_type(onnx::AttributeProto::GRAPH);
  AddOutput(&m, "y");
  auto g = Import(m);
  ExpectError(g, StatusCode::kUnsupported,
              "t.onnx: node 'r' (Relu): attribute 'body': attribute type GRAPH");
}

TEST(OnnxImportTest, TypedInt8OutOfRangeIsInvalidModel) {
  auto m = TinyModel();
  auto* w = m.mutable_graph()->add_initializer();
  w->set_name("q");
  w->set_data_type(onnx::TensorProto::INT8);
  w->add_dims(2);
  w->add_int32_data(1);
  w->add_int32_data(300);
  AddOutput(&m, "q");
  auto g = Import(m);
  ExpectError(g, StatusCode::kInvalidModel, "initializer 'q': value 300 at index 1");
}

TEST(OnnxImportTest, Float16InputIsUnsupportedNamingInput) {
  auto m = TinyModel();
  m.mutable_graph()->mutable_input(0)->mutable_type()->mutable_tensor_type()->set_elem_type(
      onnx::TensorProto::FLOAT16);
  AddNode(&m, "Relu", "r", {"x"}, {"y"});
  AddOutput(&m, "y");
  auto g = Import(m);
  ExpectError(g, StatusCode::kUnsupported, "input 'x': unsupported element type FLOAT16");
}

TEST(OnnxImportTest, NodeOutputRedefiningAValueIsInvalidModel) {
  auto m = TinyModel();
  AddNode(&m, "Relu", "r1", {"x"}, {"y"});
  AddNode(&m, "Relu", "r2", {"x"}, {"y"});
  AddOutput(&m, "y");
  auto g = Import(m);
  ExpectError(g, StatusCode::kInvalidModel, "node 'r2' (Relu): output 'y' is already defined");
}

TEST(OnnxImportTest, UndefinedGraphOutputIsInvalidModel) {
  auto m = TinyModel();
  AddNode(&m, "Relu", "r1", {"x"}, {"y"});
  AddOutput(&m, "z");
  auto g = Import(m);
  ExpectError(g, StatusCode::kInvalidModel, "t.onnx: graph output 'z' is not defined");
}

TEST(OnnxImportTest, OpsetOutsideSevenToEighteenIsUnsupported) {
  for (int64_t opset : {6, 19}) {
    auto m = TinyModel(opset);
    AddNode(&m, "Relu", "r", {"x"}, {"y"});
    AddOutput(&m, "y");
    auto g = Import(m);
    ExpectError(g, StatusCode::kUnsupported,
                "t.onnx: opset " + std::to_string(opset) + " is not supported (7..18)");
  }
  auto m = TinyModel(18);
  AddNode(&m, "Relu", "r", {"x"}, {"y"});
  AddOutput(&m, "y");
  EXPECT_TRUE(Import(m).ok());
}

TEST(OnnxImportTest, OnlyNonDefaultDomainOpsAreListedAsUnsupported) {
  auto m = TinyModel();
  m.mutable_opset_import(0)->set_domain("ai.onnx.preview.training");
  AddNode(&m, "Adam", "adam", {"x"}, {"y"})->set_domain("ai.onnx.preview.training");
  AddOutput(&m, "y");
  auto g = Import(m);
  ExpectError(g, StatusCode::kUnsupported,
              "t.onnx: 1 unsupported op: node 'adam' (Adam, ai.onnx.preview.training)");
  m.mutable_graph()->mutable_node(0)->set_op_type("Relu");
  m.mutable_graph()->mutable_node(0)->set_domain("");
  g = Import(m);
  ExpectError(g, StatusCode::kInvalidModel, "t.onnx: model imports no default-domain opset");
}

TEST(OnnxImportTest, OnnxDomainNameIsTheDefaultDomain) {
  auto m = TinyModel();
  m.mutable_opset_import(0)->set_domain("ai.onnx");
  AddNode(&m, "Relu", "r", {"x"}, {"y"})->set_domain("ai.onnx");
  AddOutput(&m, "y");
  auto g = Import(m);
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  EXPECT_EQ((*g)->FindNode("r")->op(), OpKind::kRelu);
}

// --- the bad-input catalogue (tests/testdata/bad), through the public LoadOnnx -----------------

struct BadCase {
  const char* file;
  StatusCode code;
  std::vector<std::string> message_parts;
};

class OnnxImportBadModelTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(OnnxImportBadModelTest, FailsWithCodeAndPlace) {
  const BadCase& c = GetParam();
  const std::string path = TestData(std::string("bad/") + c.file);
  auto g = LoadOnnx(path);
  ASSERT_FALSE(g.ok()) << c.file << " loaded";
  EXPECT_EQ(g.status().code(), c.code) << g.status().ToString();
  EXPECT_EQ(g.status().message().rfind(path + ": ", 0), 0u) << g.status().message();
  for (const std::string& part : c.message_parts)
    EXPECT_THAT(g.status().message(), HasSubstr(part));
}

const BadCase kBadCases[] = {
    {"truncated.onnx",
     StatusCode::kInvalidModel,
     {"truncated.onnx: not a valid ONNX model (protobuf parse failed)"}},
    {"garbage.onnx",
     StatusCode::kInvalidModel,
     {"garbage.onnx: not a valid ONNX model (protobuf parse failed)"}},
    {"empty.onnx", StatusCode::kInvalidModel, {"empty.onnx: not a valid ONNX model"}},
    {"cycle.onnx", StatusCode::kInvalidModel, {"cycle.onnx: node 'add_a' (Add): ", "cycle"}},
    {"undefined_input.onnx",
     StatusCode::kInvalidModel,
     {"undefined_input.onnx: node 'relu1' (Relu): input 'nope' is not defined"}},
    {"missing_initializer.onnx",
     StatusCode::kInvalidModel,
     {"missing_initializer.onnx: node 'conv1' (Conv): input 'W' is not defined"}},
    {"raw_wrong_size.onnx",
     StatusCode::kInvalidModel,
     {"raw_wrong_size.onnx: initializer 'W': raw_data has 20 bytes", "needs 24"}},
    {"negative_dim.onnx",
     StatusCode::kInvalidModel,
     {"negative_dim.onnx: initializer 'W': negative dimension in [2,-3]"}},
    {"huge_dim.onnx",
     StatusCode::kInvalidModel,
     {"huge_dim.onnx: initializer 'W': shape [1048576,1048576] has too many elements"}},
    {"unsupported_ops.onnx",
     StatusCode::kUnsupported,
     {"unsupported_ops.onnx: 3 unsupported ops: node 'lrn1' (LRN), "
      "node 'custom1' (MyOp, com.example), node 'TopK_3' (TopK)"}},
    {"ext_escape.onnx",
     StatusCode::kInvalidModel,
     {"ext_escape.onnx: initializer 'w': external data path '../onnx/ext_ok.bin' escapes"}},
    {"ext_absolute.onnx",
     StatusCode::kInvalidModel,
     {"ext_absolute.onnx: initializer 'w': external data path '/etc/passwd' is absolute"}},
    {"float16.onnx",
     StatusCode::kUnsupported,
     {"float16.onnx: initializer 'W16': unsupported element type FLOAT16"}},
    {"opset_19.onnx", StatusCode::kUnsupported, {"opset_19.onnx: opset 19 is not supported"}},
    // Limits (src/ir/tensor_limits.h): refused before anything of that size is allocated.
    {"declared_no_data.onnx",
     StatusCode::kInvalidModel,
     {"declared_no_data.onnx: initializer 'W': raw_data has 4 bytes, shape [268435456] of f32 "
      "needs 1073741824"}},
    {"activation_4gib.onnx",
     StatusCode::kInvalidModel,
     {"activation_4gib.onnx: node 'x_dq' (DequantizeLinear): output 'xf': shape "
      "[1,1,32768,32768] is too large (limit 2 GiB)"}},
    {"resize_huge.onnx",
     StatusCode::kInvalidModel,
     {"resize_huge.onnx: node 'resize_up' (Resize): output 'y': shape [1,1,800000,800000] has "
      "too many elements (limit 2^31)"}},
};

INSTANTIATE_TEST_SUITE_P(Catalogue, OnnxImportBadModelTest, ::testing::ValuesIn(kBadCases),
                         [](const ::testing::TestParamInfo<BadCase>& info) {
                           std::string n = info.param.file;
                           std::string out;
                           for (char ch : n.substr(0, n.find('.')))
                             out += std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
                           return out;
                         });

}  // namespace
}  // namespace tinyq
