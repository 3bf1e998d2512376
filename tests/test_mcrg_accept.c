/* MCRG acceptance: at K_c on a 64 x 64 torus, 2 x 2 majority blocks, the
 * leading even and odd eigenvalues give the exact 2D Ising exponents
 * y_t = 1 and y_h = 15/8 at the second and third levels. Its own executable
 * so that sanitizer builds can skip it (exit status 77) while test_mcrg runs. */
#include <math.h>
#include <time.h>

#include "rgrbm/mcrg.h"
#include "testutil.h"

#ifdef RGRBM_SANITIZED
int main(void) { return 77; /* minutes under ASan; test_mcrg covers the code paths */ }
#else
START_TEST(critical_exponents_of_the_2d_ising_model) {
  const int L = 64;
  const double K_c = 0.5 * log(1 + sqrt(2.0));
  clock_t start = clock();
  rgrbm_lattice *lat;
  rgrbm_sampler *smp;
  rgrbm_rg *rg;
  ck_assert_ok(rgrbm_lattice_create(&lat, RGRBM_SQUARE, L, L, RGRBM_PERIODIC));
  ck_assert_ok(rgrbm_lattice_set_couplings(lat, K_c, 0));
  ck_assert_ok(rgrbm_sampler_create(&smp, lat, RGRBM_SWENDSEN_WANG, 2026));
  ck_assert_ok(rgrbm_rg_create_block2d(&rg, L, L, 2, RGRBM_BLOCK_MAJORITY, 7));
  rgrbm_mcrg_options o;
  rgrbm_mcrg_options_init(&o, RGRBM_MCRG_OPTIONS_VERSION);
  o.levels = 3;
  o.samples = 20000;
  o.thermalize = 200;
  rgrbm_mcrg_result r = RGRBM_MCRG_RESULT_INIT;
  ck_assert_ok(rgrbm_mcrg_run(smp, rg, &o, &r));
  double seconds = (double)(clock() - start) / CLOCKS_PER_SEC;
  const int ne = RGRBM_MCRG_EVEN - 1, no = RGRBM_MCRG_ODD - 1;
  for (int n = 1; n < 3; n++) {
    const rgrbm_mcrg_exponent *t = &r.even[n * r.even_operators + ne];
    const rgrbm_mcrg_exponent *m = &r.odd[n * r.odd_operators + no];
    printf("level %d: y_t = %.4f +- %.4f (%d even operators), y_h = %.4f +- %.4f (%d odd)\n",
           n + 1, t->y, t->y_err, ne + 1, m->y,
           m->y_err, no + 1);
    ck_assert_msg(fabs(t->y - 1.0) <= 0.05, "level %d: y_t = %g", n + 1,
                  t->y);
    ck_assert_msg(fabs(m->y - 1.875) <= 0.02, "level %d: y_h = %g", n + 1,
                  m->y);
    /* The statistical error must be small enough for the test to mean something. */
    ck_assert(t->y_err < 0.025 && m->y_err < 0.01);
  }
  printf("%zu samples in %.1f s of CPU time\n", r.samples, seconds);
  ck_assert_msg(seconds < 60, "%.1f s", seconds);
  rgrbm_mcrg_result_free(&r);
  rgrbm_rg_destroy(rg);
  rgrbm_sampler_destroy(smp);
  rgrbm_lattice_destroy(lat);
}
END_TEST

int main(void) {
  Suite *s = suite_create("mcrg_accept");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, critical_exponents_of_the_2d_ising_model);
  suite_add_tcase(s, tc);
  return rgrbm_test_run(s);
}
#endif
