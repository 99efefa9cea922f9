// .npz reader and writer: a zip archive of .npy files, one per array ("x.npy" holds array "x").
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "src/data/file_io.h"
#include "src/data/npy.h"
#include "src/data/zip.h"
#include "tinyq/data.h"

namespace tinyq {

StatusOr<std::map<std::string, Tensor>> ReadNpz(const std::string& path) {
  TQ_ASSIGN_OR_RETURN(std::string bytes, data::ReadWholeFile(path));
  const std::string where = path + ": ";
  if (bytes.empty()) return InvalidArgument(where + "file is empty, not a .npz file");
  auto entries = data::ListZipEntries(bytes);
  if (!entries.ok()) return entries.status().WithPrefix(where);
  std::map<std::string, Tensor> arrays;
  for (const data::ZipEntry& e : *entries) {
    const std::string suffix = ".npy";
    if (e.name.size() <= suffix.size() ||
        e.name.compare(e.name.size() - suffix.size(), suffix.size(), suffix) != 0) {
      return InvalidArgument(where + "entry '" + e.name + "' is not a .npy file");
    }
    const std::string name = e.name.substr(0, e.name.size() - suffix.size());
    if (arrays.count(name)) return InvalidArgument(where + "duplicate array '" + name + "'");
    auto contents = data::ExtractZipEntry(bytes, e);
    if (!contents.ok()) return contents.status().WithPrefix(where);
    TQ_ASSIGN_OR_RETURN(Tensor t, ParseNpy(*contents, path + ": entry '" + e.name + "'"));
    arrays.emplace(name, std::move(t));
  }
  return arrays;
}

Status WriteNpz(const std::string& path, const std::map<std::string, Tensor>& arrays) {
  std::vector<std::pair<std::string, std::string>> files;
  for (const auto& [name, t] : arrays) files.emplace_back(name + ".npy", data::EncodeNpy(t));
  auto zip = data::BuildStoredZip(files);
  if (!zip.ok()) return zip.status().WithPrefix(path + ": ");
  return data::WriteFileAtomic(path, *zip);
}

}  // namespace tinyq
