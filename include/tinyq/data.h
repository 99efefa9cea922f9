// tinyq/data.h - readers for .npy, .npz and IDX files (tinyq's dataset formats).
//
// A dataset is an .npz with `x` (N, ...) and optional `y` (N,) integer labels, or a single .npy
// (x only), or an IDX file (plain or .gz). Every malformed header or size mismatch is an
// InvalidArgument/IoError whose message starts with the file name.
//
// Errors of every reader: NotFound if the path does not exist; IoError if it exists but cannot be
// read (a directory, no permission, read failure); InvalidArgument for any malformed content
// (bad magic, header, dtype, shape, size mismatch, CRC, corrupt deflate/gzip). Writers return
// IoError naming the path when the file cannot be written and never leave a partial file.
#ifndef TINYQ_DATA_H_
#define TINYQ_DATA_H_

#include <map>
#include <string>

#include "tinyq/status.h"
#include "tinyq/tensor.h"

namespace tinyq {

// .npy: all numeric dtypes (f4/f8, i1/u1/i2/u2/i4/u4(->s64)/i8, u8(->s64, values must fit),
// bool), little or big endian, C or Fortran order, format 1.0/2.0/3.0. Result is C order in the
// matching tinyq dtype. ParseNpy's messages start with `source`.
StatusOr<Tensor> ReadNpy(const std::string& path);
StatusOr<Tensor> ParseNpy(const std::string& bytes, const std::string& source);
// .npz (zip, stored or deflated entries): array name (without ".npy") -> tensor.
StatusOr<std::map<std::string, Tensor>> ReadNpz(const std::string& path);
// IDX (MNIST format), plain or gzip-compressed (by magic bytes, not by name).
StatusOr<Tensor> ReadIdx(const std::string& path);

// Writes .npy (C order, little endian); temp file + rename.
Status WriteNpy(const std::string& path, const Tensor& t);
// Writes an uncompressed .npz; temp file + rename.
Status WriteNpz(const std::string& path, const std::map<std::string, Tensor>& arrays);

// x and (optional) y of a dataset file of any of the formats above.
struct Dataset {
  Tensor x;
  bool has_labels = false;
  Tensor y;  // s64, shape {N}
};
StatusOr<Dataset> ReadDataset(const std::string& path);

}  // namespace tinyq

#endif  // TINYQ_DATA_H_
