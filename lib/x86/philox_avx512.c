/* Philox4x32-10 with AVX-512F: the scheme of philox_avx2.c at twice the
 * width (blocks 2i and 2i + 1 of a group in separate vectors, words in the
 * low halves of 64-bit lanes, vpmuludq for the products), with three-way
 * XORs in one vpternlogq. Two groups' rounds are interleaved: one group's
 * two multiply chains cannot keep the multiplier busy. */
#include <immintrin.h>

#include "cpu.h"
#include "rng.h"

typedef struct philox_zmm {
  __m512i c0, c1, c2, c3;
} philox_zmm;

RGRBM__TARGET_AVX512 static inline void philox_round(philox_zmm *h, __m512i k0, __m512i k1) {
  __m512i p0 = _mm512_mul_epu32(h->c0, _mm512_set1_epi64(0xD2511F53));
  __m512i p1 = _mm512_mul_epu32(h->c2, _mm512_set1_epi64(0xCD9E8D57));
  h->c0 = _mm512_ternarylogic_epi64(_mm512_srli_epi64(p1, 32), h->c1, k0, 0x96);
  h->c2 = _mm512_ternarylogic_epi64(_mm512_srli_epi64(p0, 32), h->c3, k1, 0x96);
  h->c1 = p1;
  h->c3 = p0;
}

/* Lane i holds block first + 2i + odd. */
RGRBM__TARGET_AVX512 static inline philox_zmm philox_start(uint64_t first, int odd,
                                                           uint64_t stream) {
  __m512i ctr = _mm512_add_epi64(_mm512_set1_epi64((long long)(first + (uint64_t)odd)),
                                 _mm512_setr_epi64(0, 2, 4, 6, 8, 10, 12, 14));
  return (philox_zmm){ctr, _mm512_srli_epi64(ctr, 32),
                      _mm512_set1_epi64((long long)(uint32_t)stream),
                      _mm512_set1_epi64((long long)(stream >> 32))};
}

RGRBM__TARGET_AVX512 static inline void store_words(uint32_t *out, __m512i even, __m512i odd) {
  _mm512_storeu_si512(out, _mm512_mask_blend_epi32(0xAAAA, even, _mm512_slli_epi64(odd, 32)));
}

/* `groups` (1 or 2) consecutive groups of 16 blocks. */
RGRBM__TARGET_AVX512 static inline __attribute__((always_inline)) void philox_groups(
    const uint32_t key[2], uint64_t stream, uint64_t first, uint32_t *out, int groups) {
  philox_zmm h[4]; /* h[2g] and h[2g + 1]: blocks 2i and 2i + 1 of group g */
  for (int s = 0; s < 2 * groups; s++)
    h[s] = philox_start(first + 16 * (uint64_t)(s / 2), s % 2, stream);
  uint32_t k0 = key[0], k1 = key[1];
  for (int r = 0; r < 10; r++) {
    __m512i K0 = _mm512_set1_epi64(k0), K1 = _mm512_set1_epi64(k1);
    for (int s = 0; s < 2 * groups; s++) philox_round(&h[s], K0, K1);
    k0 += 0x9E3779B9u;
    k1 += 0xBB67AE85u;
  }
  for (int g = 0; g < groups; g++) {
    const philox_zmm *e = &h[2 * g], *o = &h[2 * g + 1];
    uint32_t *w = out + 64 * g;
    store_words(w, e->c0, o->c0);
    store_words(w + 16, e->c1, o->c1);
    store_words(w + 32, e->c2, o->c2);
    store_words(w + 48, e->c3, o->c3);
  }
}

RGRBM__TARGET_AVX512 void rgrbm__philox_soa16_avx512(const uint32_t key[2], uint64_t stream,
                                                     uint64_t first, uint32_t *out,
                                                     size_t groups) {
  size_t g = 0;
  for (; g + 2 <= groups; g += 2) philox_groups(key, stream, first + 16 * g, out + 64 * g, 2);
  if (g < groups) philox_groups(key, stream, first + 16 * g, out + 64 * g, 1);
}
