/* Exact 1D decimation: free energies from the flow against closed forms and
 * brute-force enumeration, the correlation length, bad input. */
#include <math.h>

#include "rgrbm/exact.h"
#include "rgrbm/rg.h"
#include "testutil.h"

/* ln lambda_+ of the infinite chain, the closed form. */
static double log_lambda_plus(double K, double h) {
  return log(exp(K) * cosh(h) + sqrt(exp(2 * K) * sinh(h) * sinh(h) + exp(-2 * K)));
}

/* ln Z of a periodic chain of n sites by enumerating all 2^n states. */
static double log_z_enumerated(int n, double K, double h) {
  double max = -INFINITY, *e = malloc(sizeof(double) << n);
  for (unsigned c = 0; c < 1u << n; c++) {
    double x = 0;
    for (int i = 0; i < n; i++) {
      int s = (c >> i) & 1 ? 1 : -1, t = (c >> ((i + 1) % n)) & 1 ? 1 : -1;
      x += K * s * t + h * s;
    }
    e[c] = x;
    if (x > max) max = x;
  }
  double sum = 0;
  for (unsigned c = 0; c < 1u << n; c++) sum += exp(e[c] - max);
  free(e);
  return max + log(sum);
}

/* Sum of g_n / b^n over the first `steps` steps; the flow's state is left in *K, *h. */
static double flow_sum(double *K, double *h, int b, int steps) {
  double *kf = malloc(steps * sizeof *kf), *hf = malloc(steps * sizeof *hf),
         *gf = malloc(steps * sizeof *gf);
  ck_assert_ok(rgrbm_decimation1d_flow(*K, *h, b, steps, kf, hf, gf));
  double sum = 0, weight = 1;
  for (int n = 0; n < steps; n++, weight /= b) sum += weight * gf[n];
  *K = kf[steps - 1];
  *h = hf[steps - 1];
  free(kf);
  free(hf);
  free(gf);
  return sum;
}

static const double couplings[][2] = {{0.1, 0.0}, {0.5, 0.3},  {1.0, -1.2}, {2.5, 0.05},
                                      {-0.7, 0.4}, {0.0, 0.8}, {4.0, 0.0},  {0.44, -0.01}};
enum { N_COUPLINGS = sizeof couplings / sizeof couplings[0] };

START_TEST(flow_sums_to_infinite_chain_free_energy) {
  const int bs[] = {2, 3, 5};
  for (int i = 0; i < N_COUPLINGS; i++)
    for (int j = 0; j < 3; j++) {
      double K = couplings[i][0], h = couplings[i][1];
      int b = bs[j];
      /* b^-steps < 1e-18: the remaining tail is far below the tolerance. */
      int steps = (int)ceil(60 * log(2.0) / log((double)b));
      double f = flow_sum(&K, &h, b, steps);
      double exact = log_lambda_plus(couplings[i][0], couplings[i][1]);
      ck_assert_msg(fabs(f - exact) <= 1e-12, "K=%g h=%g b=%d: %.17g vs %.17g", couplings[i][0],
                    couplings[i][1], b, f, exact);
    }
}
END_TEST

START_TEST(flow_gives_finite_periodic_chain_exactly) {
  /* N = b^k sites: ln Z_N / N = sum_{n<k} g_n / b^n + b^-k ln Z_1(K_k, h_k),
   * where the one-site ring has one bond to itself: Z_1 = 2 e^K cosh h. */
  const int bk[][2] = {{2, 1}, {2, 3}, {2, 4}, {3, 2}, {4, 2}, {5, 1}};
  for (int i = 0; i < N_COUPLINGS; i++)
    for (int j = 0; j < 6; j++) {
      double K = couplings[i][0], h = couplings[i][1];
      int b = bk[j][0], k = bk[j][1], n = (int)lround(pow(b, k));
      double f = flow_sum(&K, &h, b, k) + pow(b, -k) * (K + log(2 * cosh(h)));
      double exact = log_z_enumerated(n, couplings[i][0], couplings[i][1]) / n;
      ck_assert_msg(fabs(f - exact) <= 1e-12, "n=%d K=%g h=%g b=%d: %.17g vs %.17g", n,
                    couplings[i][0], couplings[i][1], b, f, exact);
    }
}
END_TEST

START_TEST(flow_gives_transfer_matrix_reference) {
  /* The same identity as above against rgrbm_exact_chain, for chains far too
   * long to enumerate (n = b^k up to 3^12). */
  const int bk[][2] = {{2, 10}, {3, 12}, {5, 6}, {7, 3}};
  for (int i = 0; i < N_COUPLINGS; i++)
    for (int j = 0; j < 4; j++) {
      double K = couplings[i][0], h = couplings[i][1];
      int b = bk[j][0], k = bk[j][1], n = (int)lround(pow(b, k));
      double f = flow_sum(&K, &h, b, k) + pow(b, -k) * (K + log(2 * cosh(h)));
      rgrbm_exact ex = RGRBM_EXACT_INIT;
      ck_assert_ok(rgrbm_exact_chain(n, couplings[i][0], couplings[i][1], RGRBM_PERIODIC, &ex));
      ck_assert_msg(fabs(f - ex.log_z_per_site) <= 1e-12, "n=%d K=%g h=%g: %.17g vs %.17g", n,
                    couplings[i][0], couplings[i][1], f, ex.log_z_per_site);
    }
}
END_TEST

START_TEST(correlation_length_divides_by_b) {
  const double Ks[] = {0.05, 0.3, 0.8, 1.5, 3.0};
  for (int b = 2; b <= 4; b++)
    for (int i = 0; i < 5; i++) {
      double K = Ks[i], h = 0;
      for (int step = 0; step < 3 && K > 1e-3; step++) {
        double K2, h2, g;
        ck_assert_ok(rgrbm_decimation1d_step(K, h, b, &K2, &h2, &g));
        ck_assert(h2 == 0.0);
        double xi = -1 / log(tanh(K)), xi2 = -1 / log(tanh(K2));
        ck_assert_msg(fabs(xi / xi2 - b) <= 1e-12 * b, "K=%g b=%d: xi/xi' = %.17g", K, b,
                      xi / xi2);
        ck_assert(fabs(tanh(K2) - pow(tanh(K), b)) <= 1e-15);
        K = K2;
      }
    }
}
END_TEST

START_TEST(flow_reaches_the_high_temperature_fixed_point) {
  double kf[30], hf[30], gf[30];
  ck_assert_ok(rgrbm_decimation1d_flow(2.0, 0.0, 2, 30, kf, hf, gf));
  for (int n = 1; n < 30; n++) ck_assert(kf[n] < kf[n - 1] || kf[n] == 0);
  ck_assert(kf[29] < 1e-300);
  /* At K* = 0 the step only collects the free spins: g = (1 - 1/b) ln 2. */
  ck_assert(fabs(gf[29] - 0.5 * log(2.0)) < 1e-15);
}
END_TEST

START_TEST(bad_input) {
  double k, h, g, arr[2];
  ck_assert_fails(rgrbm_decimation1d_step(1, 0, 1, &k, &h, &g), RGRBM_EINVAL, "b = 1");
  ck_assert_fails(rgrbm_decimation1d_step(NAN, 0, 2, &k, &h, &g), RGRBM_EINVAL, "K = nan");
  ck_assert_fails(rgrbm_decimation1d_step(1, INFINITY, 2, &k, &h, &g), RGRBM_EINVAL, "h = inf");
  ck_assert_fails(rgrbm_decimation1d_step(1, 0, 2, NULL, &h, &g), RGRBM_EINVAL, "K_out");
  ck_assert_fails(rgrbm_decimation1d_step(1, 0, 2, &k, NULL, &g), RGRBM_EINVAL, "h_out");
  ck_assert_fails(rgrbm_decimation1d_step(1, 0, 2, &k, &h, NULL), RGRBM_EINVAL, "g_out");
  ck_assert_fails(rgrbm_decimation1d_step(400, 0, 2, &k, &h, &g), RGRBM_ENUMERIC, "K = 400");
  ck_assert_fails(rgrbm_decimation1d_flow(1, 0, 2, 0, arr, arr, arr), RGRBM_EINVAL, "steps = 0");
  ck_assert_fails(rgrbm_decimation1d_flow(1, 0, 2, 2, NULL, arr, arr), RGRBM_EINVAL, "K_flow");
  ck_assert_fails(rgrbm_decimation1d_flow(1, 0, 2, 2, arr, NULL, arr), RGRBM_EINVAL, "h_flow");
  ck_assert_fails(rgrbm_decimation1d_flow(1, 0, 2, 2, arr, arr, NULL), RGRBM_EINVAL, "g_flow");
  arr[0] = arr[1] = 7;
  ck_assert_fails(rgrbm_decimation1d_flow(1, 0, 0, 2, arr, arr, arr), RGRBM_EINVAL, "step 0",
                  "b = 0");
  ck_assert(arr[0] == 7 && arr[1] == 7);
}
END_TEST


/* ln of the unnormalized marginal weight of every configuration of one side
 * of an RBM layer, summing the other side unit by unit: side 0 gives
 * ln sum_h e^{-E(v,h)} for each v, side 1 ln sum_v e^{-E(v,h)} for each h. */
static double *marginal(const rgrbm_stack *s, int layer, int side) {
  /* A few units each: the enumeration below is 2^n. */
  int nv = (int)rgrbm_stack_size(s, layer), nh = (int)rgrbm_stack_size(s, layer + 1);
  const float *w = rgrbm_stack_weights_const(s, layer),
              *c = rgrbm_stack_visible_bias_const(s, layer),
              *b = rgrbm_stack_hidden_bias_const(s, layer);
  double low = rgrbm_stack_units(s) == RGRBM_UNITS_SPIN ? -1 : 0;
  int n = side ? nh : nv, m = side ? nv : nh;
  double *out = malloc(sizeof(double) << n), max = -INFINITY;
  for (unsigned x = 0; x < 1u << n; x++) {
    double lw = 0;
    for (int i = 0; i < n; i++) lw += (side ? b[i] : c[i]) * ((x >> i) & 1 ? 1 : low);
    for (int j = 0; j < m; j++) {
      double a = side ? c[j] : b[j];
      for (int i = 0; i < n; i++)
        a += (side ? w[j * nh + i] : w[i * nh + j]) * ((x >> i) & 1 ? 1 : low);
      lw += log(exp(a) + exp(low * a));
    }
    out[x] = lw;
    if (lw > max) max = lw;
  }
  double z = 0;
  for (unsigned x = 0; x < 1u << n; x++) z += exp(out[x] - max);
  for (unsigned x = 0; x < 1u << n; x++) out[x] = exp(out[x] - max) / z;
  return out;
}

/* max over configurations of |p - P_chain(n, K)|, bit 1 = spin +1. */
static double chain_distance(const double *p, int n, double K) {
  double lz = log_z_enumerated(n, K, 0), worst = 0;
  for (unsigned x = 0; x < 1u << n; x++) {
    double e = 0;
    for (int i = 0; i < n; i++)
      e += K * ((x >> i) & 1 ? 1 : -1) * ((x >> ((i + 1) % n)) & 1 ? 1 : -1);
    worst = fmax(worst, fabs(p[x] - exp(e - lz)));
  }
  return worst;
}

START_TEST(decimation_stack_marginals_are_chains) {
  const double Ks[] = {0.7, 2.0, -0.45};
  for (int u = 0; u < 2; u++)
    for (int i = 0; i < 3; i++) {
      rgrbm_stack *s;
      ck_assert_ok(rgrbm_decimation1d_stack(&s, 16, Ks[i], 3));
      ck_assert_int_eq(rgrbm_stack_depth(s), 3);
      double k[3];
      for (int l = 0; l < 3; l++) {
        ck_assert_uint_eq(rgrbm_stack_size(s, l), (size_t)(16 >> l));
        k[l] = rgrbm_stack_weights(s, l)[1 * (8 >> l) + 0]; /* site 1 to site 0's copy */
      }
      ck_assert(fabs(k[0] - Ks[i]) <= 0x1p-19);
      if (u) ck_assert_ok(rgrbm_stack_set_units(s, RGRBM_UNITS_BINARY));
      for (int l = 0; l < 3; l++) {
        double kn, hn, g;
        ck_assert_ok(rgrbm_decimation1d_step(k[l], 0, 2, &kn, &hn, &g));
        if (l < 2) ck_assert(fabs(k[l + 1] - kn) <= 0x1p-19);
        double *pv = marginal(s, l, 0), *ph = marginal(s, l, 1);
        double dv = chain_distance(pv, 16 >> l, k[l]), dh = chain_distance(ph, 8 >> l, kn);
        ck_assert_msg(dv <= 1e-12 && dh <= 1e-12, "units %d K %g layer %d: %g %g", u, Ks[i], l,
                      dv, dh);
        free(pv);
        free(ph);
      }
      rgrbm_stack_destroy(s);
    }
}
END_TEST

START_TEST(decimation_stack_bad_input) {
  rgrbm_stack *s = (rgrbm_stack *)&s;
  ck_assert_fails(rgrbm_decimation1d_stack(&s, 12, 0.5, 3), RGRBM_EINVAL,
                  "n_sites = 12", "2^3");
  ck_assert_ptr_null(s);
  ck_assert_fails(rgrbm_decimation1d_stack(&s, 8, 0.5, 3), RGRBM_EINVAL, "n_sites = 8");
  ck_assert_fails(rgrbm_decimation1d_stack(&s, 8, 0.5, 0), RGRBM_EINVAL, "levels = 0");
  ck_assert_fails(rgrbm_decimation1d_stack(&s, 8, 11, 1), RGRBM_EINVAL, "K = 11");
  ck_assert_fails(rgrbm_decimation1d_stack(&s, 8, NAN, 1), RGRBM_EINVAL, "K = nan");
  ck_assert_fails(rgrbm_decimation1d_stack(NULL, 8, 0.5, 1), RGRBM_EINVAL, "out");
}
END_TEST

static Suite *decimation_suite(void) {
  Suite *s = suite_create("decimation1d");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, flow_sums_to_infinite_chain_free_energy);
  tcase_add_test(tc, flow_gives_finite_periodic_chain_exactly);
  tcase_add_test(tc, flow_gives_transfer_matrix_reference);
  tcase_add_test(tc, correlation_length_divides_by_b);
  tcase_add_test(tc, flow_reaches_the_high_temperature_fixed_point);
  tcase_add_test(tc, bad_input);
  tcase_add_test(tc, decimation_stack_marginals_are_chains);
  tcase_add_test(tc, decimation_stack_bad_input);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return rgrbm_test_run(decimation_suite()); }
