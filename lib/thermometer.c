/* K_eff: the temperature of sampled configurations read off the exact
 * finite torus (the bond mean they show, inverted through Kaufman's
 * solution by rgrbm_exact_torus_coupling). */
#include "rgrbm/measure.h"
#include "rgrbm/series.h"

#include <math.h>

#include "alloc.h"
#include "dataset.h"
#include "exact.h"
#include "exact_coupling.h"
#include "fail.h"
#include "lattice.h"

static int check_k_eff_args(const rgrbm_dataset *ds, size_t bins, const rgrbm_estimate *k_eff,
                            const char *func) {
  if (ds == NULL) return rgrbm__fail(RGRBM_EINVAL, func, "ds is NULL");
  if (k_eff == NULL) return rgrbm__fail(RGRBM_EINVAL, func, "k_eff is NULL");
  if (ds->lx == 0)
    return rgrbm__fail(RGRBM_EINVAL, func, "ds (dim = %zu) has no 2D shape: the thermometer "
                       "needs the torus's sides (rgrbm_dataset_set_shape)", ds->dim);
  if (ds->lx < 2 || ds->ly < 2)
    return rgrbm__fail(RGRBM_EINVAL, func, "ds shape %d x %d: a torus needs both sides >= 2",
                       ds->lx, ds->ly);
  /* the exact torus's own limits, before any configuration is read */
  int rc = rgrbm__exact_check_torus_sides(ds->lx, ds->ly, func);
  if (rc != RGRBM_OK) return rc;
  if (bins < 2) return rgrbm__fail(RGRBM_EINVAL, func, "bins = %zu, at least 2 are needed", bins);
  if (ds->count < bins)
    return rgrbm__fail(RGRBM_EINVAL, func, "ds holds %zu configurations, fewer than bins = %zu",
                       ds->count, bins);
  return RGRBM_OK;
}

/* b = B / N of every configuration, on the periodic square lattice of the
 * dataset's shape. */
static int bond_means(const rgrbm_dataset *ds, double *b, const char *func) {
  int8_t *spins = rgrbm__alloc(ds->dim);
  if (spins == NULL) return RGRBM_FAIL_NOMEM_IN(func, "one configuration", ds->dim);
  for (size_t i = 0; i < ds->count; i++) {
    rgrbm_dataset_get(ds, i, 1, spins);
    long long B = rgrbm__bond_sum(spins, RGRBM_SQUARE, ds->lx, ds->ly, RGRBM_PERIODIC);
    b[i] = (double)B / (double)ds->dim;
  }
  rgrbm__free(spins);
  return RGRBM_OK;
}

/* The mean of b over all configurations and its binned standard error. */
static int bond_mean_estimate(const rgrbm_dataset *ds, size_t bins, rgrbm_estimate *mean,
                              const char *func) {
  double *b = rgrbm__calloc(ds->count, sizeof *b);
  if (b == NULL) return RGRBM_FAIL_NOMEM_IN(func, "the bond means", ds->count * sizeof *b);
  int rc = bond_means(ds, b, func);
  if (rc == RGRBM_OK && (rc = rgrbm_series_mean(b, ds->count, &mean->value)) != RGRBM_OK)
    rc = rgrbm__fail_within(rc, func);
  if (rc == RGRBM_OK &&
      (rc = rgrbm_series_binned_error(b, ds->count, bins, &mean->error)) != RGRBM_OK)
    rc = rgrbm__fail_within(rc, func);
  rgrbm__free(b);
  return rc;
}

int rgrbm_measure_k_eff(const rgrbm_dataset *ds, size_t bins, rgrbm_estimate *k_eff) {
  int rc = check_k_eff_args(ds, bins, k_eff, __func__);
  if (rc != RGRBM_OK) return rc;
  rgrbm_estimate b;
  if ((rc = bond_mean_estimate(ds, bins, &b, __func__)) != RGRBM_OK) return rc;
  double K, slope;
  rc = rgrbm__exact_torus_coupling(ds->lx, ds->ly, b.value, &K, &slope, __func__);
  if (rc != RGRBM_OK) return rc;
  /* linear propagation: dK = db / (db/dK) at the solution */
  double error = b.error / slope;
  if (!isfinite(error))
    return rgrbm__fail(RGRBM_ENUMERIC, __func__, "bond mean %.17g +- %g: K_eff = %.17g, where "
                       "the exact slope db/dK = %g is too small to carry the error", b.value,
                       b.error, K, slope);
  k_eff->value = K;
  k_eff->error = error;
  return RGRBM_OK;
}
