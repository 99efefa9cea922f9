// Helpers shared by the tests/onnx tests: test data paths, file I/O, scratch folders, model
// building, import and error checks.
#ifndef TINYQ_TESTS_ONNX_TEST_UTIL_H_
#define TINYQ_TESTS_ONNX_TEST_UTIL_H_

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "src/onnx/import.h"
#include "tinyq/ir.h"
#include "tinyq/onnx.h"

namespace tinyq {
namespace testing_onnx {

// tests/testdata/<rel>.
inline std::string TestData(const std::string& rel) {
  return std::string(TINYQ_SOURCE_DIR) + "/tests/testdata/" + rel;
}

inline std::string ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

inline void WriteBytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out << bytes;
}

// A fresh, empty folder under the build tree, named after the running test.
inline std::string ScratchDir() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string name = std::string(info->test_suite_name()) + "." + info->name();
  for (char& c : name)
    if (c == '/') c = '_';
  const std::filesystem::path dir =
      std::filesystem::path(TINYQ_BINARY_DIR) / "onnx_test_scratch" / name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}

// ImportGraphWithoutShapes on a file under tests/testdata (external data next to it).
inline StatusOr<std::unique_ptr<Graph>> ImportTestFile(const std::string& rel,
                                                       const LoadOptions& options = {}) {
  const std::string path = TestData(rel);
  return ImportGraphWithoutShapes(ReadBytes(path), path,
                                  std::filesystem::path(path).parent_path().string(), options);
}

// A model with input x: f32[2, n] (n dynamic) at `opset`; add nodes and outputs to it.
inline onnx::ModelProto TinyModel(int64_t opset = 13) {
  onnx::ModelProto m;
  m.set_ir_version(7);
  auto* os = m.add_opset_import();
  os->set_domain("");
  os->set_version(opset);
  auto* g = m.mutable_graph();
  g->set_name("tiny");
  auto* in = g->add_input();
  in->set_name("x");
  auto* tt = in->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(onnx::TensorProto::FLOAT);
  tt->mutable_shape()->add_dim()->set_dim_value(2);
  tt->mutable_shape()->add_dim()->set_dim_param("n");
  return m;
}

inline onnx::NodeProto* AddNode(onnx::ModelProto* m, const std::string& op, const std::string& name,
                                std::vector<std::string> inputs, std::vector<std::string> outputs) {
  auto* n = m->mutable_graph()->add_node();
  n->set_op_type(op);
  n->set_name(name);
  for (auto& s : inputs) n->add_input(s);
  for (auto& s : outputs) n->add_output(s);
  return n;
}

inline void AddOutput(onnx::ModelProto* m, const std::string& name) {
  auto* o = m->mutable_graph()->add_output();
  o->set_name(name);
  o->mutable_type()->mutable_tensor_type()->set_elem_type(onnx::TensorProto::FLOAT);
}

// ImportGraphWithoutShapes of `m`, named "t.onnx", without a model folder.
inline StatusOr<std::unique_ptr<Graph>> Import(const onnx::ModelProto& m, LoadOptions o = {}) {
  return ImportGraphWithoutShapes(m.SerializeAsString(), "t.onnx", "", o);
}

// onnx.checker.check_model (structure, op schemas, attributes) on a saved model, run with Debian's
// python3 and onnx.
inline bool CheckerAccepts(const std::string& path) {
  const std::string cmd =
      "/usr/bin/python3 -c \"import onnx,sys; onnx.checker.check_model(onnx.load(sys.argv[1]))\""
      " '" +
      path + "'";
  return std::system(cmd.c_str()) == 0;
}

// Expects `result` to have failed with `code` and a message containing `substr`.
template <typename T>
void ExpectError(const StatusOr<T>& result, StatusCode code, const std::string& substr) {
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), code);
  EXPECT_THAT(result.status().message(), ::testing::HasSubstr(substr));
}

}  // namespace testing_onnx
}  // namespace tinyq

#endif  // TINYQ_TESTS_ONNX_TEST_UTIL_H_
