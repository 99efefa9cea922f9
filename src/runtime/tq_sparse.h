/* tq_sparse.h - int8 kernels on a compact sparse weight encoding (bitmap + nonzero values).
 *
 * Format (docs/pruning.md). A weight matrix of `rows` output channels x `cols` weights per
 * channel (fully connected: [Cout, Cin]; conv: [Cout, KH, KW, Cin/groups] flattened per channel,
 * the OHWI order of tq_conv.h) is stored as
 *   mask:   rows * ceil(cols / 8) bytes; bit b (LSB first) of byte j of row r is set iff
 *           w[r][8 j + b] != 0; padding bits of the last byte are 0;
 *   values: the nonzero weights, row by row, in increasing column order (nnz bytes).
 * No row offsets are stored: the kernels visit rows in order and advance through `values` by the
 * number of set bits. Bytes: rows * ceil(cols / 8) + nnz, against rows * cols dense, so the
 * encoding is smaller exactly when the density nnz / (rows * cols) is below 7/8 (for cols a
 * multiple of 8); tq_sparse_encoded_size tells.
 *
 * Results are bit-identical to tq_fully_connected_s8 / tq_conv2d_s8 on the dense weights: the
 * accumulator is the same exact integer sum (zero weights add nothing), in int32 under the same
 * worst-case bound (the *_acc_bound functions of the dense kernels apply unchanged), followed by
 * the same output stage.
 */
#ifndef TINYQ_RUNTIME_TQ_SPARSE_H_
#define TINYQ_RUNTIME_TQ_SPARSE_H_

#include "tq_common.h"
#include "tq_conv.h"
#include "tq_fully_connected.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
  int32_t rows;         /* output channels, >= 1 */
  int32_t cols;         /* weights per output channel, >= 1 */
  const uint8_t* mask;  /* rows * ceil(cols/8) bytes */
  const int8_t* values; /* nonzero weights */
} tq_sparse_s8;

/* Bytes of the encoding of `dense` [rows, cols]: rows * ceil(cols/8) + nonzeros. */
size_t tq_sparse_encoded_size(const int8_t* dense, int32_t rows, int32_t cols);

/* Encodes `dense` [rows, cols] into mask (rows * ceil(cols/8) bytes) and values (nonzero count
 * bytes); returns the number of nonzero values written. */
int32_t tq_sparse_encode(const int8_t* dense, int32_t rows, int32_t cols, uint8_t* mask,
                         int8_t* values);

/* tq_fully_connected_s8 with sparse weights (rows = Cout, cols = Cin). Same params, dims, scratch
 * size (tq_fully_connected_s8_get_buffer_size), bias and quantization; TQ_ARG_ERROR only for a
 * NULL/too small scratch or a weight shape other than [Cout, Cin]. */
tq_status tq_fully_connected_sparse_s8(const tq_context* ctx, const tq_fc_params* params,
                                       const tq_per_channel_quant_params* quant,
                                       const tq_fc_dims* dims, const int8_t* input,
                                       const tq_sparse_s8* filter, const int32_t* bias,
                                       int8_t* output);

/* tq_conv2d_s8 with sparse weights (rows = Cout, cols = KH*KW*Cin/groups in OHWI order);
 * filter_dims gives the dense shape. Validate with tq_conv2d_s8_validate; needs no scratch.
 * Unlike the dense kernel it takes the plain bias (not the folded kernel bias) and evaluates the
 * formula of tq_conv.h directly, skipping taps outside the input. TQ_ARG_ERROR if the sparse
 * shape does not match filter_dims. */
tq_status tq_conv2d_sparse_s8(const tq_conv_params* params,
                              const tq_per_channel_quant_params* quant, const tq_dims* input_dims,
                              const int8_t* input, const tq_dims* filter_dims,
                              const tq_sparse_s8* filter, const int32_t* bias,
                              const tq_dims* output_dims, int8_t* output);

#ifdef __cplusplus
}
#endif

#endif /* TINYQ_RUNTIME_TQ_SPARSE_H_ */
