// src/codegen/sha256.h - SHA-256 (FIPS 180-4) of bytes and files, for provenance lines.
#ifndef TINYQ_SRC_CODEGEN_SHA256_H_
#define TINYQ_SRC_CODEGEN_SHA256_H_

#include <string>

#include "tinyq/status.h"

namespace tinyq {
namespace codegen {

std::string Sha256Hex(const std::string& bytes);  // 64 lowercase hex digits
// NotFound / IoError naming the path.
StatusOr<std::string> Sha256OfFile(const std::string& path);

}  // namespace codegen
}  // namespace tinyq

#endif  // TINYQ_SRC_CODEGEN_SHA256_H_
