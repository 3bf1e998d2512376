/* Philox4x32-10 evaluated 16 blocks at a time in vector registers: the
 * same bijection as rgrbm__philox4x32_10, for the bulk fills and the
 * samplers' random-byte pools. */
#include <immintrin.h>
#include <string.h>

#include "rng.h"

int rgrbm__have_avx512_bytes(void) {
  return __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vbmi");
}

typedef uint32_t vword __attribute__((vector_size(64)));
typedef uint64_t vpair __attribute__((vector_size(64)));

/* Blocks 2i and 2i + 1 are kept in separate vectors, each 32-bit word in
 * the low half of a 64-bit lane, so a round's 32 x 32 -> 64 bit products
 * are single vpmuludq-style multiplies whose high half is the "hi" word and
 * whose low half serves as the "lo" word (high garbage is masked off before
 * every multiply and at the end). */
typedef struct philox_half {
  vpair c0, c1, c2, c3;
} philox_half;

static inline __attribute__((always_inline)) void philox_round(philox_half *h, uint64_t k0,
                                                               uint64_t k1) {
  const vpair low = (vpair){0} + 0xFFFFFFFFu;
  vpair p0 = (h->c0 & low) * UINT64_C(0xD2511F53), p1 = (h->c2 & low) * UINT64_C(0xCD9E8D57);
  h->c0 = (p1 >> 32) ^ h->c1 ^ k0;
  h->c2 = (p0 >> 32) ^ h->c3 ^ k1;
  h->c1 = p1;
  h->c3 = p0;
}

static inline __attribute__((always_inline)) void philox_body(const uint32_t key[2],
                                                              uint64_t stream, uint64_t first,
                                                              uint32_t *out) {
  philox_half e, o; /* blocks first + 2i and first + 2i + 1 */
  for (int i = 0; i < 8; i++) {
    uint64_t be = first + (uint64_t)(2 * i), bo = be + 1;
    e.c0[i] = (uint32_t)be;
    e.c1[i] = (uint32_t)(be >> 32);
    o.c0[i] = (uint32_t)bo;
    o.c1[i] = (uint32_t)(bo >> 32);
  }
  e.c2 = o.c2 = (vpair){0} + (uint32_t)stream;
  e.c3 = o.c3 = (vpair){0} + (uint32_t)(stream >> 32);
  uint32_t k0 = key[0], k1 = key[1];
  for (int r = 0; r < 10; r++) {
    philox_round(&e, k0, k1);
    philox_round(&o, k0, k1);
    k0 += 0x9E3779B9u;
    k1 += 0xBB67AE85u;
  }
  const vpair low = (vpair){0} + 0xFFFFFFFFu;
  vword w[4] = {(vword)((e.c0 & low) | (o.c0 << 32)), (vword)((e.c1 & low) | (o.c1 << 32)),
                (vword)((e.c2 & low) | (o.c2 << 32)), (vword)((e.c3 & low) | (o.c3 << 32))};
  memcpy(out, w, sizeof w);
}

/* The same rounds with AVX-512 intrinsics: vpmuludq multiplies the low
 * words of 64-bit lanes and ignores the high ones, which the generic
 * vector code cannot express without a mask or a full 64-bit multiply. */
typedef struct philox_zmm {
  __m512i c0, c1, c2, c3;
} philox_zmm;

__attribute__((target(RGRBM__AVX512_BYTES)))
static inline void philox_zmm_round(philox_zmm *h, __m512i k0, __m512i k1) {
  __m512i p0 = _mm512_mul_epu32(h->c0, _mm512_set1_epi64(0xD2511F53));
  __m512i p1 = _mm512_mul_epu32(h->c2, _mm512_set1_epi64(0xCD9E8D57));
  h->c0 = _mm512_ternarylogic_epi64(_mm512_srli_epi64(p1, 32), h->c1, k0, 0x96);
  h->c2 = _mm512_ternarylogic_epi64(_mm512_srli_epi64(p0, 32), h->c3, k1, 0x96);
  h->c1 = p1;
  h->c3 = p0;
}

/* groups consecutive groups of 16 blocks, their rounds interleaved: one
 * group's two multiply chains cannot keep the multiplier busy, four can. */
__attribute__((target(RGRBM__AVX512_BYTES)))
static inline __attribute__((always_inline)) void philox_zmm_groups(const uint32_t key[2],
                                                                   uint64_t stream,
                                                                   uint64_t first,
                                                                   uint32_t *out, int groups) {
  philox_zmm h[4]; /* 2 per group: blocks 2i and 2i + 1 of the group */
  __m512i s0 = _mm512_set1_epi64((uint32_t)stream), s1 = _mm512_set1_epi64(stream >> 32);
  for (int g = 0; g < 2 * groups; g++) {
    uint64_t lo[8], hi[8];
    for (int i = 0; i < 8; i++) {
      uint64_t b = first + (uint64_t)(16 * (g / 2) + 2 * i + g % 2);
      lo[i] = (uint32_t)b;
      hi[i] = b >> 32;
    }
    h[g] = (philox_zmm){_mm512_loadu_si512(lo), _mm512_loadu_si512(hi), s0, s1};
  }
  uint32_t k0 = key[0], k1 = key[1];
  for (int r = 0; r < 10; r++) {
    __m512i K0 = _mm512_set1_epi64(k0), K1 = _mm512_set1_epi64(k1);
    for (int g = 0; g < 2 * groups; g++) philox_zmm_round(&h[g], K0, K1);
    k0 += 0x9E3779B9u;
    k1 += 0xBB67AE85u;
  }
  /* Interleave back: 32-bit lane 2i from block 2i, lane 2i + 1 from 2i + 1. */
  const __mmask16 odd = 0xAAAA;
  for (int g = 0; g < groups; g++) {
    const philox_zmm *e = &h[2 * g], *o = &h[2 * g + 1];
    uint32_t *w = out + 64 * g;
    _mm512_storeu_si512(w, _mm512_mask_blend_epi32(odd, e->c0, _mm512_slli_epi64(o->c0, 32)));
    _mm512_storeu_si512(w + 16, _mm512_mask_blend_epi32(odd, e->c1, _mm512_slli_epi64(o->c1, 32)));
    _mm512_storeu_si512(w + 32, _mm512_mask_blend_epi32(odd, e->c2, _mm512_slli_epi64(o->c2, 32)));
    _mm512_storeu_si512(w + 48, _mm512_mask_blend_epi32(odd, e->c3, _mm512_slli_epi64(o->c3, 32)));
  }
}

__attribute__((target(RGRBM__AVX512_BYTES)))
static void philox_avx512(const uint32_t key[2], uint64_t stream, uint64_t first, uint32_t *out,
                          size_t groups) {
  size_t g = 0;
  for (; g + 2 <= groups; g += 2) philox_zmm_groups(key, stream, first + 16 * g, out + 64 * g, 2);
  if (g < groups) philox_zmm_groups(key, stream, first + 16 * g, out + 64 * g, 1);
}

__attribute__((target_clones("avx2", "default")))
static void philox_generic(const uint32_t key[2], uint64_t stream, uint64_t first, uint32_t *out) {
  philox_body(key, stream, first, out);
}

void rgrbm__philox_soa16(const uint32_t key[2], uint64_t stream, uint64_t first, uint32_t *out,
                         size_t groups, int generic) {
  if (!generic && rgrbm__have_avx512_bytes()) {
    philox_avx512(key, stream, first, out, groups);
    return;
  }
  for (size_t g = 0; g < groups; g++) philox_generic(key, stream, first + 16 * g, out + 64 * g);
}
