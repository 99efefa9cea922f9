// LoadOnnx / LoadOnnxFromBytes: import (import.cc), then static shapes and folding (exec/fold),
// then QDQ patterns -> QOp form (qdq_fold.cc).
#include <filesystem>
#include <fstream>
#include <sstream>

#include "src/exec/fold.h"
#include "src/onnx/import.h"
#include "src/onnx/qdq.h"
#include "tinyq/onnx.h"

namespace tinyq {

StatusOr<std::unique_ptr<Graph>> LoadOnnxFromBytes(const std::string& bytes,
                                                   const std::string& source,
                                                   const std::string& base_dir,
                                                   const LoadOptions& options) {
  TQ_ASSIGN_OR_RETURN(std::unique_ptr<Graph> graph,
                      ImportGraphWithoutShapes(bytes, source, base_dir, options));
  // int8 weights read by DequantizeLinear stay int8 (not folded to float constants); QDQ
  // patterns then become QOp form (src/onnx/qdq.h).
  TQ_RETURN_IF_ERROR(InferShapesAndFoldKeepingQdq(*graph));
  if (options.fold_qdq) TQ_RETURN_IF_ERROR(FoldQdqToQOp(*graph));
  return graph;
}

StatusOr<std::unique_ptr<Graph>> LoadOnnx(const std::string& path, const LoadOptions& options) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return NotFound(path + ": no such file");
  if (std::filesystem::is_directory(path, ec)) return IoError(path + ": is a directory");
  std::ifstream in(path, std::ios::binary);
  if (!in) return IoError(path + ": cannot open for reading");
  std::ostringstream buf;
  buf << in.rdbuf();
  if (in.bad()) return IoError(path + ": read failed");
  std::string base_dir = std::filesystem::path(path).parent_path().string();
  if (base_dir.empty()) base_dir = ".";
  return LoadOnnxFromBytes(buf.str(), path, base_dir, options);
}

}  // namespace tinyq
