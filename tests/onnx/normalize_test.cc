// Tests of src/onnx/normalize.cc: every opset variant written by gen_onnx_models.py imports to
// the canonical form of docs/ir_ops.md (no shape rules needed).
#include "src/onnx/normalize.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/onnx/test_util.h"

namespace tinyq {
namespace {

using ::testing::HasSubstr;
using testing_onnx::AddNode;
using testing_onnx::AddOutput;
using testing_onnx::ExpectError;
using testing_onnx::Import;
using testing_onnx::ImportTestFile;
using testing_onnx::TinyModel;

// The single node of a variant model, after import.
class Variant {
 public:
  explicit Variant(const std::string& file) {
    auto g = ImportTestFile("onnx/" + file);
    EXPECT_TRUE(g.ok()) << file << ": " << g.status().ToString();
    if (!g.ok()) return;
    graph_ = std::move(g).value();
    EXPECT_EQ(graph_->nodes().size(), 1u) << file;
  }
  const Node* node() const {
    return graph_ && !graph_->nodes().empty() ? graph_->nodes()[0].get() : nullptr;
  }
  const Graph& graph() const { return *graph_; }

 private:
  std::unique_ptr<Graph> graph_;
};

std::vector<float> ConstF32(const Node& n, int i) {
  const Value* v = n.input(i);
  if (!v || !v->is_constant() || v->dtype() != DType::kF32) return {};
  return v->constant()->ToFloatVector();
}
std::vector<int64_t> ConstS64(const Node& n, int i) {
  const Value* v = n.input(i);
  if (!v || !v->is_constant() || v->dtype() != DType::kS64) return {};
  return v->constant()->ToInt64Vector();
}

const int kOpsets[] = {7, 11, 13, 18};

TEST(NormalizeTest, SqueezeUnsqueezeAxesBecomeAttribute) {
  for (int opset : kOpsets) {
    SCOPED_TRACE(opset);
    Variant sq("squeeze_" + std::to_string(opset) + ".onnx");
    ASSERT_NE(sq.node(), nullptr);
    EXPECT_EQ(sq.node()->op(), OpKind::kSqueeze);
    EXPECT_EQ(sq.node()->num_inputs(), 1);
    EXPECT_EQ(sq.node()->GetInts("axes"), (std::vector<int64_t>{1}));
    EXPECT_EQ(sq.graph().FindValue("axes"), nullptr);  // the moved constant is gone
    Variant usq("unsqueeze_" + std::to_string(opset) + ".onnx");
    ASSERT_NE(usq.node(), nullptr);
    EXPECT_EQ(usq.node()->num_inputs(), 1);
    EXPECT_EQ(usq.node()->GetInts("axes"), (std::vector<int64_t>{0}));
  }
}

TEST(NormalizeTest, ClipBoundsBecomeInputs) {
  for (int opset : kOpsets) {
    SCOPED_TRACE(opset);
    Variant v("clip_" + std::to_string(opset) + ".onnx");
    ASSERT_NE(v.node(), nullptr);
    ASSERT_EQ(v.node()->num_inputs(), 3);
    EXPECT_EQ(ConstF32(*v.node(), 1), (std::vector<float>{-1.0f}));
    EXPECT_EQ(ConstF32(*v.node(), 2), (std::vector<float>{6.0f}));
    EXPECT_TRUE(v.node()->attrs().empty());
  }
}

TEST(NormalizeTest, PadAttributesBecomeInputs) {
  for (int opset : kOpsets) {
    SCOPED_TRACE(opset);
    Variant v("pad_" + std::to_string(opset) + ".onnx");
    ASSERT_NE(v.node(), nullptr);
    ASSERT_EQ(v.node()->num_inputs(), 3);
    EXPECT_EQ(ConstS64(*v.node(), 1), (std::vector<int64_t>{0, 0, 1, 1, 0, 0, 1, 1}));
    EXPECT_EQ(ConstF32(*v.node(), 2), (std::vector<float>{0.5f}));
    EXPECT_EQ(v.node()->GetString("mode", ""), "constant");
    EXPECT_FALSE(v.node()->HasAttr("pads"));
    EXPECT_FALSE(v.node()->HasAttr("value"));
  }
}

TEST(NormalizeTest, SliceAttributesBecomeInputs) {
  for (int opset : kOpsets) {
    SCOPED_TRACE(opset);
    Variant v("slice_" + std::to_string(opset) + ".onnx");
    ASSERT_NE(v.node(), nullptr);
    ASSERT_EQ(v.node()->num_inputs(), 4);
    EXPECT_EQ(ConstS64(*v.node(), 1), (std::vector<int64_t>{1}));
    EXPECT_EQ(ConstS64(*v.node(), 2), (std::vector<int64_t>{3}));
    EXPECT_EQ(ConstS64(*v.node(), 3), (std::vector<int64_t>{1}));
    EXPECT_TRUE(v.node()->attrs().empty());
  }
}

TEST(NormalizeTest, SplitSizesBecomeAttribute) {
  for (int opset : kOpsets) {
    SCOPED_TRACE(opset);
    Variant v("split_" + std::to_string(opset) + ".onnx");
    ASSERT_NE(v.node(), nullptr);
    EXPECT_EQ(v.node()->num_inputs(), 1);
    EXPECT_EQ(v.node()->num_outputs(), 2);
    EXPECT_EQ(v.node()->GetInts("split"), (std::vector<int64_t>{1, 2}));
    EXPECT_EQ(v.node()->GetInt("axis", -1), 1);
  }
}

TEST(NormalizeTest, ReduceMeanAxesBecomeAttribute) {
  for (int opset : kOpsets) {
    SCOPED_TRACE(opset);
    Variant v("reducemean_" + std::to_string(opset) + ".onnx");
    ASSERT_NE(v.node(), nullptr);
    EXPECT_EQ(v.node()->num_inputs(), 1);
    EXPECT_EQ(v.node()->GetInts("axes"), (std::vector<int64_t>{2, 3}));
    EXPECT_EQ(v.node()->GetInt("keepdims", -1), 1);
  }
}

TEST(NormalizeTest, SoftmaxBefore13CoercesTo2dAtAxisOne) {
  for (int opset : kOpsets) {
    SCOPED_TRACE(opset);
    Variant v("softmax_" + std::to_string(opset) + ".onnx");
    ASSERT_NE(v.node(), nullptr);
    if (opset < 13) {
      EXPECT_EQ(v.node()->GetInt("tq_coerce_2d", 0), 1);
      EXPECT_EQ(v.node()->GetInt("axis", -5), 1);
    } else {
      EXPECT_FALSE(v.node()->HasAttr("tq_coerce_2d"));
      EXPECT_FALSE(v.node()->HasAttr("axis"));  // default -1, filled by the rule
    }
  }
}

TEST(NormalizeTest, UpsampleAndResizeBecomeCanonicalResize) {
  const std::vector<std::pair<std::string, bool>> files = {
      {"upsample_7.onnx", true}, {"upsample_9.onnx", true}, {"resize_10.onnx", true},
      {"resize_11.onnx", false}, {"resize_13.onnx", false}, {"resize_18.onnx", false}};
  for (const auto& [file, asymmetric] : files) {
    SCOPED_TRACE(file);
    Variant v(file);
    ASSERT_NE(v.node(), nullptr);
    EXPECT_EQ(v.node()->op(), OpKind::kResize);
    ASSERT_EQ(v.node()->num_inputs(), 3);
    EXPECT_EQ(v.node()->input(1), nullptr);  // roi absent
    EXPECT_EQ(ConstF32(*v.node(), 2), (std::vector<float>{1, 1, 2, 2}));
    EXPECT_EQ(v.node()->GetString("mode", ""), "nearest");
    if (asymmetric) {
      EXPECT_EQ(v.node()->GetString("coordinate_transformation_mode", ""), "asymmetric");
      EXPECT_EQ(v.node()->GetString("nearest_mode", ""), "floor");
    } else {
      EXPECT_FALSE(v.node()->HasAttr("coordinate_transformation_mode"));
    }
  }
}

TEST(NormalizeTest, NonConstantSqueezeAxesIsUnsupported) {
  auto m = TinyModel();
  auto* axes = m.mutable_graph()->add_input();
  axes->set_name("axes");
  auto* tt = axes->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(onnx::TensorProto::INT64);
  tt->mutable_shape()->add_dim()->set_dim_value(1);
  AddNode(&m, "Squeeze", "sq", {"x", "axes"}, {"y"});
  AddOutput(&m, "y");
  auto g = Import(m);
  ExpectError(g, StatusCode::kUnsupported,
              "t.onnx: node 'sq' (Squeeze): input 'axes' (axes) must be a constant");
}

onnx::ModelProto BatchNormModel(bool use_running_mean) {
  auto m = TinyModel(7);
  for (const char* name : {"s", "b", "mean", "var"}) {
    auto* t = m.mutable_graph()->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::FLOAT);
    t->add_dims(2);
    t->add_float_data(1.0f);
    t->add_float_data(2.0f);
  }
  auto* bn = AddNode(&m, "BatchNormalization", "bn", {"x", "s", "b", "mean", "var"},
                     {"y", "rm", "rv", "sm", "sv"});
  auto* spatial = bn->add_attribute();
  spatial->set_name("spatial");
  spatial->set_type(onnx::AttributeProto::INT);
  spatial->set_i(1);
  AddOutput(&m, "y");
  if (use_running_mean) AddOutput(&m, "rm");
  return m;
}

TEST(NormalizeTest, BatchNormUnusedTrainingOutputsAreDropped) {
  auto g = Import(BatchNormModel(false));
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  const Node* bn = (*g)->FindNode("bn");
  EXPECT_EQ(bn->num_outputs(), 1);
  EXPECT_FALSE(bn->HasAttr("spatial"));
  EXPECT_EQ((*g)->FindValue("rm"), nullptr);
}

TEST(NormalizeTest, BatchNormUsedTrainingOutputIsUnsupported) {
  auto g = Import(BatchNormModel(true));
  ExpectError(g, StatusCode::kUnsupported,
              "node 'bn' (BatchNormalization): training output 'rm' is used");
}

TEST(NormalizeTest, DropoutKeepsOnlyItsData) {
  auto m = TinyModel(7);
  auto* d = AddNode(&m, "Dropout", "drop", {"x"}, {"y", "mask"});
  auto* ratio = d->add_attribute();
  ratio->set_name("ratio");
  ratio->set_type(onnx::AttributeProto::FLOAT);
  ratio->set_f(0.3f);
  AddOutput(&m, "y");
  auto g = Import(m);
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  const Node* n = (*g)->FindNode("drop");
  EXPECT_EQ(n->num_inputs(), 1);
  EXPECT_FALSE(n->HasAttr("ratio"));
}

TEST(NormalizeTest, DropoutInTrainingModeIsUnsupported) {
  auto m = TinyModel(13);
  auto* t = m.mutable_graph()->add_initializer();
  t->set_name("train");
  t->set_data_type(onnx::TensorProto::BOOL);
  t->add_int32_data(1);
  AddNode(&m, "Dropout", "drop", {"x", "", "train"}, {"y"});
  AddOutput(&m, "y");
  auto g = Import(m);
  ExpectError(g, StatusCode::kUnsupported,
              "node 'drop' (Dropout): training_mode input 'train' must be a constant "
              "false");
  m.mutable_graph()->mutable_initializer(0)->set_int32_data(0, 0);
  EXPECT_TRUE(Import(m).ok());
}

TEST(NormalizeTest, CastToFloat16IsUnsupportedNamingNode) {
  auto m = TinyModel();
  auto* cast = AddNode(&m, "Cast", "to_half", {"x"}, {"y"});
  auto* to = cast->add_attribute();
  to->set_name("to");
  to->set_type(onnx::AttributeProto::INT);
  to->set_i(onnx::TensorProto::FLOAT16);
  AddOutput(&m, "y");
  auto g = Import(m);
  ExpectError(g, StatusCode::kUnsupported,
              "t.onnx: node 'to_half' (Cast): cast to FLOAT16 is not supported");
}

}  // namespace
}  // namespace tinyq
