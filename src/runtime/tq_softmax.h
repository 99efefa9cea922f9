/* tq_softmax.h - int8 softmax along the last axis with a 256-entry exp table.
 *
 * Output quantization is fixed as in TFLite: scale 1/256, zero point -128.
 *
 * Table format (built by the C++ side at prepare time): int32_t exp_table[256] with
 *     exp_table[d] = round(2^20 * exp(-beta * s_in * d)),   d = 0..255
 * i.e. Q20 fixed point of exp of minus the (real) distance to the row maximum; d is the int8
 * difference row_max - x, which is in [0, 255]. exp_table[0] must be exactly 2^20 = 1048576 and
 * every entry must be in [0, 2^20] (tq_softmax_s8_validate checks this).
 *
 * Algorithm per row of `depth` values (all integer, bit-exact on every target):
 *     m      = max_i x[i]
 *     sum    = sum_i exp_table[m - x[i]]            int32: 2^20 <= sum <= depth * 2^20, so
 *                                                   depth <= 2047 keeps 11 bits of headroom
 *     recip  = floor(2^50 / sum)                    Q50 reciprocal, in [2^19, 2^30] (one int64
 *                                                   division per row)
 *     y[i]   = min(127, ((exp_table[m-x[i]] * recip + 2^41) >> 42) - 128)    (int64 product
 *                                                   <= 2^50; >> 42 = * 256 / 2^50, half up)
 * so y[i] + 128 = round(256 * e_i / sum) up to the 2^-19 relative error of the truncated
 * reciprocal (far below one output step). This is tinyq's algorithm: it is within one step of
 * TFLite's but not bit-identical to TFLM's gemmlowp-exp softmax.
 */
#ifndef TINYQ_RUNTIME_TQ_SOFTMAX_H_
#define TINYQ_RUNTIME_TQ_SOFTMAX_H_

#include "tq_common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TQ_SOFTMAX_TABLE_ONE ((int32_t)1 << 20) /* exp_table[0]: 1.0 in Q20 */
#define TQ_SOFTMAX_MAX_DEPTH 2047               /* rows up to this length: sum fits int32 */

/* Checks rows >= 1, 1 <= depth <= TQ_SOFTMAX_MAX_DEPTH, and the table format above. */
tq_status tq_softmax_s8_validate(const int32_t* exp_table, int32_t rows, int32_t depth);

size_t tq_softmax_s8_get_buffer_size(void); /* 0 */

/* x, y: [rows, depth] row-major; softmax along depth. y has scale 1/256 and zero point -128. */
void tq_softmax_s8(const int32_t* exp_table, const int8_t* input, int32_t rows, int32_t depth,
                   int8_t* output);

#ifdef __cplusplus
}
#endif

#endif /* TINYQ_RUNTIME_TQ_SOFTMAX_H_ */
