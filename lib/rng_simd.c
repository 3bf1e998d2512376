/* Philox4x32-10 sixteen blocks at a time, for the bulk fills and the
 * samplers' random-byte pools: the same words as rgrbm__philox4x32_10, in
 * structure-of-arrays order. The generic path is the scalar function
 * itself; lib/x86/philox_*.c and lib/arm/philox_neon.c hold the vector kernels, chosen here once per
 * call. */
#include "cpu.h"
#include "rng.h"

static void philox_soa16_generic(const uint32_t key[2], uint64_t stream, uint64_t first,
                                 uint32_t *out, size_t groups) {
  for (size_t g = 0; g < groups; g++, out += 64)
    for (int j = 0; j < 16; j++) {
      uint64_t block = first + 16 * g + (uint64_t)j;
      uint32_t ctr[4] = {(uint32_t)block, (uint32_t)(block >> 32), (uint32_t)stream,
                         (uint32_t)(stream >> 32)};
      uint32_t words[4];
      rgrbm__philox4x32_10(ctr, key, words);
      for (int w = 0; w < 4; w++) out[16 * w + j] = words[w];
    }
}

void rgrbm__philox_soa16(const uint32_t key[2], uint64_t stream, uint64_t first, uint32_t *out,
                         size_t groups) {
  switch (rgrbm__cpu_isa()) {
#if RGRBM__X86_64
    case RGRBM__ISA_AVX512VBMI:
    case RGRBM__ISA_AVX512: rgrbm__philox_soa16_avx512(key, stream, first, out, groups); return;
    case RGRBM__ISA_AVX2: rgrbm__philox_soa16_avx2(key, stream, first, out, groups); return;
#endif
#if RGRBM__AARCH64
    case RGRBM__ISA_NEON: rgrbm__philox_soa16_neon(key, stream, first, out, groups); return;
#endif
    default: philox_soa16_generic(key, stream, first, out, groups); return;
  }
}
