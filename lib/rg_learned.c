/* The learned RG: a trained stack read as a coarse-graining map, level 0 up to
 * a chosen level, by conditional means (then the sign) or by sampling. A
 * placed plan also puts the level's units on the coarse lattice by their
 * receptive fields' centres and outputs the coarse spins in site order, so
 * that Monte Carlo RG can measure lattice operators on them. */
#include <math.h>
#include <string.h>

#include "alloc.h"
#include "dataset.h"
#include "fail.h"
#include "rbm.h"
#include "rg.h"
#include "rgrbm/receptive.h"
#include "rng.h"
#include "stack.h"
#include "stack_feed.h"
#include "versioned.h"
#include "workspace.h"

/* Rows coarse-grained per batch: big enough for sgemm, small in memory. */
enum { BATCH_ROWS = 256 };

/* The plan's own data: the borrowed stack, read up to `level`. */
typedef struct learned_state {
  const rgrbm_stack *stack;
  int level;
  rgrbm_rg_mode mode;
} learned_state;

/* The stack is borrowed and may change between calls (training): every
 * application checks the layers it reads, once. */
static int learned_check(const rgrbm_rg *rg, const char *func) {
  const learned_state *st = rg->state;
  return rgrbm__stack_check_finite(st->stack, 0, st->level - 1, func);
}

static int learned_apply(const rgrbm_rg *rg, const rgrbm_dataset *in, rgrbm_dataset *out,
                         const char *func);

static int placed_mcrg_level(const rgrbm_rg *rg, int n, rgrbm_rg **plan, int *reads,
                             const char *func);

static const rgrbm__rg_kind learned_kind = {.check = learned_check, .apply = learned_apply};
static const rgrbm__rg_kind placed_kind = {
    .check = learned_check, .apply = learned_apply, .mcrg_level = placed_mcrg_level};

/* The integer square root of n when n is a perfect square, else 0. */
static int exact_sqrt(int n) {
  int r = (int)lround(sqrt((double)n));
  return r * r == n ? r : 0;
}

/* Square levels whose sides divide give the plan a 2D geometry. */
static void set_square_geometry(rgrbm_rg *rg) {
  int fine = exact_sqrt((int)rg->in_dim), coarse = exact_sqrt((int)rg->out_dim);
  if (fine == 0 || coarse == 0 || fine % coarse != 0 || fine == coarse) return;
  rg->in_lx = rg->in_ly = fine;
  rg->out_lx = rg->out_ly = coarse;
  rg->b = fine / coarse;
  rg->shaped = 1;
}

static int check_learned(const rgrbm_stack *s, int level, rgrbm_rg_mode mode, const char *func) {
  int rc = rgrbm__stack_check_level(s, level, "level", func);
  if (rc != RGRBM_OK) return rc;
  if (level == 0)
    return rgrbm__fail(RGRBM_EINVAL, func, "level = 0, a transform needs level >= 1");
  if (mode != RGRBM_RG_SIGN_MEAN && mode != RGRBM_RG_SAMPLE)
    return rgrbm__fail(RGRBM_EINVAL, func,
                       "mode = %d is neither RGRBM_RG_SIGN_MEAN nor RGRBM_RG_SAMPLE", (int)mode);
  return RGRBM_OK;
}

/* A learned plan of the given kind; block_size 1 gives it the placement's
 * map (coarse site -> unit). */
static int alloc_learned(rgrbm_rg **out, const rgrbm__rg_kind *kind, const rgrbm_stack *s,
                         int level, rgrbm_rg_mode mode, uint64_t seed, size_t block_size,
                         const char *func) {
  rgrbm_rg *rg = NULL;
  int rc = rgrbm__rg_alloc(&rg, kind, (size_t)s->sizes[level], sizeof(learned_state),
                           block_size, func);
  if (rc != RGRBM_OK) return rc;
  rg->in_dim = (size_t)s->sizes[0];
  rg->seed = seed;
  *(learned_state *)rg->state = (learned_state){s, level, mode};
  *out = rg;
  return RGRBM_OK;
}

int rgrbm_rg_create_learned(rgrbm_rg **out, const rgrbm_stack *s, int level, rgrbm_rg_mode mode,
                            uint64_t seed) {
  RGRBM_REQUIRE_NONNULL(out);
  *out = NULL;
  RGRBM_REQUIRE_NONNULL(s);
  int rc = check_learned(s, level, mode, __func__);
  if (rc == RGRBM_OK) rc = alloc_learned(out, &learned_kind, s, level, mode, seed, 0, __func__);
  if (rc == RGRBM_OK) set_square_geometry(*out);
  return rc;
}

/* ---- placement ---------------------------------------------------------- */

/* The coarse lattice of level `level` on an lx x ly visible layer: sides
 * lx / B and ly / B with size(0) = B^2 size(level). */
static int coarse_factor(const rgrbm_stack *s, int level, int lx, int ly, int *factor,
                         const char *func) {
  const int fine = s->sizes[0], coarse = s->sizes[level];
  if (lx < 1 || ly < 1 || (long long)lx * ly != fine)
    return rgrbm__fail(RGRBM_EINVAL, func, "lx * ly = %d * %d, must equal size(0) = %d", lx, ly,
                       fine);
  const int B = fine % coarse == 0 ? exact_sqrt(fine / coarse) : 0;
  if (B < 2 || lx % B != 0 || ly % B != 0)
    return rgrbm__fail(RGRBM_EINVAL, func,
                       "size(0) / size(level = %d) = %d / %d is not B^2 for an integer B >= 2 "
                       "dividing lx = %d and ly = %d: level %d has no coarse lattice to be "
                       "placed on",
                       level, fine, coarse, lx, ly, level);
  *factor = B;
  return RGRBM_OK;
}

/* Coarse coordinate of a fine centre c along an axis of `sites` coarse
 * sites: coarse site X covers fine B X .. B X + B - 1, centred on
 * B X + (B - 1) / 2; the nearest, periodically. */
static int coarse_coordinate(double c, int B, int sites) {
  long x = lround(floor((c - 0.5 * (B - 1)) / B + 0.5));
  return (int)(((x % sites) + sites) % sites);
}

/* The coarse site of every unit of `level` (site[unit]), from the centres
 * of its receptive field. */
static int unit_sites(const rgrbm_stack *s, int level, int lx, int ly, int B, uint32_t *site,
                      const char *func) {
  const size_t units = (size_t)s->sizes[level], fine = (size_t)s->sizes[0];
  float *rf = NULL;
  double *cx = NULL, *cy = NULL;
  rgrbm__workspace ws = RGRBM__WORKSPACE_INIT;
  for (int carving = 0; carving < 2; carving++) {
    RGRBM__WS_TAKE(&ws, rf, fine * units);
    RGRBM__WS_TAKE(&ws, cx, units);
    RGRBM__WS_TAKE(&ws, cy, units);
    if (!carving && rgrbm__ws_alloc(&ws, 0) != RGRBM_OK)
      return RGRBM_FAIL_NOMEM_IN(func, "the receptive fields", ws.bytes);
  }
  int rc = rgrbm_receptive_field(s, level, rf);
  if (rc == RGRBM_OK) rc = rgrbm_receptive_locality(rf, lx, ly, units, 1, cx, cy, NULL, NULL);
  if (rc == RGRBM_OK) {
    const int sx = lx / B, sy = ly / B;
    for (size_t j = 0; j < units; j++)
      site[j] = (uint32_t)coarse_coordinate(cy[j], B, sy) * (uint32_t)sx +
                (uint32_t)coarse_coordinate(cx[j], B, sx);
  } else {
    rc = rgrbm__fail_within(rc, func);
  }
  rgrbm__ws_free(&ws);
  return rc;
}

/* Counts the claims on every site; when each site has one, unit_at[site]
 * is its unit. */
static void tally(const uint32_t *site, size_t units, uint32_t *claims, uint32_t *unit_at,
                  rgrbm_rg_placement *p) {
  memset(claims, 0, units * sizeof *claims);
  for (size_t j = 0; j < units; j++) claims[site[j]]++;
  for (size_t j = 0; j < units; j++) {
    p->placed += claims[site[j]] == 1;
    unit_at[site[j]] = (uint32_t)j;
  }
  for (size_t k = 0; k < units; k++) {
    p->empty_sites += claims[k] == 0;
    p->crowded_sites += claims[k] > 1;
  }
  p->fraction = (double)p->placed / (double)units;
}

/* A placed plan of stack level `level` for an lx x ly visible layer (the
 * arguments checked), its placement in *p; fails when it is not
 * one-to-one. */
static int make_placed(rgrbm_rg **out, const rgrbm_stack *s, int level, rgrbm_rg_mode mode,
                       uint64_t seed, int lx, int ly, int B, rgrbm_rg_placement *p,
                       const char *func) {
  const size_t units = (size_t)s->sizes[level];
  memset(p, 0, sizeof *p); /* padding too: the result is copied out byte by byte */
  p->coarse_lx = lx / B;
  p->coarse_ly = ly / B;
  p->units = units;
  rgrbm_rg *rg = NULL;
  uint32_t *site = rgrbm__alloc(2 * units * sizeof *site); /* per unit, then claims per site */
  if (site == NULL) return RGRBM_FAIL_NOMEM_IN(func, "the placement", 2 * units * sizeof *site);
  int rc = alloc_learned(&rg, &placed_kind, s, level, mode, seed, 1, func);
  if (rc == RGRBM_OK) rc = unit_sites(s, level, lx, ly, B, site, func);
  if (rc == RGRBM_OK) {
    tally(site, units, site + units, rg->map, p);
    p->version = RGRBM_RG_PLACEMENT_VERSION; /* computed */
    if (p->placed != units)
      rc = rgrbm__fail(RGRBM_EINVAL, func,
                       "the units of stack level %d do not place one-to-one on the %d x %d "
                       "coarse lattice by their receptive-field centres: %zu of %zu units "
                       "(fraction %.4f) alone on their site, %zu sites empty, %zu claimed by "
                       "two or more units",
                       level, p->coarse_lx, p->coarse_ly, p->placed, units, p->fraction,
                       p->empty_sites, p->crowded_sites);
  }
  rgrbm__free(site);
  if (rc != RGRBM_OK) {
    rgrbm_rg_destroy(rg);
    return rc;
  }
  rgrbm__rg_set_blocks(rg, lx, ly, B); /* coarse_lx = lx / B, coarse_ly = ly / B */
  *out = rg;
  return RGRBM_OK;
}

static const size_t PLACEMENT_BYTES[RGRBM_RG_PLACEMENT_VERSION] = {sizeof(rgrbm_rg_placement)};
static const rgrbm__layout PLACEMENT = {"rgrbm_rg_placement", RGRBM_RG_PLACEMENT_VERSION,
                                        PLACEMENT_BYTES};

int rgrbm_rg_create_learned_placed(rgrbm_rg **out, const rgrbm_stack *s, int level,
                                   rgrbm_rg_mode mode, uint64_t seed, int lx, int ly,
                                   rgrbm_rg_placement *report) {
  RGRBM_REQUIRE_NONNULL(out);
  *out = NULL;
  RGRBM_REQUIRE_NONNULL(s);
  int B = 0, rc = check_learned(s, level, mode, __func__);
  if (rc == RGRBM_OK && report != NULL)
    rc = rgrbm__version_check(&PLACEMENT, report->version, __func__, "report");
  if (rc == RGRBM_OK) rc = coarse_factor(s, level, lx, ly, &B, __func__);
  if (rc != RGRBM_OK) return rc;
  rgrbm_rg_placement p;
  rc = make_placed(out, s, level, mode, seed, lx, ly, B, &p, __func__);
  /* Written whenever the placement was computed, one-to-one or not. */
  if (report != NULL && p.version != 0) rgrbm__versioned_write(&PLACEMENT, report, &p);
  return rc;
}

/* Level n of a run is the stack's level n * level, placed from the fine
 * lattice (reads 0) with its own coins (seed + n - 1). */
static int placed_mcrg_level(const rgrbm_rg *rg, int n, rgrbm_rg **plan, int *reads,
                             const char *func) {
  const learned_state *st = rg->state;
  const long want = (long)n * st->level;
  if (want > st->stack->depth)
    return rgrbm__fail(RGRBM_EINVAL, func,
                       "level %d of the run needs the stack's level %d x %d = %ld, beyond its "
                       "depth %d",
                       n, n, st->level, want, st->stack->depth);
  int B = 0;
  int rc = coarse_factor(st->stack, (int)want, rg->in_lx, rg->in_ly, &B, func);
  rgrbm_rg_placement p;
  if (rc == RGRBM_OK)
    rc = make_placed(plan, st->stack, (int)want, st->mode, rg->seed + (uint64_t)(n - 1),
                     rg->in_lx, rg->in_ly, B, &p, func);
  if (rc == RGRBM_OK) *reads = 0;
  return rc;
}
/* Final level to -1/+1: the side of the midpoint of the unit's range; a unit
 * exactly at the midpoint (no preference) takes a coin from its row. */
static void to_spins(const learned_state *st, float *x, size_t rows, size_t cols,
                     rgrbm__rng *rngs) {
  const float mid = rgrbm__units_mid(st->stack->units);
  for (size_t r = 0; r < rows; r++)
    for (size_t c = 0; c < cols; c++) {
      float *v = x + r * cols + c;
      if (*v == mid)
        *v = (rgrbm__rng_u32(&rngs[r]) >> 31) ? 1.0f : -1.0f;
      else
        *v = *v > mid ? 1.0f : -1.0f;
    }
}

/* One batch's work: its rows' generators, the two feed buffers and, for a
 * placed plan, the top level in site order. */
typedef struct batch {
  const learned_state *st;
  rgrbm__rng *rngs;
  rgrbm__feed feed;
  float *sites;
} batch;

static void carve(batch *bt, const rgrbm_rg *rg, rgrbm__workspace *ws) {
  const learned_state *st = bt->st;
  rgrbm__feed_take(&bt->feed, ws, BATCH_ROWS, rgrbm__feed_width(st->stack, 0, st->level));
  RGRBM__WS_TAKE(ws, bt->rngs, BATCH_ROWS);
  RGRBM__WS_TAKE(ws, bt->sites, rg->map != NULL ? BATCH_ROWS * rg->out_dim : 0);
}

/* The top level's units in site order: site k holds unit map[k]. */
static float *to_sites(const rgrbm_rg *rg, const float *top, size_t rows, float *sites) {
  const size_t n = rg->out_dim;
  for (size_t r = 0; r < rows; r++)
    for (size_t k = 0; k < n; k++) sites[r * n + k] = top[r * n + rg->map[k]];
  return sites;
}

/* One level up: conditional means, sampled in RGRBM_RG_SAMPLE mode. */
static void up_step(const void *arg, int level, int next, const float *src, size_t rows,
                    float *dst) {
  const batch *bt = arg;
  const rgrbm_stack *s = bt->st->stack;
  rgrbm__rbm_hidden_means(s, level, src, rows, dst);
  if (bt->st->mode == RGRBM_RG_SAMPLE)
    rgrbm__sample_units(s->units, dst, rows, (size_t)s->sizes[next], bt->rngs, dst);
}

static int learned_apply(const rgrbm_rg *rg, const rgrbm_dataset *in, rgrbm_dataset *out,
                         const char *func) {
  batch bt = {rg->state, NULL, {{NULL, NULL}}, NULL};
  const size_t widest = rgrbm__feed_width(bt.st->stack, 0, bt.st->level);
  rgrbm__workspace ws = RGRBM__WORKSPACE_INIT;
  carve(&bt, rg, &ws);
  int rc = rgrbm__ws_alloc(&ws, 1) == RGRBM_OK
               ? rgrbm__dataset_grow(out, in->count, func)
               : rgrbm__fail(RGRBM_ENOMEM, func, "cannot allocate batches of %d x %zu units",
                             BATCH_ROWS, widest);
  if (rc != RGRBM_OK) {
    rgrbm__ws_free(&ws);
    return rc;
  }
  carve(&bt, rg, &ws);
  const float low = rgrbm__units_low(bt.st->stack->units);
  for (size_t first = 0; first < in->count; first += BATCH_ROWS) {
    size_t rows = in->count - first < BATCH_ROWS ? in->count - first : BATCH_ROWS;
    for (size_t r = 0; r < rows; r++)
      rgrbm__rg_row_rng(rg, rgrbm__dataset_row(in, first + r), in->words_per_row, &bt.rngs[r]);
    rgrbm__dataset_unpack_float(in, NULL, first, rows, low, 1.0f, bt.feed.buf[0]);
    float *top = rgrbm__feed_run(&bt.feed, 0, bt.st->level, bt.feed.buf[0], rows, NULL, up_step,
                                 &bt);
    /* Before the signs: a placed plan draws its tie coins in site order. */
    if (rg->map != NULL) top = to_sites(rg, top, rows, bt.sites);
    to_spins(bt.st, top, rows, rg->out_dim, bt.rngs);
    /* Room was reserved above, so this cannot fail. */
    rgrbm__dataset_append_float(out, top, rows, 0.0f);
  }
  rgrbm__ws_free(&ws);
  return RGRBM_OK;
}
