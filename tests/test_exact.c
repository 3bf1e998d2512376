/* Exact references checked against each other: Kaufman's torus against
 * enumeration and against Onsager, the transfer matrix against enumeration
 * and the chain's closed forms, Onsager's specific heat against the
 * derivative of its bond mean. */
#include <math.h>

#include "testutil.h"

static void assert_close(double a, double b, double rel, const char *what) {
  ck_assert_msg(fabs(a - b) <= rel * fmax(1.0, fabs(b)), "%s: %.17g vs %.17g", what, a, b);
}

START_TEST(kaufman_matches_enumeration) {
  const int sides[][2] = {{4, 4}, {3, 4}, {4, 3}, {2, 5}, {5, 4}, {2, 2}};
  const double Ks[] = {0.05, 0.3, RGRBM_K_CRITICAL, 0.5, 1.2};
  for (size_t i = 0; i < sizeof sides / sizeof sides[0]; i++)
    for (size_t k = 0; k < sizeof Ks / sizeof Ks[0]; k++) {
      rgrbm_exact a, b;
      ck_assert_ok(rgrbm_exact_torus(sides[i][0], sides[i][1], Ks[k], &a));
      ck_assert_ok(rgrbm_exact_enumerate(RGRBM_SQUARE, sides[i][0], sides[i][1], RGRBM_PERIODIC,
                                         Ks[k], 0.0, &b));
      assert_close(a.log_z_per_site, b.log_z_per_site, 1e-13, "log Z");
      assert_close(a.bond_mean, b.bond_mean, 1e-12, "bond mean");
      assert_close(a.specific_heat, b.specific_heat, 1e-10, "specific heat");
      ck_assert(isnan(a.magnetization));
    }
}
END_TEST

START_TEST(kaufman_256_matches_onsager) {
  const double N = 256.0 * 256.0;
  rgrbm_exact a, b;
  /* Off K_c the finite-size corrections are exponentially small, except the
   * ordered phase's twofold degeneracy, ln 2 / N in log Z per site. */
  const double Ks[] = {0.2, 0.3, 0.5, 0.7};
  for (size_t k = 0; k < 4; k++) {
    ck_assert_ok(rgrbm_exact_torus(256, 256, Ks[k], &a));
    ck_assert_ok(rgrbm_exact_onsager(Ks[k], &b));
    double degeneracy = Ks[k] > RGRBM_K_CRITICAL ? log(2.0) / N : 0.0;
    assert_close(a.log_z_per_site - degeneracy, b.log_z_per_site, 1e-12, "log Z");
    assert_close(a.bond_mean, b.bond_mean, 1e-10, "bond mean");
    assert_close(a.specific_heat, b.specific_heat, 1e-8, "specific heat");
  }
  /* At K_c the torus approaches Onsager with corrections of order 1/L. */
  ck_assert_ok(rgrbm_exact_torus(256, 256, RGRBM_K_CRITICAL, &a));
  ck_assert_ok(rgrbm_exact_onsager(RGRBM_K_CRITICAL, &b));
  ck_assert_double_eq_tol(a.bond_mean, b.bond_mean, 0.01);
  ck_assert_double_eq_tol(a.log_z_per_site, b.log_z_per_site, 1e-4);
  ck_assert(isinf(b.specific_heat));
  ck_assert(isfinite(a.specific_heat) && a.specific_heat > 1.0);
}
END_TEST

START_TEST(onsager_known_values) {
  rgrbm_exact e;
  ck_assert_ok(rgrbm_exact_onsager(RGRBM_K_CRITICAL, &e));
  ck_assert_double_eq_tol(e.bond_mean, sqrt(2.0), 1e-14);
  ck_assert_double_eq(e.magnetization, 0.0);
  /* log Z per site at K_c: 2G/pi + ln(2)/2, G Catalan's constant. */
  ck_assert_double_eq_tol(e.log_z_per_site, 2 * 0.915965594177219015 / M_PI + log(2.0) / 2, 1e-12);
  /* C = K^2 d(bond mean)/dK, by a central difference. */
  const double Ks[] = {0.2, 0.4, 0.48, 0.8};
  for (size_t k = 0; k < 4; k++) {
    rgrbm_exact lo, hi;
    double d = 1e-5;
    ck_assert_ok(rgrbm_exact_onsager(Ks[k], &e));
    ck_assert_ok(rgrbm_exact_onsager(Ks[k] - d, &lo));
    ck_assert_ok(rgrbm_exact_onsager(Ks[k] + d, &hi));
    assert_close(e.specific_heat, Ks[k] * Ks[k] * (hi.bond_mean - lo.bond_mean) / (2 * d), 1e-6,
                 "C vs d(bond mean)/dK");
    /* and bond mean = d(log Z per site)/dK */
    assert_close(e.bond_mean, (hi.log_z_per_site - lo.log_z_per_site) / (2 * d), 1e-7,
                 "bond mean vs d(log Z)/dK");
  }
  ck_assert_ok(rgrbm_exact_onsager(0.5, &e));
  ck_assert_double_eq_tol(e.magnetization, pow(1 - pow(sinh(1.0), -4), 0.125), 1e-15);
  ck_assert_ok(rgrbm_exact_onsager(3.0, &e));
  ck_assert_double_gt(e.magnetization, 0.999999);
}
END_TEST

START_TEST(chain_matches_enumeration) {
  const double Ks[] = {-0.8, 0.0, 0.4, 1.3}, hs[] = {0.0, 0.25, -0.7};
  for (int bc = 0; bc < 2; bc++)
    for (int n = 1; n <= 12; n++)
      for (size_t k = 0; k < 4; k++)
        for (size_t j = 0; j < 3; j++) {
          rgrbm_exact a, b;
          ck_assert_ok(rgrbm_exact_chain(n, Ks[k], hs[j], (rgrbm_boundary)bc, &a));
          ck_assert_ok(rgrbm_exact_enumerate(RGRBM_CHAIN, n, 1, (rgrbm_boundary)bc, Ks[k], hs[j], &b));
          assert_close(a.log_z_per_site, b.log_z_per_site, 1e-13, "log Z");
          assert_close(a.bond_mean, b.bond_mean, 1e-12, "bond mean");
          assert_close(a.magnetization, b.magnetization, 1e-12, "magnetization");
          assert_close(a.specific_heat, b.specific_heat, 1e-10, "specific heat");
        }
}
END_TEST

START_TEST(long_chain_reaches_the_closed_forms) {
  /* n -> infinity: log Z / n = ln lambda_+, lambda_+ = e^K cosh h +
   * sqrt(e^{2K} sinh^2 h + e^{-2K}); at h = 0 the bond mean is tanh K and
   * C = K^2 / cosh^2 K. */
  double K = 0.9, h = 0.3;
  rgrbm_exact e;
  ck_assert_ok(rgrbm_exact_chain(1000000, K, h, RGRBM_PERIODIC, &e));
  double lambda = exp(K) * cosh(h) + sqrt(exp(2 * K) * sinh(h) * sinh(h) + exp(-2 * K));
  assert_close(e.log_z_per_site, log(lambda), 1e-12, "log Z");
  double m = sinh(h) / sqrt(sinh(h) * sinh(h) + exp(-4 * K));
  assert_close(e.magnetization, m, 1e-10, "magnetization");
  ck_assert_ok(rgrbm_exact_chain(1000000, K, 0.0, RGRBM_OPEN, &e));
  assert_close(e.bond_mean, tanh(K) * (1 - 1e-6), 1e-10, "bond mean, open");
  assert_close(e.specific_heat, K * K / (cosh(K) * cosh(K)), 1e-5, "specific heat");
  ck_assert_ok(rgrbm_exact_chain(2000000000, K, 0.0, RGRBM_PERIODIC, &e));
  assert_close(e.bond_mean, tanh(K), 1e-9, "bond mean, n = 2e9");
}
END_TEST

START_TEST(enumeration_magnetization_moments) {
  /* 2 x 1 open: states ++, --, +-, -+ with weights e^K, e^K, e^-K, e^-K. */
  rgrbm_exact e;
  double K = 0.7, w = exp(K) / (exp(K) + exp(-K));
  ck_assert_ok(rgrbm_exact_enumerate(RGRBM_SQUARE, 2, 1, RGRBM_OPEN, K, 0.0, &e));
  ck_assert_double_eq_tol(e.abs_magnetization, w, 1e-15);
  ck_assert_double_eq_tol(e.magnetization2, w, 1e-15);
  ck_assert_double_eq_tol(e.magnetization4, w, 1e-15);
  ck_assert_double_eq_tol(e.magnetization, 0.0, 1e-15);
  /* 25 sites, the documented limit, runs. */
  ck_assert_ok(rgrbm_exact_enumerate(RGRBM_SQUARE, 5, 5, RGRBM_PERIODIC, 0.4, 0.0, &e));
  rgrbm_exact t;
  ck_assert_ok(rgrbm_exact_torus(5, 5, 0.4, &t));
  assert_close(e.bond_mean, t.bond_mean, 1e-12, "5 x 5 bond mean");
}
END_TEST

START_TEST(bad_arguments_are_named) {
  rgrbm_exact e;
  e.bond_mean = 42;
  ck_assert_fails(rgrbm_exact_chain(0, 0.1, 0, RGRBM_PERIODIC, &e), RGRBM_EINVAL,
                  "rgrbm_exact_chain", "n = 0");
  ck_assert_fails(rgrbm_exact_chain(4, NAN, 0, RGRBM_PERIODIC, &e), RGRBM_EINVAL, "K = nan");
  ck_assert_fails(rgrbm_exact_chain(4, 0.1, INFINITY, RGRBM_PERIODIC, &e), RGRBM_EINVAL, "h = inf");
  ck_assert_fails(rgrbm_exact_chain(4, 0.1, 0, (rgrbm_boundary)5, &e), RGRBM_EINVAL, "bc = 5");
  ck_assert_fails(rgrbm_exact_chain(4, 0.1, 0, RGRBM_OPEN, NULL), RGRBM_EINVAL, "out");
  ck_assert_fails(rgrbm_exact_onsager(NAN, &e), RGRBM_EINVAL, "rgrbm_exact_onsager", "K = nan");
  ck_assert_fails(rgrbm_exact_onsager(-0.2, &e), RGRBM_EUNSUPPORTED, "K = -0.2");
  ck_assert_fails(rgrbm_exact_onsager(0.0, &e), RGRBM_EUNSUPPORTED, "K = 0");
  ck_assert_fails(rgrbm_exact_onsager(0.3, NULL), RGRBM_EINVAL, "out");
  ck_assert_fails(rgrbm_exact_torus(1, 4, 0.3, &e), RGRBM_EINVAL, "rgrbm_exact_torus", "lx = 1");
  ck_assert_fails(rgrbm_exact_torus(4, 70000, 0.3, &e), RGRBM_EINVAL, "ly = 70000");
  ck_assert_fails(rgrbm_exact_torus(4, 4, INFINITY, &e), RGRBM_EINVAL, "K = inf");
  ck_assert_fails(rgrbm_exact_torus(4, 4, -1, &e), RGRBM_EUNSUPPORTED, "K = -1");
  ck_assert_fails(rgrbm_exact_torus(4, 4, 0.3, NULL), RGRBM_EINVAL, "out");
  ck_assert_fails(rgrbm_exact_enumerate(RGRBM_SQUARE, 6, 5, RGRBM_PERIODIC, 0.3, 0, &e),
                  RGRBM_EINVAL, "rgrbm_exact_enumerate", "6 * 5", "25");
  ck_assert_fails(rgrbm_exact_enumerate(RGRBM_SQUARE, 0, 5, RGRBM_PERIODIC, 0.3, 0, &e),
                  RGRBM_EINVAL, "lx = 0");
  ck_assert_fails(rgrbm_exact_enumerate(RGRBM_CHAIN, 4, 2, RGRBM_PERIODIC, 0.3, 0, &e),
                  RGRBM_EINVAL, "ly = 2");
  ck_assert_fails(rgrbm_exact_enumerate(RGRBM_SQUARE, 2, 2, RGRBM_PERIODIC, 0.3, NAN, &e),
                  RGRBM_EINVAL, "h = nan");
  ck_assert_fails(rgrbm_exact_enumerate(RGRBM_SQUARE, 2, 2, RGRBM_PERIODIC, 0.3, 0, NULL),
                  RGRBM_EINVAL, "out");
  ck_assert_double_eq(e.bond_mean, 42); /* untouched by every failure */
}
END_TEST

static Suite *exact_suite(void) {
  Suite *s = suite_create("exact");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, kaufman_matches_enumeration);
  tcase_add_test(tc, kaufman_256_matches_onsager);
  tcase_add_test(tc, onsager_known_values);
  tcase_add_test(tc, chain_matches_enumeration);
  tcase_add_test(tc, long_chain_reaches_the_closed_forms);
  tcase_add_test(tc, enumeration_magnetization_moments);
  tcase_add_test(tc, bad_arguments_are_named);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return rgrbm_test_run(exact_suite()); }
