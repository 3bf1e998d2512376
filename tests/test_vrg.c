/* Variational-RG checks: Eq. 21 for random RBMs, KL and delta F against
 * independent enumerations through the stack's own free energies, exactness
 * of the decimation network, bad input. */
#include <math.h>

#include "rgrbm/rg.h"
#include "rng.h"
#include "testutil.h"

static rgrbm_stack *random_rbm(int nv, int nh, rgrbm_units units, double sigma, uint64_t seed) {
  const int sizes[] = {nv, nh};
  rgrbm_stack *s;
  ck_assert_ok(rgrbm_stack_create(&s, sizes, 2, units, seed));
  rgrbm__rng r;
  rgrbm__rng_init(&r, seed, 5);
  float *w = rgrbm_stack_weights(s, 0), *c = rgrbm_stack_visible_bias(s, 0),
        *b = rgrbm_stack_hidden_bias(s, 0);
  for (int i = 0; i < nv * nh; i++) w[i] = (float)(sigma * rgrbm__rng_normal(&r));
  for (int i = 0; i < nv; i++) c[i] = (float)(sigma * rgrbm__rng_normal(&r));
  for (int j = 0; j < nh; j++) b[j] = (float)(sigma * rgrbm__rng_normal(&r));
  return s;
}

static rgrbm_lattice *lattice(rgrbm_geometry g, int lx, int ly, rgrbm_boundary bc, double K,
                              double h) {
  rgrbm_lattice *lat;
  ck_assert_ok(rgrbm_lattice_create(&lat, g, lx, ly, bc));
  ck_assert_ok(rgrbm_lattice_set_couplings(lat, K, h));
  return lat;
}

/* KL(P || p) and delta F from the lattice's own energies and the stack's
 * free energies and exact log partition function. */
static void reference(rgrbm_stack *s, rgrbm_lattice *lat, double *kl, double *delta_f) {
  size_t n = rgrbm_lattice_sites(lat);
  int8_t *spins = rgrbm_lattice_spins(lat);
  int binary = rgrbm_stack_units(s) == RGRBM_UNITS_BINARY;
  size_t count = (size_t)1 << n;
  double *hm = malloc(count * sizeof *hm), *fv = malloc(count * sizeof *fv);
  float *v = malloc(count * n * sizeof *v);
  for (size_t x = 0; x < count; x++) {
    for (size_t i = 0; i < n; i++) {
      spins[i] = (x >> i) & 1 ? 1 : -1;
      v[x * n + i] = binary ? (spins[i] + 1) / 2 : spins[i];
    }
    double energy;
    ck_assert_ok(rgrbm_lattice_energy(lat, &energy));
    hm[x] = n * energy;
  }
  ck_assert_ok(rgrbm_stack_free_energy(s, 0, v, count, fv));
  double log_z_rbm, max = -INFINITY, z = 0;
  ck_assert_ok(rgrbm_stack_log_partition(s, 0, &log_z_rbm));
  for (size_t x = 0; x < count; x++) max = fmax(max, -hm[x]);
  for (size_t x = 0; x < count; x++) z += exp(-hm[x] - max);
  double log_z = max + log(z);
  *kl = 0;
  for (size_t x = 0; x < count; x++) {
    double log_p_model = -hm[x] - log_z, log_p_rbm = -fv[x] - log_z_rbm;
    *kl += exp(log_p_model) * (log_p_model - log_p_rbm);
  }
  *delta_f = -log_z_rbm + log_z;
  free(hm), free(fv), free(v);
}

START_TEST(random_rbm_satisfies_eq21_but_is_not_exact) {
  for (int u = 0; u < 2; u++) {
    rgrbm_units units = u ? RGRBM_UNITS_SPIN : RGRBM_UNITS_BINARY;
    rgrbm_stack *s = random_rbm(10, 6, units, 0.7, 21 + u);
    rgrbm_lattice *lat = lattice(RGRBM_SQUARE, 5, 2, RGRBM_PERIODIC, 0.3, 0.1);
    rgrbm_vrg_report r = RGRBM_VRG_REPORT_INIT;
    ck_assert_ok(rgrbm_vrg_check(s, 0, lat, &r));
    ck_assert_int_eq(r.version, RGRBM_VRG_REPORT_VERSION);
    ck_assert_msg(r.h_rg_max_diff <= 1e-10, "units %d: H_RG - H_RBM = %g", u, r.h_rg_max_diff);
    ck_assert_msg(r.trace_spread > 0.1 && r.trace_defect > 0.05, "defect %g spread %g",
                  r.trace_defect, r.trace_spread);
    double kl, delta_f;
    reference(s, lat, &kl, &delta_f);
    ck_assert_msg(kl > 1e-3 && fabs(r.kl - kl) <= 1e-9, "KL %.15g vs %.15g", r.kl, kl);
    ck_assert_msg(fabs(r.delta_f - delta_f) <= 1e-9, "dF %.15g vs %.15g", r.delta_f, delta_f);
    rgrbm_lattice_destroy(lat);
    rgrbm_stack_destroy(s);
  }
}
END_TEST

START_TEST(decimation_network_is_exact) {
  /* Layer l represents the chain at its own coupling K_l: T is exact up to
   * the constant -delta F (Tr_h e^{T + delta F} = 1 for every v), KL = 0. */
  for (int u = 0; u < 2; u++) {
    rgrbm_stack *s;
    ck_assert_ok(rgrbm_decimation1d_stack(&s, 16, 0.8, 3));
    double k[3];
    for (int l = 0; l < 3; l++) k[l] = rgrbm_stack_weights(s, l)[8 >> l];
    if (u) ck_assert_ok(rgrbm_stack_set_units(s, RGRBM_UNITS_BINARY));
    for (int l = 0; l < 3; l++) {
      rgrbm_lattice *chain = lattice(RGRBM_CHAIN, 16 >> l, 1, RGRBM_PERIODIC, k[l], 0);
      rgrbm_vrg_report r = RGRBM_VRG_REPORT_INIT;
      ck_assert_ok(rgrbm_vrg_check(s, l, chain, &r));
      ck_assert_msg(r.trace_spread <= 1e-10 && fabs(r.trace_defect - fabs(r.delta_f)) <= 1e-10,
                    "units %d layer %d: spread %g defect %g dF %g", u, l, r.trace_spread,
                    r.trace_defect, r.delta_f);
      ck_assert_msg(fabs(r.kl) <= 1e-12, "units %d layer %d: KL %g", u, l, r.kl);
      ck_assert(r.h_rg_max_diff <= 1e-10);
      rgrbm_lattice_destroy(chain);
    }
    rgrbm_stack_destroy(s);
  }
}
END_TEST

START_TEST(bad_input) {
  rgrbm_stack *s = random_rbm(4, 3, RGRBM_UNITS_SPIN, 1, 1);
  rgrbm_lattice *lat = lattice(RGRBM_CHAIN, 4, 1, RGRBM_PERIODIC, 1, 0);
  rgrbm_lattice *five = lattice(RGRBM_CHAIN, 5, 1, RGRBM_PERIODIC, 1, 0);
  rgrbm_vrg_report r, copy;
  memset(&r, 0x33, sizeof r);
  r.version = 0; /* the caller must set it */
  copy = r;
  ck_assert_fails(rgrbm_vrg_check(s, 0, lat, &r), RGRBM_EINVAL, "out->version = 0",
                  "rgrbm_vrg_report versions 1 to 1");
  r.version = copy.version = RGRBM_VRG_REPORT_VERSION + 1;
  ck_assert_fails(rgrbm_vrg_check(s, 0, lat, &r), RGRBM_EINVAL, "out->version = 2");
  r.version = copy.version = RGRBM_VRG_REPORT_VERSION;
  ck_assert_fails(rgrbm_vrg_check(NULL, 0, lat, &r), RGRBM_EINVAL, "s is NULL");
  ck_assert_fails(rgrbm_vrg_check(s, 0, NULL, &r), RGRBM_EINVAL, "model is NULL");
  ck_assert_fails(rgrbm_vrg_check(s, 0, lat, NULL), RGRBM_EINVAL, "out is NULL");
  ck_assert_fails(rgrbm_vrg_check(s, 1, lat, &r), RGRBM_EINVAL, "layer");
  ck_assert_fails(rgrbm_vrg_check(s, -1, lat, &r), RGRBM_EINVAL, "layer");
  ck_assert_fails(rgrbm_vrg_check(s, 0, five, &r), RGRBM_EINVAL, "model has 5 sites");
  ck_assert_mem_eq(&r, &copy, sizeof r);
  rgrbm_stack_destroy(s);
  s = random_rbm(21, 2, RGRBM_UNITS_SPIN, 1, 1);
  ck_assert_fails(rgrbm_vrg_check(s, 0, lat, &r), RGRBM_EUNSUPPORTED, "size(layer) = 21");
  rgrbm_stack_destroy(s);
  s = random_rbm(4, 13, RGRBM_UNITS_SPIN, 1, 1);
  ck_assert_fails(rgrbm_vrg_check(s, 0, lat, &r), RGRBM_EUNSUPPORTED, "size(layer+1) = 13");
  rgrbm_stack_destroy(s);
  rgrbm_lattice_destroy(lat);
  rgrbm_lattice_destroy(five);
}
END_TEST

static Suite *vrg_suite(void) {
  Suite *s = suite_create("vrg");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, random_rbm_satisfies_eq21_but_is_not_exact);
  tcase_add_test(tc, decimation_network_is_exact);
  tcase_add_test(tc, bad_input);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return rgrbm_test_run(vrg_suite()); }
