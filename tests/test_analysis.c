/* Receptive fields against the matrix product, locality measures on fields
 * whose centre, radius and block share are known exactly, reconstructions
 * against enumeration. */
#include <math.h>
#include <stdint.h>

#include "stack_fixtures.h"
#include "testutil.h"

START_TEST(receptive_field_is_the_weight_product) {
  const int sizes[] = {6, 5, 4, 3};
  rgrbm_stack *s = random_stack(sizes, 4, RGRBM_UNITS_BINARY, 0.7, 0.3, 1);
  double prod[6 * 5], next[6 * 5], mag[6 * 5], next_mag[6 * 5];
  for (int i = 0; i < 6 * 5; i++) {
    prod[i] = s->weights[0][i];
    mag[i] = fabs(prod[i]);
  }
  for (int level = 1; level <= 3; level++) {
    if (level > 1) { /* prod <- prod W(level-1) in double, and |prod| |W| for the tolerance */
      int k = sizes[level - 1], n = sizes[level];
      for (int i = 0; i < 6; i++)
        for (int j = 0; j < n; j++) {
          double acc = 0, acc_mag = 0;
          for (int m = 0; m < k; m++) {
            double w = s->weights[level - 1][m * n + j];
            acc += prod[i * k + m] * w;
            acc_mag += mag[i * k + m] * fabs(w);
          }
          next[i * n + j] = acc;
          next_mag[i * n + j] = acc_mag;
        }
      memcpy(prod, next, sizeof next);
      memcpy(mag, next_mag, sizeof next_mag);
    }
    float rf[6 * 5];
    ck_assert_ok(rgrbm_receptive_field(s, level, rf));
    /* Float products: each term rounds by at most a few ulps. */
    for (int i = 0; i < 6 * sizes[level]; i++)
      ck_assert_msg(fabs(rf[i] - prod[i]) <= 8 * FLT_EPSILON * (mag[i] + 1e-30) * level,
                    "level %d entry %d: %g vs %g", level, i, rf[i], prod[i]);
  }
  rgrbm_stack_destroy(s);
}
END_TEST

enum { LX = 8, LY = 6, SITES = LX * LY };

static void one_unit_measures(const float *rf, int b, double *cx, double *cy, double *rg,
                              double *bf) {
  ck_assert_ok(rgrbm_receptive_locality(rf, LX, LY, 1, b, cx, cy, rg, bf));
}

START_TEST(locality_of_known_fields) {
  float rf[SITES];
  double cx, cy, rg, bf;
  /* A single site: centre on it, no spread, all inside any block. */
  memset(rf, 0, sizeof rf);
  rf[4 * LX + 5] = -2.0f;
  for (int b = 1; b <= 3; b++) {
    one_unit_measures(rf, b, &cx, &cy, &rg, &bf);
    ck_assert_double_eq_tol(cx, 5.0, 1e-12);
    ck_assert_double_eq_tol(cy, 4.0, 1e-12);
    ck_assert_double_eq_tol(rg, 0.0, 1e-12);
    ck_assert_double_eq_tol(bf, 1.0, 1e-12);
  }
  /* Two equal sites across the periodic x boundary: the centre lies on the
   * boundary (x = -0.5 = LX - 0.5), not in the middle of the lattice. */
  memset(rf, 0, sizeof rf);
  rf[2 * LX + 0] = 1.0f;
  rf[2 * LX + LX - 1] = -1.0f;
  one_unit_measures(rf, 2, &cx, &cy, &rg, &bf);
  ck_assert_double_eq_tol(cx, LX - 0.5, 1e-12);
  ck_assert_double_eq_tol(cy, 2.0, 1e-12);
  ck_assert_double_eq_tol(rg, 0.5, 1e-12);
  ck_assert_double_eq_tol(bf, 1.0, 1e-12);
  one_unit_measures(rf, 1, NULL, NULL, NULL, &bf);
  ck_assert_double_eq_tol(bf, 0.5, 1e-12);
  /* A 2 x 2 block across both boundaries, weights 1, 1, 1, 1: centre at the
   * corner, every site sqrt(1/2) away. */
  memset(rf, 0, sizeof rf);
  rf[0] = rf[LX - 1] = rf[(LY - 1) * LX] = rf[SITES - 1] = 0.5f;
  one_unit_measures(rf, 2, &cx, &cy, &rg, &bf);
  ck_assert_double_eq_tol(cx, LX - 0.5, 1e-12);
  ck_assert_double_eq_tol(cy, LY - 0.5, 1e-12);
  ck_assert_double_eq_tol(rg, sqrt(0.5), 1e-12);
  ck_assert_double_eq_tol(bf, 1.0, 1e-12);
  /* A uniform field: every b x b block holds b^2 / sites of it. */
  for (int i = 0; i < SITES; i++) rf[i] = (i % 2) ? 1.0f : -1.0f;
  for (int b = 1; b <= LY; b++) {
    one_unit_measures(rf, b, NULL, NULL, NULL, &bf);
    ck_assert_double_eq_tol(bf, (double)(b * b) / SITES, 1e-12);
  }
}
END_TEST

static double circular_distance(double a, double b, int period) {
  double d = fmod(fabs(a - b), period);
  return d < period - d ? d : period - d;
}

START_TEST(locality_is_translation_equivariant) {
  /* Random fields shifted around the torus: the centre moves with them, the
   * radius and the block share do not change. */
  enum { UNITS = 5 };
  float rf[SITES * UNITS], moved[SITES * UNITS];
  rgrbm__rng r;
  rgrbm__rng_init(&r, 3, 0);
  for (int i = 0; i < SITES * UNITS; i++) {
    double g = rgrbm__rng_normal(&r);
    rf[i] = (float)(g * exp(-0.1 * (i / UNITS % LX))); /* lopsided along x */
  }
  const int dx = 3, dy = 5;
  for (int y = 0; y < LY; y++)
    for (int x = 0; x < LX; x++)
      for (int j = 0; j < UNITS; j++)
        moved[(((y + dy) % LY) * LX + (x + dx) % LX) * UNITS + j] = rf[(y * LX + x) * UNITS + j];
  double cx[UNITS], cy[UNITS], rg[UNITS], bf[UNITS];
  double mx[UNITS], my[UNITS], mrg[UNITS], mbf[UNITS];
  ck_assert_ok(rgrbm_receptive_locality(rf, LX, LY, UNITS, 3, cx, cy, rg, bf));
  ck_assert_ok(rgrbm_receptive_locality(moved, LX, LY, UNITS, 3, mx, my, mrg, mbf));
  for (int j = 0; j < UNITS; j++) {
    ck_assert_double_le_tol(circular_distance(mx[j], cx[j] + dx, LX), 0.0, 1e-9);
    ck_assert_double_le_tol(circular_distance(my[j], cy[j] + dy, LY), 0.0, 1e-9);
    ck_assert_double_eq_tol(mrg[j], rg[j], 1e-9);
    ck_assert_double_eq_tol(mbf[j], bf[j], 1e-12);
    ck_assert(cx[j] >= 0 && cx[j] < LX && cy[j] >= 0 && cy[j] < LY);
    ck_assert(rg[j] > 0 && rg[j] <= sqrt(LX * LX + LY * LY) / 2);
    ck_assert(bf[j] >= 9.0 / SITES && bf[j] <= 1.0);
  }
}
END_TEST

START_TEST(stack_locality_of_block_spin_weights) {
  /* A 4 x 4 lattice, level 1 = four 2 x 2 block sums, level 2 = the identity
   * on them: both levels' fields are exactly the blocks. */
  const int sizes[] = {16, 4, 4};
  rgrbm_stack *s;
  ck_assert_ok(rgrbm_stack_create(&s, sizes, 3, RGRBM_UNITS_SPIN, 1));
  memset(s->weights[0], 0, 16 * 4 * sizeof(float));
  memset(s->weights[1], 0, 4 * 4 * sizeof(float));
  for (int y = 0; y < 4; y++)
    for (int x = 0; x < 4; x++) s->weights[0][(y * 4 + x) * 4 + (y / 2) * 2 + x / 2] = 0.7f;
  for (int j = 0; j < 4; j++) s->weights[1][j * 4 + j] = 1.0f;
  for (int level = 1; level <= 2; level++) {
    rgrbm_receptive_summary loc = RGRBM_RECEPTIVE_SUMMARY_INIT;
    ck_assert_ok(rgrbm_receptive_summarize(s, level, 4, 4, 2, &loc));
    ck_assert_uint_eq(loc.units, 4);
    ck_assert_double_eq_tol(loc.gyration_mean, sqrt(0.5), 1e-6);
    ck_assert_double_eq_tol(loc.gyration_sd, 0.0, 1e-6);
    ck_assert_double_eq_tol(loc.block_fraction_mean, 1.0, 1e-6);
    ck_assert_double_eq_tol(loc.block_fraction_sd, 0.0, 1e-6);
    /* With 1 x 1 blocks each field is a quarter in every site. */
    ck_assert_ok(rgrbm_receptive_summarize(s, level, 4, 4, 1, &loc));
    ck_assert_double_eq_tol(loc.block_fraction_mean, 0.25, 1e-6);
  }
  /* Spread: make unit 3 of level 1 a single site (radius 0, share 1 with b = 1). */
  for (int i = 0; i < 16; i++) s->weights[0][i * 4 + 3] = i == 15 ? 1.0f : 0.0f;
  rgrbm_receptive_summary loc = RGRBM_RECEPTIVE_SUMMARY_INIT;
  ck_assert_ok(rgrbm_receptive_summarize(s, 1, 4, 4, 1, &loc));
  ck_assert_double_eq_tol(loc.gyration_mean, 3 * sqrt(0.5) / 4, 1e-6);
  /* sample sd of {r, r, r, 0} is r / 2 */
  ck_assert_double_eq_tol(loc.gyration_sd, sqrt(0.5) / 2, 1e-6);
  ck_assert_double_eq_tol(loc.block_fraction_mean, (3 * 0.25 + 1) / 4, 1e-6);
  ck_assert_double_eq_tol(loc.block_fraction_sd, 0.375, 1e-6);
  rgrbm_stack_destroy(s);
}
END_TEST

START_TEST(reconstruction_by_means_is_up_then_down) {
  const int sizes[] = {7, 5, 3};
  rgrbm_stack *s = random_stack(sizes, 3, RGRBM_UNITS_SPIN, 0.5, 0.3, 5);
  float in[4 * 7], code[4 * 5], want[4 * 7], got[4 * 7];
  for (int i = 0; i < 4 * 7; i++) in[i] = (i * 5 % 3) == 0 ? 1.0f : -1.0f;
  for (int level = 1; level <= 2; level++) {
    ck_assert_ok(rgrbm_stack_up(s, 0, level, in, 4, code));
    ck_assert_ok(rgrbm_stack_down(s, level, 0, code, 4, want));
    ck_assert_ok(rgrbm_stack_reconstruct(s, level, RGRBM_PASS_MEANS, in, 4, 9, got));
    ck_assert_mem_eq(got, want, sizeof got);
  }
  rgrbm_stack_destroy(s);
}
END_TEST

static double sigmoid(double x) { return 1.0 / (1.0 + exp(-x)); }

START_TEST(sampled_reconstructions_match_enumeration) {
  /* One binary RBM, 5 visible and 4 hidden: for a fixed v the reconstructed
   * v'_i is on with probability sum_h p(h | v) p(v'_i = 1 | h). */
  const int sizes[] = {5, 4};
  rgrbm_stack *s = random_stack(sizes, 2, RGRBM_UNITS_BINARY, 1.0, 0.3, 8);
  const float v[5] = {1, 0, 1, 1, 0};
  double exact[5] = {0};
  for (int code = 0; code < 16; code++) {
    double ph = 1.0;
    for (int j = 0; j < 4; j++) {
      double a = s->hbias[0][j];
      for (int i = 0; i < 5; i++) a += v[i] * s->weights[0][i * 4 + j];
      ph *= (code >> j & 1) ? sigmoid(a) : 1.0 - sigmoid(a);
    }
    for (int i = 0; i < 5; i++) {
      double a = s->vbias[0][i];
      for (int j = 0; j < 4; j++) a += (code >> j & 1) * s->weights[0][i * 4 + j];
      exact[i] += ph * sigmoid(a);
    }
  }
  enum { N = 20000 };
  float *in = malloc(N * 5 * sizeof *in), *out = malloc(N * 5 * sizeof *out);
  for (int r = 0; r < N; r++) memcpy(in + r * 5, v, sizeof v);
  ck_assert_ok(rgrbm_stack_reconstruct(s, 1, RGRBM_PASS_SAMPLES, in, N, 77, out));
  for (int i = 0; i < 5; i++) {
    double mean = 0;
    for (int r = 0; r < N; r++) {
      ck_assert(out[r * 5 + i] == 0.0f || out[r * 5 + i] == 1.0f);
      mean += out[r * 5 + i];
    }
    mean /= N;
    double se = sqrt(exact[i] * (1 - exact[i]) / N);
    ck_assert_msg(fabs(mean - exact[i]) < 4 * se, "unit %d: %g vs exact %g (se %g)", i, mean,
                  exact[i], se);
  }
  /* Reproducible from the seed, different for another seed. */
  float *again = malloc(N * 5 * sizeof *again);
  ck_assert_ok(rgrbm_stack_reconstruct(s, 1, RGRBM_PASS_SAMPLES, in, N, 77, again));
  ck_assert_mem_eq(out, again, N * 5 * sizeof *out);
  ck_assert_ok(rgrbm_stack_reconstruct(s, 1, RGRBM_PASS_SAMPLES, in, N, 78, again));
  ck_assert(memcmp(out, again, N * 5 * sizeof *out) != 0);
  free(in);
  free(out);
  free(again);
  rgrbm_stack_destroy(s);
}
END_TEST

START_TEST(bad_arguments_are_named) {
  const int sizes[] = {4, 3};
  rgrbm_stack *s = random_stack(sizes, 2, RGRBM_UNITS_BINARY, 0.5, 0.3, 1);
  float rf[12], in[4] = {0, 1, 0, 1}, out[4];
  size_t before = rgrbm_memory_in_use();
  ck_assert_fails(rgrbm_receptive_field(NULL, 1, rf), RGRBM_EINVAL,
                  "rgrbm_receptive_field", "s is NULL");
  ck_assert_fails(rgrbm_receptive_field(s, 1, NULL), RGRBM_EINVAL, "out is NULL");
  ck_assert_fails(rgrbm_receptive_field(s, 0, rf), RGRBM_EINVAL, "level = 0", "depth = 1");
  ck_assert_fails(rgrbm_receptive_field(s, 2, rf), RGRBM_EINVAL, "level = 2");

  ck_assert_fails(rgrbm_receptive_locality(NULL, 2, 2, 3, 1, NULL, NULL, NULL, NULL), RGRBM_EINVAL,
                  "rgrbm_receptive_locality", "rf is NULL");
  ck_assert_fails(rgrbm_receptive_locality(rf, 0, 2, 3, 1, NULL, NULL, NULL, NULL), RGRBM_EINVAL,
                  "lx = 0");
  ck_assert_fails(rgrbm_receptive_locality(rf, 2, -1, 3, 1, NULL, NULL, NULL, NULL), RGRBM_EINVAL,
                  "ly = -1");
  ck_assert_fails(rgrbm_receptive_locality(rf, 2, 2, 3, 0, NULL, NULL, NULL, NULL), RGRBM_EINVAL,
                  "b = 0");
  ck_assert_fails(rgrbm_receptive_locality(rf, 2, 2, 3, 3, NULL, NULL, NULL, NULL), RGRBM_EINVAL,
                  "b = 3", "min(lx, ly) = 2");
  ck_assert_fails(rgrbm_receptive_locality(rf, 2, 2, 0, 1, NULL, NULL, NULL, NULL), RGRBM_EINVAL,
                  "units = 0");
  float zero[4 * 2] = {1, 0, 1, 0, 1, 0, 1, 0};
  double g[2] = {-7, -7};
  ck_assert_fails(rgrbm_receptive_locality(zero, 2, 2, 2, 1, NULL, NULL, g, NULL), RGRBM_ENUMERIC,
                  "unit 1", "all zero");
  ck_assert(g[0] == -7 && g[1] == -7); /* nothing written */
  zero[1] = NAN;
  ck_assert_fails(rgrbm_receptive_locality(zero, 2, 2, 2, 1, NULL, NULL, g, NULL), RGRBM_ENUMERIC,
                  "unit 1", "not finite");

  rgrbm_receptive_summary loc = RGRBM_RECEPTIVE_SUMMARY_INIT;
  ck_assert_fails(rgrbm_receptive_summarize(NULL, 1, 2, 2, 1, &loc), RGRBM_EINVAL,
                  "rgrbm_receptive_summarize", "s is NULL");
  ck_assert_fails(rgrbm_receptive_summarize(s, 1, 2, 2, 1, NULL), RGRBM_EINVAL, "out is NULL");
  ck_assert_fails(rgrbm_receptive_summarize(s, 1, 2, 3, 1, &loc), RGRBM_EINVAL, "lx * ly = 2 * 3",
                  "size(0) = 4");
  ck_assert_fails(rgrbm_receptive_summarize(s, 3, 2, 2, 1, &loc), RGRBM_EINVAL, "level = 3");
  ck_assert_fails(rgrbm_receptive_summarize(s, 1, 2, 2, 5, &loc), RGRBM_EINVAL, "b = 5");
  loc.version = 99;
  ck_assert_fails(rgrbm_receptive_summarize(s, 1, 2, 2, 1, &loc), RGRBM_EINVAL, "out->version = 99",
                  "rgrbm_receptive_summary versions 1 to 1");
  loc.version = 0;
  ck_assert_fails(rgrbm_receptive_summarize(s, 1, 2, 2, 1, &loc), RGRBM_EINVAL, "out->version = 0");

  ck_assert_fails(rgrbm_stack_reconstruct(NULL, 1, RGRBM_PASS_MEANS, in, 1, 0, out), RGRBM_EINVAL,
                  "rgrbm_stack_reconstruct", "s is NULL");
  ck_assert_fails(rgrbm_stack_reconstruct(s, 1, RGRBM_PASS_MEANS, NULL, 1, 0, out), RGRBM_EINVAL,
                  "in is NULL");
  ck_assert_fails(rgrbm_stack_reconstruct(s, 1, RGRBM_PASS_MEANS, in, 1, 0, NULL), RGRBM_EINVAL,
                  "out is NULL");
  ck_assert_fails(rgrbm_stack_reconstruct(s, 0, RGRBM_PASS_MEANS, in, 1, 0, out), RGRBM_EINVAL,
                  "level = 0");
  ck_assert_fails(rgrbm_stack_reconstruct(s, 1, (rgrbm_pass)7, in, 1, 0, out), RGRBM_EINVAL,
                  "pass = 7");
  ck_assert_fails(rgrbm_stack_reconstruct(s, 1, RGRBM_PASS_SAMPLES, in, 0, 0, out), RGRBM_EINVAL,
                  "n = 0");
  ck_assert_uint_eq(rgrbm_memory_in_use(), before);
  rgrbm_stack_destroy(s);
}
END_TEST

static Suite *analysis_suite(void) {
  Suite *s = suite_create("analysis");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, receptive_field_is_the_weight_product);
  tcase_add_test(tc, locality_of_known_fields);
  tcase_add_test(tc, locality_is_translation_equivariant);
  tcase_add_test(tc, stack_locality_of_block_spin_weights);
  tcase_add_test(tc, reconstruction_by_means_is_up_then_down);
  tcase_add_test(tc, sampled_reconstructions_match_enumeration);
  tcase_add_test(tc, bad_arguments_are_named);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return rgrbm_test_run(analysis_suite()); }
