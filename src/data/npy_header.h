// src/data/npy_header.h - strict parser for the Python-dict literal in a .npy header.
//
// The header of a .npy file is the repr of a dict with exactly the keys 'descr' (a dtype string
// such as '<f4'), 'fortran_order' (True/False) and 'shape' (a tuple of non-negative ints), e.g.
//   {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }
// This parser accepts exactly that grammar (either quote style, optional trailing commas,
// whitespace anywhere between tokens) and nothing else: no escapes, no nested dtypes (structured
// arrays), no expressions. It is the trust boundary for .npy/.npz headers.
#ifndef TINYQ_SRC_DATA_NPY_HEADER_H_
#define TINYQ_SRC_DATA_NPY_HEADER_H_

#include <string>

#include "tinyq/status.h"
#include "tinyq/tensor.h"

namespace tinyq {
namespace data {

struct NpyHeader {
  std::string descr;  // e.g. "<f4", unvalidated beyond being a plain string
  bool fortran_order = false;
  Shape shape;  // every dim in [0, 2^62]
};

// Parses the dict text (without the magic/version/length prefix). Errors are InvalidArgument with
// a message that does NOT start with a file name; callers add it.
StatusOr<NpyHeader> ParseNpyHeaderDict(const std::string& text);

// Formats a header dict the way numpy writes it ("{'descr': '<f4', 'fortran_order': False,
// 'shape': (3,), }"), without padding.
std::string FormatNpyHeaderDict(const std::string& descr, bool fortran_order, const Shape& shape);

}  // namespace data
}  // namespace tinyq

#endif  // TINYQ_SRC_DATA_NPY_HEADER_H_
