/* Checkerboard updates with AVX2: the 64-lane step of lib/sampler_local.c
 * as two 32-byte halves, bit for bit. A flip table of 18 entries, indexed
 * by (s > 0) * 9 + n + 4, is looked up as two 9-entry tables (s < 0 and
 * s > 0) by vpshufb on n + 4, blended by the spin's sign bit. Unsigned byte
 * compares are signed ones on bytes biased by 0x80. Also the row copies
 * between the lattice and the split layout (for the AVX-512 levels too). */
#include <immintrin.h>

#include "cpu.h"
#include "sampler.h"

typedef struct table_pair {
  __m256i neg, pos; /* entries 0..8 and 9..17 in each 128-bit lane */
} table_pair;

RGRBM__TARGET_AVX2 static inline table_pair load_pair(const uint8_t *t, uint8_t bias) {
  __m256i b = _mm256_set1_epi8((char)bias);
  __m256i neg = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)t));
  __m256i pos = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)(t + 9)));
  return (table_pair){_mm256_xor_si256(neg, b), _mm256_xor_si256(pos, b)};
}

/* table[k] for the spins c and n + 4 (0..8): c = -1 has its sign bit set. */
RGRBM__TARGET_AVX2 static inline __m256i lookup(table_pair t, __m256i c, __m256i n4) {
  return _mm256_blendv_epi8(_mm256_shuffle_epi8(t.pos, n4), _mm256_shuffle_epi8(t.neg, n4), c);
}

RGRBM__TARGET_AVX2 static inline __m256i load(const int8_t *p) {
  return _mm256_loadu_si256((const __m256i *)p);
}

/* A part's arrays, copied out of the view: stores through int8_t pointers
 * may alias anything, and the compiler would reload the view's fields. */
typedef struct part {
  int8_t *a;
  const int8_t *left, *u, *d; /* left: o + left; the right neighbours follow it */
} part;

typedef struct tables {
  table_pair hi, mid, always; /* hi and mid biased by 0x80 */
} tables;

/* One half of a step: its spins, n + 4, its flips and ties. */
typedef struct half {
  __m256i c, n4, flip, tie;
} half;

RGRBM__TARGET_AVX2 static inline half first_byte(part p, int i, const uint8_t *b, const tables *t,
                                                 __m256i active) {
  half h;
  h.c = load(p.a + i);
  __m256i n = _mm256_add_epi8(_mm256_add_epi8(load(p.left + i), load(p.left + i + 1)),
                              _mm256_add_epi8(load(p.u + i), load(p.d + i)));
  h.n4 = _mm256_add_epi8(n, _mm256_set1_epi8(4));
  __m256i hi = lookup(t->hi, h.c, h.n4), always = lookup(t->always, h.c, h.n4);
  __m256i bb = _mm256_xor_si256(load((const int8_t *)b), _mm256_set1_epi8((char)0x80));
  h.flip = _mm256_and_si256(active, _mm256_or_si256(_mm256_cmpgt_epi8(hi, bb), always));
  h.tie = _mm256_and_si256(active, _mm256_andnot_si256(always, _mm256_cmpeq_epi8(hi, bb)));
  return h;
}

/* The tied lanes against the second bytes (all zero when none ties). */
RGRBM__TARGET_AVX2 static inline void second_byte(half *h, const uint8_t *b, const tables *t) {
  __m256i mid = lookup(t->mid, h->c, h->n4);
  __m256i bb = _mm256_xor_si256(load((const int8_t *)b), _mm256_set1_epi8((char)0x80));
  h->flip = _mm256_or_si256(h->flip, _mm256_and_si256(h->tie, _mm256_cmpgt_epi8(mid, bb)));
  h->tie = _mm256_and_si256(h->tie, _mm256_cmpeq_epi8(mid, bb));
}

/* -c = c ^ 0xFE for c = +-1. */
RGRBM__TARGET_AVX2 static inline void store_flips(int8_t *a, const half *h) {
  __m256i nc = _mm256_xor_si256(h->c, _mm256_and_si256(h->flip, _mm256_set1_epi8((char)0xFE)));
  _mm256_storeu_si256((__m256i *)a, nc);
}

/* The lanes of the last step at j below n. */
RGRBM__TARGET_AVX2 static inline void active_lanes(int j, int n, __m256i *lo, __m256i *hi) {
  const __m256i lane = _mm256_setr_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
                                        17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31);
  __m256i rest = _mm256_set1_epi8((char)(n - j));
  *lo = _mm256_cmpgt_epi8(rest, lane);
  *hi = _mm256_cmpgt_epi8(rest, _mm256_add_epi8(lane, _mm256_set1_epi8(32)));
}

/* One 64-lane step reading its bytes at b (second bytes at b + 64): adds
 * the bytes it used to *next; returns the lanes tied after two bytes. The
 * second level is computed whether or not a lane ties, so that no branch
 * depends on the random bytes. */
RGRBM__TARGET_AVX2 static inline __attribute__((always_inline)) uint64_t step(
    part p, int j, __m256i active0, __m256i active1, const uint8_t *b, const tables *t,
    size_t *next) {
  half h0 = first_byte(p, j, b, t, active0), h1 = first_byte(p, j + 32, b + 32, t, active1);
  __m256i any = _mm256_or_si256(h0.tie, h1.tie);
  *next += _mm256_testz_si256(any, any) ? 64 : 128;
  second_byte(&h0, b + 64, t);
  second_byte(&h1, b + 96, t);
  store_flips(p.a + j, &h0);
  store_flips(p.a + j + 32, &h1);
  return (uint32_t)_mm256_movemask_epi8(h0.tie) |
         (uint64_t)(uint32_t)_mm256_movemask_epi8(h1.tie) << 32;
}

/* The inner loop makes no calls (nothing to save around them); the rare
 * refills and second-level ties are handled outside it. */
RGRBM__TARGET_AVX2 void rgrbm__update_part_avx2(const rgrbm__part_view *v,
                                                rgrbm__flip_source *src) {
  const part p = {v->a, v->o + v->left, v->u, v->d};
  const uint8_t *bytes = src->pool.bytes;
  const int n = v->n;
  int j = 0;
  while (j < n) {
    size_t next = rgrbm__pool_chunk(&src->pool);
    const rgrbm__flip_table *ft = &src->table;
    const tables t = {load_pair(ft->hi, 0x80), load_pair(ft->mid, 0x80), load_pair(ft->always, 0)};
    uint64_t ties;
    do {
      __m256i active0 = _mm256_set1_epi8(-1), active1 = active0; /* folded away */
      if (n - j >= 64) {
        ties = step(p, j, active0, active1, bytes + next, &t, &next);
      } else {
        active_lanes(j, n, &active0, &active1);
        ties = step(p, j, active0, active1, bytes + next, &t, &next);
      }
      j += 64;
    } while (j < n && next < RGRBM__POOL_BYTES && ties == 0);
    src->pool.next = next;
    if (ties != 0) rgrbm__settle_ties(v, j - 64, ties, src);
  }
}

/* ---- row copies ------------------------------------------------------- */

/* 64 row bytes to 32 even and 32 odd sites, or back. */
RGRBM__TARGET_AVX2 static inline void split_64(const int8_t *row, int8_t *even, int8_t *odd) {
  const __m256i gather = _mm256_setr_epi8(0, 2, 4, 6, 8, 10, 12, 14, 1, 3, 5, 7, 9, 11, 13, 15, 0,
                                          2, 4, 6, 8, 10, 12, 14, 1, 3, 5, 7, 9, 11, 13, 15);
  /* Each lane: its 8 evens then its 8 odds; then evens | odds per vector. */
  __m256i y0 = _mm256_permute4x64_epi64(_mm256_shuffle_epi8(load(row), gather), 0xD8);
  __m256i y1 = _mm256_permute4x64_epi64(_mm256_shuffle_epi8(load(row + 32), gather), 0xD8);
  _mm256_storeu_si256((__m256i *)even, _mm256_permute2x128_si256(y0, y1, 0x20));
  _mm256_storeu_si256((__m256i *)odd, _mm256_permute2x128_si256(y0, y1, 0x31));
}

RGRBM__TARGET_AVX2 static inline void merge_64(int8_t *row, const int8_t *even, const int8_t *odd) {
  __m256i e = load(even), o = load(odd);
  __m256i lo = _mm256_unpacklo_epi8(e, o), hi = _mm256_unpackhi_epi8(e, o);
  _mm256_storeu_si256((__m256i *)row, _mm256_permute2x128_si256(lo, hi, 0x20));
  _mm256_storeu_si256((__m256i *)(row + 32), _mm256_permute2x128_si256(lo, hi, 0x31));
}

RGRBM__TARGET_AVX2 void rgrbm__split_row_avx2(int8_t *row, int8_t *even, int8_t *odd, int pairs,
                                              int out) {
  int j = 0;
  for (; j + 32 <= pairs; j += 32) {
    if (out) merge_64(row + 2 * j, even + j, odd + j);
    else split_64(row + 2 * j, even + j, odd + j);
  }
  rgrbm__split_row_generic(row + 2 * j, even + j, odd + j, pairs - j, out);
}
