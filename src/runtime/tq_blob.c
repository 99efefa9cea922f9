/* tq_blob.c - CRC-32 and the weights-blob check (see tq_blob.h for the layout). */
#include "tq_blob.h"

/* CRC-32 of one nibble value n: the reflected polynomial applied four times. */
static const uint32_t kTqCrcNibble[16] = {
    0x00000000u, 0x1DB71064u, 0x3B6E20C8u, 0x26D930ACu, 0x76DC4190u, 0x6B6B51F4u,
    0x4DB26158u, 0x5005713Cu, 0xEDB88320u, 0xF00F9344u, 0xD6D6A3E8u, 0xCB61B38Cu,
    0x9B64C2B0u, 0x86D3D2D4u, 0xA00AE278u, 0xBDBDF21Cu};

uint32_t tq_crc32(uint32_t crc, const uint8_t* data, size_t size) {
  size_t i;
  crc = ~crc;
  for (i = 0; i < size; ++i) {
    crc ^= data[i];
    crc = (crc >> 4) ^ kTqCrcNibble[crc & 15u];
    crc = (crc >> 4) ^ kTqCrcNibble[crc & 15u];
  }
  return ~crc;
}

static uint32_t tq_load_u32le(const uint8_t* p) {
  return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

tq_status tq_blob_open(const uint8_t* blob, size_t blob_size, const uint8_t expected_sha256[32],
                       uint32_t expected_payload_size, const uint8_t** payload) {
  uint32_t size;
  int i;
  if (blob == NULL || expected_sha256 == NULL || payload == NULL) return TQ_ARG_ERROR;
  if (((uintptr_t)blob & 3u) != 0) return TQ_ARG_ERROR;
  if (blob_size < 4) return TQ_BLOB_CORRUPT;
  if (blob[0] != 'T' || blob[1] != 'Q' || blob[2] != 'W' || blob[3] != 'B') return TQ_BLOB_MISMATCH;
  if (blob_size < TQ_BLOB_HEADER_SIZE) return TQ_BLOB_CORRUPT;
  if (tq_crc32(0, blob, 60) != tq_load_u32le(blob + 60)) return TQ_BLOB_CORRUPT;
  if (tq_load_u32le(blob + 4) != TQ_BLOB_VERSION) return TQ_BLOB_MISMATCH;
  if (tq_load_u32le(blob + 8) != TQ_BLOB_HEADER_SIZE) return TQ_BLOB_MISMATCH;
  size = tq_load_u32le(blob + 12);
  for (i = 0; i < 32; ++i) {
    if (blob[16 + i] != expected_sha256[i]) return TQ_BLOB_MISMATCH;
  }
  if (size != expected_payload_size) return TQ_BLOB_MISMATCH;
  if (blob_size - TQ_BLOB_HEADER_SIZE < (size_t)size) return TQ_BLOB_CORRUPT;
  if (tq_crc32(0, blob + TQ_BLOB_HEADER_SIZE, size) != tq_load_u32le(blob + 48)) {
    return TQ_BLOB_CORRUPT;
  }
  *payload = blob + TQ_BLOB_HEADER_SIZE;
  return TQ_OK;
}
