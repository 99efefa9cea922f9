// src/onnx/tensor_proto.h - onnx::TensorProto <-> tinyq::Tensor, and ONNX element types.
//
// The only place (with import/export) that sees onnx protobufs. Everything read here comes from an
// untrusted file: dims, element counts, byte counts and external data paths are all validated.
#ifndef TINYQ_SRC_ONNX_TENSOR_PROTO_H_
#define TINYQ_SRC_ONNX_TENSOR_PROTO_H_

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <optional>
#include <string>

#include "src/ir/tensor_limits.h"
#include "tinyq/status.h"
#include "tinyq/tensor.h"

namespace tinyq {

// ONNX TensorProto.DataType -> DType; nullopt for types tinyq does not support (float16,
// bfloat16, string, complex, uint32, uint64, ...).
std::optional<DType> DTypeFromOnnx(int32_t onnx_type);
// DType -> ONNX TensorProto.DataType.
int32_t OnnxFromDType(DType t);
// "FLOAT16", "STRING", ... (or the number for unknown values).
std::string OnnxTypeName(int32_t onnx_type);

// Validates dims (CheckTensorSize of src/ir/tensor_limits.h: each >= 0, at most 2^31 elements and
// 2 GiB for `elem_size`) and returns them as a Shape. `where` prefixes the InvalidModel message.
StatusOr<Shape> CheckedShape(const google::protobuf::RepeatedField<int64_t>& dims, size_t elem_size,
                             const std::string& where);

// Where external data files are looked up. An empty `base_dir` refuses external data.
struct ExternalDataContext {
  std::string base_dir;
};

// Converts a TensorProto to a Tensor. `where` names the tensor ("model.onnx: initializer 'w': ")
// and prefixes every error:
//   Unsupported    element type tinyq does not store, segmented tensors;
//   InvalidModel   bad dims, value/byte count not matching dims, values out of the type's range,
//                  external data path absolute or escaping base_dir, file too short;
//   IoError        external data file cannot be read.
// raw_data is read as little-endian (the host order on every platform tinyq supports).
StatusOr<Tensor> TensorFromProto(const onnx::TensorProto& proto, const ExternalDataContext& ctx,
                                 const std::string& where);

// Writes `t` into `proto` (name, dims, data_type, raw_data little-endian).
void TensorToProto(const Tensor& t, const std::string& name, onnx::TensorProto* proto);

}  // namespace tinyq

#endif  // TINYQ_SRC_ONNX_TENSOR_PROTO_H_
