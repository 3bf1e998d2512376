/* The learned RG: a trained stack read as a coarse-graining map, level 0 up to
 * a chosen level, by conditional means (then the sign) or by sampling. */
#include <math.h>

#include "alloc.h"
#include "dataset.h"
#include "error.h"
#include "rbm.h"
#include "rg.h"

/* Rows coarse-grained per batch: big enough for sgemm, small in memory. */
enum { BATCH_ROWS = 256 };

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
  rc = rgrbm__rg_alloc(&rg, RGRBM__RG_LEARNED, (size_t)s->sizes[level], 0, __func__);
  if (rc != RGRBM_OK) return rc;
  rg->in_dim = (size_t)s->sizes[0];
  rg->stack = s;
  rg->level = level;
  rg->mode = mode;
  rg->seed = seed;
  set_square_geometry(rg);
  *out = rg;
  return RGRBM_OK;
}

/* Final level to -1/+1: the side of the midpoint of the unit's range; a unit
 * exactly at the midpoint (no preference) takes a coin from its row. */
static void to_spins(const rgrbm_rg *rg, float *x, size_t rows, size_t cols, rgrbm__rng *rngs) {
  const float mid = rgrbm__units_mid(rg->stack->units);
  for (size_t r = 0; r < rows; r++)
    for (size_t c = 0; c < cols; c++) {
      float *v = x + r * cols + c;
      if (*v == mid)
        *v = (rgrbm__rng_u32(&rngs[r]) >> 31) ? 1.0f : -1.0f;
      else
        *v = *v > mid ? 1.0f : -1.0f;
    }
}

/* Feed one batch from level 0 to the plan's level, through two buffers. */
static float *feed_up(const rgrbm_rg *rg, float *buf[2], size_t rows, rgrbm__rng *rngs) {
  const rgrbm_stack *s = rg->stack;
  for (int l = 0; l < rg->level; l++) {
    float *src = buf[l & 1], *dst = buf[(l + 1) & 1];
    rgrbm__rbm_hidden_means(s, l, src, rows, dst);
    if (rg->mode == RGRBM_RG_SAMPLE)
      rgrbm__sample_units(s->units, dst, rows, (size_t)s->sizes[l + 1], rngs, dst);
  }
  return buf[rg->level & 1];
}

int rgrbm__rg_apply_learned(const rgrbm_rg *rg, const rgrbm_dataset *in, rgrbm_dataset *out,
                            const char *func) {
  const rgrbm_stack *s = rg->stack;
  size_t widest = 0;
  for (int l = 0; l <= rg->level; l++)
    if ((size_t)s->sizes[l] > widest) widest = (size_t)s->sizes[l];
  float *floats = rgrbm__calloc(2 * BATCH_ROWS * widest, sizeof *floats);
  rgrbm__rng *rngs = rgrbm__calloc(BATCH_ROWS, sizeof *rngs);
  int rc = floats && rngs ? rgrbm__dataset_grow(out, in->count, func)
                          : rgrbm__fail(RGRBM_ENOMEM, func, "cannot allocate batches of %d x %zu "
                                        "units", BATCH_ROWS, widest);
  if (rc != RGRBM_OK) {
    rgrbm__free(floats);
    rgrbm__free(rngs);
    return rc;
  }
  float *buf[2] = {floats, floats + BATCH_ROWS * widest};
  const float low = rgrbm__units_low(s->units);
  for (size_t first = 0; first < in->count; first += BATCH_ROWS) {
    size_t rows = in->count - first < BATCH_ROWS ? in->count - first : BATCH_ROWS;
    for (size_t r = 0; r < rows; r++)
      rgrbm__rg_row_rng(rg, rgrbm__dataset_row(in, first + r), in->words_per_row, &rngs[r]);
    rgrbm__dataset_unpack_float(in, NULL, first, rows, low, 1.0f, buf[0]);
    float *top = feed_up(rg, buf, rows, rngs);
    to_spins(rg, top, rows, rg->out_dim, rngs);
    /* Room was reserved by the caller, so this cannot fail. */
    rgrbm__dataset_append_float(out, top, rows, 0.0f);
  }
  rgrbm__free(floats);
  rgrbm__free(rngs);
  return RGRBM_OK;
}
