/* Estimators: series statistics on processes with known answers, observables
 * on hand-made configurations, and the correlation length of a sampled chain
 * against the transfer-matrix value. */
#include <math.h>

#include "rng.h"
#include "testutil.h"

/* AR(1) with unit variance: rho(t) = a^t, tau_int = (1 + a) / (2 (1 - a)). */
static double *ar1(size_t n, double a, uint64_t seed) {
  rgrbm__rng r;
  rgrbm__rng_init(&r, seed, 0);
  double *x = malloc(n * sizeof *x), prev = rgrbm__rng_normal(&r);
  for (size_t i = 0; i < n; i++) x[i] = prev = a * prev + sqrt(1 - a * a) * rgrbm__rng_normal(&r);
  return x;
}

START_TEST(series_statistics_of_ar1) {
  size_t n = 400000;
  double a = 0.8, tau_exact = (1 + a) / (2 * (1 - a));
  double *x = ar1(n, a, 11), mean, err, tau;
  ck_assert_ok(rgrbm_series_mean(x, n, &mean));
  ck_assert_ok(rgrbm_series_binned_error(x, n, 100, &err));
  ck_assert_ok(rgrbm_series_tau_int(x, n, &tau));
  double err_exact = sqrt(2 * tau_exact / (double)n);
  /* Sokal: sd(tau) ~ tau sqrt(2 (2W + 1) / n) with W ~ 6 tau; 4 sd. */
  double tau_sd = tau_exact * sqrt(2 * (12 * tau_exact + 1) / (double)n);
  ck_assert_msg(fabs(tau - tau_exact) < 4 * tau_sd, "tau %g vs %g", tau, tau_exact);
  /* The error estimate from 100 bins has relative sd 1/sqrt(2 * 99) = 7%. */
  ck_assert_msg(fabs(err / err_exact - 1) < 4 * 0.071, "err %g vs %g", err, err_exact);
  ck_assert_msg(fabs(mean) < 4 * err_exact, "mean %g", mean);
  free(x);
  /* White noise: tau = 1/2. */
  x = ar1(n, 0.0, 12);
  ck_assert_ok(rgrbm_series_tau_int(x, n, &tau));
  ck_assert_double_eq_tol(tau, 0.5, 4 * 0.5 * sqrt(2 * 7.0 / (double)n));
  free(x);
}
END_TEST

START_TEST(series_small_exact_cases) {
  double x[] = {1, 2, 3, 4, 5, 6}, mean, err;
  ck_assert_ok(rgrbm_series_mean(x, 6, &mean));
  ck_assert_double_eq(mean, 3.5);
  /* bins of 3: means 2 and 5, sd 3 / sqrt 2 * sqrt 2 / sqrt 2 = 1.5. */
  ck_assert_ok(rgrbm_series_binned_error(x, 6, 2, &err));
  ck_assert_double_eq_tol(err, 1.5, 1e-15);
  /* 7 values in 2 bins: the last is dropped. */
  double y[] = {1, 2, 3, 4, 5, 6, 1000};
  ck_assert_ok(rgrbm_series_binned_error(y, 7, 2, &err));
  ck_assert_double_eq_tol(err, 1.5, 1e-15);
}
END_TEST

static rgrbm_dataset *configs(rgrbm_lattice *lat, const int8_t *s, size_t count) {
  rgrbm_dataset *ds;
  ck_assert_ok(rgrbm_dataset_create(&ds, rgrbm_lattice_sites(lat)));
  ck_assert_ok(rgrbm_dataset_append(ds, s, count));
  return ds;
}

START_TEST(observables_of_known_configurations) {
  rgrbm_lattice *lat;
  ck_assert_ok(rgrbm_lattice_create(&lat, RGRBM_SQUARE, 4, 4, RGRBM_PERIODIC));
  ck_assert_ok(rgrbm_lattice_set_couplings(lat, 0.5, 0.25));
  int8_t s[3 * 16];
  for (int i = 0; i < 16; i++) {
    s[i] = 1;                            /* all up */
    s[16 + i] = -1;                      /* all down */
    s[32 + i] = (i / 4 + i % 4) % 2 ? -1 : 1; /* Neel */
  }
  rgrbm_dataset *ds = configs(lat, s, 3);
  double v[3];
  ck_assert_ok(rgrbm_measure(ds, lat, RGRBM_OBS_BOND_MEAN, v));
  ck_assert(v[0] == 2 && v[1] == 2 && v[2] == -2);
  ck_assert_ok(rgrbm_measure(ds, lat, RGRBM_OBS_MAGNETIZATION, v));
  ck_assert(v[0] == 1 && v[1] == -1 && v[2] == 0);
  ck_assert_ok(rgrbm_measure(ds, lat, RGRBM_OBS_ABS_MAGNETIZATION, v));
  ck_assert(v[0] == 1 && v[1] == 1 && v[2] == 0);
  ck_assert_ok(rgrbm_measure(ds, lat, RGRBM_OBS_MAGNETIZATION4, v));
  ck_assert(v[0] == 1 && v[2] == 0);
  ck_assert_ok(rgrbm_measure(ds, lat, RGRBM_OBS_ENERGY, v));
  ck_assert_double_eq_tol(v[0], -0.5 * 2 - 0.25, 1e-15);
  ck_assert_double_eq_tol(v[1], -0.5 * 2 + 0.25, 1e-15);
  ck_assert_double_eq_tol(v[2], 1.0, 1e-15);
  double g[4];
  ck_assert_ok(rgrbm_measure_correlation(ds, lat, 3, g));
  /* (1 + 1 + (-1)^r) / 3 */
  ck_assert_double_eq_tol(g[0], 1.0, 1e-15);
  ck_assert_double_eq_tol(g[1], 1.0 / 3, 1e-15);
  ck_assert_double_eq_tol(g[2], 1.0, 1e-15);
  rgrbm_dataset_destroy(ds);
  /* Up and down: |m| = m^2 = 1, chi = 0, U = 2/3; at h = 0 no energy spread. */
  ck_assert_ok(rgrbm_lattice_set_couplings(lat, 0.5, 0.0));
  ds = configs(lat, s, 2);
  rgrbm_thermo t = RGRBM_THERMO_INIT;
  ck_assert_ok(rgrbm_measure_thermo(ds, lat, 2, &t));
  ck_assert_double_eq(t.abs_magnetization.value, 1);
  ck_assert_double_eq(t.magnetization2.value, 1);
  ck_assert_double_eq(t.susceptibility.value, 0);
  ck_assert_double_eq(t.specific_heat.value, 0);
  ck_assert_double_eq_tol(t.binder.value, 2.0 / 3, 1e-15);
  ck_assert_double_eq(t.bond_mean.value, 2);
  ck_assert_double_eq(t.bond_mean.error, 0);
  rgrbm_dataset_destroy(ds);
  rgrbm_lattice_destroy(lat);
}
END_TEST

START_TEST(open_correlation_counts_inside_pairs) {
  rgrbm_lattice *lat;
  ck_assert_ok(rgrbm_lattice_create(&lat, RGRBM_CHAIN, 4, 1, RGRBM_OPEN));
  int8_t s[4] = {1, 1, -1, -1};
  rgrbm_dataset *ds = configs(lat, s, 1);
  double g[4];
  ck_assert_ok(rgrbm_measure_correlation(ds, lat, 3, g));
  ck_assert_double_eq_tol(g[1], 1.0 / 3, 1e-15);  /* ++, +-, -- */
  ck_assert_double_eq_tol(g[2], -1.0, 1e-15);     /* +-, +- */
  ck_assert_double_eq_tol(g[3], -1.0, 1e-15);
  rgrbm_dataset_destroy(ds);
  rgrbm_lattice_destroy(lat);
}
END_TEST

START_TEST(sampled_chain_correlation_length_is_exact) {
  /* Periodic chain: G(r) = (t^r + t^{n-r}) / (1 + t^n), t = tanh K. */
  const int n = 64;
  const double K = 1.0, t = tanh(K);
  double chi = 0, F = 0;
  for (int r = 0; r < n; r++) {
    double G = (pow(t, r) + pow(t, n - r)) / (1 + pow(t, n));
    chi += G;
    F += G * cos(2 * M_PI * r / n);
  }
  double xi_exact = sqrt(chi / F - 1) / (2 * sin(M_PI / n));
  rgrbm_lattice *lat;
  ck_assert_ok(rgrbm_lattice_create(&lat, RGRBM_CHAIN, n, 1, RGRBM_PERIODIC));
  ck_assert_ok(rgrbm_lattice_set_couplings(lat, K, 0.0));
  rgrbm_sampler *smp;
  ck_assert_ok(rgrbm_sampler_create(&smp, lat, RGRBM_SWENDSEN_WANG, 2024));
  rgrbm_dataset *ds;
  ck_assert_ok(rgrbm_dataset_create(&ds, n));
  ck_assert_ok(rgrbm_sampler_draw(smp, 40000, 100, 1, ds));
  rgrbm_estimate xi;
  ck_assert_ok(rgrbm_measure_xi2(ds, lat, 40, &xi));
  ck_assert_msg(fabs(xi.value - xi_exact) < 4 * xi.error, "xi %g +- %g vs %g", xi.value, xi.error,
                xi_exact);
  rgrbm_thermo th = RGRBM_THERMO_INIT;
  double g[2];
  ck_assert_ok(rgrbm_measure_thermo(ds, lat, 40, &th));
  ck_assert_ok(rgrbm_measure_correlation(ds, lat, 1, g));
  ck_assert_double_eq_tol(g[1], th.bond_mean.value, 1e-12); /* G(1) is the chain's bond mean */
  double G1 = (t + pow(t, n - 1)) / (1 + pow(t, n));
  ck_assert_msg(fabs(g[1] - G1) < 4 * th.bond_mean.error, "G(1) %g vs %g", g[1], G1);
  rgrbm_dataset_destroy(ds);
  rgrbm_sampler_destroy(smp);
  rgrbm_lattice_destroy(lat);
}
END_TEST

START_TEST(bad_arguments_are_named) {
  double x[4] = {1, 2, 3, 4}, r = 7;
  ck_assert_fails(rgrbm_series_mean(NULL, 4, &r), RGRBM_EINVAL, "rgrbm_series_mean", "x is NULL");
  ck_assert_fails(rgrbm_series_mean(x, 0, &r), RGRBM_EINVAL, "n = 0");
  ck_assert_fails(rgrbm_series_mean(x, 4, NULL), RGRBM_EINVAL, "mean is NULL");
  ck_assert_fails(rgrbm_series_binned_error(x, 4, 2, NULL), RGRBM_EINVAL, "error is NULL");
  ck_assert_fails(rgrbm_series_tau_int(x, 4, NULL), RGRBM_EINVAL, "tau is NULL");
  ck_assert_fails(rgrbm_series_tau_int(NULL, 4, &r), RGRBM_EINVAL, "x is NULL");
  x[2] = NAN;
  ck_assert_fails(rgrbm_series_mean(x, 4, &r), RGRBM_ENUMERIC, "x[2] = nan");
  x[2] = 3;
  ck_assert_fails(rgrbm_series_binned_error(x, 4, 1, &r), RGRBM_EINVAL,
                  "rgrbm_series_binned_error", "bins = 1");
  ck_assert_fails(rgrbm_series_binned_error(x, 4, 5, &r), RGRBM_EINVAL, "n = 4");
  ck_assert_fails(rgrbm_series_tau_int(x, 1, &r), RGRBM_EINVAL, "rgrbm_series_tau_int", "n = 1");
  double c[3] = {2, 2, 2};
  ck_assert_fails(rgrbm_series_tau_int(c, 3, &r), RGRBM_ENUMERIC, "constant");
  ck_assert_double_eq(r, 7);

  rgrbm_lattice *lat, *other;
  ck_assert_ok(rgrbm_lattice_create(&lat, RGRBM_SQUARE, 4, 4, RGRBM_PERIODIC));
  ck_assert_ok(rgrbm_lattice_create(&other, RGRBM_SQUARE, 4, 2, RGRBM_PERIODIC));
  int8_t s[32];
  memset(s, 1, sizeof s);
  rgrbm_dataset *ds = configs(lat, s, 2);
  double v[2];
  rgrbm_thermo t = RGRBM_THERMO_INIT;
  rgrbm_estimate xi;
  ck_assert_fails(rgrbm_measure(NULL, lat, RGRBM_OBS_BOND_MEAN, v), RGRBM_EINVAL, "rgrbm_measure",
                  "ds");
  ck_assert_fails(rgrbm_measure(ds, NULL, RGRBM_OBS_BOND_MEAN, v), RGRBM_EINVAL, "model");
  ck_assert_fails(rgrbm_measure(ds, other, RGRBM_OBS_BOND_MEAN, v), RGRBM_EINVAL, "dim = 16",
                  "8 sites");
  ck_assert_fails(rgrbm_measure(ds, lat, (rgrbm_observable)17, v), RGRBM_EINVAL, "obs = 17");
  ck_assert_fails(rgrbm_measure(ds, lat, RGRBM_OBS_BOND_MEAN, NULL), RGRBM_EINVAL, "out");
  ck_assert_fails(rgrbm_measure_thermo(ds, lat, 3, &t), RGRBM_EINVAL, "rgrbm_measure_thermo",
                  "bins = 3");
  ck_assert_fails(rgrbm_measure_thermo(ds, lat, 1, &t), RGRBM_EINVAL, "bins = 1");
  ck_assert_fails(rgrbm_measure_thermo(ds, other, 2, &t), RGRBM_EINVAL, "dim");
  ck_assert_fails(rgrbm_measure_thermo(ds, lat, 2, NULL), RGRBM_EINVAL, "out");
  ck_assert_fails(rgrbm_measure_correlation(ds, lat, 4, v), RGRBM_EINVAL,
                  "rgrbm_measure_correlation", "rmax = 4");
  ck_assert_fails(rgrbm_measure_correlation(ds, lat, -1, v), RGRBM_EINVAL, "rmax = -1");
  ck_assert_fails(rgrbm_measure_correlation(ds, lat, 1, NULL), RGRBM_EINVAL, "g");
  ck_assert_fails(rgrbm_measure_xi2(ds, lat, 1, &xi), RGRBM_EINVAL, "rgrbm_measure_xi2",
                  "bins = 1");
  ck_assert_fails(rgrbm_measure_xi2(ds, lat, 2, NULL), RGRBM_EINVAL, "xi");
  rgrbm_dataset *empty;
  ck_assert_ok(rgrbm_dataset_create(&empty, 16));
  ck_assert_fails(rgrbm_measure_correlation(empty, lat, 1, v), RGRBM_EINVAL, "no configurations");
  rgrbm_dataset_destroy(empty);
  rgrbm_lattice *open, *rect;
  ck_assert_ok(rgrbm_lattice_create(&open, RGRBM_SQUARE, 4, 4, RGRBM_OPEN));
  ck_assert_ok(rgrbm_lattice_create(&rect, RGRBM_SQUARE, 8, 2, RGRBM_PERIODIC));
  ck_assert_fails(rgrbm_measure_xi2(ds, open, 2, &xi), RGRBM_EUNSUPPORTED, "open");
  ck_assert_fails(rgrbm_measure_xi2(ds, rect, 2, &xi), RGRBM_EUNSUPPORTED, "lx = 8 != ly = 2");
  rgrbm_lattice_destroy(open);
  rgrbm_lattice_destroy(rect);
  rgrbm_dataset_destroy(ds);
  rgrbm_lattice_destroy(lat);
  rgrbm_lattice_destroy(other);
}
END_TEST

static Suite *estimate_suite(void) {
  Suite *s = suite_create("estimate");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, series_statistics_of_ar1);
  tcase_add_test(tc, series_small_exact_cases);
  tcase_add_test(tc, observables_of_known_configurations);
  tcase_add_test(tc, open_correlation_counts_inside_pairs);
  tcase_add_test(tc, sampled_chain_correlation_length_is_exact);
  tcase_add_test(tc, bad_arguments_are_named);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return rgrbm_test_run(estimate_suite()); }
