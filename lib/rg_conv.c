/* The RG plan of a translation-invariant layer (rgrbm/conv.h): every b x b
 * block of an lx x ly lattice becomes the coarse spin of the hidden unit
 * above it, by the sign of its conditional mean or by a sample. The same
 * filter applies to every lattice that b divides, so the plan of MCRG's
 * level n is the same filter on level n - 1 (conv_mcrg_level). */
#include "alloc.h"
#include "conv.h"
#include "dataset.h"
#include "fail.h"
#include "rbm.h"
#include "rg.h"
#include "team.h"
#include "workspace.h"

/* Rows coarse-grained per batch: enough tasks for the team, small in memory. */
enum { BATCH_ROWS = 64 };

/* The plan's own data: the borrowed layer, how it is read, and the index
 * tables of the plan's lattice (f and b of a layer never change), whose
 * arrays follow this struct in the plan's block. */
typedef struct conv_state {
  const rgrbm_conv *conv;
  rgrbm_rg_mode mode;
  rgrbm__conv_geometry g;
} conv_state;

/* Where the tables start after the state: a cache line's alignment. */
enum { STATE_ALIGN = 64 };
static const size_t TABLES_OFFSET = (sizeof(conv_state) + STATE_ALIGN - 1) / STATE_ALIGN *
                                    STATE_ALIGN;

/* The layer is borrowed and may be trained between applications: every
 * application checks its parameters once. */
static int conv_check(const rgrbm_rg *rg, const char *func) {
  const conv_state *st = rg->state;
  return rgrbm__conv_check_finite(st->conv, func);
}

static int conv_apply(const rgrbm_rg *rg, const rgrbm_dataset *in, rgrbm_dataset *out,
                      const char *func);
static int conv_mcrg_level(const rgrbm_rg *rg, int n, rgrbm_rg **plan, int *reads,
                           const char *func);

static const rgrbm__rg_kind conv_kind = {
    .check = conv_check, .apply = conv_apply, .mcrg_level = conv_mcrg_level};

static int check_mode(rgrbm_rg_mode mode, const char *func) {
  if (mode == RGRBM_RG_SIGN_MEAN || mode == RGRBM_RG_SAMPLE) return RGRBM_OK;
  return rgrbm__fail(RGRBM_EINVAL, func,
                     "mode = %d is neither RGRBM_RG_SIGN_MEAN nor RGRBM_RG_SAMPLE", (int)mode);
}

static int create_plan(rgrbm_rg **out, const rgrbm_conv *c, int lx, int ly, rgrbm_rg_mode mode,
                       uint64_t seed, const char *func) {
  int rc = rgrbm__conv_check_lattice(c, lx, ly, "lx x ly", func);
  if (rc == RGRBM_OK) rc = check_mode(mode, func);
  if (rc != RGRBM_OK) return rc;
  const int cx = lx / c->b, cy = ly / c->b;
  int overflow = 0;
  const size_t tables = rgrbm__conv_geometry_bytes(c, lx, ly, &overflow);
  if (overflow || tables > SIZE_MAX - TABLES_OFFSET)
    return RGRBM_FAIL_NOMEM_IN(func, "the filter's index tables", tables);
  rgrbm_rg *rg = NULL;
  rc = rgrbm__rg_alloc(&rg, &conv_kind, (size_t)cx * (size_t)cy, TABLES_OFFSET + tables, 0,
                       func);
  if (rc != RGRBM_OK) return rc;
  rgrbm__rg_set_blocks(rg, lx, ly, c->b);
  rg->seed = seed;
  conv_state *st = rg->state;
  st->conv = c;
  st->mode = mode;
  rgrbm__conv_geometry_build(&st->g, c, lx, ly, (char *)rg->state + TABLES_OFFSET);
  *out = rg;
  return RGRBM_OK;
}

int rgrbm_rg_create_conv(rgrbm_rg **out, const rgrbm_conv *c, int lx, int ly,
                         rgrbm_rg_mode mode, uint64_t seed) {
  RGRBM_REQUIRE_NONNULL(out);
  *out = NULL;
  RGRBM_REQUIRE_NONNULL(c);
  return create_plan(out, c, lx, ly, mode, seed, __func__);
}

/* MCRG's level n >= 2: the same filter and mode on level n - 1's lattice,
 * keyed by seed + n - 1 (level 1 is the plan itself, seed + 0), so that no
 * two levels share coin flips. */
static int conv_mcrg_level(const rgrbm_rg *rg, int n, rgrbm_rg **plan, int *reads,
                           const char *func) {
  const conv_state *st = rg->state;
  int lx = rg->in_lx, ly = rg->in_ly;
  *plan = NULL;
  for (int level = 1; level < n; level++) {
    if (lx % rg->b != 0 || ly % rg->b != 0)
      return rgrbm__fail(RGRBM_EINVAL, func, "level %d's lattice %d x %d is not divisible "
                         "by the filter's stride b = %d", level - 1, lx, ly, rg->b);
    lx /= rg->b;
    ly /= rg->b;
  }
  int rc = create_plan(plan, st->conv, lx, ly, st->mode, rg->seed + (uint64_t)(n - 1), func);
  if (rc == RGRBM_OK) *reads = n - 1;
  return rc;
}

/* ---- application ---- */

typedef struct apply_job {
  const rgrbm_rg *rg;
  const conv_state *st;
  const rgrbm_dataset *in;
  const rgrbm__conv_geometry *g;
  const float *bias_row; /* nh copies of the hidden bias */
  float orient;          /* -1 when the filter's sum is negative, else +1 */
  float *v, *h;          /* BATCH_ROWS x nv, BATCH_ROWS x nh */
  size_t first;
} apply_job;

/* The unit's side of the midpoint of its range, times orient; a unit
 * exactly at the midpoint (a zero field) takes a coin from the row's
 * generator. */
static void to_spins(rgrbm_units units, float orient, float *x, size_t n, rgrbm__rng *rng) {
  const float mid = rgrbm__units_mid(units);
  for (size_t j = 0; j < n; j++) {
    if (x[j] == mid)
      x[j] = (rgrbm__rng_u32(rng) >> 31) ? 1.0f : -1.0f;
    else
      x[j] = x[j] > mid ? orient : -orient;
  }
}

/* Training breaks the layer's symmetry w -> -w (with h -> -h) either way:
 * a filter of negative sum makes a unit follow the opposite of its
 * block. The coarse spin is oriented so that it follows the block, as a
 * block spin does (an RG map, and MCRG's odd eigenvalue, need that sign). */
static float orientation(const rgrbm_conv *c) {
  double sum = 0.0;
  for (size_t k = 0; k < (size_t)c->f * (size_t)c->f; k++) sum += c->params[k];
  return sum < 0.0 ? -1.0f : 1.0f;
}

/* Row first + r: its generator is keyed by the configuration (rg.h). */
static void row_task(void *arg, size_t r) {
  const apply_job *j = arg;
  const rgrbm_conv *c = j->st->conv;
  const size_t i = j->first + r;
  float *v = j->v + r * j->g->nv, *h = j->h + r * j->g->nh;
  rgrbm__rng rng;
  rgrbm__rg_row_rng(j->rg, rgrbm__dataset_row(j->in, i), j->in->words_per_row, &rng);
  rgrbm__dataset_unpack_float(j->in, NULL, i, 1, rgrbm__units_low(c->units), 1.0f, v);
  rgrbm__conv_hidden_means(c, j->g, v, j->bias_row, h);
  if (j->st->mode == RGRBM_RG_SAMPLE) rgrbm__sample_units(c->units, h, 1, j->g->nh, &rng, h);
  to_spins(c->units, j->orient, h, j->g->nh, &rng);
}

static void carve(apply_job *j, rgrbm__workspace *ws, float **bias_row) {
  RGRBM__WS_TAKE(ws, *bias_row, j->g->nh);
  RGRBM__WS_TAKE(ws, j->v, (size_t)BATCH_ROWS * j->g->nv);
  RGRBM__WS_TAKE(ws, j->h, (size_t)BATCH_ROWS * j->g->nh);
}

static int conv_apply(const rgrbm_rg *rg, const rgrbm_dataset *in, rgrbm_dataset *out,
                      const char *func) {
  const conv_state *st = rg->state;
  const rgrbm__conv_geometry *g = &st->g;
  apply_job j = {.rg = rg, .st = st, .in = in, .g = g};
  float *bias_row = NULL;
  rgrbm__workspace ws = RGRBM__WORKSPACE_INIT;
  carve(&j, &ws, &bias_row);
  int rc = rgrbm__ws_alloc(&ws, 0) == RGRBM_OK
               ? rgrbm__dataset_grow(out, in->count, func)
               : RGRBM_FAIL_NOMEM_IN(func, "the plan's batches", ws.bytes);
  if (rc != RGRBM_OK) {
    rgrbm__ws_free(&ws);
    return rc;
  }
  carve(&j, &ws, &bias_row);
  const float hb = rgrbm__conv_hbias(st->conv);
  for (size_t k = 0; k < g->nh; k++) bias_row[k] = hb;
  j.bias_row = bias_row;
  j.orient = orientation(st->conv);
  const double per_row = (double)g->nh * (double)g->f * (double)g->f;
  for (j.first = 0; j.first < in->count; j.first += BATCH_ROWS) {
    size_t rows = in->count - j.first < BATCH_ROWS ? in->count - j.first : BATCH_ROWS;
    rgrbm__team_run(rows, (double)rows * per_row, row_task, &j);
    /* Room was reserved above, so this cannot fail. */
    rgrbm__dataset_append_float(out, j.h, rows, 0.0f);
  }
  rgrbm__ws_free(&ws);
  return RGRBM_OK;
}
