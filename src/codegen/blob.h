// src/codegen/blob.h - the weights blob of `tinyq export --weights-blob` (layout in
// src/runtime/tq_blob.h): a 64-byte header binding the payload to one model, then the payload.
#ifndef TINYQ_SRC_CODEGEN_BLOB_H_
#define TINYQ_SRC_CODEGEN_BLOB_H_

#include <string>

namespace tinyq {
namespace codegen {

// Header + payload. `sha256` is 32 raw bytes (the model binding); the CRCs are tq_crc32's, the
// function the generated code checks them with.
std::string MakeWeightsBlob(const std::string& payload, const std::string& sha256);

// 64 hex digits -> 32 raw bytes; "" when `hex` is not that.
std::string Sha256HexToBytes(const std::string& hex);

}  // namespace codegen
}  // namespace tinyq

#endif  // TINYQ_SRC_CODEGEN_BLOB_H_
