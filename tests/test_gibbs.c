/* Block Gibbs sampling over stacks: the drawn visibles follow the exact
 * marginal of one RBM, and the exact top-down generative distribution of a
 * two-layer stack (chi-square over every configuration, fixed seeds). */
#include <math.h>
#include <stdint.h>

#include "stack_fixtures.h"
#include "testutil.h"

/* Unit k of configuration index `code` in the stack's convention. */
static double unit_value(rgrbm_units units, unsigned code, int k) {
  int on = (code >> k) & 1;
  return units == RGRBM_UNITS_SPIN ? (on ? 1.0 : -1.0) : (double)on;
}

/* ln of the unnormalized visible marginal of layer l: -F(v). */
static double log_marginal(const rgrbm_stack *s, int l, unsigned code) {
  int nv = s->sizes[l], nh = s->sizes[l + 1];
  double lp = 0;
  for (int i = 0; i < nv; i++) lp += s->vbias[l][i] * unit_value(s->units, code, i);
  for (int j = 0; j < nh; j++) {
    double a = s->hbias[l][j];
    for (int i = 0; i < nv; i++) a += unit_value(s->units, code, i) * s->weights[l][i * nh + j];
    lp += s->units == RGRBM_UNITS_SPIN ? log(2 * cosh(a)) : log1p(exp(a));
  }
  return lp;
}

/* Exact p over the 2^n configurations of level l of layer l's RBM. */
static void exact_marginal(const rgrbm_stack *s, int l, double *p) {
  unsigned cells = 1u << s->sizes[l];
  double total = 0;
  for (unsigned c = 0; c < cells; c++) total += p[c] = exp(log_marginal(s, l, c));
  for (unsigned c = 0; c < cells; c++) p[c] /= total;
}

/* P(unit i of level l = on | level l+1 = code) under layer l. */
static double p_visible_on(const rgrbm_stack *s, int l, int i, unsigned code) {
  int nh = s->sizes[l + 1];
  double a = s->vbias[l][i];
  for (int j = 0; j < nh; j++) a += s->weights[l][i * nh + j] * unit_value(s->units, code, j);
  return 1.0 / (1.0 + exp(s->units == RGRBM_UNITS_SPIN ? -2 * a : -a));
}

/* Index of a drawn configuration: bit i set for spin +1. */
static unsigned cell_of(const int8_t *spins, int dim) {
  unsigned c = 0;
  for (int i = 0; i < dim; i++) c |= (unsigned)(spins[i] > 0) << i;
  return c;
}

/* Pearson's chi-square of the drawn configurations against p; the bound is
 * the 0.999 quantile of chi-square with cells - 1 degrees of freedom
 * (Wilson-Hilferty), so a correct sampler fails once in a thousand seeds. */
static void assert_chi_square(const rgrbm_dataset *ds, const double *p, int dim) {
  size_t n = rgrbm_dataset_count(ds);
  unsigned cells = 1u << dim;
  double *observed = calloc(cells, sizeof *observed);
  int8_t *spins = malloc((size_t)dim * n);
  ck_assert_ok(rgrbm_dataset_get(ds, 0, n, spins));
  for (size_t r = 0; r < n; r++) {
    for (int i = 0; i < dim; i++) ck_assert(spins[r * dim + i] == 1 || spins[r * dim + i] == -1);
    observed[cell_of(spins + r * dim, dim)] += 1;
  }
  double chi2 = 0, min_expected = INFINITY;
  for (unsigned c = 0; c < cells; c++) {
    double e = p[c] * (double)n;
    if (e < min_expected) min_expected = e;
    chi2 += (observed[c] - e) * (observed[c] - e) / e;
  }
  ck_assert_msg(min_expected >= 5, "expected cell count %g < 5: chi-square not valid",
                min_expected);
  double df = cells - 1, z = 3.090232;
  double bound = df * pow(1 - 2 / (9 * df) + z * sqrt(2 / (9 * df)), 3);
  ck_assert_msg(chi2 < bound, "chi-square %g >= %g (df %g)", chi2, bound, df);
  free(observed);
  free(spins);
}

/* count configurations of `chains` chains after `thermalize` sweeps,
 * `spacing` sweeps apart. */
static rgrbm_dataset *draw_n(const rgrbm_stack *s, int layer, size_t dim, size_t chains,
                             size_t count, long thermalize, long spacing, uint64_t seed) {
  rgrbm_sampler *smp;
  rgrbm_dataset *ds;
  ck_assert_ok(rgrbm_sampler_create_gibbs(&smp, s, layer, chains, seed));
  ck_assert_ok(rgrbm_dataset_create(&ds, dim));
  ck_assert_ok(rgrbm_sampler_draw(smp, count, thermalize, spacing, ds));
  ck_assert_uint_eq(rgrbm_dataset_count(ds), count);
  rgrbm_sampler_destroy(smp);
  return ds;
}

/* Many chains, a few well-spaced draws each: the draws are close to independent. */
static rgrbm_dataset *draw(const rgrbm_stack *s, int layer, size_t dim, uint64_t seed) {
  return draw_n(s, layer, dim, 1000, 20000, 50, 5, seed);
}

START_TEST(layer_draws_follow_the_exact_marginal) {
  /* One RBM in both conventions, and layer 1 of a 3-level stack (its own
   * visible level, 5 units). Weights small enough that every configuration
   * is expected at least 5 times (checked). */
  static const struct {
    int sizes[3], nlevels, layer;
    rgrbm_units units;
    double sigma;
    uint64_t seed;
  } cases[] = {
      {{6, 4, 0}, 2, 0, RGRBM_UNITS_BINARY, 0.6, 11},
      {{6, 4, 0}, 2, 0, RGRBM_UNITS_SPIN, 0.3, 12},
      {{3, 5, 4}, 3, 1, RGRBM_UNITS_SPIN, 0.5, 21},
  };
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    rgrbm_stack *s = random_stack(cases[c].sizes, cases[c].nlevels, cases[c].units, cases[c].sigma,
                                  cases[c].sigma / 2, cases[c].seed);
    int layer = cases[c].layer, dim = cases[c].sizes[layer];
    double p[64];
    exact_marginal(s, layer, p);
    rgrbm_dataset *ds = draw(s, layer, (size_t)dim, 5 + c);
    assert_chi_square(ds, p, dim);
    rgrbm_dataset_destroy(ds);
    rgrbm_stack_destroy(s);
  }
}
END_TEST

START_TEST(whole_stack_draws_follow_the_generative_model) {
  /* p(v) = sum_h1 p_top(h1) prod_i P(v_i | h1): the top RBM's marginal on
   * level 1, then layer 0's directed conditionals down to level 0. */
  const int sizes[] = {5, 4, 3};
  for (int units = 0; units < 2; units++) {
    rgrbm_stack *s = random_stack(sizes, 3, (rgrbm_units)units, units ? 0.5 : 1.0,
                                  units ? 0.25 : 0.5, 31 + units);
    double top[16], p[32] = {0};
    exact_marginal(s, 1, top);
    for (unsigned h = 0; h < 16; h++)
      for (unsigned v = 0; v < 32; v++) {
        double pv = top[h];
        for (int i = 0; i < 5; i++) {
          double on = p_visible_on(s, 0, i, h);
          pv *= (v >> i & 1) ? on : 1 - on;
        }
        p[v] += pv;
      }
    rgrbm_dataset *ds = draw(s, -1, 5, 7 + units);
    assert_chi_square(ds, p, 5);
    rgrbm_dataset_destroy(ds);
    rgrbm_stack_destroy(s);
  }
}
END_TEST

START_TEST(draws_are_reproducible_and_sized) {
  const int sizes[] = {9, 6, 4};
  rgrbm_stack *s = random_stack(sizes, 3, RGRBM_UNITS_BINARY, 1.0, 0.5, 2);
  const int layers[3] = {-1, 0, 1};
  for (int k = 0; k < 3; k++) {
    size_t dim = (size_t)sizes[layers[k] < 0 ? 0 : layers[k]];
    /* 7 draws of 3 chains: 3 + 3 + 1. */
    rgrbm_dataset *a = draw_n(s, layers[k], dim, 3, 7, 2, 1, 9);
    rgrbm_dataset *b = draw_n(s, layers[k], dim, 3, 7, 2, 1, 9);
    rgrbm_dataset *c = draw_n(s, layers[k], dim, 3, 7, 2, 1, 10);
    int8_t x[7 * 9], y[7 * 9], z[7 * 9];
    ck_assert_ok(rgrbm_dataset_get(a, 0, 7, x));
    ck_assert_ok(rgrbm_dataset_get(b, 0, 7, y));
    ck_assert_ok(rgrbm_dataset_get(c, 0, 7, z));
    ck_assert_mem_eq(x, y, 7 * dim);
    ck_assert(memcmp(x, z, 7 * dim) != 0);
    rgrbm_dataset_destroy(a);
    rgrbm_dataset_destroy(b);
    rgrbm_dataset_destroy(c);
  }
  /* A dataset of the wrong dim is refused, untouched. */
  rgrbm_sampler *smp;
  rgrbm_dataset *wrong;
  ck_assert_ok(rgrbm_sampler_create_gibbs(&smp, s, 1, 2, 1));
  ck_assert_ok(rgrbm_dataset_create(&wrong, 9));
  ck_assert_fails(rgrbm_sampler_draw(smp, 4, 0, 1, wrong), RGRBM_EINVAL, "rgrbm_sampler_draw",
                  "dim = 9");
  ck_assert_uint_eq(rgrbm_dataset_count(wrong), 0);
  rgrbm_dataset_destroy(wrong);
  rgrbm_sampler_destroy(smp);
  rgrbm_stack_destroy(s);
}
END_TEST

START_TEST(bad_arguments_are_named) {
  const int sizes[] = {4, 3};
  rgrbm_stack *s = random_stack(sizes, 2, RGRBM_UNITS_SPIN, 0.5, 0.25, 1);
  rgrbm_sampler *smp = (rgrbm_sampler *)0x1;
  size_t before = rgrbm_memory_in_use();
  ck_assert_fails(rgrbm_sampler_create_gibbs(NULL, s, 0, 1, 0), RGRBM_EINVAL,
                  "rgrbm_sampler_create_gibbs", "out is NULL");
  ck_assert_fails(rgrbm_sampler_create_gibbs(&smp, NULL, 0, 1, 0), RGRBM_EINVAL,
                  "rgrbm_sampler_create_gibbs", "s is NULL");
  ck_assert_ptr_null(smp);
  ck_assert_fails(rgrbm_sampler_create_gibbs(&smp, s, -2, 1, 0), RGRBM_EINVAL, "layer = -2",
                  "depth-1 = 0");
  ck_assert_fails(rgrbm_sampler_create_gibbs(&smp, s, 1, 1, 0), RGRBM_EINVAL, "layer = 1");
  ck_assert_fails(rgrbm_sampler_create_gibbs(&smp, s, 0, 0, 0), RGRBM_EINVAL, "chains = 0");
  ck_assert_fails(rgrbm_sampler_create_gibbs(&smp, s, -1, SIZE_MAX / 2, 0), RGRBM_EINVAL,
                  "chains = ", "too many");
  ck_assert_ptr_null(smp);
  ck_assert_uint_eq(rgrbm_memory_in_use(), before);
  ck_assert_ok(rgrbm_sampler_create_gibbs(&smp, s, -1, 2, 0));
  ck_assert_fails(rgrbm_sampler_sweep(smp, (uint64_t)-1), RGRBM_EINVAL,
                  "sweeps = 18446744073709551615");
  rgrbm_sampler_destroy(smp);
  rgrbm_sampler_destroy(NULL);
  ck_assert_uint_eq(rgrbm_memory_in_use(), before);
  rgrbm_stack_destroy(s);
}
END_TEST

static Suite *gibbs_suite(void) {
  Suite *s = suite_create("gibbs");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, layer_draws_follow_the_exact_marginal);
  tcase_add_test(tc, whole_stack_draws_follow_the_generative_model);
  tcase_add_test(tc, draws_are_reproducible_and_sized);
  tcase_add_test(tc, bad_arguments_are_named);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return rgrbm_test_run(gibbs_suite()); }
