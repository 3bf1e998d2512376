/* The coarse-graining flow: Swendsen-Wang samples at each K of a grid, each
 * map of the table applied once, K' = K_eff of the coarse configurations on
 * their own (L/2)^2 torus, and the crossing K' = K. */
#include <math.h>
#include <stdio.h>
#include <time.h>

#include "flow.h"

int flow_sample(int L, double K, size_t count, uint64_t thermalize, uint64_t seed,
                rgrbm_dataset **out) {
  rgrbm_lattice *lat = NULL;
  rgrbm_sampler *smp = NULL;
  rgrbm_dataset *ds = NULL;
  int rc = rgrbm_lattice_create(&lat, RGRBM_SQUARE, L, L, RGRBM_PERIODIC);
  if (!rc) rc = rgrbm_lattice_set_couplings(lat, K, 0);
  if (!rc) rc = rgrbm_lattice_randomize(lat, seed);
  if (!rc) rc = rgrbm_sampler_create(&smp, lat, RGRBM_SWENDSEN_WANG, seed);
  if (!rc) rc = rgrbm_dataset_create(&ds, (size_t)L * (size_t)L);
  if (!rc) rc = rgrbm_sampler_draw(smp, count, thermalize, 1, ds);
  if (rc) fprintf(stderr, "rg_flow: sampling %d^2 at K = %g: %s\n", L, K, rgrbm_last_error());
  rgrbm_sampler_destroy(smp);
  rgrbm_lattice_destroy(lat);
  if (rc) {
    rgrbm_dataset_destroy(ds);
    return rc;
  }
  *out = ds;
  return 0;
}

/* K' of one map on the samples: the coarse configurations' K_eff. A failure
 * of the thermometer (all coarse bonds satisfied) is a result, not an error:
 * *ok = 0 and the message on stderr. */
static int map_point(const flow_map *m, const rgrbm_dataset *fine, int L, size_t bins,
                     uint64_t seed, rgrbm_estimate *k_prime, int *ok) {
  rgrbm_rg *rg = NULL;
  rgrbm_dataset *coarse = NULL;
  int rc = m->create(&rg, L, seed);
  rgrbm_rg_dims d = RGRBM_RG_DIMS_INIT;
  if (!rc) rc = rgrbm_rg_shape(rg, &d);
  if (!rc) rc = rgrbm_dataset_create(&coarse, d.out_dim);
  if (!rc) rc = rgrbm_rg_apply(rg, fine, coarse);
  if (rc) {
    fprintf(stderr, "rg_flow: map %s on %d^2: %s\n", m->name, L, rgrbm_last_error());
  } else {
    *ok = rgrbm_measure_k_eff(coarse, bins, k_prime) == RGRBM_OK;
    if (!*ok) fprintf(stderr, "rg_flow: map %s: %s\n", m->name, rgrbm_last_error());
  }
  rgrbm_dataset_destroy(coarse);
  rgrbm_rg_destroy(rg);
  return rc;
}

int coarse_flow_run(const flow_config *c, coarse_flow *out) {
  double start = flow_now();
  out->k_count = c->k_count;
  out->n_maps = FLOW_MAP_COUNT < FLOW_MAX_MAPS ? FLOW_MAP_COUNT : FLOW_MAX_MAPS;
  for (int m = 0; m < out->n_maps; m++) {
    out->maps[m].map = &FLOW_MAPS[m];
    out->maps[m].coarse_L = c->L / 2;
  }
  for (int k = 0; k < c->k_count; k++) {
    double K = c->k_count == 1 ? c->k_min
                               : c->k_min + (c->k_max - c->k_min) * k / (c->k_count - 1);
    out->K[k] = K;
    rgrbm_dataset *fine;
    if (flow_sample(c->L, K, c->samples, c->thermalize, c->seed + (uint64_t)k, &fine)) return 1;
    int rc = rgrbm_measure_k_eff(fine, c->bins, &out->fine[k]);
    if (rc) fprintf(stderr, "rg_flow: K_eff of the fine samples: %s\n", rgrbm_last_error());
    for (int m = 0; !rc && m < out->n_maps; m++) {
      map_flow *mf = &out->maps[m];
      rc = map_point(mf->map, fine, c->L, c->bins, c->seed ^ UINT64_C(0x5eed), &mf->k_prime[k],
                     &mf->ok[k]);
    }
    rgrbm_dataset_destroy(fine);
    if (rc) return 1;
    fprintf(stderr, "rg_flow: K = %.4f: fine K_eff %.5f +- %.5f", K, out->fine[k].value,
            out->fine[k].error);
    for (int m = 0; m < out->n_maps; m++)
      fprintf(stderr, ", %s K' %.5f +- %.5f", out->maps[m].map->name,
              out->maps[m].k_prime[k].value, out->maps[m].k_prime[k].error);
    fprintf(stderr, "\n");
  }
  for (int m = 0; m < out->n_maps; m++) {
    map_flow *mf = &out->maps[m];
    mf->crossing = flow_find_crossing(out->K, mf->k_prime, mf->ok, c->k_count, c->crossing_points);
  }
  out->seconds = flow_now() - start;
  return 0;
}

/* Index j of the first sign change of d between points j and j + 1 (both
 * measured), or -1. */
static int sign_change(const double *d, const int *ok, int n) {
  for (int j = 0; j + 1 < n; j++)
    if (ok[j] && ok[j + 1] && (d[j] < 0) != (d[j + 1] < 0)) return j;
  return -1;
}

flow_crossing flow_find_crossing(const double *K, const rgrbm_estimate *k_prime, const int *ok,
                                 int n, int points) {
  flow_crossing x = {0, NAN, NAN, NAN, NAN, 0};
  double d[FLOW_MAX_COUPLINGS];
  for (int i = 0; i < n; i++) d[i] = k_prime[i].value - K[i];
  int j = sign_change(d, ok, n);
  if (j < 0) return x;
  /* the points nearest the straight-line crossing of j and j + 1 */
  double guess = K[j] - d[j] * (K[j + 1] - K[j]) / (d[j + 1] - d[j]);
  int use[FLOW_MAX_COUPLINGS] = {0}, used = 0;
  while (used < points) {
    int best = -1;
    for (int i = 0; i < n; i++)
      if (ok[i] && !use[i] && (best < 0 || fabs(K[i] - guess) < fabs(K[best] - guess))) best = i;
    if (best < 0) break;
    use[best] = 1, used++;
  }
  /* weighted least squares for d = a + s (K - K0), K0 the weighted mean of
   * the K used, so that a and s are uncorrelated; the K of the grid are
   * exact, the errors are K''s */
  double sw = 0, swk = 0;
  for (int i = 0; i < n; i++)
    if (use[i]) {
      double w = 1 / (k_prime[i].error * k_prime[i].error);
      sw += w, swk += w * K[i];
    }
  double K0 = swk / sw, swd = 0, swkk = 0, swkd = 0;
  for (int i = 0; i < n; i++)
    if (use[i]) {
      double w = 1 / (k_prime[i].error * k_prime[i].error), u = K[i] - K0;
      swd += w * d[i], swkk += w * u * u, swkd += w * u * d[i];
    }
  double a = swd / sw, s = swkd / swkk, chi2 = 0;
  for (int i = 0; i < n; i++)
    if (use[i]) {
      double r = (d[i] - a - s * (K[i] - K0)) / k_prime[i].error;
      chi2 += r * r;
    }
  /* K* = K0 - a / s; var = var(a) / s^2 + a^2 var(s) / s^4 */
  x.found = 1;
  x.value = K0 - a / s;
  x.error = sqrt(1 / sw / (s * s) + a * a / swkk / (s * s * s * s));
  x.slope = s;
  x.points = used;
  x.chi2_dof = used > 2 ? chi2 / (used - 2) : NAN;
  /* a line that does not fit its points (K' curves between them) leaves
   * more scatter than the errors say: widen the error by it (PDG's rule) */
  if (x.chi2_dof > 1) x.error *= sqrt(x.chi2_dof);
  return x;
}
