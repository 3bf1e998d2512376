/* Bulk random bytes for the lattice samplers, served from a 4 KiB pool
 * refilled by the vectorized Philox of lib/rng_simd.c. The words are those of
 * rgrbm__philox4x32_10 for the pool's (seed, stream), so the samplers use the
 * library's one generator, only faster than the scalar path. */
#include <string.h>

#include "alloc.h"
#include "error.h"
#include "sampler.h"

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
  size_t groups = RGRBM__POOL_BYTES / 256; /* 16 blocks of 16 bytes a group */
  rgrbm__philox_soa16(p->key, p->stream, p->block, (uint32_t *)p->bytes, groups);
  p->block += 16 * groups;
  p->next = 0;
}
