/* tq_fully_connected.h - int8 fully connected (Gemm / MatMul with constant weights).
 *
 * Math (TFLite int8 FullyConnected, per-tensor or per-channel, bit-exact):
 *   acc[b,o] = bias[o] + sum_i (x[b,i] + input_offset) * w[o,i]        w layout [Cout, Cin]
 *   y[b,o]   = clamp(tq_requantize(acc, multiplier[q], shift[q]) + output_offset, act)
 *              q = o when per_channel, else 0.
 * Evaluation order is exactly the formula: each input row is first widened to int16
 * (x + input_offset, in [-255, 255]) into the scratch buffer, then four output channels at a time
 * are accumulated from it (int16 x int8 -> int32; vectorizes on the host, register-blocked on MCU).
 *
 * Overflow: every partial sum is bounded by
 *   B[o] = |bias[o]| + max(|input_offset - 128|, |input_offset + 127|) * sum_i |w[o,i]|
 * returned (max over o, int64) by tq_fully_connected_s8_acc_bound; refuse when > INT32_MAX.
 */
#ifndef TINYQ_RUNTIME_TQ_FULLY_CONNECTED_H_
#define TINYQ_RUNTIME_TQ_FULLY_CONNECTED_H_

#include "tq_common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
  int32_t batches;         /* rows of x and y, >= 1 */
  int32_t input_features;  /* Cin >= 1 */
  int32_t output_features; /* Cout >= 1 */
} tq_fc_dims;

typedef struct {
  int32_t input_offset;  /* -input_zero_point, in [-127, 128] */
  int32_t output_offset; /* output_zero_point, in [-128, 127] */
  int32_t per_channel;   /* 1: multiplier/shift have Cout entries; 0: one entry */
  tq_activation activation;
} tq_fc_params;

tq_status tq_fully_connected_s8_validate(const tq_fc_params* params, const tq_fc_dims* dims);

/* Scratch bytes: input_features * sizeof(int16_t) (rounded up to 4). */
size_t tq_fully_connected_s8_get_buffer_size(const tq_fc_dims* dims);

int64_t tq_fully_connected_s8_acc_bound(const tq_fc_dims* dims, const int8_t* filter,
                                        const int32_t* bias, int32_t input_offset);

/* x [batches, Cin], filter [Cout, Cin], bias [Cout] (or NULL unless quant
 * is packed, tq_common.h), y [batches, Cout].
 * quant->multiplier/shift: Cout entries if params->per_channel else 1.
 * Returns TQ_ARG_ERROR only for a NULL/too small scratch buffer. */
tq_status tq_fully_connected_s8(const tq_context* ctx, const tq_fc_params* params,
                                const tq_per_channel_quant_params* quant, const tq_fc_dims* dims,
                                const int8_t* input, const int8_t* filter, const int32_t* bias,
                                int8_t* output);

#ifdef __cplusplus
}
#endif

#endif /* TINYQ_RUNTIME_TQ_FULLY_CONNECTED_H_ */
