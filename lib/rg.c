/* RG plans: the handle, its queries and application, dispatching through
 * each kind's operations (rg.h). The kinds live in rg_indexed.c (decimation
 * and block spins) and rg_learned.c (a trained stack). */
#include "rg.h"

#include "alloc.h"
#include "dataset.h"
#include "fail.h"
#include "stack.h"
#include "versioned.h"
#include "workspace.h"

/* The plan's block, in order (workspace.h: sizing, then carving). */
static void carve(rgrbm__workspace *ws, rgrbm_rg **rg, void **state, uint32_t **map,
                  size_t state_bytes, size_t map_entries) {
  RGRBM__WS_TAKE(ws, *rg, 1);
  *state = rgrbm__ws_take(ws, state_bytes, 1);
  RGRBM__WS_TAKE(ws, *map, map_entries);
}

int rgrbm__rg_alloc(rgrbm_rg **out, const rgrbm__rg_kind *kind, size_t out_dim,
                    size_t state_bytes, size_t block_size, const char *func) {
  int overflow = 0;
  const size_t map_entries = rgrbm__mul_size(out_dim, block_size, &overflow);
  rgrbm__workspace ws = RGRBM__WORKSPACE_INIT;
  rgrbm_rg *rg;
  void *state;
  uint32_t *map;
  ws.overflow = overflow;
  carve(&ws, &rg, &state, &map, state_bytes, map_entries);
  if (rgrbm__ws_alloc(&ws, 1) != RGRBM_OK)
    return rgrbm__fail(RGRBM_ENOMEM, func, "cannot allocate a plan of %zu coarse spins",
                       out_dim);
  carve(&ws, &rg, &state, &map, state_bytes, map_entries);
  rg->kind = kind;
  rg->out_dim = out_dim;
  rg->block_size = block_size;
  rg->map = block_size ? map : NULL;
  rg->state = state_bytes ? state : NULL;
  *out = rg;
  return RGRBM_OK;
}

void rgrbm__rg_set_blocks(rgrbm_rg *rg, int lx, int ly, int b) {
  rg->in_dim = (size_t)lx * (size_t)ly;
  rg->in_lx = lx;
  rg->in_ly = ly;
  rg->out_lx = lx / b;
  rg->out_ly = ly / b;
  rg->b = b;
  rg->shaped = 1;
}

/* The handle is its block's start (rgrbm__rg_alloc). */
void rgrbm_rg_destroy(rgrbm_rg *rg) { rgrbm__free(rg); }

static const size_t DIMS_BYTES[RGRBM_RG_DIMS_VERSION] = {sizeof(rgrbm_rg_dims)};
static const rgrbm__layout DIMS = {"rgrbm_rg_dims", RGRBM_RG_DIMS_VERSION, DIMS_BYTES};

int rgrbm_rg_shape(const rgrbm_rg *rg, rgrbm_rg_dims *out) {
  RGRBM_REQUIRE_NONNULL(rg);
  RGRBM_REQUIRE_NONNULL(out);
  int rc = rgrbm__version_check(&DIMS, out->version, __func__, "out");
  if (rc != RGRBM_OK) return rc;
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
  if (rc == RGRBM_OK && rg->kind->check != NULL) rc = rg->kind->check(rg, __func__);
  if (rc == RGRBM_OK) rc = rg->kind->apply(rg, in, out, __func__);
  if (rc != RGRBM_OK) return rc;
  if (rg->shaped && out->lx == 0) {
    out->lx = rg->out_lx;
    out->ly = rg->out_ly;
  }
  return RGRBM_OK;
}
