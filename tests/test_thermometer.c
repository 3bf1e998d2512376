/* The exact thermometer: rgrbm_exact_torus_coupling inverts Kaufman's bond
 * mean, and rgrbm_measure_k_eff reads the coupling of sampled configurations
 * back within their errors. */
#include <math.h>

#include "testutil.h"

/* Tori from 4 x 4 to 64 x 64, with unequal and odd sides. */
static const int SIDES[][2] = {{4, 4}, {6, 10}, {5, 5}, {16, 16}, {12, 7}, {32, 48}, {64, 64}};
static const double COUPLINGS[] = {0.1, 0.2, 0.3, 0.4, RGRBM_K_CRITICAL, 0.47, 0.5, 0.6, 0.8, 1.0};
enum {
  N_SIDES = sizeof SIDES / sizeof SIDES[0],
  N_COUPLINGS = sizeof COUPLINGS / sizeof COUPLINGS[0]
};

static double torus_bond_mean(int lx, int ly, double K) {
  rgrbm_exact e = RGRBM_EXACT_INIT;
  ck_assert_ok(rgrbm_exact_torus(lx, ly, K, &e));
  return e.bond_mean;
}

START_TEST(exact_bond_means_give_back_their_coupling) {
  double worst = 0;
  for (int s = 0; s < N_SIDES; s++)
    for (int k = 0; k < N_COUPLINGS; k++) {
      int lx = SIDES[s][0], ly = SIDES[s][1];
      double K = COUPLINGS[k], b = torus_bond_mean(lx, ly, K), back = -1;
      ck_assert_ok(rgrbm_exact_torus_coupling(lx, ly, b, &back));
      ck_assert_msg(fabs(back - K) < 1e-8, "%d x %d: K = %.17g gives b = %.17g, back %.17g", lx,
                    ly, K, b, back);
      worst = fmax(worst, fabs(back - K));
    }
  /* 1e-8 is the goal each case meets; the solver's own tolerance is 1e-10,
   * and the worst case is held to that too */
  ck_assert_msg(worst < 1e-10, "worst round trip %g", worst);
}
END_TEST

START_TEST(negative_and_zero_bond_means) {
  double K = -1;
  ck_assert_ok(rgrbm_exact_torus_coupling(8, 8, 0.0, &K));
  ck_assert_double_eq(K, 0.0);
  /* a bipartite torus: b(-K) = -b(K) */
  double b = torus_bond_mean(8, 6, 0.35);
  ck_assert_ok(rgrbm_exact_torus_coupling(8, 6, -b, &K));
  ck_assert_double_eq_tol(K, -0.35, 1e-10);
  /* high temperature: b = 2 tanh K + O(tanh^5 K) on a wide torus */
  ck_assert_ok(rgrbm_exact_torus_coupling(32, 32, torus_bond_mean(32, 32, 0.01), &K));
  ck_assert_double_eq_tol(K, 0.01, 1e-10);
}
END_TEST

/* Configurations of the L x L torus at K from Swendsen-Wang (fixed seed),
 * one every `spacing` sweeps. */
static rgrbm_dataset *swendsen_wang(int L, double K, size_t count, uint64_t spacing,
                                    uint64_t seed) {
  rgrbm_lattice *lat;
  rgrbm_sampler *smp;
  rgrbm_dataset *ds;
  ck_assert_ok(rgrbm_lattice_create(&lat, RGRBM_SQUARE, L, L, RGRBM_PERIODIC));
  ck_assert_ok(rgrbm_lattice_set_couplings(lat, K, 0));
  ck_assert_ok(rgrbm_lattice_randomize(lat, seed));
  ck_assert_ok(rgrbm_sampler_create(&smp, lat, RGRBM_SWENDSEN_WANG, seed));
  ck_assert_ok(rgrbm_dataset_create(&ds, (size_t)L * (size_t)L));
  ck_assert_ok(rgrbm_sampler_draw(smp, count, 200, spacing, ds));
  rgrbm_sampler_destroy(smp);
  rgrbm_lattice_destroy(lat);
  return ds;
}

START_TEST(sampled_configurations_read_their_coupling) {
  static const struct { int L; double K; } runs[] = {{16, 0.30}, {16, RGRBM_K_CRITICAL},
                                                      {32, 0.40}, {32, 0.50}};
  for (size_t r = 0; r < sizeof runs / sizeof runs[0]; r++) {
    int L = runs[r].L;
    double K = runs[r].K;
    size_t count = 4000, bins = 40;
    rgrbm_dataset *ds = swendsen_wang(L, K, count, 1, 100 + r);
    rgrbm_estimate k_eff = {0, 0};
    ck_assert_ok(rgrbm_measure_k_eff(ds, bins, &k_eff));
    ck_assert_msg(k_eff.error > 0 && k_eff.error < 0.01, "%d^2 at K = %g: error %g", L, K,
                  k_eff.error);
    ck_assert_msg(fabs(k_eff.value - K) < 3 * k_eff.error, "%d^2 at K = %g: K_eff = %g +- %g",
                  L, K, k_eff.value, k_eff.error);
    /* the same numbers through the public pieces: the bond mean of
     * rgrbm_measure_thermo (count is a multiple of bins, so both use every
     * configuration), inverted, and its error over the exact slope C / K^2 */
    rgrbm_lattice *model;
    ck_assert_ok(rgrbm_lattice_create(&model, RGRBM_SQUARE, L, L, RGRBM_PERIODIC));
    rgrbm_thermo t = RGRBM_THERMO_INIT;
    ck_assert_ok(rgrbm_measure_thermo(ds, model, bins, &t));
    double K_back;
    ck_assert_ok(rgrbm_exact_torus_coupling(L, L, t.bond_mean.value, &K_back));
    ck_assert_double_eq_tol(k_eff.value, K_back, 1e-12);
    rgrbm_exact e = RGRBM_EXACT_INIT;
    ck_assert_ok(rgrbm_exact_torus(L, L, k_eff.value, &e));
    double slope = e.specific_heat / (k_eff.value * k_eff.value);
    /* the jackknife forms its variance as <d^2> - <d>^2 of means near 1.4
     * that differ by 1e-4: about 1e-7 relative rounding (1e-9 measured) */
    ck_assert_double_eq_tol(k_eff.error * slope, t.bond_mean.error, 1e-6 * t.bond_mean.error);
    rgrbm_lattice_destroy(model);
    rgrbm_dataset_destroy(ds);
  }
}
END_TEST

/* count copies of one configuration of an lx x ly torus given by f(x, y). */
static rgrbm_dataset *repeated(int lx, int ly, size_t count, int (*f)(int, int)) {
  size_t dim = (size_t)lx * (size_t)ly;
  int8_t *s = malloc(dim * count);
  for (size_t c = 0; c < count; c++)
    for (int y = 0; y < ly; y++)
      for (int x = 0; x < lx; x++) s[c * dim + (size_t)y * lx + x] = (int8_t)f(x, y);
  rgrbm_dataset *ds;
  ck_assert_ok(rgrbm_dataset_create(&ds, dim));
  ck_assert_ok(rgrbm_dataset_append(ds, s, count));
  ck_assert_ok(rgrbm_dataset_set_shape(ds, lx, ly));
  free(s);
  return ds;
}

static int aligned(int x, int y) { return 1 + 0 * (x + y); }
static int checkerboard(int x, int y) { return (x + y) % 2 ? -1 : 1; }

START_TEST(bad_inputs_are_named) {
  double K = 7;
  ck_assert_fails(rgrbm_exact_torus_coupling(8, 8, 1.0, NULL), RGRBM_EINVAL,
                  "rgrbm_exact_torus_coupling", "K is NULL");
  ck_assert_fails(rgrbm_exact_torus_coupling(1, 8, 1.0, &K), RGRBM_EINVAL, "lx = 1");
  ck_assert_fails(rgrbm_exact_torus_coupling(8, RGRBM_LATTICE_MAX_SIDE + 1, 1.0, &K),
                  RGRBM_EINVAL, "ly = ");
  ck_assert_fails(rgrbm_exact_torus_coupling(8, 8, NAN, &K), RGRBM_EINVAL, "bond_mean = nan");
  ck_assert_fails(rgrbm_exact_torus_coupling(8, 8, 2.5, &K), RGRBM_EINVAL, "bond_mean = 2.5",
                  "[-2, 2]");
  ck_assert_fails(rgrbm_exact_torus_coupling(8, 8, 2.0, &K), RGRBM_ENUMERIC, "bond_mean = 2",
                  "infinite");
  ck_assert_fails(rgrbm_exact_torus_coupling(8, 8, -2.0, &K), RGRBM_ENUMERIC, "minus infinite");
  ck_assert_fails(rgrbm_exact_torus_coupling(8, 5, -0.5, &K), RGRBM_EUNSUPPORTED,
                  "bond_mean = -0.5", "8 x 5", "odd side");
  ck_assert_double_eq(K, 7); /* untouched by every failure */

  rgrbm_estimate k = {3, 4};
  rgrbm_dataset *ds = repeated(4, 4, 4, aligned);
  ck_assert_fails(rgrbm_measure_k_eff(NULL, 2, &k), RGRBM_EINVAL, "rgrbm_measure_k_eff",
                  "ds is NULL");
  ck_assert_fails(rgrbm_measure_k_eff(ds, 2, NULL), RGRBM_EINVAL, "k_eff is NULL");
  ck_assert_fails(rgrbm_measure_k_eff(ds, 1, &k), RGRBM_EINVAL, "bins = 1");
  ck_assert_fails(rgrbm_measure_k_eff(ds, 5, &k), RGRBM_EINVAL, "4 configurations",
                  "bins = 5");
  ck_assert_fails(rgrbm_measure_k_eff(ds, 2, &k), RGRBM_ENUMERIC, "rgrbm_measure_k_eff",
                  "bond_mean = 2", "infinite");
  rgrbm_dataset_destroy(ds);
  ds = repeated(4, 4, 4, checkerboard);
  ck_assert_fails(rgrbm_measure_k_eff(ds, 2, &k), RGRBM_ENUMERIC, "minus infinite");
  rgrbm_dataset_destroy(ds);
  ds = repeated(3, 4, 4, checkerboard); /* frustrated along x: b = -4/3 */
  ck_assert_fails(rgrbm_measure_k_eff(ds, 2, &k), RGRBM_EUNSUPPORTED, "3 x 4", "odd side");
  rgrbm_dataset_destroy(ds);
  ds = repeated(16, 1, 4, aligned);
  ck_assert_fails(rgrbm_measure_k_eff(ds, 2, &k), RGRBM_EINVAL, "16 x 1", "sides >= 2");
  rgrbm_dataset_destroy(ds);
  ck_assert_ok(rgrbm_dataset_create(&ds, 16));
  ck_assert_fails(rgrbm_measure_k_eff(ds, 2, &k), RGRBM_EINVAL, "no 2D shape");
  rgrbm_dataset_destroy(ds);
  ck_assert(k.value == 3 && k.error == 4);
}
END_TEST

static Suite *thermometer_suite(void) {
  Suite *s = suite_create("thermometer");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, exact_bond_means_give_back_their_coupling);
  tcase_add_test(tc, negative_and_zero_bond_means);
  tcase_add_test(tc, sampled_configurations_read_their_coupling);
  tcase_add_test(tc, bad_inputs_are_named);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return rgrbm_test_run(thermometer_suite()); }
