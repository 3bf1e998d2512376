/* Philox4x32-10 and the distributions built on it. */
#include "rng.h"

#include <math.h>
#include <string.h>

enum { PHILOX_ROUNDS = 10 };

#define PHILOX_M0 UINT32_C(0xD2511F53)
#define PHILOX_M1 UINT32_C(0xCD9E8D57)
#define PHILOX_W0 UINT32_C(0x9E3779B9)
#define PHILOX_W1 UINT32_C(0xBB67AE85)

void rgrbm__philox4x32_10(const uint32_t ctr[4], const uint32_t key[2], uint32_t out[4]) {
  uint32_t c0 = ctr[0], c1 = ctr[1], c2 = ctr[2], c3 = ctr[3];
  uint32_t k0 = key[0], k1 = key[1];
  for (int r = 0; r < PHILOX_ROUNDS; r++) {
    uint64_t p0 = (uint64_t)PHILOX_M0 * c0;
    uint64_t p1 = (uint64_t)PHILOX_M1 * c2;
    uint32_t n0 = (uint32_t)(p1 >> 32) ^ c1 ^ k0;
    uint32_t n2 = (uint32_t)(p0 >> 32) ^ c3 ^ k1;
    c1 = (uint32_t)p1;
    c3 = (uint32_t)p0;
    c0 = n0;
    c2 = n2;
    k0 += PHILOX_W0;
    k1 += PHILOX_W1;
  }
  out[0] = c0;
  out[1] = c1;
  out[2] = c2;
  out[3] = c3;
}

void rgrbm__rng_init(rgrbm__rng *rng, uint64_t seed, uint64_t stream) {
  rng->key[0] = (uint32_t)seed;
  rng->key[1] = (uint32_t)(seed >> 32);
  rng->stream = stream;
  rng->block = 0;
  rng->used = 4;
  rng->has_normal = 0;
  rng->normal = 0.0;
}

static void counter_of(const rgrbm__rng *rng, uint64_t block, uint32_t ctr[4]) {
  ctr[0] = (uint32_t)block;
  ctr[1] = (uint32_t)(block >> 32);
  ctr[2] = (uint32_t)rng->stream;
  ctr[3] = (uint32_t)(rng->stream >> 32);
}

static void refill(rgrbm__rng *rng) {
  uint32_t ctr[4];
  counter_of(rng, rng->block++, ctr);
  rgrbm__philox4x32_10(ctr, rng->key, rng->buf);
  rng->used = 0;
}

uint32_t rgrbm__rng_u32(rgrbm__rng *rng) {
  if (rng->used == 4) refill(rng);
  return rng->buf[rng->used++];
}

uint64_t rgrbm__rng_u64(rgrbm__rng *rng) {
  uint64_t lo = rgrbm__rng_u32(rng);
  uint64_t hi = rgrbm__rng_u32(rng);
  return lo | (hi << 32);
}

double rgrbm__rng_double(rgrbm__rng *rng) { return rgrbm__u64_to_double(rgrbm__rng_u64(rng)); }

float rgrbm__rng_float(rgrbm__rng *rng) { return rgrbm__u32_to_float(rgrbm__rng_u32(rng)); }

uint64_t rgrbm__rng_below(rgrbm__rng *rng, uint64_t n) {
  /* Lemire (2019): multiply-shift with rejection of the biased low band. */
  uint64_t x = rgrbm__rng_u64(rng);
  __uint128_t m = (__uint128_t)x * n;
  uint64_t low = (uint64_t)m;
  if (low < n) {
    uint64_t threshold = (0 - n) % n;
    while (low < threshold) {
      x = rgrbm__rng_u64(rng);
      m = (__uint128_t)x * n;
      low = (uint64_t)m;
    }
  }
  return (uint64_t)(m >> 64);
}

double rgrbm__rng_normal(rgrbm__rng *rng) {
  if (rng->has_normal) {
    rng->has_normal = 0;
    return rng->normal;
  }
  double u, v, s;
  do {
    u = 2.0 * rgrbm__rng_double(rng) - 1.0;
    v = 2.0 * rgrbm__rng_double(rng) - 1.0;
    s = u * u + v * v;
  } while (s >= 1.0 || s == 0.0);
  double f = sqrt(-2.0 * log(s) / s);
  rng->normal = v * f;
  rng->has_normal = 1;
  return u * f;
}

/* Whole 16-block groups of words in sequential order: the vector kernel
 * writes each group structure-of-arrays (word w of block j at 16 w + j), so
 * transpose it back to block-major order (4 j + w), as the scalar path gives. */
static void fill_groups(rgrbm__rng *rng, uint32_t *out, size_t groups) {
  enum { BATCH = 8 };
  uint32_t soa[BATCH * 64];
  while (groups > 0) {
    size_t g = groups < BATCH ? groups : BATCH;
    rgrbm__philox_soa16(rng->key, rng->stream, rng->block, soa, g);
    for (size_t k = 0; k < g; k++)
      for (int j = 0; j < 16; j++)
        for (int w = 0; w < 4; w++) out[64 * k + 4 * j + w] = soa[64 * k + 16 * w + j];
    rng->block += 16 * g;
    out += 64 * g;
    groups -= g;
  }
}

void rgrbm__rng_fill_u32(rgrbm__rng *rng, uint32_t *out, size_t n) {
  size_t i = 0;
  while (i < n && rng->used < 4) out[i++] = rng->buf[rng->used++];
  size_t groups = (n - i) / 64;
  fill_groups(rng, out + i, groups);
  i += 64 * groups;
  while (i < n) out[i++] = rgrbm__rng_u32(rng);
}

void rgrbm__rng_fill_float(rgrbm__rng *rng, float *out, size_t n) {
  /* Generate the words in place (float and uint32_t have the same size),
   * then convert each; memcpy keeps the reinterpretation well defined. */
  rgrbm__rng_fill_u32(rng, (uint32_t *)(void *)out, n);
  for (size_t i = 0; i < n; i++) {
    uint32_t w;
    memcpy(&w, &out[i], sizeof w);
    out[i] = rgrbm__u32_to_float(w);
  }
}

void rgrbm__rng_fill_double(rgrbm__rng *rng, double *out, size_t n) {
  rgrbm__rng_fill_u32(rng, (uint32_t *)(void *)out, 2 * n);
  for (size_t i = 0; i < n; i++) {
    uint32_t w[2];
    memcpy(w, &out[i], sizeof w);
    out[i] = rgrbm__u64_to_double((uint64_t)w[0] | ((uint64_t)w[1] << 32));
  }
}
