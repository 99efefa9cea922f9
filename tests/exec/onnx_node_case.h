// tests/exec/onnx_node_case.h - loads an ONNX backend node test shipped by Debian's
// libonnx-testdata (/usr/share/libonnx-testdata/data/node/test_*: model.onnx + test_data_set_0)
// as a one-node tinyq Graph built by hand (the first input is fed, the others become constants,
// as weights are after import) with its reference outputs. Shared by the conformance tests of the
// float kernels and of the int8 executor's float-fallback kernels.
#ifndef TINYQ_TESTS_EXEC_ONNX_NODE_CASE_H_
#define TINYQ_TESTS_EXEC_ONNX_NODE_CASE_H_

#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tinyq/executor.h"
#include "tinyq/ir.h"

namespace tinyq {
namespace testing {

inline constexpr char kNodeDir[] = "/usr/share/libonnx-testdata/data/node/";

inline bool ReadProto(const std::string& path, google::protobuf::Message* msg) {
  std::ifstream f(path, std::ios::binary);
  return f && msg->ParseFromIstream(&f);
}

// TensorProto -> Tensor for the dtypes these tests use (float, int64).
inline Tensor ToTensor(const onnx::TensorProto& t) {
  Shape shape(t.dims().begin(), t.dims().end());
  if (t.data_type() == onnx::TensorProto::INT64) {
    Tensor out(DType::kS64, shape);
    if (!t.raw_data().empty())
      std::memcpy(out.raw(), t.raw_data().data(), out.nbytes());
    else
      for (int i = 0; i < t.int64_data_size(); ++i) out.data<int64_t>()[i] = t.int64_data(i);
    return out;
  }
  if (t.data_type() == onnx::TensorProto::UINT8) {
    Tensor out(DType::kU8, shape);
    std::memcpy(out.raw(), t.raw_data().data(), std::min(out.nbytes(), t.raw_data().size()));
    return out;
  }
  Tensor out(DType::kF32, shape);
  if (!t.raw_data().empty())
    std::memcpy(out.raw(), t.raw_data().data(), out.nbytes());
  else
    for (int i = 0; i < t.float_data_size(); ++i) out.data<float>()[i] = t.float_data(i);
  return out;
}

inline void CopyAttributes(const onnx::NodeProto& n, Node* node) {
  for (const onnx::AttributeProto& a : n.attribute()) {
    switch (a.type()) {
      case onnx::AttributeProto::INT:
        node->SetInt(a.name(), a.i());
        break;
      case onnx::AttributeProto::FLOAT:
        node->SetFloat(a.name(), a.f());
        break;
      case onnx::AttributeProto::STRING:
        node->SetString(a.name(), a.s());
        break;
      case onnx::AttributeProto::INTS:
        node->SetInts(a.name(), std::vector<int64_t>(a.ints().begin(), a.ints().end()));
        break;
      case onnx::AttributeProto::FLOATS:
        node->SetFloats(a.name(), std::vector<float>(a.floats().begin(), a.floats().end()));
        break;
      default:
        break;
    }
  }
}

struct NodeCase {
  std::unique_ptr<Graph> graph;
  TensorMap feeds;
  std::vector<Tensor> expected;
};

// Builds the one-node graph in the canonical IR form of docs/ir_ops.md.
inline NodeCase LoadCase(const std::string& name) {
  NodeCase c;
  const std::string dir = std::string(kNodeDir) + name + "/";
  onnx::ModelProto model;
  EXPECT_TRUE(ReadProto(dir + "model.onnx", &model)) << dir;
  const onnx::GraphProto& gp = model.graph();
  c.graph = std::make_unique<Graph>();
  c.graph->set_source(name);
  std::map<std::string, Value*> by_name;
  for (int i = 0; i < gp.input_size(); ++i) {
    onnx::TensorProto tp;
    EXPECT_TRUE(ReadProto(dir + "test_data_set_0/input_" + std::to_string(i) + ".pb", &tp));
    Tensor t = ToTensor(tp);
    const std::string& vname = gp.input(i).name();
    if (i == 0) {
      Value* v = c.graph->AddValue(vname, t.dtype(), t.shape());
      c.graph->inputs().push_back(v);
      c.feeds.emplace(vname, std::move(t));
      by_name[vname] = v;
    } else {
      by_name[vname] = c.graph->AddConstant(vname, std::move(t));
    }
  }
  const onnx::NodeProto& np = gp.node(0);
  std::vector<Value*> inputs;
  for (const std::string& in : np.input()) inputs.push_back(in.empty() ? nullptr : by_name[in]);
  std::vector<Value*> outputs;
  for (const std::string& out : np.output()) outputs.push_back(c.graph->AddValue(out));
  const std::optional<OpKind> op = OpKindFromName(np.op_type());
  EXPECT_TRUE(op.has_value()) << np.op_type();
  Node* node = c.graph->AddNode(*op, np.name().empty() ? "n" : np.name(), inputs, outputs);
  CopyAttributes(np, node);
  int64_t opset = 0;
  for (const auto& o : model.opset_import())
    if (o.domain().empty() || o.domain() == "ai.onnx") opset = o.version();
  if ((*op == OpKind::kSoftmax || *op == OpKind::kLogSoftmax) && opset < 13)
    node->SetInt("tq_coerce_2d", 1);
  if (*op == OpKind::kReduceSum && node->input(1)) {
    node->SetInts("axes", node->input(1)->constant()->ToInt64Vector());
    c.graph->SetInput(node, 1, nullptr);
  }
  for (int i = 0; i < gp.output_size(); ++i) {
    c.graph->outputs().push_back(c.graph->FindValue(gp.output(i).name()));
    onnx::TensorProto tp;
    EXPECT_TRUE(ReadProto(dir + "test_data_set_0/output_" + std::to_string(i) + ".pb", &tp));
    c.expected.push_back(ToTensor(tp));
  }
  return c;
}

// Adds a failure per element (the first five) with |got - want| > atol + rtol * |want|.
inline void ExpectClose(const Tensor& got, const Tensor& want, float atol, float rtol) {
  ASSERT_EQ(got.shape(), want.shape());
  const std::vector<float> o = got.ToFloatVector(), w = want.ToFloatVector();
  int bad = 0;
  for (size_t i = 0; i < w.size(); ++i)
    if (!(std::fabs(o[i] - w[i]) <= atol + rtol * std::fabs(w[i])) && ++bad <= 5)
      ADD_FAILURE() << "index " << i << ": got " << o[i] << ", want " << w[i];
  EXPECT_EQ(bad, 0);
}

}  // namespace testing
}  // namespace tinyq

#endif  // TINYQ_TESTS_EXEC_ONNX_NODE_CASE_H_
