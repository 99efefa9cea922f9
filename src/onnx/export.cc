// SerializeOnnx / SaveOnnx: Graph -> ONNX ModelProto at opset max(graph opset, 13).
//
// The canonical IR forms (docs/ir_ops.md) are written back as valid ONNX of the target opset:
//   Squeeze(x) {axes=[1]}            -> Squeeze(x, axes_init)              (opset >= 13)
//   ReduceSum / ReduceMean,Max axes  -> axes input                          (>= 13 / >= 18)
//   Split {split=[1,2]}              -> Split(x, split_init)                (>= 13)
//   Softmax {axis=a, tq_coerce_2d=1} -> Softmax {axis=a} when a is the last axis, else
//                                       Reshape(Softmax(Flatten(x, a), axis=1), shape(x))
// Constants become initializers (raw_data); a constant graph output becomes a Constant node.
// Values with a static shape are described in value_info. Quantized nodes (QOp form) and fused
// activations (tq_act) are first expanded into QDQ form / Relu / Clip nodes (qdq_expand.cc).
#include <fcntl.h>
#include <onnx/onnx_pb.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <set>
#include <vector>

#include "src/data/file_io.h"
#include "src/onnx/attributes.h"
#include "src/onnx/qdq.h"
#include "src/onnx/tensor_proto.h"
#include "tinyq/onnx.h"

namespace tinyq {
namespace {

constexpr int64_t kMinExportOpset = 13;
constexpr int64_t kIrVersion = 8;

void SetType(const Value& v, onnx::ValueInfoProto* info) {
  info->set_name(v.name());
  auto* tt = info->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(OnnxFromDType(v.dtype()));
  if (!v.shape_known()) return;
  auto* shape = tt->mutable_shape();
  for (int64_t d : v.shape()) shape->add_dim()->set_dim_value(d);
}

class Exporter {
 public:
  Exporter(const Graph& g, onnx::GraphProto* out)
      : g_(g), opset_(std::max(g.opset(), kMinExportOpset)), out_(out) {
    for (const auto& v : g.values()) names_.insert(v->name());
    for (const auto& n : g.nodes()) names_.insert(n->name());
  }
  int64_t opset() const { return opset_; }

  Status Run() {
    out_->set_name(g_.name().empty() ? "tinyq" : g_.name());
    std::set<const Value*> outputs(g_.outputs().begin(), g_.outputs().end());
    std::set<const Value*> inputs(g_.inputs().begin(), g_.inputs().end());
    for (const Value* v : g_.inputs())
      if (!v->is_constant()) SetType(*v, out_->add_input());
    for (const auto& v : g_.values()) {
      if (!v->is_constant()) continue;
      if (outputs.count(v.get())) {
        onnx::NodeProto* c = out_->add_node();
        c->set_op_type("Constant");
        c->set_name(NewName(v->name() + "_const"));
        c->add_output(v->name());
        onnx::AttributeProto* a = c->add_attribute();
        a->set_name("value");
        a->set_type(onnx::AttributeProto::TENSOR);
        TensorToProto(*v->constant(), "", a->mutable_t());
      } else if (!v->uses().empty()) {
        TensorToProto(*v->constant(), v->name(), out_->add_initializer());
      }
    }
    for (const Node* n : g_.TopoOrder()) TQ_RETURN_IF_ERROR(ExportNode(*n));
    for (const Value* v : g_.outputs()) SetType(*v, out_->add_output());
    for (const auto& v : g_.values())
      if (v->producer() && v->shape_known() && !outputs.count(v.get()) && !inputs.count(v.get()))
        SetType(*v, out_->add_value_info());
    return Status::Ok();
  }

 private:
  std::string NewName(const std::string& base) {
    std::string name = base;
    for (int k = 1; names_.count(name); ++k) name = base + "_" + std::to_string(k);
    names_.insert(name);
    return name;
  }

  // Adds an int64 initializer and returns its name.
  std::string IntsInitializer(const std::string& base, const std::vector<int64_t>& v) {
    const std::string name = NewName(base);
    const int64_t size = static_cast<int64_t>(v.size());
    TensorToProto(Tensor::FromVector<int64_t>({size}, v), name, out_->add_initializer());
    return name;
  }

  onnx::NodeProto* StartNode(const std::string& op, const std::string& name) {
    onnx::NodeProto* p = out_->add_node();
    p->set_op_type(op);
    p->set_name(name);
    return p;
  }

  // Moves ints attribute `attr` of `attrs` into input `index` of `p` (if present).
  void AttrToInput(const Node& n, std::map<std::string, Attribute>* attrs, const std::string& attr,
                   int index, onnx::NodeProto* p) {
    auto it = attrs->find(attr);
    if (it == attrs->end()) return;
    while (p->input_size() < index) p->add_input("");
    const std::string name = IntsInitializer(n.name() + "_" + attr, it->second.ints);
    if (p->input_size() == index)
      p->add_input(name);
    else
      p->set_input(index, name);
    attrs->erase(it);
  }

  // Softmax/LogSoftmax with the opset < 13 "coerce to 2-D" semantics.
  Status ExportCoerced(const Node& n, std::map<std::string, Attribute> attrs) {
    const Value* x = n.input(0);
    if (!x || !x->shape_known())
      return FailedPrecondition(g_.Where(&n) + "needs a static input shape to be exported");
    const int64_t rank = static_cast<int64_t>(x->shape().size());
    int64_t axis = n.GetInt("axis", 1);
    if (axis < 0) axis += rank;
    attrs.erase("tq_coerce_2d");
    const std::string op = OpKindName(n.op());
    if (axis == rank - 1 || rank <= 1) {
      onnx::NodeProto* p = StartNode(op, n.name());
      p->add_input(x->name());
      p->add_output(n.output(0)->name());
      attrs["axis"].type = Attribute::Type::kInt;
      attrs["axis"].i = rank <= 1 ? -1 : axis;
      for (const auto& [k, a] : attrs) AttributeToProto(k, a, p->add_attribute());
      return Status::Ok();
    }
    const std::string flat = NewName(n.name() + "_2d");
    const std::string soft = NewName(n.name() + "_2d_out");
    onnx::NodeProto* f = StartNode("Flatten", NewName(n.name() + "_flatten"));
    f->add_input(x->name());
    f->add_output(flat);
    Attribute ax;
    ax.type = Attribute::Type::kInt;
    ax.i = axis;
    AttributeToProto("axis", ax, f->add_attribute());
    onnx::NodeProto* s = StartNode(op, n.name());
    s->add_input(flat);
    s->add_output(soft);
    ax.i = 1;
    AttributeToProto("axis", ax, s->add_attribute());
    onnx::NodeProto* r = StartNode("Reshape", NewName(n.name() + "_reshape"));
    r->add_input(soft);
    r->add_input(IntsInitializer(n.name() + "_shape", x->shape()));
    r->add_output(n.output(0)->name());
    return Status::Ok();
  }

  Status ExportNode(const Node& n) {
    std::map<std::string, Attribute> attrs = n.attrs();
    if ((n.op() == OpKind::kSoftmax || n.op() == OpKind::kLogSoftmax) &&
        n.GetInt("tq_coerce_2d", 0) != 0)
      return ExportCoerced(n, std::move(attrs));
    for (auto it = attrs.begin(); it != attrs.end(); ++it)
      if (it->first.rfind("tq_", 0) == 0 && it->first != "tq_coerce_2d")
        return Unsupported(g_.Where(&n) + "internal attribute '" + it->first +
                           "' has no ONNX form");
    attrs.erase("tq_coerce_2d");
    onnx::NodeProto* p = StartNode(OpKindName(n.op()), n.name());
    for (const Value* v : n.inputs()) p->add_input(v ? v->name() : "");
    for (const Value* v : n.outputs()) p->add_output(v ? v->name() : "");
    switch (n.op()) {
      case OpKind::kSqueeze:
      case OpKind::kUnsqueeze:
        AttrToInput(n, &attrs, "axes", 1, p);
        break;
      case OpKind::kReduceSum:
        AttrToInput(n, &attrs, "axes", 1, p);
        break;
      case OpKind::kReduceMean:
      case OpKind::kReduceMax:
        if (opset_ >= 18) AttrToInput(n, &attrs, "axes", 1, p);
        break;
      case OpKind::kSplit:
        AttrToInput(n, &attrs, "split", 1, p);
        if (opset_ < 18) attrs.erase("num_outputs");
        break;
      default:
        break;
    }
    for (const auto& [k, a] : attrs) AttributeToProto(k, a, p->add_attribute());
    return Status::Ok();
  }

  const Graph& g_;
  const int64_t opset_;
  onnx::GraphProto* out_;
  std::set<std::string> names_;
};

}  // namespace

StatusOr<std::string> SerializeOnnx(const Graph& original) {
  // QOp form and fused activations have no ONNX op of their own: write their QDQ / Relu / Clip
  // expansion (src/onnx/qdq.h).
  std::unique_ptr<Graph> expanded;
  if (NeedsQdqExpansion(original)) {
    TQ_ASSIGN_OR_RETURN(expanded, ExpandToQdq(original));
  }
  const Graph& graph = expanded ? *expanded : original;
  onnx::ModelProto model;
  model.set_ir_version(kIrVersion);
  model.set_producer_name("tinyq");
  model.set_producer_version(TINYQ_VERSION);
  Exporter exporter(graph, model.mutable_graph());
  TQ_RETURN_IF_ERROR(exporter.Run());
  onnx::OperatorSetIdProto* opset = model.add_opset_import();
  opset->set_domain("");
  opset->set_version(exporter.opset());
  std::string bytes;
  if (!model.SerializeToString(&bytes))
    return InvalidArgument(graph.Where() + "model too large to serialize (protobuf limit 2 GiB)");
  return bytes;
}

Status SaveOnnx(const Graph& graph, const std::string& path) {
  TQ_ASSIGN_OR_RETURN(std::string bytes, SerializeOnnx(graph));
  return data::WriteFileAtomic(path, bytes);
}

}  // namespace tinyq
