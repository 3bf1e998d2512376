/* Checkerboard updates with AVX-512: the 64-lane step of
 * lib/local_updates.c in one register, bit for bit, with flips and ties as
 * mask registers. Two variants differ only in the table lookups: AVX-512BW
 * looks up the two 9-entry tables (s < 0, s > 0) by vpshufb on n + 4 and
 * blends them by the spin's sign; VBMI looks up the 18-entry table by one
 * vpermb on k = (s > 0) * 9 + n + 4. */
#include <immintrin.h>

#include "cpu.h"
#include "sampler.h"

#define TARGET RGRBM__TARGET_AVX512
#define TARGET_VBMI RGRBM__TARGET_AVX512VBMI

TARGET static inline __m512i load(const void *p) { return _mm512_loadu_si512(p); }

/* n + 4 (0..8) and the negative spins of the step at j. */
TARGET static inline __m512i neighbours4(const rgrbm__part_view *v, int j) {
  __m512i n = _mm512_add_epi8(_mm512_add_epi8(load(v->o + j + v->left), load(v->o + j + v->left + 1)),
                              _mm512_add_epi8(load(v->u + j), load(v->d + j)));
  return _mm512_add_epi8(n, _mm512_set1_epi8(4));
}

/* The first byte: flips where b < hi or always, ties where b = hi otherwise. */
TARGET static inline __mmask64 first_byte(__m512i b, __m512i hi, __m512i always, __mmask64 active,
                                          __mmask64 *tie) {
  __mmask64 sure = _mm512_movepi8_mask(always);
  *tie = _mm512_mask_cmpeq_epu8_mask(active & ~sure, b, hi);
  return _mm512_mask_cmplt_epu8_mask(active, b, hi) | (active & sure);
}

TARGET static inline __mmask64 second_byte(__m512i b, __m512i mid, __mmask64 *tie) {
  __mmask64 flip = _mm512_mask_cmplt_epu8_mask(*tie, b, mid);
  *tie = _mm512_mask_cmpeq_epu8_mask(*tie, b, mid);
  return flip;
}

TARGET static inline void finish(const rgrbm__part_view *v, rgrbm__flip_source *src, int j,
                                 __m512i c, __mmask64 flip, __mmask64 tie) {
  _mm512_storeu_si512(v->a + j, _mm512_mask_sub_epi8(c, flip, _mm512_setzero_si512(), c));
  if (tie != 0) rgrbm__settle_ties(v, j, tie, src);
}

static inline __mmask64 active_lanes(int j, int n) {
  return n - j >= 64 ? ~(__mmask64)0 : ((__mmask64)1 << (n - j)) - 1;
}

/* ---- AVX-512BW: vpshufb on two 9-entry tables ------------------------- */

typedef struct pair {
  __m512i neg, pos;
} pair;

TARGET static inline pair load_pair(const uint8_t *t) {
  return (pair){_mm512_broadcast_i32x4(_mm_loadu_si128((const __m128i *)t)),
                _mm512_broadcast_i32x4(_mm_loadu_si128((const __m128i *)(t + 9)))};
}

TARGET static inline __m512i lookup(pair t, __mmask64 negative, __m512i n4) {
  return _mm512_mask_blend_epi8(negative, _mm512_shuffle_epi8(t.pos, n4),
                                _mm512_shuffle_epi8(t.neg, n4));
}

TARGET void rgrbm__update_part_avx512(const rgrbm__part_view *v, rgrbm__flip_source *src) {
  const pair hi = load_pair(src->table.hi), mid = load_pair(src->table.mid);
  const pair always = load_pair(src->table.always);
  for (int j = 0; j < v->n; j += 64) {
    __m512i c = load(v->a + j), n4 = neighbours4(v, j);
    __mmask64 negative = _mm512_movepi8_mask(c), tie;
    __m512i b = load(rgrbm__pool_take(&src->pool, 64)), h = lookup(hi, negative, n4);
    __mmask64 flip = first_byte(b, h, lookup(always, negative, n4), active_lanes(j, v->n), &tie);
    if (tie != 0)
      flip |= second_byte(load(rgrbm__pool_take(&src->pool, 64)), lookup(mid, negative, n4), &tie);
    finish(v, src, j, c, flip, tie);
  }
}

/* ---- AVX-512 VBMI: vpermb on the 18-entry table ----------------------- */

TARGET_VBMI void rgrbm__update_part_avx512vbmi(const rgrbm__part_view *v,
                                               rgrbm__flip_source *src) {
  const __m512i hi = load(src->table.hi), mid = load(src->table.mid);
  const __m512i always = load(src->table.always), nine = _mm512_set1_epi8(9);
  for (int j = 0; j < v->n; j += 64) {
    __m512i c = load(v->a + j), n4 = neighbours4(v, j);
    __m512i k = _mm512_mask_add_epi8(n4, _mm512_cmpgt_epi8_mask(c, _mm512_setzero_si512()), n4, nine);
    __mmask64 tie;
    __m512i b = load(rgrbm__pool_take(&src->pool, 64)), h = _mm512_permutexvar_epi8(k, hi);
    __mmask64 flip =
        first_byte(b, h, _mm512_permutexvar_epi8(k, always), active_lanes(j, v->n), &tie);
    if (tie != 0) flip |= second_byte(load(rgrbm__pool_take(&src->pool, 64)),
                                      _mm512_permutexvar_epi8(k, mid), &tie);
    finish(v, src, j, c, flip, tie);
  }
}
