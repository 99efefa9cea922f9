// src/data/npy.h - .npy encoding shared by WriteNpy and WriteNpz (decoding is tinyq::ParseNpy).
#ifndef TINYQ_SRC_DATA_NPY_H_
#define TINYQ_SRC_DATA_NPY_H_

#include <string>

#include "tinyq/tensor.h"

namespace tinyq {
namespace data {

// The bytes of a .npy file holding `t`: format 1.0 (2.0 if the header needs more than 64 KiB),
// C order, little endian, header padded with spaces and '\n' to a multiple of 64 bytes.
std::string EncodeNpy(const Tensor& t);

}  // namespace data
}  // namespace tinyq

#endif  // TINYQ_SRC_DATA_NPY_H_
