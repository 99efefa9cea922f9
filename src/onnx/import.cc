// ONNX ModelProto -> Graph (no shape inference; see import.h). Reads the protobuf directly: onnx's
// checker and shape inference are not used (onnx 1.12 stops at opset 17; tinyq loads 18).
#include "src/onnx/import.h"

#include <onnx/onnx_pb.h>

#include <algorithm>
#include <climits>
#include <optional>
#include <set>

#include "src/onnx/attributes.h"
#include "src/onnx/normalize.h"
#include "src/onnx/tensor_proto.h"

namespace tinyq {
namespace {

constexpr int64_t kMinOpset = 7;
constexpr int64_t kMaxOpset = 18;

bool IsDefaultDomain(const std::string& d) { return d.empty() || d == "ai.onnx"; }

class Importer {
 public:
  Importer(const onnx::GraphProto& proto, Graph* graph, const std::string& base_dir,
           const LoadOptions& options)
      : proto_(proto), g_(*graph), ctx_{base_dir}, options_(options) {}

  Status Run(const StatusOr<int64_t>& opset) {
    NameNodes();
    TQ_RETURN_IF_ERROR(CheckOps());
    if (!opset.ok()) return opset.status();
    g_.set_opset(*opset);
    TQ_RETURN_IF_ERROR(ReadInitializers());
    TQ_RETURN_IF_ERROR(ReadInputs());
    TQ_RETURN_IF_ERROR(DefineNodeOutputs());
    TQ_RETURN_IF_ERROR(AddNodes());
    TQ_RETURN_IF_ERROR(ReadOutputs());
    auto order = g_.TopoOrder();
    if (order.size() != g_.nodes().size()) {
      std::set<const Node*> seen(order.begin(), order.end());
      for (const auto& n : g_.nodes())
        if (!seen.count(n.get())) return InvalidModel(g_.Where(n.get()) + "node is on a cycle");
    }
    g_.RemoveUnusedValues();
    return Status::Ok();
  }

 private:
  std::string Where() const { return g_.Where(); }
  std::string WhereOnnxNode(int i) const {
    const onnx::NodeProto& n = proto_.node(i);
    return Where() + "node '" + names_[static_cast<size_t>(i)] + "' (" + n.op_type() + "): ";
  }

  // Unnamed (or duplicate-named) nodes get "<OpType>_<index>", made unique.
  void NameNodes() {
    std::set<std::string> taken;
    for (const auto& n : proto_.node())
      if (!n.name().empty()) taken.insert(n.name());
    std::set<std::string> used;
    for (int i = 0; i < proto_.node_size(); ++i) {
      const onnx::NodeProto& n = proto_.node(i);
      std::string name = n.name();
      if (name.empty() || used.count(name)) {
        const std::string base = name.empty() ? n.op_type() + "_" + std::to_string(i) : name;
        name = base;
        for (int k = 1; taken.count(name) || used.count(name); ++k)
          name = base + "_" + std::to_string(k);
      }
      used.insert(name);
      names_.push_back(name);
    }
  }

  // One Unsupported error listing every node whose op or domain tinyq does not know.
  Status CheckOps() const {
    std::vector<std::string> bad;
    for (int i = 0; i < proto_.node_size(); ++i) {
      const onnx::NodeProto& n = proto_.node(i);
      const std::string who = "node '" + names_[static_cast<size_t>(i)] + "' (" + n.op_type();
      if (!IsDefaultDomain(n.domain()))
        bad.push_back(who + ", " + n.domain() + ")");
      else if (!OpKindFromName(n.op_type()))
        bad.push_back(who + ")");
    }
    if (bad.empty()) return Status::Ok();
    std::string msg = Where() + std::to_string(bad.size()) + " unsupported op" +
                      (bad.size() > 1 ? "s" : "") + ": ";
    for (size_t i = 0; i < bad.size(); ++i) msg += (i ? ", " : "") + bad[i];
    return Unsupported(msg);
  }

  Status ReadInitializers() {
    if (proto_.sparse_initializer_size() > 0)
      return Unsupported(Where() + "sparse initializer '" +
                         proto_.sparse_initializer(0).values().name() + "' is not supported");
    for (const onnx::TensorProto& t : proto_.initializer()) {
      const std::string where = Where() + "initializer '" + t.name() + "': ";
      if (t.name().empty()) return InvalidModel(where + "initializer without a name");
      TQ_ASSIGN_OR_RETURN(Tensor tensor, TensorFromProto(t, ctx_, where));
      if (!g_.AddConstant(t.name(), std::move(tensor)))
        return InvalidModel(where + "defined twice");
    }
    return Status::Ok();
  }

  Status CheckConstantInputs() const {
    for (const auto& [name, tensor] : options_.constant_inputs) {
      bool found = false;
      for (const auto& in : proto_.input()) {
        const Value* v = g_.FindValue(in.name());
        found = found || (in.name() == name && !(v && v->is_constant()));
      }
      if (!found)
        return InvalidArgument(Where() + "constant_inputs names '" + name +
                               "', which is not a graph input");
      if (options_.input_shapes.count(name))
        return InvalidArgument(Where() + "input '" + name +
                               "' is in both input_shapes and constant_inputs");
    }
    return Status::Ok();
  }

  Status CheckShapeOverrides() const {
    for (const auto& [name, shape] : options_.input_shapes) {
      bool found = false;
      std::string names;
      for (const auto& in : proto_.input()) {
        const Value* v = g_.FindValue(in.name());
        if (v && v->is_constant()) continue;  // an initializer, not a real input
        found = found || in.name() == name;
        names += (names.empty() ? "" : ", ") + in.name();
      }
      if (!found)
        return InvalidArgument(Where() + "input_shapes names '" + name +
                               "', which is not a graph input (inputs: " + names + ")");
      for (int64_t d : shape)
        if (d <= 0)
          return InvalidArgument(Where() + "input_shapes['" + name +
                                 "'] = " + ShapeToString(shape) + ": dimensions must be > 0");
    }
    return Status::Ok();
  }

  StatusOr<Shape> InputShape(const onnx::ValueInfoProto& in, size_t elem_size) const {
    const std::string where = Where() + "input '" + in.name() + "': ";
    const auto& tt = in.type().tensor_type();
    auto it = options_.input_shapes.find(in.name());
    const bool has_override = it != options_.input_shapes.end();
    google::protobuf::RepeatedField<int64_t> dims;
    if (tt.has_shape()) {
      for (const auto& d : tt.shape().dim()) {
        if (d.has_dim_value() && d.dim_value() < 0)
          return InvalidModel(where + "negative dimension " + std::to_string(d.dim_value()));
        dims.Add(d.has_dim_value() ? d.dim_value() : 1);  // dim_param or unknown -> 1
      }
      if (has_override && static_cast<int>(it->second.size()) != dims.size())
        return InvalidArgument(where + "input_shapes gives rank " +
                               std::to_string(it->second.size()) + " " + ShapeToString(it->second) +
                               ", the model declares rank " + std::to_string(dims.size()));
    } else if (!has_override) {
      return InvalidArgument(where + "the model gives no shape; pass one in input_shapes");
    }
    if (has_override) dims.Assign(it->second.begin(), it->second.end());
    return CheckedShape(dims, elem_size, where);
  }

  Status ReadInputs() {
    TQ_RETURN_IF_ERROR(CheckShapeOverrides());
    TQ_RETURN_IF_ERROR(CheckConstantInputs());
    for (const onnx::ValueInfoProto& in : proto_.input()) {
      const std::string where = Where() + "input '" + in.name() + "': ";
      const Value* existing = g_.FindValue(in.name());
      if (existing && existing->is_constant()) continue;  // initializer listed as input
      if (existing) return InvalidModel(where + "listed twice");
      if (!in.type().has_tensor_type())
        return Unsupported(where + "only tensor inputs are supported");
      const int32_t et = in.type().tensor_type().elem_type();
      const std::optional<DType> dtype = DTypeFromOnnx(et);
      if (!dtype) return Unsupported(where + "unsupported element type " + OnnxTypeName(et));
      if (auto c = options_.constant_inputs.find(in.name()); c != options_.constant_inputs.end()) {
        // A frozen input: its value is known, so it becomes a constant (not a graph input).
        if (c->second.dtype() != *dtype)
          return InvalidArgument(where + "constant_inputs gives dtype " +
                                 DTypeName(c->second.dtype()) + ", the model declares " +
                                 DTypeName(*dtype));
        const auto& tt = in.type().tensor_type();
        if (tt.has_shape() && tt.shape().dim_size() != c->second.rank())
          return InvalidArgument(where + "constant_inputs gives rank " +
                                 std::to_string(c->second.rank()) + ", the model declares rank " +
                                 std::to_string(tt.shape().dim_size()));
        g_.AddConstant(in.name(), c->second);
        continue;
      }
      TQ_ASSIGN_OR_RETURN(Shape shape, InputShape(in, DTypeSize(*dtype)));
      Value* v = g_.AddValue(in.name(), *dtype, shape);
      if (!v) return InvalidModel(where + "input without a name");
      g_.inputs().push_back(v);
    }
    return Status::Ok();
  }

  // Constant nodes: their output becomes a constant Value (no node).
  StatusOr<Tensor> ConstantValue(int i) const {
    const onnx::NodeProto& n = proto_.node(i);
    const std::string where = WhereOnnxNode(i);
    if (n.attribute_size() != 1)
      return InvalidModel(where + "needs exactly one value attribute, has " +
                          std::to_string(n.attribute_size()));
    TQ_ASSIGN_OR_RETURN(Attribute a, AttributeFromProto(n.attribute(0), ctx_, where));
    const std::string& key = n.attribute(0).name();
    const auto size = [](const auto& v) { return static_cast<int64_t>(v.size()); };
    if (key == "value" && a.type == Attribute::Type::kTensor) return std::move(a.t[0]);
    if (key == "value_float" && a.type == Attribute::Type::kFloat)
      return Tensor::FromVector<float>({}, {a.f});
    if (key == "value_floats" && a.type == Attribute::Type::kFloats)
      return Tensor::FromVector<float>({size(a.floats)}, a.floats);
    if (key == "value_int" && a.type == Attribute::Type::kInt)
      return Tensor::FromVector<int64_t>({}, {a.i});
    if (key == "value_ints" && a.type == Attribute::Type::kInts)
      return Tensor::FromVector<int64_t>({size(a.ints)}, a.ints);
    return Unsupported(where + "attribute '" + key + "' is not supported");
  }

  Status DefineNodeOutputs() {
    for (int i = 0; i < proto_.node_size(); ++i) {
      const onnx::NodeProto& n = proto_.node(i);
      const bool is_constant = n.op_type() == "Constant";
      if (is_constant && n.output_size() != 1)
        return InvalidModel(WhereOnnxNode(i) + "must have one output");
      for (const std::string& out : n.output()) {
        if (out.empty()) continue;
        Value* v = nullptr;
        if (is_constant) {
          TQ_ASSIGN_OR_RETURN(Tensor t, ConstantValue(i));
          v = g_.AddConstant(out, std::move(t));
        } else {
          v = g_.AddValue(out);
        }
        if (!v)
          return InvalidModel(WhereOnnxNode(i) + "output '" + out +
                              "' is already defined (graph input, initializer or node output)");
      }
    }
    return Status::Ok();
  }

  Status AddNodes() {
    std::set<std::string> consumed;
    for (const auto& n : proto_.node()) consumed.insert(n.input().begin(), n.input().end());
    for (const auto& o : proto_.output()) consumed.insert(o.name());
    const int64_t opset = g_.opset();
    for (int i = 0; i < proto_.node_size(); ++i) {
      const onnx::NodeProto& n = proto_.node(i);
      if (n.op_type() == "Constant") continue;
      const std::string where = WhereOnnxNode(i);
      PendingNode p;
      p.op = *OpKindFromName(n.op_type());
      p.name = names_[static_cast<size_t>(i)];
      for (const std::string& in : n.input()) {
        Value* v = in.empty() ? nullptr : g_.FindValue(in);
        if (!in.empty() && !v)
          return InvalidModel(where + "input '" + in +
                              "' is not defined (not a graph input, initializer or node output)");
        p.inputs.push_back(v);
      }
      for (const std::string& out : n.output())
        p.outputs.push_back(out.empty() ? nullptr : g_.FindValue(out));
      for (const onnx::AttributeProto& ap : n.attribute()) {
        TQ_ASSIGN_OR_RETURN(Attribute a, AttributeFromProto(ap, ctx_, where));
        p.attrs[ap.name()] = std::move(a);
      }
      TQ_RETURN_IF_ERROR(NormalizeNode(g_, opset, consumed, &p));
      Node* node = g_.AddNode(p.op, p.name, std::move(p.inputs), std::move(p.outputs));
      node->mutable_attrs() = std::move(p.attrs);
    }
    return Status::Ok();
  }

  Status ReadOutputs() {
    for (const onnx::ValueInfoProto& out : proto_.output()) {
      Value* v = g_.FindValue(out.name());
      if (!v) return InvalidModel(Where() + "graph output '" + out.name() + "' is not defined");
      if (!v->producer() && !v->is_constant() &&
          std::find(g_.inputs().begin(), g_.inputs().end(), v) == g_.inputs().end())
        return InvalidModel(Where() + "graph output '" + out.name() + "' is never computed");
      g_.outputs().push_back(v);
    }
    return Status::Ok();
  }

  const onnx::GraphProto& proto_;
  Graph& g_;
  ExternalDataContext ctx_;
  const LoadOptions& options_;
  std::vector<std::string> names_;  // node names, index-aligned with proto_.node()
};

StatusOr<int64_t> DefaultOpset(const onnx::ModelProto& model, const std::string& where) {
  std::optional<int64_t> opset;
  for (const auto& o : model.opset_import())
    if (IsDefaultDomain(o.domain())) opset = o.version();
  if (!opset) return InvalidModel(where + "model imports no default-domain opset");
  if (*opset < kMinOpset || *opset > kMaxOpset)
    return Unsupported(where + "opset " + std::to_string(*opset) + " is not supported (" +
                       std::to_string(kMinOpset) + ".." + std::to_string(kMaxOpset) + ")");
  return *opset;
}

}  // namespace

StatusOr<std::unique_ptr<Graph>> ImportGraphWithoutShapes(const std::string& bytes,
                                                          const std::string& source,
                                                          const std::string& base_dir,
                                                          const LoadOptions& options) {
  const std::string where = source + ": ";
  if (bytes.empty()) return InvalidModel(where + "not a valid ONNX model (empty file)");
  onnx::ModelProto model;
  if (bytes.size() > static_cast<size_t>(INT_MAX) ||
      !model.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
    return InvalidModel(where + "not a valid ONNX model (protobuf parse failed)");
  if (!model.has_graph()) return InvalidModel(where + "not a valid ONNX model (no graph)");
  auto graph = std::make_unique<Graph>();
  graph->set_source(source);
  graph->set_name(model.graph().name());
  Importer importer(model.graph(), graph.get(), base_dir, options);
  // Unsupported ops (e.g. of a non-default domain) are reported before opset problems.
  TQ_RETURN_IF_ERROR(importer.Run(DefaultOpset(model, where)));
  return graph;
}

}  // namespace tinyq
