/* RG plans: block spins and decimation against direct reference loops,
 * seeded tie-breaking (reproducible, fair, independent of position and
 * threads), learned transforms against the stack's own passes, bad input. */
#include <math.h>
#include <pthread.h>
#include <stdint.h>

#include "rg_testutil.h"
#include "rgrbm/rg.h"
#include "rng.h"
#include "testutil.h"

static rgrbm_dataset *random_dataset(size_t dim, size_t count, uint64_t seed) {
  rgrbm__rng r;
  rgrbm__rng_init(&r, seed, 0);
  int8_t *s = malloc(dim * count);
  for (size_t i = 0; i < dim * count; i++) s[i] = (rgrbm__rng_u32(&r) >> 31) ? 1 : -1;
  rgrbm_dataset *ds;
  ck_assert_ok(rgrbm_dataset_create(&ds, dim));
  ck_assert_ok(rgrbm_dataset_append(ds, s, count));
  free(s);
  return ds;
}

/* Sum of the b x b block at coarse (X, Y) of an lx-wide configuration. */
static int block_sum(const int8_t *c, int lx, int b, int X, int Y) {
  int sum = 0;
  for (int j = 0; j < b; j++)
    for (int i = 0; i < b; i++) sum += c[(Y * b + j) * lx + X * b + i];
  return sum;
}

START_TEST(majority_matches_reference_and_ties_are_fair) {
  const int lx = 12, ly = 6, n = 400;
  for (int b = 2; b <= 3; b++) {
    rgrbm_dataset *in = random_dataset((size_t)(lx * ly), n, 10 + b);
    rgrbm_rg *rg;
    ck_assert_ok(rgrbm_rg_create_block2d(&rg, lx, ly, b, RGRBM_BLOCK_MAJORITY, 5));
    rgrbm_dataset *out = apply_new(rg, in);
    int olx, oly;
    ck_assert_ok(rgrbm_dataset_shape(out, &olx, &oly));
    ck_assert_int_eq(olx, lx / b);
    ck_assert_int_eq(oly, ly / b);
    int8_t *f = all_spins(in), *c = all_spins(out);
    long ties = 0, ups = 0;
    for (int k = 0; k < n; k++)
      for (int Y = 0; Y < ly / b; Y++)
        for (int X = 0; X < lx / b; X++) {
          int sum = block_sum(f + k * lx * ly, lx, b, X, Y);
          int8_t got = c[k * (lx / b) * (ly / b) + Y * (lx / b) + X];
          if (sum != 0) {
            ck_assert_int_eq(got, sum > 0 ? 1 : -1);
          } else {
            ties++;
            ups += got > 0;
          }
        }
    if (b == 3) ck_assert_int_eq(ties, 0);
    if (b == 2) {
      /* A tie has probability 6/16; the coin must be fair within 4 sigma. */
      ck_assert(ties > 1000);
      ck_assert_msg(fabs(ups - 0.5 * ties) < 4 * sqrt(0.25 * ties), "%ld of %ld ties up", ups,
                    ties);
    }
    free(f);
    free(c);
    rgrbm_dataset_destroy(out);
    rgrbm_dataset_destroy(in);
    rgrbm_rg_destroy(rg);
  }
}
END_TEST

START_TEST(ties_depend_on_seed_and_configuration_only) {
  rgrbm_dataset *in = random_dataset(64, 50, 3);
  rgrbm_rg *a, *a2, *other;
  ck_assert_ok(rgrbm_rg_create_block2d(&a, 8, 8, 2, RGRBM_BLOCK_MAJORITY, 7));
  ck_assert_ok(rgrbm_rg_create_block2d(&a2, 8, 8, 2, RGRBM_BLOCK_MAJORITY, 7));
  ck_assert_ok(rgrbm_rg_create_block2d(&other, 8, 8, 2, RGRBM_BLOCK_MAJORITY, 8));
  rgrbm_dataset *x = apply_new(a, in), *y = apply_new(a2, in), *z = apply_new(other, in);
  int8_t *sx = all_spins(x), *sy = all_spins(y), *sz = all_spins(z);
  ck_assert_mem_eq(sx, sy, 50 * 16);
  ck_assert(memcmp(sx, sz, 50 * 16) != 0);
  /* The last configuration alone gives the same coarse configuration. */
  int8_t last[64];
  ck_assert_ok(rgrbm_dataset_get(in, 49, 1, last));
  rgrbm_dataset *one;
  ck_assert_ok(rgrbm_dataset_create(&one, 64));
  ck_assert_ok(rgrbm_dataset_append(one, last, 1));
  rgrbm_dataset *w = apply_new(a, one);
  int8_t *sw = all_spins(w);
  ck_assert_mem_eq(sw, sx + 49 * 16, 16);
  free(sx), free(sy), free(sz), free(sw);
  rgrbm_dataset_destroy(x), rgrbm_dataset_destroy(y), rgrbm_dataset_destroy(z);
  rgrbm_dataset_destroy(w), rgrbm_dataset_destroy(one), rgrbm_dataset_destroy(in);
  rgrbm_rg_destroy(a), rgrbm_rg_destroy(a2), rgrbm_rg_destroy(other);
}
END_TEST

typedef struct {
  const rgrbm_rg *rg;
  const rgrbm_dataset *in;
  rgrbm_dataset *out;
} apply_job;

static void *apply_thread(void *arg) {
  apply_job *job = arg;
  return (void *)(intptr_t)rgrbm_rg_apply(job->rg, job->in, job->out);
}

START_TEST(const_plan_applies_from_threads) {
  rgrbm_dataset *in = random_dataset(32 * 32, 300, 4);
  rgrbm_rg *rg;
  ck_assert_ok(rgrbm_rg_create_block2d(&rg, 32, 32, 2, RGRBM_BLOCK_MAJORITY, 1));
  rgrbm_dataset *serial = apply_new(rg, in);
  apply_job jobs[2];
  pthread_t th[2];
  for (int t = 0; t < 2; t++) {
    jobs[t].rg = rg;
    jobs[t].in = in;
    ck_assert_ok(rgrbm_dataset_create(&jobs[t].out, 256));
    ck_assert_int_eq(pthread_create(&th[t], NULL, apply_thread, &jobs[t]), 0);
  }
  int8_t *ref = all_spins(serial);
  for (int t = 0; t < 2; t++) {
    void *rc;
    pthread_join(th[t], &rc);
    ck_assert_int_eq((int)(intptr_t)rc, RGRBM_OK);
    int8_t *got = all_spins(jobs[t].out);
    ck_assert_mem_eq(got, ref, 300 * 256);
    free(got);
    rgrbm_dataset_destroy(jobs[t].out);
  }
  free(ref);
  rgrbm_dataset_destroy(serial);
  rgrbm_dataset_destroy(in);
  rgrbm_rg_destroy(rg);
}
END_TEST

START_TEST(decimation_keeps_one_spin_per_block) {
  rgrbm_dataset *in = random_dataset(12 * 9, 20, 6);
  rgrbm_rg *rg;
  ck_assert_ok(rgrbm_rg_create_block2d(&rg, 12, 9, 3, RGRBM_BLOCK_DECIMATE, 0));
  rgrbm_dataset *out = apply_new(rg, in);
  int8_t *f = all_spins(in), *c = all_spins(out);
  for (int k = 0; k < 20; k++)
    for (int Y = 0; Y < 3; Y++)
      for (int X = 0; X < 4; X++) ck_assert_int_eq(c[k * 12 + Y * 4 + X], f[k * 108 + 3 * Y * 12 + 3 * X]);
  free(f), free(c);
  rgrbm_dataset_destroy(out);
  rgrbm_rg_destroy(rg);
  /* The chain: sites 0, b, 2b, ... Applying twice appends. */
  ck_assert_ok(rgrbm_rg_create_decimation1d(&rg, 108, 4));
  out = apply_new(rg, in);
  ck_assert_ok(rgrbm_rg_apply(rg, in, out));
  ck_assert_uint_eq(rgrbm_dataset_count(out), 40);
  int lx, ly;
  ck_assert_ok(rgrbm_dataset_shape(out, &lx, &ly));
  ck_assert_int_eq(lx, 0); /* a 1D plan sets no 2D shape */
  f = all_spins(in), c = all_spins(out);
  for (int k = 0; k < 20; k++)
    for (int j = 0; j < 27; j++) ck_assert_int_eq(c[k * 27 + j], f[k * 108 + 4 * j]);
  free(f), free(c);
  rgrbm_dataset_destroy(out);
  rgrbm_rg_destroy(rg);
  rgrbm_dataset_destroy(in);
}
END_TEST

START_TEST(shape_queries) {
  rgrbm_rg *rg;
  rgrbm_rg_dims d = RGRBM_RG_DIMS_INIT;
  ck_assert_ok(rgrbm_rg_create_block2d(&rg, 64, 32, 4, RGRBM_BLOCK_MAJORITY, 0));
  ck_assert_ok(rgrbm_rg_shape(rg, &d));
  ck_assert(d.in_dim == 2048 && d.out_dim == 128 && d.in_lx == 64 && d.in_ly == 32 &&
            d.out_lx == 16 && d.out_ly == 8 && d.b == 4 && d.version == RGRBM_RG_DIMS_VERSION);
  ck_assert_fails(rgrbm_rg_shape(NULL, &d), RGRBM_EINVAL, "rg is NULL");
  ck_assert_fails(rgrbm_rg_shape(rg, NULL), RGRBM_EINVAL, "out is NULL");
  /* Versions 0 and newer than the library's are refused, out unchanged. */
  rgrbm_rg_dims bad = {0, 7, 7, 7, 7, 7, 7, 7}, copy = bad;
  ck_assert_fails(rgrbm_rg_shape(rg, &bad), RGRBM_EINVAL, "rgrbm_rg_shape", "out->version = 0",
                  "rgrbm_rg_dims versions 1 to 1");
  bad.version = copy.version = RGRBM_RG_DIMS_VERSION + 1;
  ck_assert_fails(rgrbm_rg_shape(rg, &bad), RGRBM_EINVAL, "out->version = 2");
  ck_assert_mem_eq(&bad, &copy, sizeof bad);
  rgrbm_rg_destroy(rg);
  rgrbm_rg_destroy(NULL);
}
END_TEST

/* A stack with random weights and biases of scale sigma. */
static rgrbm_stack *random_stack(const int *sizes, int nlevels, rgrbm_units units, double sigma,
                                 uint64_t seed) {
  rgrbm_stack *s;
  ck_assert_ok(rgrbm_stack_create(&s, sizes, nlevels, units, seed));
  rgrbm__rng r;
  rgrbm__rng_init(&r, seed, 1);
  for (int l = 0; l + 1 < nlevels; l++) {
    float *w = rgrbm_stack_weights(s, l), *c = rgrbm_stack_visible_bias(s, l),
          *bh = rgrbm_stack_hidden_bias(s, l);
    for (int i = 0; i < sizes[l] * sizes[l + 1]; i++) w[i] = (float)(sigma * rgrbm__rng_normal(&r));
    for (int i = 0; i < sizes[l]; i++) c[i] = (float)(sigma * rgrbm__rng_normal(&r));
    for (int i = 0; i < sizes[l + 1]; i++) bh[i] = (float)(sigma * rgrbm__rng_normal(&r));
  }
  return s;
}

START_TEST(learned_sign_follows_the_stack_means) {
  const int sizes[] = {16, 9, 4};
  for (int u = 0; u < 2; u++) {
    rgrbm_units units = u ? RGRBM_UNITS_SPIN : RGRBM_UNITS_BINARY;
    rgrbm_stack *s = random_stack(sizes, 3, units, 1.0, 11);
    rgrbm_dataset *in = random_dataset(16, 70, 12);
    for (int level = 1; level <= 2; level++) {
      rgrbm_rg *rg;
      ck_assert_ok(rgrbm_rg_create_learned(&rg, s, level, RGRBM_RG_SIGN_MEAN, 3));
      rgrbm_dataset *out = apply_new(rg, in);
      int8_t *f = all_spins(in), *c = all_spins(out);
      float *x = malloc(70 * 16 * sizeof *x), *m = malloc(70 * 9 * sizeof *m);
      for (int i = 0; i < 70 * 16; i++) x[i] = u ? f[i] : (f[i] + 1) / 2;
      ck_assert_ok(rgrbm_stack_up(s, 0, level, x, 70, m));
      float mid = u ? 0.0f : 0.5f;
      for (int i = 0; i < 70 * sizes[level]; i++) {
        if (m[i] != mid) ck_assert_int_eq(c[i], m[i] > mid ? 1 : -1);
      }
      free(x), free(m), free(f), free(c);
      rgrbm_dataset_destroy(out);
      rgrbm_rg_destroy(rg);
    }
    rgrbm_dataset_destroy(in);
    rgrbm_stack_destroy(s);
  }
}
END_TEST

START_TEST(learned_ties_and_samples_have_the_right_odds) {
  /* Zero weights: every mean is tanh(b_j), independent of the input. */
  const int sizes[] = {32, 4};
  rgrbm_stack *s;
  ck_assert_ok(rgrbm_stack_create(&s, sizes, 2, RGRBM_UNITS_SPIN, 1));
  float *w = rgrbm_stack_weights(s, 0), *bh = rgrbm_stack_hidden_bias(s, 0);
  for (int i = 0; i < 128; i++) w[i] = 0;
  const float bias[4] = {0.0f, 0.5f, -1.0f, 2.0f};
  for (int j = 0; j < 4; j++) bh[j] = bias[j];
  const int n = 4000;
  rgrbm_dataset *in = random_dataset(32, n, 13);
  rgrbm_rg *sign, *sample;
  ck_assert_ok(rgrbm_rg_create_learned(&sign, s, 1, RGRBM_RG_SIGN_MEAN, 4));
  ck_assert_ok(rgrbm_rg_create_learned(&sample, s, 1, RGRBM_RG_SAMPLE, 4));
  rgrbm_dataset *a = apply_new(sign, in), *b = apply_new(sample, in);
  int8_t *ca = all_spins(a), *cb = all_spins(b);
  for (int j = 0; j < 4; j++) {
    double up_sign = 0, up_sample = 0;
    for (int k = 0; k < n; k++) {
      up_sign += ca[k * 4 + j] > 0;
      up_sample += cb[k * 4 + j] > 0;
    }
    double p_sign = j == 0 ? 0.5 : (bias[j] > 0), p = 0.5 * (1 + tanh(bias[j]));
    double se_sign = sqrt(p_sign * (1 - p_sign) / n), se = sqrt(p * (1 - p) / n);
    ck_assert_msg(fabs(up_sign / n - p_sign) <= 4 * se_sign, "sign unit %d: %g", j, up_sign / n);
    ck_assert_msg(fabs(up_sample / n - p) <= 4 * se, "sample unit %d: %g vs %g", j,
                  up_sample / n, p);
  }
  free(ca), free(cb);
  rgrbm_dataset_destroy(a), rgrbm_dataset_destroy(b), rgrbm_dataset_destroy(in);
  rgrbm_rg_destroy(sign), rgrbm_rg_destroy(sample);
  rgrbm_stack_destroy(s);
}
END_TEST

START_TEST(learned_square_levels_get_a_geometry) {
  const int sizes[] = {64, 16, 5};
  rgrbm_stack *s = random_stack(sizes, 3, RGRBM_UNITS_SPIN, 0.1, 2);
  rgrbm_rg *rg;
  rgrbm_rg_dims d = RGRBM_RG_DIMS_INIT;
  ck_assert_ok(rgrbm_rg_create_learned(&rg, s, 1, RGRBM_RG_SIGN_MEAN, 0));
  ck_assert_ok(rgrbm_rg_shape(rg, &d));
  ck_assert(d.out_lx == 4 && d.out_ly == 4 && d.b == 2);
  rgrbm_rg_destroy(rg);
  ck_assert_ok(rgrbm_rg_create_learned(&rg, s, 2, RGRBM_RG_SAMPLE, 0));
  ck_assert_ok(rgrbm_rg_shape(rg, &d));
  ck_assert(d.out_lx == 0 && d.out_ly == 0 && d.b == 0);
  rgrbm_rg_destroy(rg);
  rgrbm_stack_destroy(s);
}
END_TEST

START_TEST(learned_decimation_network_is_decimation) {
  /* The two directions of the mapping agree: reading the exact decimation
   * network as a learned transform keeps sites 0, 2^L, 2 * 2^L, ... (each
   * copy's field is dominated by its tie weight), in both modes. */
  rgrbm_stack *s;
  ck_assert_ok(rgrbm_decimation1d_stack(&s, 32, 0.9, 3));
  rgrbm_dataset *in = random_dataset(32, 200, 17);
  for (int level = 1; level <= 3; level++)
    for (int mode = 0; mode < 2; mode++) {
      rgrbm_rg *learned, *plain;
      ck_assert_ok(rgrbm_rg_create_learned(&learned, s, level, (rgrbm_rg_mode)mode, 5));
      ck_assert_ok(rgrbm_rg_create_decimation1d(&plain, 32, 1 << level));
      rgrbm_dataset *a = apply_new(learned, in), *b = apply_new(plain, in);
      int8_t *ca = all_spins(a), *cb = all_spins(b);
      ck_assert_mem_eq(ca, cb, 200 * (32 >> level));
      free(ca), free(cb);
      rgrbm_dataset_destroy(a), rgrbm_dataset_destroy(b);
      rgrbm_rg_destroy(learned), rgrbm_rg_destroy(plain);
    }
  rgrbm_dataset_destroy(in);
  rgrbm_stack_destroy(s);
}
END_TEST

START_TEST(bad_input) {
  size_t before = rgrbm_memory_in_use();
  rgrbm_rg *rg = (rgrbm_rg *)&before;
  ck_assert_fails(rgrbm_rg_create_block2d(NULL, 8, 8, 2, RGRBM_BLOCK_MAJORITY, 0), RGRBM_EINVAL,
                  "out is NULL");
  ck_assert_fails(rgrbm_rg_create_block2d(&rg, 8, 8, 1, RGRBM_BLOCK_MAJORITY, 0), RGRBM_EINVAL,
                  "b = 1");
  ck_assert_ptr_null(rg);
  ck_assert_fails(rgrbm_rg_create_block2d(&rg, 9, 8, 2, RGRBM_BLOCK_MAJORITY, 0), RGRBM_EINVAL,
                  "does not divide lx = 9");
  ck_assert_fails(rgrbm_rg_create_block2d(&rg, 8, 6, 4, RGRBM_BLOCK_MAJORITY, 0), RGRBM_EINVAL,
                  "does not divide ly = 6");
  ck_assert_fails(rgrbm_rg_create_block2d(&rg, 0, 8, 2, RGRBM_BLOCK_MAJORITY, 0), RGRBM_EINVAL,
                  "lx = 0");
  ck_assert_fails(rgrbm_rg_create_block2d(&rg, 8, 8, 2, (rgrbm_block_rule)7, 0), RGRBM_EINVAL,
                  "rule = 7");
  ck_assert_fails(rgrbm_rg_create_decimation1d(&rg, 10, 3), RGRBM_EINVAL, "n_sites = 10",
                  "b = 3");
  ck_assert_fails(rgrbm_rg_create_decimation1d(&rg, 10, 1), RGRBM_EINVAL, "b = 1");
  ck_assert_fails(rgrbm_rg_create_decimation1d(NULL, 10, 2), RGRBM_EINVAL, "out is NULL");

  ck_assert_ok(rgrbm_rg_create_block2d(&rg, 8, 8, 2, RGRBM_BLOCK_MAJORITY, 0));
  rgrbm_dataset *in = random_dataset(64, 3, 1), *out, *wrong;
  ck_assert_ok(rgrbm_dataset_create(&out, 16));
  ck_assert_ok(rgrbm_dataset_create(&wrong, 15));
  ck_assert_fails(rgrbm_rg_apply(rg, wrong, out), RGRBM_EINVAL, "in dim = 15");
  ck_assert_fails(rgrbm_rg_apply(rg, in, wrong), RGRBM_EINVAL, "out dim = 15");
  ck_assert_fails(rgrbm_rg_apply(rg, in, in), RGRBM_EINVAL, "in == out");
  ck_assert_fails(rgrbm_rg_apply(NULL, in, out), RGRBM_EINVAL, "rg is NULL");
  ck_assert_fails(rgrbm_rg_apply(rg, NULL, out), RGRBM_EINVAL, "in is NULL");
  ck_assert_fails(rgrbm_rg_apply(rg, in, NULL), RGRBM_EINVAL, "out is NULL");
  ck_assert_ok(rgrbm_dataset_set_shape(in, 16, 4));
  ck_assert_fails(rgrbm_rg_apply(rg, in, out), RGRBM_EINVAL, "in shape = 16 x 4");
  ck_assert_ok(rgrbm_dataset_set_shape(in, 8, 8));
  ck_assert_ok(rgrbm_dataset_set_shape(out, 16, 1));
  ck_assert_fails(rgrbm_rg_apply(rg, in, out), RGRBM_EINVAL, "out shape = 16 x 1");
  ck_assert_uint_eq(rgrbm_dataset_count(out), 0);

  const int sizes[] = {64, 16};
  rgrbm_stack *s;
  ck_assert_ok(rgrbm_stack_create(&s, sizes, 2, RGRBM_UNITS_SPIN, 0));
  rgrbm_rg *lr = (rgrbm_rg *)&before;
  ck_assert_fails(rgrbm_rg_create_learned(&lr, s, 0, RGRBM_RG_SIGN_MEAN, 0), RGRBM_EINVAL,
                  "level = 0");
  ck_assert_ptr_null(lr);
  ck_assert_fails(rgrbm_rg_create_learned(&lr, s, 2, RGRBM_RG_SIGN_MEAN, 0), RGRBM_EINVAL,
                  "level = 2");
  ck_assert_fails(rgrbm_rg_create_learned(&lr, s, 1, (rgrbm_rg_mode)5, 0), RGRBM_EINVAL,
                  "mode = 5");
  ck_assert_fails(rgrbm_rg_create_learned(&lr, NULL, 1, RGRBM_RG_SIGN_MEAN, 0), RGRBM_EINVAL,
                  "s is NULL");
  ck_assert_fails(rgrbm_rg_create_learned(NULL, s, 1, RGRBM_RG_SIGN_MEAN, 0), RGRBM_EINVAL,
                  "out is NULL");
  rgrbm_stack_destroy(s);
  rgrbm_dataset_destroy(in), rgrbm_dataset_destroy(out), rgrbm_dataset_destroy(wrong);
  rgrbm_rg_destroy(rg);
  ck_assert_uint_eq(rgrbm_memory_in_use(), before);
}
END_TEST

static Suite *rg_suite(void) {
  Suite *s = suite_create("rg");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, majority_matches_reference_and_ties_are_fair);
  tcase_add_test(tc, ties_depend_on_seed_and_configuration_only);
  tcase_add_test(tc, const_plan_applies_from_threads);
  tcase_add_test(tc, decimation_keeps_one_spin_per_block);
  tcase_add_test(tc, shape_queries);
  tcase_add_test(tc, learned_sign_follows_the_stack_means);
  tcase_add_test(tc, learned_ties_and_samples_have_the_right_odds);
  tcase_add_test(tc, learned_square_levels_get_a_geometry);
  tcase_add_test(tc, learned_decimation_network_is_decimation);
  tcase_add_test(tc, bad_input);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return rgrbm_test_run(rg_suite()); }
