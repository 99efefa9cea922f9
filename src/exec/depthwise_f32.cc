#include "src/exec/depthwise_f32.h"

#include <algorithm>

#include "src/quant/simd_f32.h"

namespace tinyq {
namespace {

// Outputs per step of the main loop: eight vectors of accumulators that stay in registers across
// all taps (eight independent FMA chains hide the FMA latency), then two for the rest.
constexpr int64_t kWideVectors = 8;
constexpr int64_t kTailVectors = 2;
constexpr int64_t kChunk = kF32Lanes * kTailVectors;
// The same-size path keeps a partial sum per kernel column as well: four vectors of each.
constexpr int64_t kSameVectors = 4;

int64_t CeilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

// Writes input plane x into the interior of the stride_h * stride_w phase planes. The rest of
// the planes (padding and slack) is never written, so zeroing it once per call suffices.
// The copies are explicit loops: rows are short (a few floats), and this file is compiled with
// -fno-tree-loop-distribute-patterns so that they are not turned into memmove calls. Input
// column ix lands in phase column (ix + pad_left) % sw at index (ix + pad_left) / sw.
void FillPhaseInteriors(const DepthwisePlanF32& plan, const float* x, float* phases) {
  const Plane2dF32& g = plan.g;
  const int64_t plane = plan.phase_rows * plan.pitch;
  const int64_t w = g.in_w, sw = g.stride_w, pl = g.pad_left;
  for (int64_t py = 0; py < g.stride_h; ++py) {
    // Phase rows r whose input row r*sh + py - pad_top lies in [0, in_h).
    const int64_t r0 =
        std::min(plan.phase_rows, CeilDiv(std::max<int64_t>(g.pad_top - py, 0), g.stride_h));
    const int64_t r1 =
        std::clamp<int64_t>(CeilDiv(g.in_h + g.pad_top - py, g.stride_h), r0, plan.phase_rows);
    float* dst = phases + py * sw * plane;
    for (int64_t r = r0; r < r1; ++r) {
      const float* src = x + (r * g.stride_h + py - g.pad_top) * w;
      float* row = dst + r * plan.pitch;
      if (sw == 1) {
        for (int64_t c = 0; c < w; ++c) row[pl + c] = src[c];
      } else if (sw == 2) {  // one pass de-interleaves the row into both column phases
        float* even = row + (pl % 2) * plane + pl / 2;
        float* odd = row + ((pl + 1) % 2) * plane + (pl + 1) / 2;
        const int64_t pairs = w / 2;
        for (int64_t k = 0; k < pairs; ++k) {
          even[k] = src[2 * k];
          odd[k] = src[2 * k + 1];
        }
        if (w % 2) even[pairs] = src[2 * pairs];
      } else {
        for (int64_t c = 0; c < w; ++c) row[((c + pl) % sw) * plane + (c + pl) / sw] = src[c];
      }
    }
  }
}

// wide[i] = b + sum_t w[t] * phases[offsets[t] + i] for i in [i0, i0 + kF32Lanes * kV).
template <int64_t kV>
void WindowSumsChunk(const float* phases, const int64_t* offsets, int64_t taps, const float* w,
                     float b, int64_t i0, float* wide) {
  F32Vec acc[kV];
  for (int64_t v = 0; v < kV; ++v) acc[v] = BroadcastF32Vec(b);
  for (int64_t t = 0; t < taps; ++t) {
    const float wt = w[t];
    const float* s = phases + offsets[t] + i0;
    for (int64_t v = 0; v < kV; ++v) acc[v] += wt * LoadF32Vec(s + kF32Lanes * v);
  }
  for (int64_t v = 0; v < kV; ++v) StoreF32Vec(wide + i0 + kF32Lanes * v, acc[v]);
}

void WideWindowSums(const DepthwisePlanF32& plan, const float* phases, const float* w, float b,
                    float* wide) {
  const int64_t taps = static_cast<int64_t>(plan.tap_offsets.size());
  const int64_t* offsets = plan.tap_offsets.data();
  int64_t i0 = 0;
  for (; i0 + kF32Lanes * kWideVectors <= plan.wide_size; i0 += kF32Lanes * kWideVectors)
    WindowSumsChunk<kWideVectors>(phases, offsets, taps, w, b, i0, wide);
  for (; i0 < plan.wide_size; i0 += kChunk)
    WindowSumsChunk<kTailVectors>(phases, offsets, taps, w, b, i0, wide);
}

// The same-size stride-1 path (plan.same_size, header comment): kF32Lanes * kV outputs from
// position i0 of the plane (which has zero rows above and below it in the buffer).
template <int64_t kV>
void SameSizeChunk(const DepthwisePlanF32& plan, const float* plane, const float* w, float b,
                   float lo, float hi, int64_t i0, float* out, int64_t out_size) {
  const ShiftedPlaneF32& sp = plan.shifted;
  const Plane2dF32& g = plan.g;
  F32Vec acc[kV];
  for (int64_t v = 0; v < kV; ++v) acc[v] = BroadcastF32Vec(b);
  for (int64_t kx = 0; kx < g.kernel_w; ++kx) {
    F32Vec part[kV] = {};
    for (int64_t ky = 0; ky < g.kernel_h; ++ky) {
      const float wt = w[ky * g.kernel_w + kx];
      const float* s = plane + i0 + sp.TapOffset(ky, kx);
      for (int64_t v = 0; v < kV; ++v) part[v] += wt * LoadF32Vec(s + kF32Lanes * v);
    }
    if (!sp.masked[static_cast<size_t>(kx)]) {
      for (int64_t v = 0; v < kV; ++v) acc[v] += part[v];
    } else {
      const float* mask = sp.Mask(kx) + i0;
      for (int64_t v = 0; v < kV; ++v)
        acc[v] += LoadF32Vec(mask + kF32Lanes * v) != F32Vec{} ? part[v] : F32Vec{};
    }
  }
  if (i0 + kF32Lanes * kV <= out_size) {
    for (int64_t v = 0; v < kV; ++v)
      StoreF32Vec(out + i0 + kF32Lanes * v, ClampF32Vec(acc[v], lo, hi));
    return;
  }
  float res[kF32Lanes * kV];  // the plane's last, partial chunk
  for (int64_t v = 0; v < kV; ++v) StoreF32Vec(res + kF32Lanes * v, ClampF32Vec(acc[v], lo, hi));
  for (int64_t j = 0; j < out_size - i0; ++j) out[i0 + j] = res[j];
}

void SameSizeChannel(const DepthwisePlanF32& plan, const float* plane, const float* w, float b,
                     float lo, float hi, float* out) {
  const int64_t out_size = plan.g.out_h * plan.g.out_w;
  int64_t i0 = 0;
  for (; i0 + kF32Lanes * kSameVectors <= plan.wide_size; i0 += kF32Lanes * kSameVectors)
    SameSizeChunk<kSameVectors>(plan, plane, w, b, lo, hi, i0, out, out_size);
  for (; i0 < plan.wide_size; i0 += kF32Lanes)
    SameSizeChunk<1>(plan, plane, w, b, lo, hi, i0, out, out_size);
}

}  // namespace

namespace {

// The same-size stride-1 layout: the plane at `front` with zero rows above and below it.
void MakeSameSizePlan(DepthwisePlanF32* plan) {
  const Plane2dF32& g = plan->g;
  plan->same_size = true;
  plan->shifted = MakeShiftedPlaneF32(g);
  plan->wide_size = plan->shifted.positions;
  plan->front = g.pad_top * g.in_w + g.pad_left;
  // The largest read: the last chunk's last element under the last tap.
  const int64_t last =
      plan->wide_size + (g.kernel_h - 1) * g.dilation_h * g.in_w + (g.kernel_w - 1) * g.dilation_w;
  plan->buffer_size = std::max(plan->front + g.in_h * g.in_w, last);
}

// The phase-plane layout (header comment).
void MakePhasePlan(DepthwisePlanF32* plan) {
  const Plane2dF32& g = plan->g;
  plan->pitch = CeilDiv(g.padded_w, g.stride_w);
  plan->wide_size = CeilDiv(g.out_h * plan->pitch, kChunk) * kChunk;
  int64_t max_row = 0, max_col = 0;
  for (int64_t ky = 0; ky < g.kernel_h; ++ky)
    for (int64_t kx = 0; kx < g.kernel_w; ++kx) {
      max_row = std::max(max_row, ky * g.dilation_h / g.stride_h);
      max_col = std::max(max_col, kx * g.dilation_w / g.stride_w);
    }
  // Every read of the main loop (up to wide_size - 1 + the largest tap offset) stays inside
  // its phase plane, and every padded row is represented.
  plan->phase_rows = std::max(CeilDiv(g.padded_h, g.stride_h),
                              CeilDiv(plan->wide_size + max_col, plan->pitch) + max_row);
  const int64_t plane = plan->phase_rows * plan->pitch;
  for (int64_t ky = 0; ky < g.kernel_h; ++ky)
    for (int64_t kx = 0; kx < g.kernel_w; ++kx) {
      const int64_t dy = ky * g.dilation_h, dx = kx * g.dilation_w;
      const int64_t phase = (dy % g.stride_h) * g.stride_w + dx % g.stride_w;
      plan->tap_offsets.push_back(phase * plane + (dy / g.stride_h) * plan->pitch +
                                  dx / g.stride_w);
    }
  plan->buffer_size = g.stride_h * g.stride_w * plane;
  if (g.out_w < kF32Lanes)
    for (int64_t oy = 0; oy < g.out_h; ++oy)
      for (int64_t ox = 0; ox < g.out_w; ++ox)
        plan->compact_index.push_back(static_cast<int32_t>(oy * plan->pitch + ox));
}

}  // namespace

DepthwisePlanF32 MakeDepthwisePlanF32(const Plane2dF32& g, int64_t out_channels,
                                      int64_t multiplier) {
  DepthwisePlanF32 plan;
  plan.g = g;
  plan.out_channels = out_channels;
  plan.multiplier = multiplier;
  if (IsSameSizeStride1(g))
    MakeSameSizePlan(&plan);
  else
    MakePhasePlan(&plan);
  return plan;
}

int64_t DepthwiseScratchSizeF32(const DepthwisePlanF32& plan) {
  return plan.buffer_size + (plan.same_size ? 0 : plan.wide_size);
}

void DepthwiseConv2dF32(const DepthwisePlanF32& plan, const float* x, const float* w,
                        const float* bias, float lo, float hi, float* scratch, float* out) {
  const Plane2dF32& g = plan.g;
  const int64_t in_size = g.in_h * g.in_w;
  const int64_t out_size = g.out_h * g.out_w;
  const int64_t taps = g.kernel_h * g.kernel_w;
  // Only the input's interior is written per channel: the padding stays zero.
  std::fill(scratch, scratch + plan.buffer_size, 0.0f);
  float* wide = scratch + plan.buffer_size;
  for (int64_t oc = 0; oc < plan.out_channels; ++oc) {
    const float* xc = x + (oc / plan.multiplier) * in_size;
    const float b = bias ? bias[oc] : 0.0f;
    float* o = out + oc * out_size;
    if (plan.same_size) {
      if (oc % plan.multiplier == 0) std::copy(xc, xc + in_size, scratch + plan.front);
      SameSizeChannel(plan, scratch + plan.front, w + oc * taps, b, lo, hi, o);
      continue;
    }
    if (oc % plan.multiplier == 0) FillPhaseInteriors(plan, xc, scratch);
    WideWindowSums(plan, scratch, w + oc * taps, b, wide);
    // Drop the junk columns, clamp (fused activation; +-inf without one). Rows narrower than a
    // vector go through the index table in one loop instead of one short loop per row.
    if (!plan.compact_index.empty()) {
      const int32_t* idx = plan.compact_index.data();
      for (int64_t i = 0; i < out_size; ++i) o[i] = ClampF32(wide[idx[i]], lo, hi);
      continue;
    }
    for (int64_t oy = 0; oy < g.out_h; ++oy) {
      const float* src = wide + oy * plan.pitch;
      float* dst = o + oy * g.out_w;
      for (int64_t ox = 0; ox < g.out_w; ++ox) dst[ox] = ClampF32(src[ox], lo, hi);
    }
  }
}

}  // namespace tinyq
