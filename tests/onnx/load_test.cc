// Tests of src/onnx/load.cc: LoadOnnx end to end (import + shape inference + folding).
#include <gmock/gmock.h>
#include <gtest/gtest.h>


#include "tests/onnx/test_util.h"

namespace tinyq {
namespace {

using ::testing::HasSubstr;
using testing_onnx::CheckerAccepts;
using testing_onnx::ScratchDir;
using testing_onnx::TestData;

TEST(LoadOnnxTest, MissingFileIsNotFound) {
  const std::string path = TestData("onnx/no_such_model.onnx");
  auto g = LoadOnnx(path);
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(g.status().message().rfind(path + ": ", 0), 0u) << g.status().message();
}

TEST(LoadOnnxTest, DirectoryIsIoError) {
  auto g = LoadOnnx(TestData("onnx"));
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.status().code(), StatusCode::kIoError);
}

TEST(LoadOnnxTest, ExternalDataIsFoundNextToTheModel) {
  auto g = LoadOnnx(TestData("onnx/ext_ok.onnx"));
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  EXPECT_EQ((*g)->FindValue("w")->constant()->ToFloatVector()[3], 4.5f);
}

// torch.onnx's flatten with a dynamic batch: Shape -> Gather -> Unsqueeze -> Concat -> Reshape.
TEST(LoadOnnxTest, ShapeSubgraphFoldsIntoAStaticReshape) {
  for (int64_t batch : {1, 4}) {
    SCOPED_TRACE(batch);
    LoadOptions o;
    if (batch != 1) o.input_shapes["x"] = {batch, 2, 3, 4};
    auto g = LoadOnnx(TestData("onnx/shape_subgraph.onnx"), o);
    ASSERT_TRUE(g.ok()) << g.status().ToString();
    ASSERT_EQ((*g)->nodes().size(), 1u) << PrintGraph(**g);
    const Node* reshape = (*g)->nodes()[0].get();
    EXPECT_EQ(reshape->op(), OpKind::kReshape);
    ASSERT_TRUE(reshape->input(1)->is_constant());
    EXPECT_EQ(reshape->input(1)->constant()->ToInt64Vector(), (std::vector<int64_t>{batch, -1}));
    EXPECT_EQ(reshape->output(0)->shape(), (Shape{batch, 24}));
    EXPECT_TRUE(Verify(**g).ok());
  }
}

// load -> save -> load gives the same graph (opset 7 comes back as 13), and the ONNX checker
// accepts what was saved.
TEST(LoadOnnxTest, LoadSaveLoadRoundTrip) {
  const std::string dir = ScratchDir();
  for (const char* file : {"mlp_13.onnx", "conv_7.onnx", "softmax_7.onnx", "pad_7.onnx",
                           "split_13.onnx", "resize_10.onnx"}) {
    SCOPED_TRACE(file);
    auto first = LoadOnnx(TestData(std::string("onnx/") + file));
    ASSERT_TRUE(first.ok()) << first.status().ToString();
    const std::string path = dir + "/" + file;
    ASSERT_TRUE(SaveOnnx(**first, path).ok());
    EXPECT_TRUE(CheckerAccepts(path));
    auto second = LoadOnnx(path);
    ASSERT_TRUE(second.ok()) << second.status().ToString();
    std::string a = PrintGraph(**first), b = PrintGraph(**second);
    EXPECT_EQ(b.substr(b.find('\n')), a.substr(a.find('\n')));
    EXPECT_THAT(b, HasSubstr("(opset 13)"));
  }
}

}  // namespace
}  // namespace tinyq
