#include "src/onnx/attributes.h"

namespace tinyq {
namespace {

using onnx::AttributeProto;

// The type an untyped attribute most likely has, from the fields that are set.
int InferType(const AttributeProto& p) {
  if (p.has_f()) return AttributeProto::FLOAT;
  if (p.has_i()) return AttributeProto::INT;
  if (p.has_s()) return AttributeProto::STRING;
  if (p.has_t()) return AttributeProto::TENSOR;
  if (p.has_g()) return AttributeProto::GRAPH;
  if (p.floats_size()) return AttributeProto::FLOATS;
  if (p.ints_size()) return AttributeProto::INTS;
  if (p.strings_size()) return AttributeProto::STRINGS;
  return AttributeProto::UNDEFINED;
}

}  // namespace

StatusOr<Attribute> AttributeFromProto(const AttributeProto& p, const ExternalDataContext& ctx,
                                       const std::string& where) {
  const std::string at = where + "attribute '" + p.name() + "': ";
  int type = p.type() == AttributeProto::UNDEFINED ? InferType(p) : p.type();
  Attribute a;
  switch (type) {
    case AttributeProto::FLOAT:
      a.type = Attribute::Type::kFloat;
      a.f = p.f();
      return a;
    case AttributeProto::INT:
      a.type = Attribute::Type::kInt;
      a.i = p.i();
      return a;
    case AttributeProto::STRING:
      a.type = Attribute::Type::kString;
      a.s = p.s();
      return a;
    case AttributeProto::FLOATS:
      a.type = Attribute::Type::kFloats;
      a.floats.assign(p.floats().begin(), p.floats().end());
      return a;
    case AttributeProto::INTS:
      a.type = Attribute::Type::kInts;
      a.ints.assign(p.ints().begin(), p.ints().end());
      return a;
    case AttributeProto::STRINGS:
      a.type = Attribute::Type::kStrings;
      a.strings.assign(p.strings().begin(), p.strings().end());
      return a;
    case AttributeProto::TENSOR: {
      a.type = Attribute::Type::kTensor;
      TQ_ASSIGN_OR_RETURN(Tensor t, TensorFromProto(p.t(), ctx, at));
      a.t.push_back(std::move(t));
      return a;
    }
    case AttributeProto::UNDEFINED:
      return InvalidModel(at + "attribute has no type and no value");
    default:
      return Unsupported(
          at + "attribute type " +
          AttributeProto::AttributeType_Name(static_cast<AttributeProto::AttributeType>(type)) +
          " is not supported");
  }
}

void AttributeToProto(const std::string& name, const Attribute& a, AttributeProto* p) {
  p->set_name(name);
  switch (a.type) {
    case Attribute::Type::kInt:
      p->set_type(AttributeProto::INT);
      p->set_i(a.i);
      break;
    case Attribute::Type::kFloat:
      p->set_type(AttributeProto::FLOAT);
      p->set_f(a.f);
      break;
    case Attribute::Type::kString:
      p->set_type(AttributeProto::STRING);
      p->set_s(a.s);
      break;
    case Attribute::Type::kInts:
      p->set_type(AttributeProto::INTS);
      for (int64_t v : a.ints) p->add_ints(v);
      break;
    case Attribute::Type::kFloats:
      p->set_type(AttributeProto::FLOATS);
      for (float v : a.floats) p->add_floats(v);
      break;
    case Attribute::Type::kStrings:
      p->set_type(AttributeProto::STRINGS);
      for (const std::string& v : a.strings) p->add_strings(v);
      break;
    case Attribute::Type::kTensor:
      p->set_type(AttributeProto::TENSOR);
      if (!a.t.empty()) TensorToProto(a.t[0], "", p->mutable_t());
      break;
  }
}

}  // namespace tinyq
