/* Checkerboard updates with AVX-512: the 64-lane step of
 * lib/sampler_local.c in one register, bit for bit, with flips and ties as
 * mask registers. Two variants differ only in the table lookups: AVX-512BW
 * looks up the two 9-entry tables (s < 0, s > 0) by vpshufb on n + 4 and
 * blends them by the spin's sign; VBMI looks up the 18-entry table by one
 * vpermb on k = (s > 0) * 9 + n + 4. The loops are those of
 * sampler_local_avx2.c: no calls inside, no branch on random bytes. */
#include <immintrin.h>

#include "cpu.h"
#include "sampler.h"

#define TARGET RGRBM__TARGET_AVX512
#define TARGET_VBMI RGRBM__TARGET_AVX512VBMI

TARGET static inline __m512i load(const void *p) { return _mm512_loadu_si512(p); }

/* A part's arrays, copied out of the view (int8_t stores alias anything). */
typedef struct part {
  int8_t *a;
  const int8_t *left, *u, *d; /* left: o + left; the right neighbours follow it */
} part;

TARGET static inline __m512i neighbours4(part p, int j) {
  __m512i n = _mm512_add_epi8(_mm512_add_epi8(load(p.left + j), load(p.left + j + 1)),
                              _mm512_add_epi8(load(p.u + j), load(p.d + j)));
  return _mm512_add_epi8(n, _mm512_set1_epi8(4));
}

/* The table entries of a step's lanes. */
typedef struct entries {
  __m512i hi, mid, always;
} entries;

/* The flips of the step at j with spins c, first bytes at b and second
 * bytes at b + 64, stored; adds the bytes used to *next and returns the
 * lanes tied after two bytes. */
TARGET static inline uint64_t decide(part p, int j, int n, __m512i c, entries e, const uint8_t *b,
                                     size_t *next) {
  __mmask64 active = n - j >= 64 ? ~(__mmask64)0 : ((__mmask64)1 << (n - j)) - 1;
  __mmask64 sure = _mm512_movepi8_mask(e.always) & active;
  __m512i b1 = load(b), b2 = load(b + 64);
  __mmask64 flip = _mm512_mask_cmplt_epu8_mask(active, b1, e.hi) | sure;
  __mmask64 tie = _mm512_mask_cmpeq_epu8_mask(active & ~sure, b1, e.hi);
  *next += tie != 0 ? 128 : 64;
  flip |= _mm512_mask_cmplt_epu8_mask(tie, b2, e.mid);
  tie = _mm512_mask_cmpeq_epu8_mask(tie, b2, e.mid);
  _mm512_storeu_si512(p.a + j, _mm512_mask_sub_epi8(c, flip, _mm512_setzero_si512(), c));
  return tie;
}

/* ---- AVX-512BW: vpshufb on two 9-entry tables ------------------------- */

typedef struct pair {
  __m512i neg, pos;
} pair;

typedef struct pairs {
  pair hi, mid, always;
} pairs;

TARGET static inline pair load_pair(const uint8_t *t) {
  return (pair){_mm512_broadcast_i32x4(_mm_loadu_si128((const __m128i *)t)),
                _mm512_broadcast_i32x4(_mm_loadu_si128((const __m128i *)(t + 9)))};
}

TARGET static inline __m512i lookup(pair t, __mmask64 negative, __m512i n4) {
  return _mm512_mask_blend_epi8(negative, _mm512_shuffle_epi8(t.pos, n4),
                                _mm512_shuffle_epi8(t.neg, n4));
}

TARGET static inline uint64_t step_bw(part p, int j, int n, const pairs *t, const uint8_t *b,
                                      size_t *next) {
  __m512i c = load(p.a + j), n4 = neighbours4(p, j);
  __mmask64 negative = _mm512_movepi8_mask(c);
  entries e = {lookup(t->hi, negative, n4), lookup(t->mid, negative, n4),
               lookup(t->always, negative, n4)};
  return decide(p, j, n, c, e, b, next);
}

TARGET void rgrbm__update_part_avx512(const rgrbm__part_view *v, rgrbm__flip_source *src) {
  const part p = {v->a, v->o + v->left, v->u, v->d};
  const uint8_t *bytes = src->pool.bytes;
  const int n = v->n;
  int j = 0;
  while (j < n) {
    size_t next = rgrbm__pool_chunk(&src->pool);
    const pairs t = {load_pair(src->table.hi), load_pair(src->table.mid),
                     load_pair(src->table.always)};
    uint64_t ties;
    do {
      ties = step_bw(p, j, n, &t, bytes + next, &next);
      j += 64;
    } while (j < n && next < RGRBM__POOL_BYTES && ties == 0);
    src->pool.next = next;
    if (ties != 0) rgrbm__settle_ties(v, j - 64, ties, src);
  }
}

/* ---- AVX-512 VBMI: vpermb on the 18-entry table ----------------------- */

TARGET_VBMI static inline uint64_t step_vbmi(part p, int j, int n, const entries *t,
                                             const uint8_t *b, size_t *next) {
  __m512i c = load(p.a + j), n4 = neighbours4(p, j);
  __mmask64 positive = _mm512_cmpgt_epi8_mask(c, _mm512_setzero_si512());
  __m512i k = _mm512_mask_add_epi8(n4, positive, n4, _mm512_set1_epi8(9));
  entries e = {_mm512_permutexvar_epi8(k, t->hi), _mm512_permutexvar_epi8(k, t->mid),
               _mm512_permutexvar_epi8(k, t->always)};
  return decide(p, j, n, c, e, b, next);
}

TARGET_VBMI void rgrbm__update_part_avx512vbmi(const rgrbm__part_view *v,
                                               rgrbm__flip_source *src) {
  const part p = {v->a, v->o + v->left, v->u, v->d};
  const uint8_t *bytes = src->pool.bytes;
  const int n = v->n;
  int j = 0;
  while (j < n) {
    size_t next = rgrbm__pool_chunk(&src->pool);
    const entries t = {load(src->table.hi), load(src->table.mid), load(src->table.always)};
    uint64_t ties;
    do {
      ties = step_vbmi(p, j, n, &t, bytes + next, &next);
      j += 64;
    } while (j < n && next < RGRBM__POOL_BYTES && ties == 0);
    src->pool.next = next;
    if (ties != 0) rgrbm__settle_ties(v, j - 64, ties, src);
  }
}
