/* Checkerboard updates with NEON: the 64-lane step of lib/sampler_local.c
 * as four 16-byte quarters, bit for bit. The 18-entry tables are looked up
 * by one vqtbl2q_u8 (a 32-byte table) on k = (s > 0) * 9 + n + 4; the
 * second byte is compared in every step (no branch on random bytes), as in
 * lib/x86/sampler_local_avx2.c. Also the row copies (vld2q / vst2q). */
#include <arm_neon.h>

#include "cpu.h"
#include "sampler.h"

typedef struct tables {
  uint8x16x2_t hi, mid, always;
} tables;

/* A part's arrays, copied out of the view (int8_t stores alias anything). */
typedef struct part {
  int8_t *a;
  const int8_t *left, *u, *d; /* left: o + left; the right neighbours follow it */
} part;

static inline uint8x16x2_t load_table(const uint8_t *t) {
  return (uint8x16x2_t){{vld1q_u8(t), vld1q_u8(t + 16)}};
}

/* The lanes of a quarter tied at the first byte, and still at the second. */
typedef struct ties {
  uint8x16_t first, second;
} quarter_ties;

/* One quarter (16 lanes at i) of a step: flips stored, ties returned. */
static inline quarter_ties quarter(part p, int i, const uint8_t *b, const tables *t,
                                 uint8x16_t active) {
  int8x16_t c = vld1q_s8(p.a + i);
  int8x16_t n = vaddq_s8(vaddq_s8(vld1q_s8(p.left + i), vld1q_s8(p.left + i + 1)),
                         vaddq_s8(vld1q_s8(p.u + i), vld1q_s8(p.d + i)));
  uint8x16_t positive = vcgtq_s8(c, vdupq_n_s8(0));
  uint8x16_t k = vaddq_u8(vreinterpretq_u8_s8(vaddq_s8(n, vdupq_n_s8(4))),
                          vandq_u8(positive, vdupq_n_u8(9)));
  uint8x16_t hi = vqtbl2q_u8(t->hi, k), always = vqtbl2q_u8(t->always, k);
  uint8x16_t mid = vqtbl2q_u8(t->mid, k), b1 = vld1q_u8(b), b2 = vld1q_u8(b + 64);
  uint8x16_t flip = vandq_u8(active, vorrq_u8(vcltq_u8(b1, hi), always));
  uint8x16_t tie = vandq_u8(active, vbicq_u8(vceqq_u8(b1, hi), always));
  flip = vorrq_u8(flip, vandq_u8(tie, vcltq_u8(b2, mid)));
  /* -c = c ^ 0xFE for c = +-1 */
  vst1q_s8(p.a + i, veorq_s8(c, vreinterpretq_s8_u8(vandq_u8(flip, vdupq_n_u8(0xFE)))));
  return (quarter_ties){tie, vandq_u8(tie, vceqq_u8(b2, mid))};
}

/* Lanes l < rest of a quarter starting at lane q. */
static inline uint8x16_t active_lanes(int rest, int q) {
  static const uint8_t lane[16] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
  return vcltq_u8(vaddq_u8(vld1q_u8(lane), vdupq_n_u8((uint8_t)q)), vdupq_n_u8((uint8_t)rest));
}

/* One 64-lane step; adds the bytes used to *next and returns the lanes
 * tied after two bytes as bits. */
static inline uint64_t step(part p, int j, int n, const uint8_t *b, const tables *t,
                            size_t *next) {
  int rest = n - j < 64 ? n - j : 64;
  uint8x16_t first = vdupq_n_u8(0), second = vdupq_n_u8(0), again[4];
  for (int q = 0; q < 4; q++) {
    quarter_ties tq = quarter(p, j + 16 * q, b + 16 * q, t, active_lanes(rest, 16 * q));
    first = vorrq_u8(first, tq.first);
    second = vorrq_u8(second, tq.second);
    again[q] = tq.second;
  }
  *next += vmaxvq_u8(first) != 0 ? 128 : 64;
  if (vmaxvq_u8(second) == 0) return 0;
  uint8_t bytes[64]; /* rare: lanes tied at both bytes, as bits */
  for (int q = 0; q < 4; q++) vst1q_u8(bytes + 16 * q, again[q]);
  uint64_t bits = 0;
  for (int l = 0; l < 64; l++) bits |= (uint64_t)(bytes[l] != 0) << l;
  return bits;
}

void rgrbm__update_part_neon(const rgrbm__part_view *v, rgrbm__flip_source *src) {
  const part p = {v->a, v->o + v->left, v->u, v->d};
  const uint8_t *bytes = src->pool.bytes;
  const int n = v->n;
  int j = 0;
  while (j < n) {
    size_t next = rgrbm__pool_chunk(&src->pool);
    const tables t = {load_table(src->table.hi), load_table(src->table.mid),
                      load_table(src->table.always)};
    uint64_t ties;
    do {
      ties = step(p, j, n, bytes + next, &t, &next);
      j += 64;
    } while (j < n && next < RGRBM__POOL_BYTES && ties == 0);
    src->pool.next = next;
    if (ties != 0) rgrbm__settle_ties(v, j - 64, ties, src);
  }
}

void rgrbm__split_row_neon(int8_t *row, int8_t *even, int8_t *odd, int pairs, int out) {
  int j = 0;
  for (; j + 16 <= pairs; j += 16) {
    if (out) {
      vst2q_s8(row + 2 * j, ((int8x16x2_t){{vld1q_s8(even + j), vld1q_s8(odd + j)}}));
    } else {
      int8x16x2_t pair = vld2q_s8(row + 2 * j);
      vst1q_s8(even + j, pair.val[0]);
      vst1q_s8(odd + j, pair.val[1]);
    }
  }
  rgrbm__split_row_generic(row + 2 * j, even + j, odd + j, pairs - j, out);
}
