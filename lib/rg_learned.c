/* The learned RG: a trained stack read as a coarse-graining map, level 0 up to
 * a chosen level, by conditional means (then the sign) or by sampling. */
#include <math.h>

#include "dataset.h"
#include "fail.h"
#include "rbm.h"
#include "rg.h"
#include "rng.h"
#include "stack.h"
#include "stack_feed.h"
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

static const rgrbm__rg_kind learned_kind = {.check = learned_check, .apply = learned_apply};

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

int rgrbm_rg_create_learned(rgrbm_rg **out, const rgrbm_stack *s, int level, rgrbm_rg_mode mode,
                            uint64_t seed) {
  RGRBM_REQUIRE_NONNULL(out);
  *out = NULL;
  RGRBM_REQUIRE_NONNULL(s);
  int rc = rgrbm__stack_check_level(s, level, "level", __func__);
  if (rc != RGRBM_OK) return rc;
  if (level == 0)
    return rgrbm__fail(RGRBM_EINVAL, __func__, "level = 0, a transform needs level >= 1");
  if (mode != RGRBM_RG_SIGN_MEAN && mode != RGRBM_RG_SAMPLE)
    return rgrbm__fail(RGRBM_EINVAL, __func__,
                       "mode = %d is neither RGRBM_RG_SIGN_MEAN nor RGRBM_RG_SAMPLE", (int)mode);
  rgrbm_rg *rg = NULL;
  rc = rgrbm__rg_alloc(&rg, &learned_kind, (size_t)s->sizes[level], sizeof(learned_state), 0,
                       __func__);
  if (rc != RGRBM_OK) return rc;
  rg->in_dim = (size_t)s->sizes[0];
  rg->seed = seed;
  *(learned_state *)rg->state = (learned_state){s, level, mode};
  set_square_geometry(rg);
  *out = rg;
  return RGRBM_OK;
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

/* One batch's work: its rows' generators and the two feed buffers. */
typedef struct batch {
  const learned_state *st;
  rgrbm__rng *rngs;
  rgrbm__feed feed;
} batch;

static void carve(batch *bt, rgrbm__workspace *ws) {
  const learned_state *st = bt->st;
  rgrbm__feed_take(&bt->feed, ws, BATCH_ROWS, rgrbm__feed_width(st->stack, 0, st->level));
  RGRBM__WS_TAKE(ws, bt->rngs, BATCH_ROWS);
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
  batch bt = {rg->state, NULL, {{NULL, NULL}}};
  const size_t widest = rgrbm__feed_width(bt.st->stack, 0, bt.st->level);
  rgrbm__workspace ws = RGRBM__WORKSPACE_INIT;
  carve(&bt, &ws);
  int rc = rgrbm__ws_alloc(&ws, 1) == RGRBM_OK
               ? rgrbm__dataset_grow(out, in->count, func)
               : rgrbm__fail(RGRBM_ENOMEM, func, "cannot allocate batches of %d x %zu units",
                             BATCH_ROWS, widest);
  if (rc != RGRBM_OK) {
    rgrbm__ws_free(&ws);
    return rc;
  }
  carve(&bt, &ws);
  const float low = rgrbm__units_low(bt.st->stack->units);
  for (size_t first = 0; first < in->count; first += BATCH_ROWS) {
    size_t rows = in->count - first < BATCH_ROWS ? in->count - first : BATCH_ROWS;
    for (size_t r = 0; r < rows; r++)
      rgrbm__rg_row_rng(rg, rgrbm__dataset_row(in, first + r), in->words_per_row, &bt.rngs[r]);
    rgrbm__dataset_unpack_float(in, NULL, first, rows, low, 1.0f, bt.feed.buf[0]);
    float *top = rgrbm__feed_run(&bt.feed, 0, bt.st->level, bt.feed.buf[0], rows, NULL, up_step,
                                 &bt);
    to_spins(bt.st, top, rows, rg->out_dim, bt.rngs);
    /* Room was reserved above, so this cannot fail. */
    rgrbm__dataset_append_float(out, top, rows, 0.0f);
  }
  rgrbm__ws_free(&ws);
  return RGRBM_OK;
}
