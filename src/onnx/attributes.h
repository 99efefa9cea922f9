// src/onnx/attributes.h - onnx::AttributeProto <-> tinyq::Attribute.
#ifndef TINYQ_SRC_ONNX_ATTRIBUTES_H_
#define TINYQ_SRC_ONNX_ATTRIBUTES_H_

#include <onnx/onnx_pb.h>

#include <string>

#include "src/onnx/tensor_proto.h"
#include "tinyq/ir.h"

namespace tinyq {

// Converts one attribute. Attributes written without a type (old exporters) get the type of the
// field that is set. `where` ("model.onnx: node 'n' (Op): ") prefixes errors: Unsupported for
// graph/sparse/type-proto/tensor-list attributes, and the TensorFromProto errors for tensors.
StatusOr<Attribute> AttributeFromProto(const onnx::AttributeProto& proto,
                                       const ExternalDataContext& ctx, const std::string& where);

// Writes `attr` named `name` into `proto`.
void AttributeToProto(const std::string& name, const Attribute& attr, onnx::AttributeProto* proto);

}  // namespace tinyq

#endif  // TINYQ_SRC_ONNX_ATTRIBUTES_H_
