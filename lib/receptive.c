/* Receptive fields r(l) = W(0) ... W(l-1) and their locality on 2D lattices. */
#include <math.h>
#include <string.h>

#include "blas_inline.h"
#include "fail.h"
#include "rgrbm/receptive.h"
#include "stack.h"
#include "stack_feed.h"
#include "versioned.h"
#include "workspace.h"

static int check_level(const rgrbm_stack *s, int level, const char *func) {
  if (level < 1 || level > s->depth)
    return rgrbm__fail(RGRBM_EINVAL, func, "level = %d, must be in 1..depth = %d", level, s->depth);
  return RGRBM_OK;
}

/* One more factor of r: dst (sites x sizes[next]) = src W(level). */
static void product_step(const void *arg, int level, int next, const float *src,
                         size_t sites, float *dst) {
  const rgrbm_stack *s = arg;
  rgrbm__sgemm(0, 0, sites, (size_t)s->sizes[next], (size_t)s->sizes[level], 1.0f, src,
               s->weights[level], 0.0f, dst);
}

int rgrbm_receptive_field(const rgrbm_stack *s, int level, float *out) {
  RGRBM_REQUIRE_NONNULL(s);
  RGRBM_REQUIRE_NONNULL(out);
  int rc = check_level(s, level, __func__);
  if (rc == RGRBM_OK) rc = rgrbm__stack_check_finite_weights(s, 0, level - 1, __func__);
  if (rc != RGRBM_OK) return rc;
  const size_t sites = (size_t)s->sizes[0];
  if (level == 1) {
    memcpy(out, s->weights[0], sites * (size_t)s->sizes[1] * sizeof *out);
    return RGRBM_OK;
  }
  /* The rows of W(0) are level-1 vectors, one per site: r is W(0) passed up
   * to `level` through the products, the intermediates between two buffers. */
  rgrbm__feed feed;
  rgrbm__workspace ws = RGRBM__WORKSPACE_INIT;
  rgrbm__feed_take(&feed, &ws, sites, rgrbm__feed_width(s, 2, level - 1));
  if (rgrbm__ws_alloc(&ws, 0) != RGRBM_OK)
    return RGRBM_FAIL_NOMEM("the intermediate products", ws.bytes);
  rgrbm__feed_take(&feed, &ws, sites, rgrbm__feed_width(s, 2, level - 1));
  rgrbm__feed_run(&feed, 1, level, s->weights[0], sites, out, product_step, s);
  rgrbm__ws_free(&ws);
  /* Finite weights can still overflow float in the product. */
  return rgrbm__check_finite_batch(out, sites, (size_t)s->sizes[level], "the product r(level)",
                                   __func__);
}

/* ---- locality ---------------------------------------------------------- */

typedef struct grid {
  int lx, ly, b;
  double *w;    /* |r|^2 of the current unit, lx * ly */
  double *rows; /* sums of b consecutive sites along x */
} grid;

static void load_unit(const grid *g, const float *rf, size_t units, size_t j) {
  size_t sites = (size_t)g->lx * (size_t)g->ly;
  for (size_t i = 0; i < sites; i++) {
    double r = rf[i * units + j];
    g->w[i] = r * r;
  }
}

/* Circular mean of coordinate c in [0, period) weighted by w along one axis. */
static double circular_centre(const grid *g, int along_x) {
  int period = along_x ? g->lx : g->ly;
  double c = 0.0, sn = 0.0;
  for (int y = 0; y < g->ly; y++)
    for (int x = 0; x < g->lx; x++) {
      double angle = 2.0 * M_PI * (along_x ? x : y) / period;
      double wi = g->w[(size_t)y * (size_t)g->lx + (size_t)x];
      c += wi * cos(angle);
      sn += wi * sin(angle);
    }
  double centre = atan2(sn, c) * period / (2.0 * M_PI);
  return centre < 0.0 ? centre + period : centre;
}

static double min_image(double d, int period) { return d - period * nearbyint(d / period); }

static double gyration_radius(const grid *g, double cx, double cy, double total) {
  double sum = 0.0;
  for (int y = 0; y < g->ly; y++)
    for (int x = 0; x < g->lx; x++) {
      double dx = min_image(x - cx, g->lx), dy = min_image(y - cy, g->ly);
      sum += g->w[(size_t)y * (size_t)g->lx + (size_t)x] * (dx * dx + dy * dy);
    }
  return sqrt(sum / total);
}

/* Best b x b window over all periodic positions: window sums along x first,
 * then along y, O(sites * b). */
static double best_block(const grid *g, double total) {
  size_t lx = (size_t)g->lx;
  for (int y = 0; y < g->ly; y++)
    for (int x = 0; x < g->lx; x++) {
      double sum = 0.0;
      for (int d = 0; d < g->b; d++) sum += g->w[(size_t)y * lx + (size_t)((x + d) % g->lx)];
      g->rows[(size_t)y * lx + (size_t)x] = sum;
    }
  double best = 0.0;
  for (int y = 0; y < g->ly; y++)
    for (int x = 0; x < g->lx; x++) {
      double sum = 0.0;
      for (int d = 0; d < g->b; d++) sum += g->rows[(size_t)((y + d) % g->ly) * lx + (size_t)x];
      if (sum > best) best = sum;
    }
  return best / total;
}

static double unit_total(const grid *g) {
  double total = 0.0;
  for (size_t i = 0; i < (size_t)g->lx * (size_t)g->ly; i++) total += g->w[i];
  return total;
}

static int check_lattice(int lx, int ly, int b, const char *func) {
  if (lx < 1 || ly < 1)
    return rgrbm__fail(RGRBM_EINVAL, func, "lx = %d, ly = %d, both must be >= 1", lx, ly);
  if (b < 1 || b > lx || b > ly)
    return rgrbm__fail(RGRBM_EINVAL, func, "b = %d, the block side must be in 1..min(lx, ly) = %d",
                       b, lx < ly ? lx : ly);
  return RGRBM_OK;
}

/* A field with no weight, or a non-finite one, has no centre: find it before
 * writing any output so that a failure leaves the outputs untouched. */
static int check_fields(const grid *g, const float *rf, size_t units, const char *func) {
  for (size_t j = 0; j < units; j++) {
    load_unit(g, rf, units, j);
    double total = unit_total(g);
    if (!(total > 0.0) || !isfinite(total))
      return rgrbm__fail(RGRBM_ENUMERIC, func,
                         "rf: unit %zu's field is all zero or not finite (sum |r|^2 = %g)", j,
                         total);
  }
  return RGRBM_OK;
}

static void measure_units(const grid *g, const float *rf, size_t units, double *centre_x,
                          double *centre_y, double *gyration, double *block_fraction) {
  for (size_t j = 0; j < units; j++) {
    load_unit(g, rf, units, j);
    double total = unit_total(g);
    double cx = circular_centre(g, 1), cy = circular_centre(g, 0);
    if (centre_x) centre_x[j] = cx;
    if (centre_y) centre_y[j] = cy;
    if (gyration) gyration[j] = gyration_radius(g, cx, cy, total);
    if (block_fraction) block_fraction[j] = best_block(g, total);
  }
}

/* The work behind both public entry points; errors are attributed to func. */
static int locality(const float *rf, int lx, int ly, size_t units, int b, double *centre_x,
                    double *centre_y, double *gyration, double *block_fraction, const char *func) {
  const size_t sites = (size_t)lx * (size_t)ly;
  grid g = {lx, ly, b, NULL, NULL};
  rgrbm__workspace ws = RGRBM__WORKSPACE_INIT;
  for (int carving = 0; carving < 2; carving++) {
    RGRBM__WS_TAKE(&ws, g.w, sites);
    RGRBM__WS_TAKE(&ws, g.rows, sites);
    if (!carving && rgrbm__ws_alloc(&ws, 1) != RGRBM_OK)
      return rgrbm__fail(RGRBM_ENOMEM, func, "cannot allocate %zu bytes of work space",
                         ws.bytes);
  }
  int rc = check_fields(&g, rf, units, func);
  if (rc == RGRBM_OK) measure_units(&g, rf, units, centre_x, centre_y, gyration, block_fraction);
  rgrbm__ws_free(&ws);
  return rc;
}

int rgrbm_receptive_locality(const float *rf, int lx, int ly, size_t units, int b, double *centre_x,
                             double *centre_y, double *gyration, double *block_fraction) {
  RGRBM_REQUIRE_NONNULL(rf);
  int rc = check_lattice(lx, ly, b, __func__);
  if (rc != RGRBM_OK) return rc;
  if (units == 0) return rgrbm__fail(RGRBM_EINVAL, __func__, "units = 0, need at least 1");
  return locality(rf, lx, ly, units, b, centre_x, centre_y, gyration, block_fraction, __func__);
}

static const size_t SUMMARY_BYTES[RGRBM_RECEPTIVE_SUMMARY_VERSION] = {
    sizeof(rgrbm_receptive_summary)};
static const rgrbm__layout SUMMARY = {"rgrbm_receptive_summary", RGRBM_RECEPTIVE_SUMMARY_VERSION,
                                      SUMMARY_BYTES};

static void mean_and_sd(const double *x, size_t n, double *mean, double *sd) {
  double m = 0.0, ss = 0.0;
  for (size_t i = 0; i < n; i++) m += x[i];
  m /= (double)n;
  for (size_t i = 0; i < n; i++) ss += (x[i] - m) * (x[i] - m);
  *mean = m;
  *sd = n > 1 ? sqrt(ss / (double)(n - 1)) : 0.0;
}

int rgrbm_receptive_summarize(const rgrbm_stack *s, int level, int lx, int ly, int b,
                         rgrbm_receptive_summary *out) {
  RGRBM_REQUIRE_NONNULL(s);
  RGRBM_REQUIRE_NONNULL(out);
  int rc = rgrbm__version_check(&SUMMARY, out->version, __func__, "out");
  if (rc == RGRBM_OK) rc = check_level(s, level, __func__);
  if (rc == RGRBM_OK) rc = rgrbm__stack_check_finite_weights(s, 0, level - 1, __func__);
  if (rc == RGRBM_OK) rc = check_lattice(lx, ly, b, __func__);
  if (rc != RGRBM_OK) return rc;
  if ((size_t)lx * (size_t)ly != (size_t)s->sizes[0])
    return rgrbm__fail(RGRBM_EINVAL, __func__, "lx * ly = %d * %d != size(0) = %d", lx, ly,
                       s->sizes[0]);
  const size_t units = (size_t)s->sizes[level], sites = (size_t)s->sizes[0];
  float *rf = NULL;
  double *gyration = NULL, *block_fraction = NULL; /* per unit */
  rgrbm__workspace ws = RGRBM__WORKSPACE_INIT;
  for (int carving = 0; carving < 2; carving++) {
    RGRBM__WS_TAKE(&ws, rf, sites * units); /* both ints: cannot overflow */
    RGRBM__WS_TAKE(&ws, gyration, units);
    RGRBM__WS_TAKE(&ws, block_fraction, units);
    if (!carving && rgrbm__ws_alloc(&ws, 1) != RGRBM_OK)
      return RGRBM_FAIL_NOMEM("the receptive fields", ws.bytes);
  }
  rc = rgrbm_receptive_field(s, level, rf);
  if (rc == RGRBM_OK)
    rc = locality(rf, lx, ly, units, b, NULL, NULL, gyration, block_fraction, __func__);
  if (rc == RGRBM_OK) {
    rgrbm_receptive_summary sum;
    memset(&sum, 0, sizeof sum); /* padding too: the result is copied out byte by byte */
    sum.version = RGRBM_RECEPTIVE_SUMMARY_VERSION;
    sum.units = units;
    mean_and_sd(gyration, units, &sum.gyration_mean, &sum.gyration_sd);
    mean_and_sd(block_fraction, units, &sum.block_fraction_mean, &sum.block_fraction_sd);
    rgrbm__versioned_write(&SUMMARY, out, &sum);
  }
  rgrbm__ws_free(&ws);
  return rc;
}
