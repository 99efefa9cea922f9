/* tq_common_f32.h - what the tinyq float32 kernels (tq_*_f32) share.
 *
 * The float32 kernels run the layers quantization left in float (tinyq quantize --float-node,
 * --max-drop, ops without an int8 kernel) inside an int8 model. The host int8 executor runs
 * these same files for its float-fallback nodes, so generated C gives the executor's bytes too.
 * That needs IEEE-754 binary32 arithmetic evaluated exactly as written:
 *   - every kernel fixes its order of operations (documented per kernel; sums run in the order
 *     of the loops, never reassociated);
 *   - compile WITHOUT floating-point contraction (a*b+c fused into one rounding) and without
 *     -ffast-math: -ffp-contract=off is gcc's default under -std=c99 (ISO mode; -std=gnu99
 *     defaults to "fast" and would fuse on cores with FMA, e.g. a Cortex-M4F/M7 hard-float
 *     build), clang's default is "on" (fuses inside one expression): pass -ffp-contract=off;
 *   - FLT_EVAL_METHOD 0 (x86-64 SSE, every ARM core with or without an FPU; not 32-bit x87).
 * No libm and no libc beyond <stdint.h>/<stddef.h>: exp and tanh are tinyq's own
 * (tq_math_f32.h), so a soft-float Cortex-M0+ gets the same bits as the host.
 */
#ifndef TINYQ_RUNTIME_TQ_COMMON_F32_H_
#define TINYQ_RUNTIME_TQ_COMMON_F32_H_

#include "tq_common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TQ_CLAMP_MIN 1 /* tq_clamp_f32.flags: clamp below at min */
#define TQ_CLAMP_MAX 2 /* tq_clamp_f32.flags: clamp above at max */

/* A float clamp (fused ReLU/ReLU6/Clip, the Clip op): v = v < min ? min : v, then
 * v = v > max ? max : v (ONNX Clip's order: min > max gives max everywhere). An infinite bound
 * clamps nothing, so it is expressed by leaving its flag unset (no infinities in const data). */
typedef struct {
  int32_t flags; /* TQ_CLAMP_MIN | TQ_CLAMP_MAX, or 0 for no clamp */
  float min;
  float max;
} tq_clamp_f32;

static inline float tq_clamp_f32_apply(const tq_clamp_f32* c, float v) {
  if ((c->flags & TQ_CLAMP_MIN) && v < c->min) v = c->min;
  if ((c->flags & TQ_CLAMP_MAX) && v > c->max) v = c->max;
  return v;
}

#ifdef __cplusplus
}
#endif

#endif /* TINYQ_RUNTIME_TQ_COMMON_F32_H_ */
