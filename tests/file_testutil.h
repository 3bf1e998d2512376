/* Helpers of the suites that damage saved files on purpose (test_stack_io.c,
 * test_conv.c): whole-file reads and writes, little-endian patches and a
 * checksum of their own, so that a patched file can pass the CRC and reach
 * the loader's later checks. */
#ifndef RGRBM_FILE_TESTUTIL_H
#define RGRBM_FILE_TESTUTIL_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "testutil.h"

/* Reads up to cap bytes of path into buf; returns how many. */
static inline size_t read_all(const char *path, unsigned char *buf, size_t cap) {
  FILE *f = fopen(path, "rb");
  ck_assert_ptr_nonnull(f);
  size_t n = fread(buf, 1, cap, f);
  fclose(f);
  return n;
}

static inline void write_all(const char *path, const unsigned char *buf, size_t n) {
  FILE *f = fopen(path, "wb");
  ck_assert_ptr_nonnull(f);
  ck_assert_uint_eq(fwrite(buf, 1, n, f), n);
  fclose(f);
}

static inline void put_u32(unsigned char *b, uint32_t v) {
  for (int i = 0; i < 4; i++) b[i] = (unsigned char)(v >> (8 * i));
}

/* CRC-32/ISO-HDLC, bit by bit: independent of the library's table code. */
static inline uint32_t crc32_of(const unsigned char *b, size_t n) {
  uint32_t crc = 0xFFFFFFFFu;
  for (size_t i = 0; i < n; i++) {
    crc ^= b[i];
    for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

/* Makes a patched file's checksum (its last 4 bytes) right again, so the
 * loader's later checks (not the CRC) are what must catch the patch. */
static inline void fix_crc(unsigned char *buf, size_t n) {
  put_u32(buf + n - 4, crc32_of(buf, n - 4));
}

/* Writes to path the n bytes of good with the 32-bit field at `at` set to
 * value and the checksum fixed (n at most 1024). */
static inline void write_patched(const char *path, const unsigned char *good, size_t n,
                                 size_t at, uint32_t value) {
  unsigned char buf[1024];
  ck_assert_uint_le(n, sizeof buf);
  memcpy(buf, good, n);
  put_u32(buf + at, value);
  fix_crc(buf, n);
  write_all(path, buf, n);
}

#endif
