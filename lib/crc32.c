/* Table-driven CRC-32, one byte at a time: stack files are a few megabytes at
 * most, so a slicing-by-8 variant would buy nothing measurable. */
#include "crc32.h"

/* Entry i is the CRC of the single byte i. Generated at compile time by the
 * macros below, so there is no initialization call and no mutable state. */
#define CRC_STEP(c) (((c)&1u) ? 0xEDB88320u ^ ((c) >> 1) : (c) >> 1)
#define CRC_BYTE(i) \
  CRC_STEP(CRC_STEP(CRC_STEP(CRC_STEP(CRC_STEP(CRC_STEP(CRC_STEP(CRC_STEP((uint32_t)(i)))))))))
#define CRC_ROW4(i) CRC_BYTE(i), CRC_BYTE((i) + 1), CRC_BYTE((i) + 2), CRC_BYTE((i) + 3)
#define CRC_ROW16(i) CRC_ROW4(i), CRC_ROW4((i) + 4), CRC_ROW4((i) + 8), CRC_ROW4((i) + 12)
#define CRC_ROW64(i) CRC_ROW16(i), CRC_ROW16((i) + 16), CRC_ROW16((i) + 32), CRC_ROW16((i) + 48)

static const uint32_t crc_table[256] = {CRC_ROW64(0), CRC_ROW64(64), CRC_ROW64(128),
                                        CRC_ROW64(192)};

uint32_t rgrbm__crc32(uint32_t crc, const void *data, size_t n) {
  const unsigned char *p = data;
  crc = ~crc;
  for (size_t i = 0; i < n; i++) crc = crc_table[(crc ^ p[i]) & 0xffu] ^ (crc >> 8);
  return ~crc;
}
