/* Bulk random bytes for the lattice samplers: Philox4x32-10 evaluated 16
 * blocks at a time in vector registers, served from a 4 KiB pool. The words
 * are those of rgrbm__philox4x32_10 for the pool's (seed, stream), so the
 * samplers use the library's one generator, only faster than the scalar
 * path. */
#include <string.h>

#include "alloc.h"
#include "error.h"
#include "sampler.h"

int rgrbm__have_avx512_bytes(void) {
  return __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vbmi");
}

typedef uint32_t vword __attribute__((vector_size(64)));
typedef uint64_t vpair __attribute__((vector_size(64)));

/* hi and lo halves of the 32 x 32 -> 64 bit products m * c, lane by lane:
 * even and odd lanes multiplied as 64-bit pairs, then interleaved back. */
#define MULHILO(c, m, hi, lo)                                                  \
  do {                                                                         \
    vpair pe_ = ((vpair)(c) & 0xFFFFFFFFu) * (m), po_ = ((vpair)(c) >> 32) * (m); \
    (lo) = (vword)((pe_ & 0xFFFFFFFFu) | (po_ << 32));                         \
    (hi) = (vword)((pe_ >> 32) | (po_ & ~(vpair){0} << 32));                   \
  } while (0)

static inline __attribute__((always_inline)) void philox_body(const uint32_t key[2],
                                                              uint64_t stream, uint64_t first,
                                                              uint32_t *out) {
  vword c0, c1, c2, c3;
  for (int j = 0; j < 16; j++) {
    c0[j] = (uint32_t)(first + (uint64_t)j);
    c1[j] = (uint32_t)((first + (uint64_t)j) >> 32);
  }
  c2 = (vword){0} + (uint32_t)stream;
  c3 = (vword){0} + (uint32_t)(stream >> 32);
  uint32_t k0 = key[0], k1 = key[1];
  for (int r = 0; r < 10; r++) {
    vword h0, l0, h1, l1;
    MULHILO(c0, UINT64_C(0xD2511F53), h0, l0);
    MULHILO(c2, UINT64_C(0xCD9E8D57), h1, l1);
    c0 = h1 ^ c1 ^ k0;
    c2 = h0 ^ c3 ^ k1;
    c1 = l1;
    c3 = l0;
    k0 += 0x9E3779B9u;
    k1 += 0xBB67AE85u;
  }
  memcpy(out, &c0, 64);
  memcpy(out + 16, &c1, 64);
  memcpy(out + 32, &c2, 64);
  memcpy(out + 48, &c3, 64);
}

__attribute__((target(RGRBM__AVX512_BYTES)))
static void philox_avx512(const uint32_t key[2], uint64_t stream, uint64_t first, uint32_t *out) {
  philox_body(key, stream, first, out);
}

__attribute__((target_clones("avx2", "default")))
static void philox_generic(const uint32_t key[2], uint64_t stream, uint64_t first, uint32_t *out) {
  philox_body(key, stream, first, out);
}

void rgrbm__philox_soa16(const uint32_t key[2], uint64_t stream, uint64_t first, uint32_t *out) {
  if (rgrbm__have_avx512_bytes()) philox_avx512(key, stream, first, out);
  else philox_generic(key, stream, first, out);
}

int rgrbm__pool_init(rgrbm__byte_pool *p, uint64_t seed, uint64_t stream) {
  memset(p, 0, sizeof *p);
  /* A caller may load a whole vector from a take of half of one. */
  p->bytes = rgrbm__calloc(RGRBM__POOL_BYTES + 64, 1);
  if (p->bytes == NULL) return RGRBM_ENOMEM;
  p->key[0] = (uint32_t)seed;
  p->key[1] = (uint32_t)(seed >> 32);
  p->stream = stream;
  p->next = RGRBM__POOL_BYTES; /* empty: the first take refills */
  return RGRBM_OK;
}

void rgrbm__pool_free(rgrbm__byte_pool *p) {
  rgrbm__free(p->bytes);
  p->bytes = NULL;
}

void rgrbm__pool_refill(rgrbm__byte_pool *p) {
  for (size_t b = 0; b < RGRBM__POOL_BYTES / 16; b += 16, p->block += 16)
    rgrbm__philox_soa16(p->key, p->stream, p->block, (uint32_t *)(p->bytes + 16 * b));
  p->next = 0;
}
