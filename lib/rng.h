/* Internal: Philox4x32-10 (Salmon et al., SC'11), the library's only random
 * number generator. A generator is keyed by (seed, stream): the 64-bit seed is
 * the Philox key, the stream fills the upper half of the 128-bit counter and a
 * block index the lower half. Distinct streams never overlap, so giving each
 * thread, chain or row its own stream makes results independent of the thread
 * count. Never installed. */
#ifndef RGRBM_LIB_RNG_H
#define RGRBM_LIB_RNG_H

#include <stddef.h>
#include <stdint.h>

#include "cpu.h"

typedef struct rgrbm__rng {
  uint32_t key[2];
  uint64_t stream;
  uint64_t block;   /* index of the next block to generate */
  uint32_t buf[4];  /* the current block's outputs */
  unsigned used;    /* how many of buf are consumed (4 = empty) */
  int has_normal;   /* Box-Muller's spare deviate */
  double normal;
} rgrbm__rng;

/* The raw bijection: out = Philox4x32-10(ctr, key). */
void rgrbm__philox4x32_10(const uint32_t ctr[4], const uint32_t key[2], uint32_t out[4]);

void rgrbm__rng_init(rgrbm__rng *rng, uint64_t seed, uint64_t stream);

/* Stream numbers: the top byte names the purpose, the rest an index (a chain,
 * a thread's block of rows, a lattice row...). Distinct purposes under one
 * user seed therefore never share random numbers. */
#define RGRBM__STREAM(purpose, index) (((uint64_t)(purpose) << 56) | ((uint64_t)(index) & ((UINT64_C(1) << 56) - 1)))
enum rgrbm__stream_purpose {
  RGRBM__STREAM_TEST = 0,
  RGRBM__STREAM_LATTICE = 1,  /* lattice randomize */
  RGRBM__STREAM_SAMPLER = 2,  /* Metropolis, heat bath, Wolff, Swendsen-Wang */
  RGRBM__STREAM_STACK_INIT = 3,
  RGRBM__STREAM_CD = 4,       /* shuffling and sampling during training */
  RGRBM__STREAM_GIBBS = 5,    /* block Gibbs samplers over stacks */
  RGRBM__STREAM_AIS = 6,
  RGRBM__STREAM_RG = 7,       /* tie-breaking and stochastic coarse-graining */
  RGRBM__STREAM_MCRG = 8
};

uint32_t rgrbm__rng_u32(rgrbm__rng *rng);
uint64_t rgrbm__rng_u64(rgrbm__rng *rng);
/* Uniform on [0, 1) with 53 (double) or 24 (float) random bits. */
double rgrbm__rng_double(rgrbm__rng *rng);
float rgrbm__rng_float(rgrbm__rng *rng);
/* Uniform integer in [0, n), unbiased (Lemire's method); n must be > 0. */
uint64_t rgrbm__rng_below(rgrbm__rng *rng, uint64_t n);
/* Standard normal deviate (polar Box-Muller). */
double rgrbm__rng_normal(rgrbm__rng *rng);

/* Bulk fills. Each consumes exactly the words that the same number of
 * single-value calls would (fill_u32 == n calls of rgrbm__rng_u32, and
 * fill_float/fill_double convert those words the same way), so mixing bulk and
 * scalar draws never changes results. */
void rgrbm__rng_fill_u32(rgrbm__rng *rng, uint32_t *out, size_t n);
void rgrbm__rng_fill_float(rgrbm__rng *rng, float *out, size_t n);
void rgrbm__rng_fill_double(rgrbm__rng *rng, double *out, size_t n);

/* groups groups of 16 Philox4x32-10 blocks, counters first.. of (key,
 * stream); group g holds blocks first + 16 g + j in structure-of-arrays
 * order (word w of block j at out[64 g + 16 w + j]). The same words as
 * rgrbm__philox4x32_10 on every kernel level (lib/rng_simd.c dispatches). */
void rgrbm__philox_soa16(const uint32_t key[2], uint64_t stream, uint64_t first, uint32_t *out,
                         size_t groups);

#if RGRBM__X86_64
void rgrbm__philox_soa16_avx2(const uint32_t key[2], uint64_t stream, uint64_t first,
                              uint32_t *out, size_t groups);
void rgrbm__philox_soa16_avx512(const uint32_t key[2], uint64_t stream, uint64_t first,
                                uint32_t *out, size_t groups);
#endif
#if RGRBM__AARCH64
void rgrbm__philox_soa16_neon(const uint32_t key[2], uint64_t stream, uint64_t first,
                              uint32_t *out, size_t groups);
#endif

/* Word-to-uniform conversions shared by scalar and bulk paths. */
static inline float rgrbm__u32_to_float(uint32_t w) {
  return (float)(w >> 8) * (1.0f / 16777216.0f);
}
static inline double rgrbm__u64_to_double(uint64_t w) {
  return (double)(w >> 11) * (1.0 / 9007199254740992.0);
}

#endif
