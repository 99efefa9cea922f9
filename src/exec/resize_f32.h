// src/exec/resize_f32.h - ONNX Resize (nearest and N-linear) on float tensors.
//
// Each axis is resampled independently: output index j maps to the input coordinate
// x = transform(j) (coordinate_transformation_mode), then to one source index (nearest) or two
// indices and a weight (linear, coordinate clamped to [0, in-1] as the ONNX reference's edge
// padding does). N-linear is the product of 1-D linear passes, run axis by axis.
#ifndef TINYQ_SRC_EXEC_RESIZE_F32_H_
#define TINYQ_SRC_EXEC_RESIZE_F32_H_

#include <cstddef>
#include <cstdint>
#include <vector>

namespace tinyq {

enum class ResizeCoordMode {
  kHalfPixel,
  kPytorchHalfPixel,
  kAlignCorners,
  kAsymmetric,
  kTfHalfPixelForNearest,
};
enum class ResizeNearestMode { kRoundPreferFloor, kRoundPreferCeil, kFloor, kCeil };

// Mapping of one axis: for output index j, sources lo[j] and hi[j] with weight frac[j] on hi
// (nearest: lo = hi, frac = 0).
struct ResizeAxisF32 {
  int64_t in_size = 1;
  int64_t out_size = 1;
  std::vector<int64_t> lo, hi;
  std::vector<float> frac;
  bool IsIdentity() const;
};

// `scale` is the scales input for the axis, or out/in when sizes were given. `resized_length`
// is the ONNX "length_resized" of align_corners / pytorch_half_pixel: in_size * scale when scales
// were given (not floored, as the ONNX reference computes it), else out_size.
ResizeAxisF32 MakeResizeAxisF32(int64_t in_size, int64_t out_size, float scale,
                                double resized_length, ResizeCoordMode coord, bool linear,
                                ResizeNearestMode nearest);

struct ResizeParamsF32 {
  std::vector<ResizeAxisF32> axes;  // one per dim of the input, outermost first
  bool linear = false;
  std::vector<int64_t> in_strides;  // row-major strides of the input
  std::vector<size_t> passes;       // linear: the non-identity axes, ascending
};

ResizeParamsF32 MakeResizeParamsF32(std::vector<ResizeAxisF32> axes, bool linear);

// Floats of scratch ResizeF32 needs.
int64_t ResizeScratchSizeF32(const ResizeParamsF32& p);

void ResizeF32(const ResizeParamsF32& p, const float* x, float* scratch, float* out);

}  // namespace tinyq

#endif  // TINYQ_SRC_EXEC_RESIZE_F32_H_
