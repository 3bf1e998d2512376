/* Bulk random bytes for the lattice samplers, served from a 4 KiB pool
 * refilled by the vectorized Philox of lib/rng_simd.c (plus a lookahead of
 * the next refill's first 256 bytes, see lib/sampler.h). The words are those of
 * rgrbm__philox4x32_10 for the pool's (seed, stream), so the samplers use the
 * library's one generator, only faster than the scalar path. */
#include <string.h>

#include "alloc.h"
#include "fail.h"
#include "sampler.h"

int rgrbm__pool_init(rgrbm__byte_pool *p, uint64_t seed, uint64_t stream) {
  memset(p, 0, sizeof *p);
  /* A caller may load a whole vector from a take of half of one. */
  p->bytes = rgrbm__calloc(RGRBM__POOL_BYTES + RGRBM__POOL_LOOKAHEAD + 64, 1);
  if (p->bytes == NULL) return RGRBM_ENOMEM;
  p->key[0] = (uint32_t)seed;
  p->key[1] = (uint32_t)(seed >> 32);
  p->stream = stream;
  /* Empty, with the stream's first group as the lookahead: the first take
   * refills and starts there. */
  rgrbm__philox_soa16(p->key, p->stream, 0, (uint32_t *)(void *)(p->bytes + RGRBM__POOL_BYTES), 1);
  p->block = 16;
  p->next = RGRBM__POOL_BYTES;
  return RGRBM_OK;
}

void rgrbm__pool_free(rgrbm__byte_pool *p) {
  rgrbm__free(p->bytes);
  p->bytes = NULL;
}

void rgrbm__pool_refill(rgrbm__byte_pool *p) {
  size_t groups = RGRBM__POOL_BYTES / 256; /* 16 blocks of 16 bytes a group */
  memcpy(p->bytes, p->bytes + RGRBM__POOL_BYTES, RGRBM__POOL_LOOKAHEAD);
  rgrbm__philox_soa16(p->key, p->stream, p->block,
                      (uint32_t *)(void *)(p->bytes + RGRBM__POOL_LOOKAHEAD), groups);
  p->block += 16 * groups;
  p->next = 0;
}
