// src/exec/window_table.h - index tables that turn N-d sliding windows into flat gathers.
//
// Built once in a kernel's prepare from a ConvGeometry; the f32 math functions (im2col of Conv,
// the pools, col2im of ConvTranspose) then run a branch-light loop over (tap, position) pairs.
#ifndef TINYQ_SRC_EXEC_WINDOW_TABLE_H_
#define TINYQ_SRC_EXEC_WINDOW_TABLE_H_

#include <cstdint>
#include <vector>

#include "src/exec/plane2d_f32.h"
#include "src/ir/conv_geometry.h"

namespace tinyq {

// offsets[k * P + p], k over kernel taps (row-major over g.kernel), p over output positions
// (row-major over g.out), P = g.OutSize(): the row-major offset inside one input channel plane of
// the element under tap k of window p, or -1 when it lies in the padding.
std::vector<int32_t> BuildWindowOffsets(const ConvGeometry& g);

// ConvTranspose scatter table: offsets[k * P + p], p over INPUT positions (P = g.InSize()): the
// row-major offset inside one output channel plane that input p reaches through tap k, or -1 when
// it falls outside the output (cropped by pads).
std::vector<int32_t> BuildTransposeScatterOffsets(const ConvGeometry& g);

// For count_include_pad average pooling: per output position, the number of taps inside the
// explicitly padded input ([-pad_begin, in + pad_end) per dim).
std::vector<int32_t> CountTapsInsidePaddedInput(const ConvGeometry& g);

// The padded-plane geometry of a 2-D ConvGeometry (g.rank() == 2). The padded plane covers the
// explicit pads and, in ceil mode, windows that run past the end padding.
Plane2dF32 MakePlane2dF32(const ConvGeometry& g);

}  // namespace tinyq

#endif  // TINYQ_SRC_EXEC_WINDOW_TABLE_H_
