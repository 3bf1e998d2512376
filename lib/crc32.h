/* Internal: CRC-32 (ISO-HDLC: the zlib/PNG/gzip checksum, reflected polynomial
 * 0xEDB88320, initial value and final xor 0xFFFFFFFF), so files can be checked
 * with any standard tool (python's zlib.crc32, `crc32`). Never installed. */
#ifndef RGRBM_LIB_CRC32_H
#define RGRBM_LIB_CRC32_H

#include <stddef.h>
#include <stdint.h>

/* Continue a running checksum: start with crc = 0; crc32(crc32(0, a), b)
 * equals the checksum of a followed by b. Thread-safe (the table is const). */
uint32_t rgrbm__crc32(uint32_t crc, const void *data, size_t n);

#endif
