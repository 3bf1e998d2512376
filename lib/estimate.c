/* Estimators: time-series statistics, and observables of sampled
 * configurations with jackknife errors over bins. */
#include "rgrbm/measure.h"
#include "rgrbm/series.h"

#include <float.h>
#include <math.h>
#include <string.h>

#include "alloc.h"
#include "dataset.h"
#include "fail.h"
#include "lattice.h"
#include "versioned.h"
#include "workspace.h"

/* ---- time series ------------------------------------------------------ */

static int check_series(const double *x, size_t n, size_t min_n, const void *result,
                        const char *result_name, const char *func) {
  if (x == NULL) return rgrbm__fail(RGRBM_EINVAL, func, "x is NULL");
  if (result == NULL) return rgrbm__fail(RGRBM_EINVAL, func, "%s is NULL", result_name);
  if (n < min_n)
    return rgrbm__fail(RGRBM_EINVAL, func, "n = %zu, at least %zu values are needed", n, min_n);
  for (size_t i = 0; i < n; i++)
    if (!isfinite(x[i]))
      return rgrbm__fail(RGRBM_ENUMERIC, func, "x[%zu] = %g is not finite", i, x[i]);
  return RGRBM_OK;
}

static double mean_of(const double *x, size_t n) {
  double s = 0;
  for (size_t i = 0; i < n; i++) s += x[i];
  return s / (double)n;
}

int rgrbm_series_mean(const double *x, size_t n, double *mean) {
  int rc = check_series(x, n, 1, mean, "mean", __func__);
  if (rc != RGRBM_OK) return rc;
  *mean = mean_of(x, n);
  return RGRBM_OK;
}

int rgrbm_series_binned_error(const double *x, size_t n, size_t bins, double *error) {
  if (bins < 2) return rgrbm__fail(RGRBM_EINVAL, __func__, "bins = %zu, at least 2 are needed", bins);
  int rc = check_series(x, n, bins, error, "error", __func__);
  if (rc != RGRBM_OK) return rc;
  size_t len = n / bins;
  double grand = mean_of(x, len * bins), ss = 0;
  for (size_t b = 0; b < bins; b++) {
    double d = mean_of(x + b * len, len) - grand;
    ss += d * d;
  }
  *error = sqrt(ss / (double)(bins - 1) / (double)bins);
  return RGRBM_OK;
}

int rgrbm_series_tau_int(const double *x, size_t n, double *tau) {
  int rc = check_series(x, n, 2, tau, "tau", __func__);
  if (rc != RGRBM_OK) return rc;
  double mu = mean_of(x, n), c0 = 0;
  for (size_t i = 0; i < n; i++) c0 += (x[i] - mu) * (x[i] - mu);
  if (c0 == 0)
    return rgrbm__fail(RGRBM_ENUMERIC, __func__,
                       "the series of %zu values is constant: tau_int is undefined", n);
  double t = 0.5;
  for (size_t w = 1; w < n && (double)w < 6.0 * t; w++) {
    double c = 0;
    for (size_t i = 0; i + w < n; i++) c += (x[i] - mu) * (x[i + w] - mu);
    t += c / c0;
  }
  *tau = t;
  return RGRBM_OK;
}

/* ---- configurations --------------------------------------------------- */

static int check_model(const rgrbm_dataset *ds, const rgrbm_lattice *model, const char *func) {
  if (ds == NULL) return rgrbm__fail(RGRBM_EINVAL, func, "ds is NULL");
  if (model == NULL) return rgrbm__fail(RGRBM_EINVAL, func, "model is NULL");
  if (ds->dim != model->sites)
    return rgrbm__fail(RGRBM_EINVAL, func, "ds dim = %zu, the model lattice has %zu sites",
                       ds->dim, model->sites);
  return RGRBM_OK;
}

/* The largest |e| = |K b + h m| a configuration can have (|b| <= 2, |m| <=
 * 1) must stay below limit, so that energies (limit DBL_MAX) or their
 * squared deviations (limit 1e150) are finite. */
static int check_energy_range(const rgrbm_lattice *model, double limit, const char *what,
                              const char *func) {
  double bound = 2 * fabs(model->K) + fabs(model->h);
  if (bound <= limit) return RGRBM_OK;
  return rgrbm__fail(RGRBM_ENUMERIC, func, "model K = %g, h = %g: energies up to %g per site "
                     "overflow %s (the limit is 2|K| + |h| <= %g)", model->K, model->h, bound,
                     what, limit);
}

static int check_bins(const rgrbm_dataset *ds, size_t bins, const char *func) {
  if (bins < 2) return rgrbm__fail(RGRBM_EINVAL, func, "bins = %zu, at least 2 are needed", bins);
  if (ds->count < bins)
    return rgrbm__fail(RGRBM_EINVAL, func, "ds holds %zu configurations, fewer than bins = %zu",
                       ds->count, bins);
  return RGRBM_OK;
}

/* Calls visit(ctx, i, spins) for every configuration, unpacked in turn. */
typedef void (*visit_fn)(void *ctx, size_t i, const int8_t *spins);

static int for_each_config(const rgrbm_dataset *ds, visit_fn visit, void *ctx, const char *func) {
  int8_t *buf = rgrbm__alloc(ds->dim);
  if (buf == NULL) return rgrbm__fail(RGRBM_ENOMEM, func, "cannot allocate %zu bytes", ds->dim);
  for (size_t i = 0; i < ds->count; i++) {
    rgrbm_dataset_get(ds, i, 1, buf);
    visit(ctx, i, buf);
  }
  rgrbm__free(buf);
  return RGRBM_OK;
}

typedef struct scalar_ctx {
  const rgrbm_lattice *model;
  rgrbm_observable obs;
  double *out;
} scalar_ctx;

static double observable(const rgrbm_lattice *lat, rgrbm_observable obs, const int8_t *s) {
  double N = (double)lat->sites;
  double m = (double)rgrbm__spin_sum(s, lat->sites) / N;
  if (obs == RGRBM_OBS_MAGNETIZATION) return m;
  if (obs == RGRBM_OBS_ABS_MAGNETIZATION) return fabs(m);
  if (obs == RGRBM_OBS_MAGNETIZATION2) return m * m;
  if (obs == RGRBM_OBS_MAGNETIZATION4) return m * m * m * m;
  double b = (double)rgrbm__bond_sum(s, lat->geometry, lat->lx, lat->ly, lat->boundary) / N;
  return obs == RGRBM_OBS_BOND_MEAN ? b : -lat->K * b - lat->h * m;
}

static void visit_scalar(void *ctx, size_t i, const int8_t *spins) {
  scalar_ctx *c = ctx;
  c->out[i] = observable(c->model, c->obs, spins);
}

int rgrbm_measure(const rgrbm_dataset *ds, const rgrbm_lattice *model, rgrbm_observable obs,
                  double *out) {
  int rc = check_model(ds, model, __func__);
  if (rc != RGRBM_OK) return rc;
  RGRBM_REQUIRE_NONNULL(out);
  if ((int)obs < RGRBM_OBS_BOND_MEAN || (int)obs > RGRBM_OBS_ENERGY)
    return rgrbm__fail(RGRBM_EINVAL, __func__, "obs = %d, not an rgrbm_observable", (int)obs);
  if (obs == RGRBM_OBS_ENERGY && (rc = check_energy_range(model, DBL_MAX, "double", __func__)))
    return rc;
  scalar_ctx c = {model, obs, out};
  return for_each_config(ds, visit_scalar, &c, __func__);
}

/* ---- jackknife over bins ---------------------------------------------- */

enum { MAX_PRIMARY = 8, MAX_DERIVED = 8 };

/* derived[0..k) as functions of the means of the primary series. */
typedef void (*derive_fn)(const double *means, const void *ctx, double *derived);

typedef struct jackknife {
  const double *series[MAX_PRIMARY]; /* q series of n values */
  int q, k;
  derive_fn derive;
  const void *ctx;
} jackknife;

static int jackknife_run(const jackknife *j, size_t n, size_t bins, rgrbm_estimate *out,
                         const char *func) {
  double *sums = rgrbm__calloc(bins * (size_t)j->q, sizeof *sums);
  if (sums == NULL)
    return RGRBM_FAIL_NOMEM_IN(func, "the jackknife bins", bins * (size_t)j->q * 8);
  size_t len = n / bins, used = len * bins;
  double total[MAX_PRIMARY] = {0}, means[MAX_PRIMARY], d[MAX_DERIVED];
  for (int p = 0; p < j->q; p++)
    for (size_t i = 0; i < used; i++) {
      sums[(i / len) * (size_t)j->q + (size_t)p] += j->series[p][i];
      total[p] += j->series[p][i];
    }
  for (int p = 0; p < j->q; p++) means[p] = total[p] / (double)used;
  j->derive(means, j->ctx, d);
  double full[MAX_DERIVED], mean_jk[MAX_DERIVED] = {0}, sq[MAX_DERIVED] = {0};
  for (int r = 0; r < j->k; r++) full[r] = d[r];
  for (size_t b = 0; b < bins; b++) {
    for (int p = 0; p < j->q; p++)
      means[p] = (total[p] - sums[b * (size_t)j->q + (size_t)p]) / (double)(used - len);
    j->derive(means, j->ctx, d);
    for (int r = 0; r < j->k; r++) {
      mean_jk[r] += d[r] / (double)bins;
      sq[r] += d[r] * d[r] / (double)bins;
    }
  }
  rgrbm__free(sums);
  for (int r = 0; r < j->k; r++) {
    out[r].value = full[r];
    out[r].error = sqrt(fmax(0.0, (double)(bins - 1) * (sq[r] - mean_jk[r] * mean_jk[r])));
  }
  return RGRBM_OK;
}

/* ---- thermodynamics --------------------------------------------------- */

/* P_E, P_E2 hold e - e_mean and its square, P_AMD, P_AMC |m| - |m|_mean and
 * its square (centred after the visit): the variances are then formed from
 * deviations instead of cancelling <e^2> against <e>^2, which lost every
 * digit (or the sign) at low temperature. */
enum { P_B, P_AM, P_M2, P_M4, P_E, P_E2, P_AMD, P_AMC, P_COUNT };

typedef struct thermo_ctx {
  const rgrbm_lattice *model;
  double *p[P_COUNT];
} thermo_ctx;

static void visit_thermo(void *ctx, size_t i, const int8_t *s) {
  thermo_ctx *c = ctx;
  const rgrbm_lattice *lat = c->model;
  double N = (double)lat->sites, m = (double)rgrbm__spin_sum(s, lat->sites) / N;
  double b = (double)rgrbm__bond_sum(s, lat->geometry, lat->lx, lat->ly, lat->boundary) / N;
  double e = -lat->K * b - lat->h * m;
  c->p[P_B][i] = b;
  c->p[P_AM][i] = fabs(m);
  c->p[P_M2][i] = m * m;
  c->p[P_M4][i] = m * m * m * m;
  c->p[P_E][i] = e;
}

static void centre_series(double *x, double *sq, double *dev, double *dev_sq, size_t n) {
  double mean = 0;
  for (size_t i = 0; i < n; i++) mean += x[i];
  mean /= (double)n;
  for (size_t i = 0; i < n; i++) {
    dev[i] = x[i] - mean;
    if (sq) sq[i] = dev[i] * dev[i];
    if (dev_sq) dev_sq[i] = dev[i] * dev[i];
  }
}

static void derive_thermo(const double *mu, const void *ctx, double *d) {
  double N = (double)((const rgrbm_lattice *)ctx)->sites;
  d[0] = mu[P_B];
  d[1] = mu[P_AM];
  d[2] = mu[P_M2];
  d[3] = N * (mu[P_AMC] - mu[P_AMD] * mu[P_AMD]);
  d[4] = N * (mu[P_E2] - mu[P_E] * mu[P_E]);
  d[5] = 1 - mu[P_M4] / (3 * mu[P_M2] * mu[P_M2]);
}

/* Never a non-finite estimate with RGRBM_OK: the one reachable case is the
 * Binder cumulant of configurations that all have m = 0. */
static int check_thermo(const rgrbm_estimate e[6], const char *func) {
  static const char *const names[6] = {"bond_mean", "abs_magnetization", "magnetization2",
                                       "susceptibility", "specific_heat", "binder"};
  for (int r = 0; r < 6; r++)
    if (!isfinite(e[r].value) || !isfinite(e[r].error))
      return rgrbm__fail(RGRBM_ENUMERIC, func, "%s = %g +- %g is not finite%s", names[r],
                         e[r].value, e[r].error,
                         r == 5 ? " (<m^2> = 0 in all configurations or a bin: the cumulant "
                                  "is undefined)" : "");
  return RGRBM_OK;
}

static const size_t THERMO_BYTES[RGRBM_THERMO_VERSION] = {sizeof(rgrbm_thermo)};
static const rgrbm__layout THERMO = {"rgrbm_thermo", RGRBM_THERMO_VERSION, THERMO_BYTES};

int rgrbm_measure_thermo(const rgrbm_dataset *ds, const rgrbm_lattice *model, size_t bins,
                         rgrbm_thermo *out) {
  int rc = check_model(ds, model, __func__);
  if (rc != RGRBM_OK) return rc;
  RGRBM_REQUIRE_NONNULL(out);
  if ((rc = rgrbm__version_check(&THERMO, out->version, __func__, "out"))) return rc;
  if ((rc = check_bins(ds, bins, __func__)) != RGRBM_OK) return rc;
  if ((rc = check_energy_range(model, 1e150, "the specific heat's squares", __func__))) return rc;
  size_t n = ds->count;
  thermo_ctx c = {model, {0}};
  rgrbm__workspace ws = RGRBM__WORKSPACE_INIT;
  for (int carving = 0; carving < 2; carving++) {
    for (int p = 0; p < P_COUNT; p++) RGRBM__WS_TAKE(&ws, c.p[p], n);
    /* n rows of a dataset: the sizes cannot overflow */
    if (!carving && rgrbm__ws_alloc(&ws, 1) != RGRBM_OK)
      return RGRBM_FAIL_NOMEM("the measurements", ws.bytes);
  }
  jackknife j = {{0}, P_COUNT, 6, derive_thermo, model};
  for (int p = 0; p < P_COUNT; p++) j.series[p] = c.p[p];
  rc = for_each_config(ds, visit_thermo, &c, __func__);
  if (rc == RGRBM_OK) {
    centre_series(c.p[P_E], c.p[P_E2], c.p[P_E], NULL, n);
    centre_series(c.p[P_AM], NULL, c.p[P_AMD], c.p[P_AMC], n);
  }
  rgrbm_estimate e[6];
  if (rc == RGRBM_OK) rc = jackknife_run(&j, n, bins, e, __func__);
  rgrbm__ws_free(&ws);
  if (rc == RGRBM_OK) rc = check_thermo(e, __func__);
  if (rc != RGRBM_OK) return rc;
  rgrbm_thermo t;
  memset(&t, 0, sizeof t); /* padding too: the result is copied out byte by byte */
  t.version = RGRBM_THERMO_VERSION;
  t.bond_mean = e[0];
  t.abs_magnetization = e[1];
  t.magnetization2 = e[2];
  t.susceptibility = e[3];
  t.specific_heat = e[4];
  t.binder = e[5];
  rgrbm__versioned_write(&THERMO, out, &t);
  return RGRBM_OK;
}

/* ---- correlations ----------------------------------------------------- */

typedef struct corr_ctx {
  const rgrbm_lattice *model;
  int rmax;
  double *sum;
  double *pairs;
} corr_ctx;

/* Pairs (x, y)-(x + r dx, y + r dy) along one axis of side `side`. */
static void correlate_axis(corr_ctx *c, const int8_t *s, int dx, int dy) {
  const rgrbm_lattice *lat = c->model;
  int lx = lat->lx, ly = lat->ly, side = dx ? lx : ly, wrap = lat->boundary == RGRBM_PERIODIC;
  for (int r = 0; r <= c->rmax && r < side; r++)
    for (int y = 0; y < ly; y++)
      for (int x = 0; x < lx; x++) {
        int along = dx ? x : y;
        if (!wrap && along + r >= side) continue;
        int x2 = (x + r * dx) % lx, y2 = (y + r * dy) % ly;
        c->sum[r] += s[(size_t)y * lx + x] * s[(size_t)y2 * lx + x2];
        c->pairs[r] += 1;
      }
}

static void visit_corr(void *ctx, size_t i, const int8_t *s) {
  corr_ctx *c = ctx;
  correlate_axis(c, s, 1, 0);
  if (c->model->geometry == RGRBM_SQUARE) correlate_axis(c, s, 0, 1);
}

int rgrbm_measure_correlation(const rgrbm_dataset *ds, const rgrbm_lattice *model, int rmax,
                              double *g) {
  int rc = check_model(ds, model, __func__);
  if (rc != RGRBM_OK) return rc;
  RGRBM_REQUIRE_NONNULL(g);
  int longest = model->lx > model->ly ? model->lx : model->ly;
  if (rmax < 0 || rmax >= longest)
    return rgrbm__fail(RGRBM_EINVAL, __func__, "rmax = %d, must be in 0..%d (the longest side - 1)",
                       rmax, longest - 1);
  if (ds->count == 0) return rgrbm__fail(RGRBM_EINVAL, __func__, "ds holds no configurations");
  corr_ctx c = {model, rmax, NULL, NULL};
  rgrbm__workspace ws = RGRBM__WORKSPACE_INIT;
  for (int carving = 0; carving < 2; carving++) {
    RGRBM__WS_TAKE(&ws, c.sum, (size_t)rmax + 1); /* rmax < a side: cannot overflow */
    RGRBM__WS_TAKE(&ws, c.pairs, (size_t)rmax + 1);
    if (!carving && rgrbm__ws_alloc(&ws, 1) != RGRBM_OK)
      return RGRBM_FAIL_NOMEM("the correlation sums", ws.bytes);
  }
  rc = for_each_config(ds, visit_corr, &c, __func__);
  /* every r <= rmax < the longest side has pairs along that side */
  if (rc == RGRBM_OK)
    for (int r = 0; r <= rmax; r++) g[r] = c.sum[r] / c.pairs[r];
  rgrbm__ws_free(&ws);
  return rc;
}

/* ---- second-moment correlation length --------------------------------- */

typedef struct xi_ctx {
  const rgrbm_lattice *model;
  const double *cosk, *sink; /* cos, sin of 2 pi x / L */
  double *chi0, *f;
} xi_ctx;

static void visit_xi(void *ctx, size_t i, const int8_t *s) {
  xi_ctx *c = ctx;
  const rgrbm_lattice *lat = c->model;
  int lx = lat->lx, ly = lat->ly, square = lat->geometry == RGRBM_SQUARE;
  double m = 0, cx = 0, sx = 0, cy = 0, sy = 0;
  for (int y = 0; y < ly; y++)
    for (int x = 0; x < lx; x++) {
      double v = s[(size_t)y * lx + x];
      m += v;
      cx += v * c->cosk[x];
      sx += v * c->sink[x];
      cy += v * c->cosk[y];
      sy += v * c->sink[y];
    }
  double N = (double)lat->sites, fx = cx * cx + sx * sx, fy = cy * cy + sy * sy;
  c->chi0[i] = m * m / N;
  c->f[i] = (square ? 0.5 * (fx + fy) : fx) / N;
}

static void derive_xi(const double *mu, const void *ctx, double *d) {
  int L = ((const rgrbm_lattice *)ctx)->lx;
  double ratio = mu[0] / mu[1] - 1;
  d[0] = ratio > 0 ? sqrt(ratio) / (2 * sin(M_PI / L)) : NAN;
}

static int check_xi_model(const rgrbm_lattice *model, const char *func) {
  if (model->boundary != RGRBM_PERIODIC)
    return rgrbm__fail(RGRBM_EUNSUPPORTED, func,
                       "model boundary is open: the second-moment length needs periodic boundaries");
  if (model->geometry == RGRBM_SQUARE && model->lx != model->ly)
    return rgrbm__fail(RGRBM_EUNSUPPORTED, func,
                       "model lx = %d != ly = %d: the second-moment length needs a square torus",
                       model->lx, model->ly);
  return RGRBM_OK;
}

int rgrbm_measure_xi2(const rgrbm_dataset *ds, const rgrbm_lattice *model, size_t bins,
                      rgrbm_estimate *xi) {
  int rc = check_model(ds, model, __func__);
  if (rc != RGRBM_OK) return rc;
  RGRBM_REQUIRE_NONNULL(xi);
  if ((rc = check_bins(ds, bins, __func__)) != RGRBM_OK) return rc;
  if ((rc = check_xi_model(model, __func__)) != RGRBM_OK) return rc;
  size_t n = ds->count, L = (size_t)model->lx;
  double *chi0, *f, *cosk, *sink;
  rgrbm__workspace ws = RGRBM__WORKSPACE_INIT;
  for (int carving = 0; carving < 2; carving++) {
    RGRBM__WS_TAKE(&ws, chi0, n); /* n rows of a dataset: cannot overflow */
    RGRBM__WS_TAKE(&ws, f, n);
    RGRBM__WS_TAKE(&ws, cosk, L);
    RGRBM__WS_TAKE(&ws, sink, L);
    if (!carving && rgrbm__ws_alloc(&ws, 1) != RGRBM_OK)
      return RGRBM_FAIL_NOMEM("the measurements", ws.bytes);
  }
  for (size_t x = 0; x < L; x++) {
    cosk[x] = cos(2 * M_PI * (double)x / (double)L);
    sink[x] = sin(2 * M_PI * (double)x / (double)L);
  }
  xi_ctx c = {model, cosk, sink, chi0, f};
  jackknife j = {{chi0, f}, 2, 1, derive_xi, model};
  rgrbm_estimate e;
  rc = for_each_config(ds, visit_xi, &c, __func__);
  if (rc == RGRBM_OK) rc = jackknife_run(&j, n, bins, &e, __func__);
  rgrbm__ws_free(&ws);
  if (rc == RGRBM_OK && (!isfinite(e.value) || !isfinite(e.error)))
    rc = rgrbm__fail(RGRBM_ENUMERIC, __func__, "chi_0 <= F in all configurations or in a "
                     "jackknife bin: no correlation length is resolvable (xi = %g +- %g)",
                     e.value, e.error);
  if (rc == RGRBM_OK) *xi = e;
  return rc;
}
