/* tq_blob.h - over-the-air weights blobs: a header that binds a weights payload to one model.
 *
 * `tinyq export --weights-blob` writes the model's constants (weights, biases, tables) into a
 * separate binary instead of const arrays, so a device can receive new weights without a new
 * firmware image. The generated code checks the blob before every use with tq_blob_open and
 * returns an error status instead of running a mismatched or corrupted blob.
 *
 * Layout (all integers little-endian; 64-byte header, then the payload):
 *   off  size  field
 *     0     4  magic "TQWB"
 *     4     4  format version (TQ_BLOB_VERSION)
 *     8     4  header size in bytes (64)
 *    12     4  payload size in bytes
 *    16    32  sha256 of the model file the code was generated from
 *    48     4  CRC-32 (IEEE 802.3, as zlib's crc32) of the payload
 *    52     8  reserved, zero
 *    60     4  CRC-32 of header bytes [0, 60)
 * The payload starts at offset 64; when the blob is 4-byte aligned every int32 array in it is too.
 *
 * Pure C99, no libc. The CRC uses a 16-entry table (64 bytes of flash). */
#ifndef TINYQ_RUNTIME_TQ_BLOB_H_
#define TINYQ_RUNTIME_TQ_BLOB_H_

#include "tq_common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TQ_BLOB_VERSION 1u
#define TQ_BLOB_HEADER_SIZE 64u

/* CRC-32 (reflected polynomial 0xEDB88320, init and final xor 0xFFFFFFFF), continuing from `crc`
 * (0 to start): tq_crc32(tq_crc32(0, a, n), b, m) == tq_crc32(0, a||b, n+m). */
uint32_t tq_crc32(uint32_t crc, const uint8_t* data, size_t size);

/* Checks `blob` (blob_size bytes) against the model the code was generated for: magic, format
 * version, header size, header CRC, model sha256 and payload size must match and the payload CRC
 * must hold. On success sets *payload to the first payload byte and returns TQ_OK.
 * TQ_ARG_ERROR: NULL pointers or a blob not 4-byte aligned; TQ_BLOB_MISMATCH: not a tinyq blob,
 * another format version, or the weights of another model (sha256/size differ);
 * TQ_BLOB_CORRUPT: truncated, or a CRC fails. */
tq_status tq_blob_open(const uint8_t* blob, size_t blob_size, const uint8_t expected_sha256[32],
                       uint32_t expected_payload_size, const uint8_t** payload);

#ifdef __cplusplus
}
#endif

#endif /* TINYQ_RUNTIME_TQ_BLOB_H_ */
