/* Philox4x32-10 with NEON: four blocks a vector, one 32-bit word a lane.
 * vmull_u32 / vmull_high_u32 give the 64-bit products of two lanes each,
 * and vuzp2q / vuzp1q gather their high and low words back into lane
 * order: the same words as rgrbm__philox4x32_10. */
#include <arm_neon.h>

#include "cpu.h"
#include "rng.h"

typedef struct philox_quad {
  uint32x4_t c0, c1, c2, c3;
} philox_quad;

static inline void philox_round(philox_quad *h, uint32x4_t k0, uint32x4_t k1) {
  const uint32x2_t m0 = vdup_n_u32(0xD2511F53), m1 = vdup_n_u32(0xCD9E8D57);
  uint32x4_t p0a = vreinterpretq_u32_u64(vmull_u32(vget_low_u32(h->c0), m0));
  uint32x4_t p0b = vreinterpretq_u32_u64(vmull_high_u32(h->c0, vcombine_u32(m0, m0)));
  uint32x4_t p1a = vreinterpretq_u32_u64(vmull_u32(vget_low_u32(h->c2), m1));
  uint32x4_t p1b = vreinterpretq_u32_u64(vmull_high_u32(h->c2, vcombine_u32(m1, m1)));
  uint32x4_t hi0 = vuzp2q_u32(p0a, p0b), hi1 = vuzp2q_u32(p1a, p1b);
  h->c0 = veorq_u32(hi1, veorq_u32(h->c1, k0));
  h->c2 = veorq_u32(hi0, veorq_u32(h->c3, k1));
  h->c1 = vuzp1q_u32(p1a, p1b);
  h->c3 = vuzp1q_u32(p0a, p0b);
}

/* Blocks first .. first + 3 into out[16 w + j], j < 4. */
static inline void philox_four(const uint32_t key[2], uint64_t stream, uint64_t first,
                               uint32_t *out) {
  uint32_t lo[4], hi[4];
  for (int j = 0; j < 4; j++) {
    lo[j] = (uint32_t)(first + (uint64_t)j);
    hi[j] = (uint32_t)((first + (uint64_t)j) >> 32);
  }
  philox_quad h = {vld1q_u32(lo), vld1q_u32(hi), vdupq_n_u32((uint32_t)stream),
                   vdupq_n_u32((uint32_t)(stream >> 32))};
  uint32_t k0 = key[0], k1 = key[1];
  for (int r = 0; r < 10; r++, k0 += 0x9E3779B9u, k1 += 0xBB67AE85u)
    philox_round(&h, vdupq_n_u32(k0), vdupq_n_u32(k1));
  vst1q_u32(out, h.c0);
  vst1q_u32(out + 16, h.c1);
  vst1q_u32(out + 32, h.c2);
  vst1q_u32(out + 48, h.c3);
}

void rgrbm__philox_soa16_neon(const uint32_t key[2], uint64_t stream, uint64_t first,
                              uint32_t *out, size_t groups) {
  for (size_t g = 0; g < groups; g++, first += 16, out += 64)
    for (int q = 0; q < 4; q++) philox_four(key, stream, first + 4 * (uint64_t)q, out + 4 * q);
}
