/* RG plans: construction, queries and application. Decimation and block-spin
 * plans precompute, for every coarse spin, the fine spins it reads, so that
 * applying a plan is a gather over packed rows. */
#include "rg.h"

#include <string.h>

#include "alloc.h"
#include "dataset.h"
#include "error.h"
#include "stack.h"
#include "versioned.h"

enum { WORD_BITS = 64 };

int rgrbm__rg_alloc(rgrbm_rg **out, rgrbm__rg_kind kind, size_t out_dim, size_t block_size,
                    const char *func) {
  rgrbm_rg *rg = rgrbm__calloc(1, sizeof *rg);
  uint32_t *map = block_size ? rgrbm__calloc(out_dim * block_size, sizeof *map) : NULL;
  if (rg == NULL || (block_size && map == NULL)) {
    rgrbm__free(rg);
    rgrbm__free(map);
    return rgrbm__fail(RGRBM_ENOMEM, func, "cannot allocate a plan of %zu coarse spins",
                       out_dim);
  }
  rg->kind = kind;
  rg->out_dim = out_dim;
  rg->block_size = block_size;
  rg->map = map;
  *out = rg;
  return RGRBM_OK;
}

int rgrbm_rg_create_decimation1d(rgrbm_rg **out, int n_sites, int b) {
  RGRBM_REQUIRE_NONNULL(out);
  *out = NULL;
  if (b < 2)
    return rgrbm__fail(RGRBM_EINVAL, __func__, "b = %d, a block needs at least 2 sites", b);
  if (n_sites < b || n_sites % b != 0)
    return rgrbm__fail(RGRBM_EINVAL, __func__, "n_sites = %d is not a positive multiple of b = %d",
                       n_sites, b);
  rgrbm_rg *rg = NULL;
  int rc = rgrbm__rg_alloc(&rg, RGRBM__RG_DECIMATION1D, (size_t)(n_sites / b), 1, __func__);
  if (rc) return rc;
  rg->in_dim = (size_t)n_sites;
  rg->in_lx = n_sites;
  rg->in_ly = 1;
  rg->out_lx = n_sites / b;
  rg->out_ly = 1;
  rg->b = b;
  for (size_t j = 0; j < rg->out_dim; j++) rg->map[j] = (uint32_t)(j * (size_t)b);
  *out = rg;
  return RGRBM_OK;
}

static int check_block2d(int lx, int ly, int b, rgrbm_block_rule rule, const char *func) {
  if (b < 2) return rgrbm__fail(RGRBM_EINVAL, func, "b = %d, a block needs b >= 2", b);
  if (lx < 1 || ly < 1)
    return rgrbm__fail(RGRBM_EINVAL, func, "lx = %d, ly = %d, both must be at least 1", lx, ly);
  if (lx % b != 0) return rgrbm__fail(RGRBM_EINVAL, func, "b = %d does not divide lx = %d", b, lx);
  if (ly % b != 0) return rgrbm__fail(RGRBM_EINVAL, func, "b = %d does not divide ly = %d", b, ly);
  if ((uint64_t)lx * (uint64_t)ly > UINT32_MAX)
    return rgrbm__fail(RGRBM_EINVAL, func, "lx * ly = %d * %d exceeds 2^32 - 1 sites", lx, ly);
  if (rule != RGRBM_BLOCK_MAJORITY && rule != RGRBM_BLOCK_DECIMATE)
    return rgrbm__fail(RGRBM_EINVAL, func,
                       "rule = %d is neither RGRBM_BLOCK_MAJORITY nor RGRBM_BLOCK_DECIMATE",
                       (int)rule);
  return RGRBM_OK;
}

int rgrbm_rg_create_block2d(rgrbm_rg **out, int lx, int ly, int b, rgrbm_block_rule rule,
                            uint64_t seed) {
  RGRBM_REQUIRE_NONNULL(out);
  *out = NULL;
  int rc = check_block2d(lx, ly, b, rule, __func__);
  if (rc) return rc;
  const int cx = lx / b, cy = ly / b;
  size_t members = rule == RGRBM_BLOCK_MAJORITY ? (size_t)b * (size_t)b : 1;
  rgrbm_rg *rg = NULL;
  rc = rgrbm__rg_alloc(&rg, RGRBM__RG_BLOCK2D, (size_t)cx * (size_t)cy, members, __func__);
  if (rc) return rc;
  rg->in_dim = (size_t)lx * (size_t)ly;
  rg->in_lx = lx;
  rg->in_ly = ly;
  rg->out_lx = cx;
  rg->out_ly = cy;
  rg->b = b;
  rg->shaped = 1;
  rg->rule = rule;
  rg->seed = seed;
  uint32_t *m = rg->map;
  for (int y = 0; y < cy; y++)
    for (int x = 0; x < cx; x++)
      for (size_t k = 0; k < members; k++) {
        size_t fx = (size_t)x * b + k % b, fy = (size_t)y * b + k / b;
        *m++ = (uint32_t)(fy * (size_t)lx + fx);
      }
  *out = rg;
  return RGRBM_OK;
}

void rgrbm_rg_destroy(rgrbm_rg *rg) {
  if (rg == NULL) return;
  rgrbm__free(rg->map);
  rgrbm__free(rg);
}

static const size_t DIMS_BYTES[RGRBM_RG_DIMS_VERSION] = {sizeof(rgrbm_rg_dims)};
static const rgrbm__layout DIMS = {"rgrbm_rg_dims", RGRBM_RG_DIMS_VERSION, DIMS_BYTES};

int rgrbm_rg_shape(const rgrbm_rg *rg, rgrbm_rg_dims *out) {
  RGRBM_REQUIRE_NONNULL(rg);
  RGRBM_REQUIRE_NONNULL(out);
  int rc = rgrbm__version_check(&DIMS, out->version, __func__, "out");
  if (rc) return rc;
  rgrbm_rg_dims d;
  memset(&d, 0, sizeof d); /* padding too: the result is copied out byte by byte */
  d.version = RGRBM_RG_DIMS_VERSION;
  d.in_dim = rg->in_dim;
  d.out_dim = rg->out_dim;
  d.in_lx = rg->in_lx;
  d.in_ly = rg->in_ly;
  d.out_lx = rg->out_lx;
  d.out_ly = rg->out_ly;
  d.b = rg->b;
  rgrbm__versioned_write(&DIMS, out, &d);
  return RGRBM_OK;
}

/* splitmix64's finalizer: a cheap bijective mix. */
static uint64_t mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
  return z ^ (z >> 31);
}

void rgrbm__rg_row_rng(const rgrbm_rg *rg, const uint64_t *row, size_t words, rgrbm__rng *rng) {
  uint64_t h = UINT64_C(0x9e3779b97f4a7c15);
  for (size_t w = 0; w < words; w++) h = mix64(h ^ row[w]) + (uint64_t)w;
  rgrbm__rng_init(rng, rg->seed, RGRBM__STREAM(RGRBM__STREAM_RG, h));
}

static inline int bit_at(const uint64_t *row, size_t j) {
  return (int)((row[j / WORD_BITS] >> (j % WORD_BITS)) & 1);
}

/* One coarse row by majority of the mapped members (a single member is
 * copied); zero sums draw a coin from the row's generator, made on demand. */
static void coarse_row(const rgrbm_rg *rg, const uint64_t *in, size_t in_words, uint64_t *out,
                       size_t out_words) {
  rgrbm__rng rng;
  int rng_ready = 0;
  memset(out, 0, out_words * sizeof *out);
  const uint32_t *m = rg->map;
  for (size_t j = 0; j < rg->out_dim; j++, m += rg->block_size) {
    int sum = 0;
    for (size_t k = 0; k < rg->block_size; k++) sum += 2 * bit_at(in, m[k]) - 1;
    int up = sum > 0;
    if (sum == 0) {
      if (!rng_ready) rgrbm__rg_row_rng(rg, in, in_words, &rng);
      rng_ready = 1;
      up = (int)(rgrbm__rng_u32(&rng) >> 31);
    }
    out[j / WORD_BITS] |= (uint64_t)up << (j % WORD_BITS);
  }
}

/* A dataset's shape must be unset or equal to the plan's. */
static int check_data(const rgrbm_dataset *ds, const char *name, size_t dim, int lx, int ly,
                      const char *func) {
  if (ds->dim != dim)
    return rgrbm__fail(RGRBM_EINVAL, func, "%s dim = %zu, the plan expects %zu", name, ds->dim,
                       dim);
  if (ds->lx != 0 && lx != 0 && (ds->lx != lx || ds->ly != ly))
    return rgrbm__fail(RGRBM_EINVAL, func, "%s shape = %d x %d, the plan expects %d x %d", name,
                       ds->lx, ds->ly, lx, ly);
  return RGRBM_OK;
}

int rgrbm_rg_apply(const rgrbm_rg *rg, const rgrbm_dataset *in, rgrbm_dataset *out) {
  RGRBM_REQUIRE_NONNULL(rg);
  RGRBM_REQUIRE_NONNULL(in);
  RGRBM_REQUIRE_NONNULL(out);
  if (in == out)
    return rgrbm__fail(RGRBM_EINVAL, __func__, "in == out, the output must be another dataset");
  int rc = check_data(in, "in", rg->in_dim, rg->in_lx, rg->in_ly, __func__);
  if (rc == RGRBM_OK) rc = check_data(out, "out", rg->out_dim, rg->out_lx, rg->out_ly, __func__);
  if (rc == RGRBM_OK && rg->kind == RGRBM__RG_LEARNED)
    rc = rgrbm__stack_check_finite(rg->stack, 0, rg->level - 1, __func__);
  if (rc) return rc;
  if (rg->kind == RGRBM__RG_LEARNED) {
    rc = rgrbm__rg_apply_learned(rg, in, out, __func__); /* grows out after its scratch */
    if (rc) return rc;
  } else {
    rc = rgrbm__dataset_grow(out, in->count, __func__);
    if (rc) return rc;
    for (size_t i = 0; i < in->count; i++)
      coarse_row(rg, rgrbm__dataset_row(in, i), in->words_per_row,
                 out->bits + (out->count + i) * out->words_per_row, out->words_per_row);
    out->count += in->count;
  }
  if (rg->shaped && out->lx == 0) {
    out->lx = rg->out_lx;
    out->ly = rg->out_ly;
  }
  return RGRBM_OK;
}
