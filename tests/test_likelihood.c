/* Free energies, exact ln Z, log-likelihoods and pseudo-log-likelihoods
 * against brute-force sums over every joint configuration. Double-precision
 * results from the same float parameters agree with the references to
 * rounding (tolerances 1e-9 to 1e-10 relative); comparisons across the unit
 * transform allow for the float rounding of the transformed biases. */
#include <math.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "stack_likelihood.h"
#include "rbm_testutil.h"

static rgrbm_stack *small_rbm(int nv, int nh, rgrbm_units units, uint64_t seed, double scale) {
  const int sizes[] = {nv, nh};
  rgrbm_stack *s;
  ck_assert_ok(rgrbm_stack_create(&s, sizes, 2, units, 1));
  ref_randomize(s, seed, scale);
  return s;
}

static void check_free_energy(rgrbm_units units) {
  rgrbm_stack *s = small_rbm(6, 4, units, 21, 1.5);
  float v[64 * 6];
  double got[64], ref[6];
  for (uint64_t vi = 0; vi < 64; vi++) {
    ref_config(vi, 6, units, ref);
    for (int i = 0; i < 6; i++) v[vi * 6 + i] = (float)ref[i];
  }
  ck_assert_ok(rgrbm_stack_free_energy(s, 0, v, 64, got));
  for (uint64_t vi = 0; vi < 64; vi++) {
    ref_config(vi, 6, units, ref);
    ck_assert_double_eq_tol(got[vi], ref_free_energy(s, ref), 1e-10 * (1 + fabs(got[vi])));
  }
  rgrbm_stack_destroy(s);
}

START_TEST(free_energy_matches_sum_over_hidden) {
  check_free_energy(RGRBM_UNITS_BINARY);
  check_free_energy(RGRBM_UNITS_SPIN);
}
END_TEST

START_TEST(log_partition_both_sides_agree) {
  const rgrbm_units kinds[2] = {RGRBM_UNITS_BINARY, RGRBM_UNITS_SPIN};
  for (int u = 0; u < 2; u++) {
    rgrbm_stack *s = small_rbm(6, 4, kinds[u], 22, 1.0);
    double zv, zh, z;
    ck_assert_ok(rgrbm__log_partition_side(s, 0, RGRBM__SIDE_VISIBLE, &zv, "t"));
    ck_assert_ok(rgrbm__log_partition_side(s, 0, RGRBM__SIDE_HIDDEN, &zh, "t"));
    ck_assert_ok(rgrbm_stack_log_partition(s, 0, &z));
    double ref = ref_log_z(s);
    ck_assert_double_eq_tol(zv, ref, 1e-10 * fabs(ref));
    ck_assert_double_eq_tol(zh, ref, 1e-10 * fabs(ref));
    ck_assert(z == zh);
    rgrbm_stack_destroy(s);
    /* Both sides large enough to split the enumeration into runs. */
    s = small_rbm(16, 14, kinds[u], 23, 0.5);
    ck_assert_ok(rgrbm__log_partition_side(s, 0, RGRBM__SIDE_VISIBLE, &zv, "t"));
    ck_assert_ok(rgrbm__log_partition_side(s, 0, RGRBM__SIDE_HIDDEN, &zh, "t"));
    ck_assert_double_eq_tol(zv, zh, 1e-10 * fabs(zh));
    rgrbm_stack_destroy(s);
  }
}
END_TEST

/* ln p(v) for every v sums to probability 1, and the dataset mean is the
 * mean of -F(v) - ln Z computed by brute force. */
START_TEST(log_likelihood_matches_enumeration) {
  rgrbm_stack *s = small_rbm(6, 4, RGRBM_UNITS_BINARY, 24, 1.5);
  double log_z = ref_log_z(s), total = 0.0, v[6];
  for (uint64_t vi = 0; vi < 64; vi++) {
    ref_config(vi, 6, RGRBM_UNITS_BINARY, v);
    total += exp(-ref_free_energy(s, v) - log_z);
  }
  ck_assert_double_eq_tol(total, 1.0, 1e-12);
  uint64_t idx[50];
  ref_random_indices(idx, 50, 6, 3);
  rgrbm_dataset *ds = ref_dataset(6, idx, 50);
  double ll, ref = 0.0;
  for (int n = 0; n < 50; n++) {
    ref_config(idx[n], 6, RGRBM_UNITS_BINARY, v);
    ref += (-ref_free_energy(s, v) - log_z) / 50;
  }
  ck_assert_ok(rgrbm_stack_log_likelihood(s, 0, ds, &ll));
  ck_assert_double_eq_tol(ll, ref, 1e-10 * fabs(ref));
  rgrbm_dataset_destroy(ds);
  rgrbm_stack_destroy(s);
}
END_TEST

/* ln p(v_i | v_-i) = ln [p(v) / (p(v) + p(v with i flipped))], every site. */
static void check_pll(rgrbm_units units) {
  rgrbm_stack *s = small_rbm(6, 4, units, 25, 1.5);
  uint64_t idx[40];
  ref_random_indices(idx, 40, 6, 4);
  rgrbm_dataset *ds = ref_dataset(6, idx, 40);
  double v[6], vf[6], ref = 0.0, pll;
  for (int n = 0; n < 40; n++) {
    ref_config(idx[n], 6, units, v);
    double f = ref_free_energy(s, v);
    for (int i = 0; i < 6; i++) {
      ref_config(idx[n] ^ (UINT64_C(1) << i), 6, units, vf);
      double ff = ref_free_energy(s, vf);
      ref -= log1p(exp(f - ff)) / (40 * 6);
    }
  }
  ck_assert_ok(rgrbm_stack_pseudo_log_likelihood(s, 0, ds, &pll));
  ck_assert_double_eq_tol(pll, ref, 1e-10 * fabs(ref));
  rgrbm_dataset_destroy(ds);
  rgrbm_stack_destroy(s);
}

START_TEST(pseudo_log_likelihood_matches_enumeration) {
  check_pll(RGRBM_UNITS_BINARY);
  check_pll(RGRBM_UNITS_SPIN);
}
END_TEST

/* The transformed parameters define the same distribution: log-likelihoods
 * and PLLs agree up to the float rounding of the biases (relative 1e-7 on
 * each of 12 biases of size <= 3, so 1e-5 is ample), and log Z differs by
 * the energy offset, which the likelihood removes. */
START_TEST(binary_and_spin_counterparts_agree) {
  rgrbm_stack *b = small_rbm(8, 5, RGRBM_UNITS_BINARY, 26, 1.5);
  rgrbm_stack *sp = small_rbm(8, 5, RGRBM_UNITS_BINARY, 26, 1.5);
  ck_assert_ok(rgrbm_stack_set_units(sp, RGRBM_UNITS_SPIN));
  uint64_t idx[100];
  ref_random_indices(idx, 100, 8, 5);
  rgrbm_dataset *ds = ref_dataset(8, idx, 100);
  double llb, lls, pb, ps;
  ck_assert_ok(rgrbm_stack_log_likelihood(b, 0, ds, &llb));
  ck_assert_ok(rgrbm_stack_log_likelihood(sp, 0, ds, &lls));
  ck_assert_double_eq_tol(llb, lls, 1e-5);
  ck_assert_ok(rgrbm_stack_pseudo_log_likelihood(b, 0, ds, &pb));
  ck_assert_ok(rgrbm_stack_pseudo_log_likelihood(sp, 0, ds, &ps));
  ck_assert_double_eq_tol(pb, ps, 1e-5);
  rgrbm_dataset_destroy(ds);
  rgrbm_stack_destroy(b);
  rgrbm_stack_destroy(sp);
}
END_TEST

/* The threaded enumeration and PLL give the same bits for any thread count. */
START_TEST(results_do_not_depend_on_threads) {
#ifdef _OPENMP
  rgrbm_stack *s = small_rbm(16, 14, RGRBM_UNITS_SPIN, 28, 0.5);
  uint64_t idx[300];
  ref_random_indices(idx, 300, 16, 6);
  rgrbm_dataset *ds = ref_dataset(16, idx, 300);
  double z[2], pll[2];
  int threads = omp_get_max_threads();
  for (int t = 0; t < 2; t++) {
    omp_set_num_threads(t == 0 ? 1 : (threads > 1 ? threads : 2));
    ck_assert_ok(rgrbm_stack_log_partition(s, 0, &z[t]));
    ck_assert_ok(rgrbm_stack_pseudo_log_likelihood(s, 0, ds, &pll[t]));
  }
  omp_set_num_threads(threads);
  ck_assert(z[0] == z[1]);
  ck_assert(pll[0] == pll[1]);
  rgrbm_dataset_destroy(ds);
  rgrbm_stack_destroy(s);
#endif
}
END_TEST

START_TEST(bad_arguments_are_named) {
  size_t before = rgrbm_memory_in_use();
  rgrbm_stack *s = small_rbm(6, 4, RGRBM_UNITS_BINARY, 27, 1.0);
  float v[6] = {0};
  double out = 0.0;
  ck_assert_fails(rgrbm_stack_free_energy(NULL, 0, v, 1, &out), RGRBM_EINVAL,
                  "rgrbm_stack_free_energy", "s is NULL");
  ck_assert_fails(rgrbm_stack_free_energy(s, 1, v, 1, &out), RGRBM_EINVAL, "layer = 1");
  ck_assert_fails(rgrbm_stack_free_energy(s, 0, NULL, 1, &out), RGRBM_EINVAL, "v is NULL");
  ck_assert_fails(rgrbm_stack_free_energy(s, 0, v, 0, &out), RGRBM_EINVAL, "n = 0");
  ck_assert_fails(rgrbm_stack_free_energy(s, 0, v, 1, NULL), RGRBM_EINVAL, "out is NULL");
  ck_assert_fails(rgrbm_stack_log_partition(NULL, 0, &out), RGRBM_EINVAL,
                  "rgrbm_stack_log_partition", "s is NULL");
  ck_assert_fails(rgrbm_stack_log_partition(s, -1, &out), RGRBM_EINVAL, "layer = -1");
  ck_assert_fails(rgrbm_stack_log_partition(s, 0, NULL), RGRBM_EINVAL, "log_z is NULL");
  uint64_t idx[3] = {1, 2, 3};
  rgrbm_dataset *ds = ref_dataset(6, idx, 3), *wrong = ref_dataset(5, idx, 3), *empty;
  ck_assert_ok(rgrbm_dataset_create(&empty, 6));
  ck_assert_fails(rgrbm_stack_log_likelihood(NULL, 0, ds, &out), RGRBM_EINVAL,
                  "rgrbm_stack_log_likelihood", "s is NULL");
  ck_assert_fails(rgrbm_stack_log_likelihood(s, 2, ds, &out), RGRBM_EINVAL, "layer = 2");
  ck_assert_fails(rgrbm_stack_log_likelihood(s, 0, NULL, &out), RGRBM_EINVAL, "data is NULL");
  ck_assert_fails(rgrbm_stack_log_likelihood(s, 0, ds, NULL), RGRBM_EINVAL, "mean_ll is NULL");
  ck_assert_fails(rgrbm_stack_log_likelihood(s, 0, wrong, &out), RGRBM_EINVAL,
                  "data dim = 5 != size(0) = 6");
  ck_assert_fails(rgrbm_stack_log_likelihood(s, 0, empty, &out), RGRBM_EINVAL,
                  "0 configurations");
  ck_assert_fails(rgrbm_stack_pseudo_log_likelihood(NULL, 0, ds, &out), RGRBM_EINVAL,
                  "rgrbm_stack_pseudo_log_likelihood", "s is NULL");
  ck_assert_fails(rgrbm_stack_pseudo_log_likelihood(s, 1, ds, &out), RGRBM_EINVAL, "layer = 1");
  ck_assert_fails(rgrbm_stack_pseudo_log_likelihood(s, 0, NULL, &out), RGRBM_EINVAL,
                  "data is NULL");
  ck_assert_fails(rgrbm_stack_pseudo_log_likelihood(s, 0, ds, NULL), RGRBM_EINVAL,
                  "pll is NULL");
  ck_assert_fails(rgrbm_stack_pseudo_log_likelihood(s, 0, wrong, &out), RGRBM_EINVAL,
                  "data dim = 5 != size(0) = 6");
  ck_assert_fails(rgrbm_stack_pseudo_log_likelihood(s, 0, empty, &out), RGRBM_EINVAL,
                  "0 configurations");
  /* Both sides above 30 units: valid but not enumerable. */
  const int big_sizes[] = {40, 31};
  rgrbm_stack *big;
  ck_assert_ok(rgrbm_stack_create(&big, big_sizes, 2, RGRBM_UNITS_SPIN, 1));
  ck_assert_fails(rgrbm_stack_log_partition(big, 0, &out), RGRBM_EUNSUPPORTED,
                  "rgrbm_stack_log_partition", "31 units");
  rgrbm_dataset *big_data;
  ck_assert_ok(rgrbm_dataset_create(&big_data, 40));
  int8_t row[40];
  for (int i = 0; i < 40; i++) row[i] = 1;
  ck_assert_ok(rgrbm_dataset_append(big_data, row, 1));
  ck_assert_fails(rgrbm_stack_log_likelihood(big, 0, big_data, &out), RGRBM_EUNSUPPORTED,
                  "rgrbm_stack_log_likelihood", "31 units");
  ck_assert(out == 0.0);
  rgrbm_dataset_destroy(big_data);
  rgrbm_stack_destroy(big);
  rgrbm_dataset_destroy(ds);
  rgrbm_dataset_destroy(wrong);
  rgrbm_dataset_destroy(empty);
  rgrbm_stack_destroy(s);
  ck_assert_uint_eq(rgrbm_memory_in_use(), before);
}
END_TEST

static Suite *likelihood_suite(void) {
  Suite *s = suite_create("likelihood");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, free_energy_matches_sum_over_hidden);
  tcase_add_test(tc, log_partition_both_sides_agree);
  tcase_add_test(tc, log_likelihood_matches_enumeration);
  tcase_add_test(tc, pseudo_log_likelihood_matches_enumeration);
  tcase_add_test(tc, binary_and_spin_counterparts_agree);
  tcase_add_test(tc, results_do_not_depend_on_threads);
  tcase_add_test(tc, bad_arguments_are_named);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return rgrbm_test_run(likelihood_suite()); }
