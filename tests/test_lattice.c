/* Lattices: shapes, couplings, observables against hand counts, bad input. */
#include <float.h>
#include <math.h>
#include <stdint.h>

#include "getter_testutil.h"

/* The observables, asserting that the call succeeds. */
static double bond_mean(const rgrbm_lattice *lat) {
  double value = NAN;
  ck_assert_ok(rgrbm_lattice_bond_mean(lat, &value));
  return value;
}

static double magnetization(const rgrbm_lattice *lat) {
  double value = NAN;
  ck_assert_ok(rgrbm_lattice_magnetization(lat, &value));
  return value;
}

static double energy(const rgrbm_lattice *lat) {
  double value = NAN;
  ck_assert_ok(rgrbm_lattice_energy(lat, &value));
  return value;
}

START_TEST(create_fill_and_observe) {
  rgrbm_lattice *lat;
  ck_assert_ok(rgrbm_lattice_create(&lat, RGRBM_SQUARE, 5, 3, RGRBM_PERIODIC));
  ck_assert_uint_eq(rgrbm_lattice_sites(lat), 15);
  /* All up: 2N bonds on a torus, m = 1. */
  ck_assert_double_eq(bond_mean(lat), 2.0);
  ck_assert_double_eq(magnetization(lat), 1.0);
  ck_assert_ok(rgrbm_lattice_fill(lat, -1));
  ck_assert_double_eq(magnetization(lat), -1.0);
  ck_assert_ok(rgrbm_lattice_set_couplings(lat, 0.25, 0.5));
  double K, h;
  ck_assert_ok(rgrbm_lattice_couplings(lat, &K, &h));
  ck_assert(K == 0.25 && h == 0.5);
  ck_assert_double_eq_tol(energy(lat), -0.25 * 2 + 0.5, 1e-15);
  rgrbm_geometry g;
  rgrbm_boundary bc;
  int lx, ly;
  ck_assert_ok(rgrbm_lattice_shape(lat, &g, &lx, &ly, &bc));
  ck_assert(g == RGRBM_SQUARE && lx == 5 && ly == 3 && bc == RGRBM_PERIODIC);
  rgrbm_lattice_destroy(lat);
}
END_TEST

START_TEST(bond_counts_follow_the_documented_bonds) {
  /* Checkerboard (Neel) state: every bond is -1 on an even torus. */
  rgrbm_lattice *lat;
  ck_assert_ok(rgrbm_lattice_create(&lat, RGRBM_SQUARE, 4, 6, RGRBM_PERIODIC));
  int8_t *s = rgrbm_lattice_spins(lat);
  for (int y = 0; y < 6; y++)
    for (int x = 0; x < 4; x++) s[y * 4 + x] = (x + y) % 2 ? -1 : 1;
  ck_assert_double_eq(bond_mean(lat), -2.0);
  ck_assert_double_eq(magnetization(lat), 0.0);
  rgrbm_lattice_destroy(lat);
  /* Open 3 x 2, all up: 2 * 2 horizontal + 3 vertical bonds over 6 sites. */
  ck_assert_ok(rgrbm_lattice_create(&lat, RGRBM_SQUARE, 3, 2, RGRBM_OPEN));
  ck_assert_double_eq(bond_mean(lat), 7.0 / 6.0);
  rgrbm_lattice_destroy(lat);
  /* Chains: periodic n bonds, open n - 1; one flipped spin breaks two. */
  ck_assert_ok(rgrbm_lattice_create(&lat, RGRBM_CHAIN, 7, 1, RGRBM_PERIODIC));
  ck_assert_double_eq(bond_mean(lat), 1.0);
  rgrbm_lattice_spins(lat)[3] = -1;
  ck_assert_double_eq(bond_mean(lat), 3.0 / 7.0);
  rgrbm_lattice_destroy(lat);
  ck_assert_ok(rgrbm_lattice_create(&lat, RGRBM_CHAIN, 7, 1, RGRBM_OPEN));
  ck_assert_double_eq(bond_mean(lat), 6.0 / 7.0);
  rgrbm_lattice_destroy(lat);
}
END_TEST

START_TEST(randomize_is_seeded_and_fair) {
  rgrbm_lattice *a, *b;
  ck_assert_ok(rgrbm_lattice_create(&a, RGRBM_SQUARE, 100, 100, RGRBM_PERIODIC));
  ck_assert_ok(rgrbm_lattice_create(&b, RGRBM_SQUARE, 100, 100, RGRBM_PERIODIC));
  ck_assert_ok(rgrbm_lattice_randomize(a, 7));
  ck_assert_ok(rgrbm_lattice_randomize(b, 7));
  ck_assert_mem_eq(rgrbm_lattice_spins(a), rgrbm_lattice_spins(b), 10000);
  for (size_t i = 0; i < 10000; i++) ck_assert(abs(rgrbm_lattice_spins(a)[i]) == 1);
  /* m of 10^4 fair spins has standard deviation 0.01: 4 sigma. */
  ck_assert_double_lt(fabs(magnetization(a)), 0.04);
  ck_assert_ok(rgrbm_lattice_randomize(b, 8));
  ck_assert(memcmp(rgrbm_lattice_spins(a), rgrbm_lattice_spins(b), 10000) != 0);
  rgrbm_lattice_destroy(a);
  rgrbm_lattice_destroy(b);
}
END_TEST

START_TEST(largest_side_is_accepted) {
  rgrbm_lattice *lat;
  ck_assert_ok(rgrbm_lattice_create(&lat, RGRBM_SQUARE, RGRBM_LATTICE_MAX_SIDE, 2, RGRBM_OPEN));
  ck_assert_uint_eq(rgrbm_lattice_sites(lat), 2 * 65536);
  rgrbm_lattice_destroy(lat);
  ck_assert_ok(rgrbm_lattice_create(&lat, RGRBM_CHAIN, RGRBM_LATTICE_MAX_SIDE, 1, RGRBM_PERIODIC));
  rgrbm_lattice_destroy(lat);
}
END_TEST

START_TEST(bad_arguments_are_named) {
  rgrbm_lattice *lat = (rgrbm_lattice *)1;
  ck_assert_fails(rgrbm_lattice_create(NULL, RGRBM_SQUARE, 4, 4, RGRBM_PERIODIC), RGRBM_EINVAL,
                  "rgrbm_lattice_create", "out");
  ck_assert_fails(rgrbm_lattice_create(&lat, RGRBM_SQUARE, 0, 4, RGRBM_PERIODIC), RGRBM_EINVAL,
                  "lx = 0");
  ck_assert_ptr_null(lat);
  ck_assert_fails(rgrbm_lattice_create(&lat, RGRBM_SQUARE, -3, 4, RGRBM_PERIODIC), RGRBM_EINVAL,
                  "lx = -3");
  ck_assert_fails(rgrbm_lattice_create(&lat, RGRBM_SQUARE, 4, 65537, RGRBM_PERIODIC),
                  RGRBM_EINVAL, "ly = 65537", "65536");
  ck_assert_fails(rgrbm_lattice_create(&lat, RGRBM_CHAIN, 4, 2, RGRBM_PERIODIC), RGRBM_EINVAL,
                  "ly = 2", "chain");
  ck_assert_fails(rgrbm_lattice_create(&lat, (rgrbm_geometry)7, 4, 4, RGRBM_PERIODIC),
                  RGRBM_EINVAL, "g = 7");
  ck_assert_fails(rgrbm_lattice_create(&lat, RGRBM_SQUARE, 4, 4, (rgrbm_boundary)9), RGRBM_EINVAL,
                  "bc = 9");
  ck_assert_ptr_null(lat);
  ck_assert_ok(rgrbm_lattice_create(&lat, RGRBM_SQUARE, 4, 4, RGRBM_PERIODIC));
  ck_assert_ok(rgrbm_lattice_set_couplings(lat, 0.3, 0.1));
  ck_assert_fails(rgrbm_lattice_set_couplings(lat, NAN, 0), RGRBM_EINVAL, "K = nan");
  ck_assert_fails(rgrbm_lattice_set_couplings(lat, 0.1, INFINITY), RGRBM_EINVAL, "h = inf");
  ck_assert_fails(rgrbm_lattice_set_couplings(lat, -INFINITY, 0), RGRBM_EINVAL, "K = -inf");
  double K, h;
  ck_assert_ok(rgrbm_lattice_couplings(lat, &K, &h));
  ck_assert(K == 0.3 && h == 0.1); /* unchanged by the failures */
  ck_assert_fails(rgrbm_lattice_set_couplings(NULL, 0, 0), RGRBM_EINVAL, "lat");
  ck_assert_fails(rgrbm_lattice_couplings(NULL, &K, &h), RGRBM_EINVAL, "lat");
  ck_assert_fails(rgrbm_lattice_shape(NULL, NULL, NULL, NULL, NULL), RGRBM_EINVAL, "lat");
  ck_assert_fails(rgrbm_lattice_fill(lat, 0), RGRBM_EINVAL, "value = 0");
  ck_assert_fails(rgrbm_lattice_fill(NULL, 1), RGRBM_EINVAL, "lat");
  ck_assert_fails(rgrbm_lattice_randomize(NULL, 1), RGRBM_EINVAL, "lat");
  ck_assert_double_eq(magnetization(lat), 1.0);
  rgrbm_lattice_destroy(lat);
  rgrbm_lattice_destroy(NULL);
}
END_TEST

START_TEST(getters_return_zero_and_set_the_message) {
  ck_assert_zero_fails(rgrbm_lattice_sites(NULL), "rgrbm_lattice_sites", "lat is NULL");
  ck_assert_null_fails(rgrbm_lattice_spins(NULL), "rgrbm_lattice_spins", "lat is NULL");
  ck_assert_null_fails(rgrbm_lattice_spins_const(NULL), "rgrbm_lattice_spins_const",
                       "lat is NULL");
  rgrbm_lattice *lat;
  ck_assert_ok(rgrbm_lattice_create(&lat, RGRBM_CHAIN, 6, 1, RGRBM_OPEN));
  const rgrbm_lattice *reader = lat;
  ck_assert_ptr_eq(rgrbm_lattice_spins_const(reader), rgrbm_lattice_spins(lat));
  ck_assert_uint_eq(rgrbm_lattice_sites(reader), 6);
  rgrbm_lattice_destroy(lat);
}
END_TEST

/* The observables compute: a status, and the value through out, which a
 * failure leaves as it was. */
START_TEST(observables_report_a_status) {
  rgrbm_lattice *lat;
  ck_assert_ok(rgrbm_lattice_create(&lat, RGRBM_SQUARE, 4, 4, RGRBM_PERIODIC));
  double out = 42.0;
  ck_assert_fails(rgrbm_lattice_bond_mean(NULL, &out), RGRBM_EINVAL, "rgrbm_lattice_bond_mean",
                  "lat is NULL");
  ck_assert_fails(rgrbm_lattice_bond_mean(lat, NULL), RGRBM_EINVAL, "rgrbm_lattice_bond_mean",
                  "out is NULL");
  ck_assert_fails(rgrbm_lattice_magnetization(NULL, &out), RGRBM_EINVAL,
                  "rgrbm_lattice_magnetization", "lat is NULL");
  ck_assert_fails(rgrbm_lattice_magnetization(lat, NULL), RGRBM_EINVAL,
                  "rgrbm_lattice_magnetization", "out is NULL");
  ck_assert_fails(rgrbm_lattice_energy(NULL, &out), RGRBM_EINVAL, "rgrbm_lattice_energy",
                  "lat is NULL");
  ck_assert_fails(rgrbm_lattice_energy(lat, NULL), RGRBM_EINVAL, "rgrbm_lattice_energy",
                  "out is NULL");
  ck_assert_double_eq(out, 42.0);
  /* Finite couplings whose product with the bond mean (2, all up)
   * overflows: refused, where the old getter returned -inf. */
  ck_assert_ok(rgrbm_lattice_set_couplings(lat, DBL_MAX, 0.0));
  ck_assert_fails(rgrbm_lattice_energy(lat, &out), RGRBM_ENUMERIC, "rgrbm_lattice_energy",
                  "K = 1.79769e+308", "overflows");
  ck_assert_double_eq(out, 42.0);
  /* The largest couplings that fit: 2|K| + |h| = DBL_MAX exactly. */
  ck_assert_ok(rgrbm_lattice_set_couplings(lat, DBL_MAX / 4, DBL_MAX / 2));
  ck_assert_double_eq(energy(lat), -DBL_MAX);
  rgrbm_lattice_destroy(lat);
}
END_TEST

START_TEST(no_leaks) {
  size_t before = rgrbm_memory_in_use();
  rgrbm_lattice *lat;
  ck_assert_ok(rgrbm_lattice_create(&lat, RGRBM_SQUARE, 64, 64, RGRBM_OPEN));
  ck_assert_uint_gt(rgrbm_memory_in_use(), before);
  rgrbm_lattice_destroy(lat);
  ck_assert_uint_eq(rgrbm_memory_in_use(), before);
}
END_TEST

static Suite *lattice_suite(void) {
  Suite *s = suite_create("lattice");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 30);
  tcase_add_test(tc, create_fill_and_observe);
  tcase_add_test(tc, bond_counts_follow_the_documented_bonds);
  tcase_add_test(tc, randomize_is_seeded_and_fair);
  tcase_add_test(tc, largest_side_is_accepted);
  tcase_add_test(tc, bad_arguments_are_named);
  tcase_add_test(tc, getters_return_zero_and_set_the_message);
  tcase_add_test(tc, observables_report_a_status);
  tcase_add_test(tc, no_leaks);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return rgrbm_test_run(lattice_suite()); }
