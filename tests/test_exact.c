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
      rgrbm_exact a = RGRBM_EXACT_INIT, b = RGRBM_EXACT_INIT;
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
  rgrbm_exact a = RGRBM_EXACT_INIT, b = RGRBM_EXACT_INIT;
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
  rgrbm_exact e = RGRBM_EXACT_INIT;
  ck_assert_ok(rgrbm_exact_onsager(RGRBM_K_CRITICAL, &e));
  ck_assert_double_eq_tol(e.bond_mean, sqrt(2.0), 1e-14);
  ck_assert_double_eq(e.magnetization, 0.0);
  /* log Z per site at K_c: 2G/pi + ln(2)/2, G Catalan's constant. */
  ck_assert_double_eq_tol(e.log_z_per_site, 2 * 0.915965594177219015 / M_PI + log(2.0) / 2, 1e-12);
  /* C = K^2 d(bond mean)/dK, by a central difference. */
  const double Ks[] = {0.2, 0.4, 0.48, 0.8};
  for (size_t k = 0; k < 4; k++) {
    rgrbm_exact lo = RGRBM_EXACT_INIT, hi = RGRBM_EXACT_INIT;
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
          rgrbm_exact a = RGRBM_EXACT_INIT, b = RGRBM_EXACT_INIT;
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
  rgrbm_exact e = RGRBM_EXACT_INIT;
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
  rgrbm_exact e = RGRBM_EXACT_INIT;
  double K = 0.7, w = exp(K) / (exp(K) + exp(-K));
  ck_assert_ok(rgrbm_exact_enumerate(RGRBM_SQUARE, 2, 1, RGRBM_OPEN, K, 0.0, &e));
  ck_assert_double_eq_tol(e.abs_magnetization, w, 1e-15);
  ck_assert_double_eq_tol(e.magnetization2, w, 1e-15);
  ck_assert_double_eq_tol(e.magnetization4, w, 1e-15);
  ck_assert_double_eq_tol(e.magnetization, 0.0, 1e-15);
  /* 25 sites, the documented limit, runs. */
  ck_assert_ok(rgrbm_exact_enumerate(RGRBM_SQUARE, 5, 5, RGRBM_PERIODIC, 0.4, 0.0, &e));
  rgrbm_exact t = RGRBM_EXACT_INIT;
  ck_assert_ok(rgrbm_exact_torus(5, 5, 0.4, &t));
  assert_close(e.bond_mean, t.bond_mean, 1e-12, "5 x 5 bond mean");
}
END_TEST

START_TEST(bad_arguments_are_named) {
  rgrbm_exact e = RGRBM_EXACT_INIT;
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

/* ---- accuracy at every accepted K (issue 12, item 8) ---- */

/* High-precision references, NOT outputs of this library: printed by
 * tests/exact_references.py (python3-mpmath 1.3.0, 60-150 significant
 * digits), which evaluates Onsager's integral, Kaufman's four-term product
 * and the chain's two eigenvalues directly and differentiates them with
 * mpmath.diff. lx = 0 marks Onsager's infinite lattice. */
static const struct {
  int lx, ly;
  double K, log_z, bond_mean, specific_heat;
} MPMATH[] = {
    {0, 0, 0.3, 0.7905590709512628659, 0.70449907083244508064, 0.28629020287204577761},
    {0, 0, 1.4, 2.8000137761765130013, 1.9998893792328574982, 0.0017442630714872727673},
    {0, 0, 1.6, 3.200002769981386684, 1.9999778031752291071, 0.00045572965014066977241},
    {0, 0, 3.0, 6.0000000000377518094, 1.9999999996979836695, 2.1745376210141681684e-8},
    {0, 0, 8.0, 16.0, 2.0, 6.5692094076875950168e-25},
    {4, 4, 3.0, 6.0433216988227483912, 1.9999999996979836695, 2.1745376212604680457e-8},
    {4, 4, 8.0, 16.043321698784996582, 2.0, 6.5692094076875950168e-25},
    {2, 2, 5.0, 10.173286795139986334, 1.999999999999999949, 1.0196050212699813098e-14},
    {2, 7, 3.0, 6.049510512991518706, 1.999999999244956391, 5.4363741041925418239e-8},
    {3, 5, 4.0, 8.0462098120373423515, 1.9999999999998986866, 1.2968114278486801051e-11},
    {6, 6, 4.0, 8.0192540883489000339, 1.9999999999998986866, 1.2968112089431485356e-11},
    {7, 7, 2.0, 4.0141459734384884358, 1.9999990988116571145, 0.000028852552716246463917},
    {7, 7, 2.3, 4.6141458710387781932, 1.9999999183035505298, 3.4579178999699652866e-6},
    {8, 8, 5.0, 10.01083042469624915, 1.999999999999999966, 6.7973668715134204037e-15},
    {256, 256, 10.0, 20.000010576586617431, 2.0, 1.1551048882210657324e-31},
    {256, 256, 1.4, 2.8000243527631304321, 1.9998893792328574982, 0.0017442630714872727673},
    {64, 64, 2.0, 4.0001693379966133428, 1.9999990988116571145, 0.000028852552716246462593},
};

/* The documented accuracy (exact.h): the specific heat to 1e-9 relative,
 * log Z and the bond mean to 1e-14, at low temperature too (the old
 * variance cancellation gave 5.6e-4 at K = 4 on 256^2 and a negative value
 * at K = 5 on 8^2). */
START_TEST(square_lattice_matches_mpmath) {
  for (size_t i = 0; i < sizeof MPMATH / sizeof MPMATH[0]; i++) {
    rgrbm_exact e = RGRBM_EXACT_INIT;
    if (MPMATH[i].lx == 0)
      ck_assert_ok(rgrbm_exact_onsager(MPMATH[i].K, &e));
    else
      ck_assert_ok(rgrbm_exact_torus(MPMATH[i].lx, MPMATH[i].ly, MPMATH[i].K, &e));
    char what[64];
    snprintf(what, sizeof what, "%d x %d at K = %g", MPMATH[i].lx, MPMATH[i].ly, MPMATH[i].K);
    ck_assert_msg(fabs(e.log_z_per_site / MPMATH[i].log_z - 1) < 1e-14, "%s: log Z %.17g", what,
                  e.log_z_per_site);
    ck_assert_msg(fabs(e.bond_mean / MPMATH[i].bond_mean - 1) < 1e-14, "%s: bond mean %.17g",
                  what, e.bond_mean);
    ck_assert_msg(fabs(e.specific_heat / MPMATH[i].specific_heat - 1) < 1e-9,
                  "%s: specific heat %.17g vs %.17g", what, e.specific_heat,
                  MPMATH[i].specific_heat);
  }
}
END_TEST

/* The low-temperature expansion: one flipped spin costs 8K, so C per site =
 * 64 K^2 e^{-8K} (1 + 4.5 u + O(u^2)), u = e^{-4K} (the u^3 term of ln Z is
 * 2 u^3), on the infinite lattice and on every torus wide enough that no
 * excitation of that order wraps around; the bond mean is 2 - 8 e^{-8K}
 * (1 + 3 u + ...). Up to K = 80, where C is near 1e-274. */
START_TEST(low_temperature_expansion) {
  const double Ks[] = {4, 6, 10, 20, 40, 80};
  const int sides[][2] = {{0, 0}, {8, 8}, {12, 9}, {256, 256}, {5, 40}};
  for (size_t i = 0; i < sizeof sides / sizeof sides[0]; i++)
    for (size_t k = 0; k < sizeof Ks / sizeof Ks[0]; k++) {
      const double K = Ks[k], u = exp(-4 * K), lead = 64 * K * K * exp(-8 * K);
      rgrbm_exact e = RGRBM_EXACT_INIT;
      if (sides[i][0] == 0)
        ck_assert_ok(rgrbm_exact_onsager(K, &e));
      else
        ck_assert_ok(rgrbm_exact_torus(sides[i][0], sides[i][1], K, &e));
      double ratio = e.specific_heat / lead - 1;
      ck_assert_msg(fabs(ratio - 4.5 * u) <= 20 * u * u + 3e-15,
                    "%d x %d, K = %g: C / (64 K^2 e^{-8K}) - 1 = %g, expected 4.5 u = %g",
                    sides[i][0], sides[i][1], K, ratio, 4.5 * u);
      double deficit = 2 - e.bond_mean;
      ck_assert_msg(fabs(deficit - 8 * exp(-8 * K) * (1 + 3 * u)) <= 1e-15 + 100 * exp(-8 * K) * u * u,
                    "%d x %d, K = %g: 2 - bond mean = %g", sides[i][0], sides[i][1], K, deficit);
    }
}
END_TEST

/* Small tori at low temperature against exhaustive enumeration (both
 * cancellation-free: the row transfer matrix and centred histogram moments). */
START_TEST(narrow_tori_match_enumeration_at_low_temperature) {
  const int sides[][2] = {{4, 4}, {3, 4}, {2, 5}, {5, 5}, {2, 2}, {3, 7}};
  const double Ks[] = {1.5, 3.0, 7.0, 25.0};
  for (size_t i = 0; i < sizeof sides / sizeof sides[0]; i++)
    for (size_t k = 0; k < sizeof Ks / sizeof Ks[0]; k++) {
      rgrbm_exact a = RGRBM_EXACT_INIT, b = RGRBM_EXACT_INIT;
      ck_assert_ok(rgrbm_exact_torus(sides[i][0], sides[i][1], Ks[k], &a));
      ck_assert_ok(rgrbm_exact_enumerate(RGRBM_SQUARE, sides[i][0], sides[i][1], RGRBM_PERIODIC,
                                         Ks[k], 0.0, &b));
      ck_assert_msg(fabs(a.specific_heat / b.specific_heat - 1) < 1e-12,
                    "%d x %d, K = %g: %.17g vs %.17g", sides[i][0], sides[i][1], Ks[k],
                    a.specific_heat, b.specific_heat);
      assert_close(a.bond_mean, b.bond_mean, 1e-15, "bond mean");
      assert_close(a.log_z_per_site, b.log_z_per_site, 1e-14, "log Z");
    }
}
END_TEST

/* Where the references used to return NaN, a negative specific heat, a bond
 * mean above its maximum or |m| > 1 with RGRBM_OK: every result is now
 * finite, C >= 0 and every mean inside its range, or the call is refused. */
static void assert_sane(const rgrbm_exact *e, double max_bond, const char *what) {
  ck_assert_msg(isfinite(e->log_z_per_site), "%s: log Z %g", what, e->log_z_per_site);
  ck_assert_msg(isfinite(e->specific_heat) && e->specific_heat >= 0, "%s: C %g", what,
                e->specific_heat);
  ck_assert_msg(fabs(e->bond_mean) <= max_bond, "%s: bond mean %.17g", what, e->bond_mean);
  const double m[4] = {e->magnetization, e->abs_magnetization, e->magnetization2,
                       e->magnetization4};
  for (int i = 0; i < 4; i++)
    ck_assert_msg(isnan(m[i]) || fabs(m[i]) <= 1, "%s: magnetization field %d = %.17g", what, i,
                  m[i]);
}

START_TEST(extreme_couplings_stay_in_range) {
  rgrbm_exact e = RGRBM_EXACT_INIT;
  const double torus_K[] = {177.8, 200, 299.9, RGRBM_EXACT_SQUARE_MAX_K};
  for (int k = 0; k < 4; k++) {
    ck_assert_ok(rgrbm_exact_torus(16, 16, torus_K[k], &e));
    assert_sane(&e, 2, "torus");
    ck_assert_double_eq(e.bond_mean, 2);
    ck_assert_double_eq_tol(e.log_z_per_site, 2 * torus_K[k] + log(2.0) / 256, 1e-12 * torus_K[k]);
    ck_assert_ok(rgrbm_exact_torus(3, 1000, torus_K[k], &e));
    assert_sane(&e, 2, "3 x 1000 torus");
    ck_assert_ok(rgrbm_exact_onsager(torus_K[k], &e));
    assert_sane(&e, 2, "onsager");
  }
  ck_assert_fails(rgrbm_exact_torus(16, 16, 300.5, &e), RGRBM_EUNSUPPORTED, "rgrbm_exact_torus",
                  "0 < K <= 300");
  ck_assert_fails(rgrbm_exact_onsager(1e300, &e), RGRBM_EUNSUPPORTED, "0 < K <= 300");
  const double chain_K[] = {354.9, 400, 1e300, -1e300, 0};
  const double chain_h[] = {0, 354.4, -1e300, 1e300, 0.5};
  for (int k = 0; k < 5; k++)
    for (int j = 0; j < 5; j++)
      for (int bc = 0; bc < 2; bc++) {
        ck_assert_ok(rgrbm_exact_chain(1000, chain_K[k], chain_h[j], (rgrbm_boundary)bc, &e));
        assert_sane(&e, 1, "chain");
      }
  const double enum_K[] = {20, 50, 1e300, -1e300};
  for (int k = 0; k < 4; k++) {
    ck_assert_ok(rgrbm_exact_enumerate(RGRBM_SQUARE, 4, 4, RGRBM_PERIODIC, enum_K[k], 0.0, &e));
    assert_sane(&e, 2, "enumeration");
    ck_assert_ok(rgrbm_exact_enumerate(RGRBM_SQUARE, 3, 3, RGRBM_OPEN, enum_K[k], 1e300, &e));
    assert_sane(&e, 12.0 / 9, "enumeration in a field");
  }
  /* enumeration at K = 20: the expansion's leading term, positive. */
  ck_assert_ok(rgrbm_exact_enumerate(RGRBM_SQUARE, 4, 4, RGRBM_PERIODIC, 20, 0.0, &e));
  ck_assert_double_eq_tol(e.specific_heat / (64 * 400 * exp(-160)), 1, 1e-14);
}
END_TEST

/* The chain: open at h = 0 has the closed form C = (n-1)/n K^2 / cosh^2 K
 * exactly; periodic chains against mpmath (tests/exact_references.py). */
START_TEST(chain_specific_heat_at_every_coupling) {
  const double Ks[] = {0.5, 5, 20, 100, 354.9, -20, -300};
  for (int k = 0; k < 7; k++) {
    rgrbm_exact e = RGRBM_EXACT_INIT;
    const double K = Ks[k], a = fabs(K);
    ck_assert_ok(rgrbm_exact_chain(1000, K, 0.0, RGRBM_OPEN, &e));
    /* K^2 / cosh^2 K = 4 K^2 e^{-2|K|} / (1 + e^{-2|K|})^2, finite at any K */
    double c = 0.999 * 4 * K * K * exp(-2 * a) / ((1 + exp(-2 * a)) * (1 + exp(-2 * a)));
    ck_assert_msg(fabs(e.specific_heat / c - 1) < 1e-13, "open, K = %g: %.17g vs %.17g", K,
                  e.specific_heat, c);
  }
  static const struct {
    int n;
    double K, h, log_z, bond_mean, magnetization, specific_heat;
  } ref[] = {
      {1000000, 20, 0, 20.00000069314718056, 1.0, 0.0, 5.7755186655808874461e-26},
      {1000000, 0.9, 0.3, 1.2306194091345743562, 0.88668402462990842374, 0.87886810776797572977,
       0.59278398613774869817},
      {1000, 5, 0.01, 5.010000102032069339, 0.99999959188209097104, 0.9999896906132913121,
       0.000045140341470141619382},
      {50, -3, 0.5, 3.0140545550163028625, -0.99923606863431758557, 0.00017935115693906582371,
       0.025300587686178487139},
      {2000000000, 0.9, 0, 1.0529776105260741346, 0.71629787019902442081, 0.0,
       0.39440306253015666567},
  };
  for (int i = 0; i < 5; i++) {
    rgrbm_exact e = RGRBM_EXACT_INIT;
    ck_assert_ok(rgrbm_exact_chain(ref[i].n, ref[i].K, ref[i].h, RGRBM_PERIODIC, &e));
    assert_close(e.log_z_per_site, ref[i].log_z, 1e-14, "chain log Z");
    assert_close(e.bond_mean, ref[i].bond_mean, 1e-13, "chain bond mean");
    assert_close(e.magnetization, ref[i].magnetization, 1e-12, "chain magnetization");
    ck_assert_msg(fabs(e.specific_heat / ref[i].specific_heat - 1) < 1e-9,
                  "chain n = %d, K = %g, h = %g: C = %.17g vs %.17g", ref[i].n, ref[i].K,
                  ref[i].h, e.specific_heat, ref[i].specific_heat);
  }
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
  tcase_add_test(tc, square_lattice_matches_mpmath);
  tcase_add_test(tc, low_temperature_expansion);
  tcase_add_test(tc, narrow_tori_match_enumeration_at_low_temperature);
  tcase_add_test(tc, extreme_couplings_stay_in_range);
  tcase_add_test(tc, chain_specific_heat_at_every_coupling);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return rgrbm_test_run(exact_suite()); }
