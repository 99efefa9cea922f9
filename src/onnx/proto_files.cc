// ReadTensorProtoFile and InspectOnnxFile: small readers of ONNX protobuf files that do not import a
// whole model (conformance test data, op inventories).
#include <onnx/onnx_pb.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "src/onnx/tensor_proto.h"
#include "tinyq/onnx.h"

namespace tinyq {
namespace {

StatusOr<std::string> ReadWholeFile(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return NotFound(path + ": no such file");
  std::ifstream in(path, std::ios::binary);
  if (!in) return IoError(path + ": cannot open for reading");
  std::ostringstream buf;
  buf << in.rdbuf();
  if (in.bad()) return IoError(path + ": read failed");
  return buf.str();
}

}  // namespace

StatusOr<Tensor> ReadTensorProtoFile(const std::string& path) {
  TQ_ASSIGN_OR_RETURN(std::string bytes, ReadWholeFile(path));
  onnx::TensorProto proto;
  if (!proto.ParseFromString(bytes))
    return InvalidModel(path + ": not a valid ONNX TensorProto (protobuf parse failed)");
  ExternalDataContext ctx;
  ctx.base_dir = std::filesystem::path(path).parent_path().string();
  return TensorFromProto(proto, ctx, path + ": ");
}

StatusOr<OnnxFileInfo> InspectOnnxFile(const std::string& path) {
  TQ_ASSIGN_OR_RETURN(std::string bytes, ReadWholeFile(path));
  onnx::ModelProto model;
  if (bytes.empty() || !model.ParseFromString(bytes))
    return InvalidModel(path + ": not a valid ONNX model (protobuf parse failed)");
  OnnxFileInfo info;
  for (const auto& n : model.graph().node()) {
    const std::string& d = n.domain();
    info.ops.push_back(d.empty() || d == "ai.onnx" ? n.op_type() : d + ":" + n.op_type());
  }
  std::set<std::string> initializers;
  for (const auto& t : model.graph().initializer()) initializers.insert(t.name());
  for (const auto& v : model.graph().input())
    if (!initializers.count(v.name())) info.inputs.push_back(v.name());
  for (const auto& n : model.graph().node())
    for (int i = 0; i < n.input_size(); ++i)
      for (const std::string& in : info.inputs)
        if (n.input(i) == in) info.input_uses[in].emplace_back(n.op_type(), i);
  return info;
}

}  // namespace tinyq
