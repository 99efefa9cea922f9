// ReadDataset: picks the reader from the file's first bytes (not its name) and checks labels.
#include <string>
#include <utility>

#include "src/data/file_io.h"
#include "tinyq/data.h"

namespace tinyq {
namespace {

bool IsIntegerDType(DType t) {
  return t == DType::kS8 || t == DType::kU8 || t == DType::kS16 || t == DType::kU16 ||
         t == DType::kS32 || t == DType::kS64;
}

}  // namespace

StatusOr<Dataset> ReadDataset(const std::string& path) {
  TQ_ASSIGN_OR_RETURN(std::string head, data::ReadFilePrefix(path, 6));
  const std::string where = path + ": ";
  if (head.empty()) return InvalidArgument(where + "file is empty, not a dataset");
  Dataset ds;
  if (head.compare(0, 6, "\x93NUMPY") == 0) {
    TQ_ASSIGN_OR_RETURN(ds.x, ReadNpy(path));
    if (ds.x.rank() < 1) return InvalidArgument(where + "'x' must have a leading N dimension");
    return ds;
  }
  const bool is_zip = head.size() >= 4 && head[0] == 'P' && head[1] == 'K' &&
                      ((head[2] == 3 && head[3] == 4) || (head[2] == 5 && head[3] == 6));
  const bool is_idx_or_gz = (head.size() >= 2 && static_cast<uint8_t>(head[0]) == 0x1f &&
                             static_cast<uint8_t>(head[1]) == 0x8b) ||
                            (head.size() >= 2 && head[0] == 0 && head[1] == 0);
  if (is_idx_or_gz) {
    TQ_ASSIGN_OR_RETURN(ds.x, ReadIdx(path));
    return ds;
  }
  if (!is_zip) {
    return InvalidArgument(where + "unrecognised dataset format (expected .npz, .npy or IDX)");
  }
  TQ_ASSIGN_OR_RETURN(auto arrays, ReadNpz(path));
  auto x = arrays.find("x");
  if (x == arrays.end()) {
    std::string names;
    for (const auto& kv : arrays) names += (names.empty() ? "" : ", ") + kv.first;
    return InvalidArgument(
        where + "no array 'x' in the .npz (arrays: " + (names.empty() ? "none" : names) + ")");
  }
  ds.x = std::move(x->second);
  if (ds.x.rank() < 1) return InvalidArgument(where + "'x' must have a leading N dimension");
  auto y = arrays.find("y");
  if (y == arrays.end()) return ds;
  const Tensor& yt = y->second;
  if (!IsIntegerDType(yt.dtype())) {
    return InvalidArgument(where + "labels 'y' must be integers, got " + DTypeName(yt.dtype()));
  }
  if (yt.rank() != 1 || yt.dim(0) != ds.x.dim(0)) {
    return InvalidArgument(where + "labels 'y' have shape " + ShapeToString(yt.shape()) +
                           ", expected [" + std::to_string(ds.x.dim(0)) + "] to match 'x' " +
                           ShapeToString(ds.x.shape()));
  }
  std::vector<int64_t> labels = yt.ToInt64Vector();
  for (size_t i = 0; i < labels.size(); ++i) {
    if (labels[i] < 0) {
      return InvalidArgument(where + "label y[" + std::to_string(i) +
                             "] = " + std::to_string(labels[i]) + " is negative");
    }
  }
  ds.y = Tensor::FromVector<int64_t>(yt.shape(), labels);
  ds.has_labels = true;
  return ds;
}

}  // namespace tinyq
