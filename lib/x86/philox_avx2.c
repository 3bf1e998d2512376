/* Philox4x32-10 with AVX2: eight blocks a pass. Blocks 2i and 2i + 1 sit in
 * separate vectors, each 32-bit word in the low half of a 64-bit lane, so a
 * round's 32 x 32 -> 64 bit products are single vpmuludq: the high half of
 * the product is the round's "hi" word, the low half its "lo" word. The
 * high halves of the lanes carry garbage that vpmuludq ignores and the
 * final blend drops. */
#include <immintrin.h>

#include "cpu.h"
#include "rng.h"

typedef struct philox_ymm {
  __m256i c0, c1, c2, c3;
} philox_ymm;

RGRBM__TARGET_AVX2 static inline void philox_round(philox_ymm *h, __m256i k0, __m256i k1) {
  __m256i p0 = _mm256_mul_epu32(h->c0, _mm256_set1_epi64x(0xD2511F53));
  __m256i p1 = _mm256_mul_epu32(h->c2, _mm256_set1_epi64x(0xCD9E8D57));
  /* c1 ^ k0 is ready before the product: one XOR after the multiply. */
  h->c0 = _mm256_xor_si256(_mm256_srli_epi64(p1, 32), _mm256_xor_si256(h->c1, k0));
  h->c2 = _mm256_xor_si256(_mm256_srli_epi64(p0, 32), _mm256_xor_si256(h->c3, k1));
  h->c1 = p1;
  h->c3 = p0;
}

/* Lane i of block set `odd` holds block first + 2i + odd; the counter's low
 * word is the 64-bit counter itself (its high half is ignored). */
RGRBM__TARGET_AVX2 static inline philox_ymm philox_start(uint64_t first, int odd, uint64_t stream) {
  __m256i ctr = _mm256_add_epi64(_mm256_set1_epi64x((long long)(first + (uint64_t)odd)),
                                 _mm256_setr_epi64x(0, 2, 4, 6));
  return (philox_ymm){ctr, _mm256_srli_epi64(ctr, 32),
                      _mm256_set1_epi64x((long long)(uint32_t)stream),
                      _mm256_set1_epi64x((long long)(stream >> 32))};
}

/* Lane 2i from block 2i, lane 2i + 1 from block 2i + 1. */
RGRBM__TARGET_AVX2 static inline void store_words(uint32_t *out, __m256i even, __m256i odd) {
  _mm256_storeu_si256((__m256i *)out, _mm256_blend_epi32(even, _mm256_slli_epi64(odd, 32), 0xAA));
}

/* The round keys, broadcast once per call: building them in the rounds
 * would cost as many instructions as the XORs that use them. */
typedef struct round_keys {
  __m256i k0[10], k1[10];
} round_keys;

RGRBM__TARGET_AVX2 static inline void schedule_keys(const uint32_t key[2], round_keys *rk) {
  uint32_t k0 = key[0], k1 = key[1];
  for (int r = 0; r < 10; r++, k0 += 0x9E3779B9u, k1 += 0xBB67AE85u) {
    rk->k0[r] = _mm256_set1_epi64x(k0);
    rk->k1[r] = _mm256_set1_epi64x(k1);
  }
}

/* Blocks first .. first + 7 into out[16 w + j], j < 8: half a group. */
RGRBM__TARGET_AVX2 static inline void philox_eight(const round_keys *rk, uint64_t stream,
                                                   uint64_t first, uint32_t *out) {
  philox_ymm e = philox_start(first, 0, stream), o = philox_start(first, 1, stream);
  for (int r = 0; r < 10; r++) {
    philox_round(&e, rk->k0[r], rk->k1[r]);
    philox_round(&o, rk->k0[r], rk->k1[r]);
  }
  store_words(out, e.c0, o.c0);
  store_words(out + 16, e.c1, o.c1);
  store_words(out + 32, e.c2, o.c2);
  store_words(out + 48, e.c3, o.c3);
}

RGRBM__TARGET_AVX2 void rgrbm__philox_soa16_avx2(const uint32_t key[2], uint64_t stream,
                                                 uint64_t first, uint32_t *out, size_t groups) {
  round_keys rk;
  schedule_keys(key, &rk);
  for (size_t g = 0; g < groups; g++, first += 16, out += 64) {
    philox_eight(&rk, stream, first, out);
    philox_eight(&rk, stream, first + 8, out + 8);
  }
}
