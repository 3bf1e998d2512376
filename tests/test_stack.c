/* Stacks: construction, initialization statistics, passes against direct
 * formulas, sampling frequencies, the exact unit transform, bad input. */
#include <math.h>

#include "rbm.h"
#include "getter_testutil.h"
#include "rbm_testutil.h"

static rgrbm_stack *make(const int *sizes, int nlevels, rgrbm_units units, uint64_t seed) {
  rgrbm_stack *s;
  ck_assert_ok(rgrbm_stack_create(&s, sizes, nlevels, units, seed));
  return s;
}

START_TEST(create_shapes_and_initial_weights) {
  size_t before = rgrbm_memory_in_use();
  const int sizes[] = {100, 200, 3};
  rgrbm_stack *s = make(sizes, 3, RGRBM_UNITS_BINARY, 42);
  ck_assert_int_eq(rgrbm_stack_depth(s), 2);
  for (int l = 0; l < 3; l++) ck_assert_uint_eq(rgrbm_stack_size(s, l), (size_t)sizes[l]);
  ck_assert(rgrbm_stack_units(s) == RGRBM_UNITS_BINARY);
  /* 20,000 N(0, sigma^2) weights: the mean within 5 standard errors
   * (sigma / sqrt(N)) of 0, the variance within 5 of its standard errors
   * (sigma^2 sqrt(2 / N)) of sigma^2. Biases are exactly 0. */
  const float *w = rgrbm_stack_weights(s, 0);
  const double n = 100 * 200, sigma = RGRBM_STACK_DEFAULT_SIGMA;
  double sum = 0, sq = 0;
  for (size_t i = 0; i < 100 * 200; i++) {
    sum += w[i];
    sq += (double)w[i] * w[i];
  }
  double mean = sum / n, var = sq / n - mean * mean;
  ck_assert_double_le(fabs(mean), 5 * sigma / sqrt(n));
  ck_assert_double_le(fabs(var - sigma * sigma), 5 * sigma * sigma * sqrt(2 / n));
  for (int i = 0; i < 100; i++) ck_assert(rgrbm_stack_visible_bias(s, 0)[i] == 0.0f);
  for (int j = 0; j < 3; j++) ck_assert(rgrbm_stack_hidden_bias(s, 1)[j] == 0.0f);
  /* The seed alone decides the weights. */
  rgrbm_stack *same = make(sizes, 3, RGRBM_UNITS_BINARY, 42);
  rgrbm_stack *other = make(sizes, 3, RGRBM_UNITS_BINARY, 43);
  ck_assert_mem_eq(w, rgrbm_stack_weights(same, 0), 100 * 200 * sizeof(float));
  ck_assert(memcmp(w, rgrbm_stack_weights(other, 0), 100 * 200 * sizeof(float)) != 0);
  rgrbm_stack_destroy(s);
  rgrbm_stack_destroy(same);
  rgrbm_stack_destroy(other);
  ck_assert_uint_eq(rgrbm_memory_in_use(), before);
}
END_TEST

static double act(rgrbm_units units, double x) {
  return units == RGRBM_UNITS_SPIN ? tanh(x) : 1.0 / (1.0 + exp(-x));
}

/* The passes against act(b + v W) and act(c + h W^T) evaluated in double;
 * the kernels' exp is accurate to a few float ulps, hence 2e-6. */
static void check_passes(rgrbm_units units) {
  const int sizes[] = {7, 5, 3};
  rgrbm_stack *s = make(sizes, 3, units, 1);
  ref_randomize(s, 11, 3.0);
  enum { N = 4 };
  float in[N * 7], mid[N * 5], top[N * 3], down[N * 7], twice[N * 3];
  rgrbm__rng r;
  rgrbm__rng_init(&r, 5, RGRBM__STREAM(RGRBM__STREAM_TEST, 1));
  for (int i = 0; i < N * 7; i++) in[i] = (float)(2 * rgrbm__rng_double(&r) - 1);
  ck_assert_ok(rgrbm_stack_up(s, 0, 1, in, N, mid));
  ck_assert_ok(rgrbm_stack_up(s, 1, 2, mid, N, top));
  ck_assert_ok(rgrbm_stack_up(s, 0, 2, in, N, twice));
  ck_assert_mem_eq(top, twice, sizeof top);
  ck_assert_ok(rgrbm_stack_down(s, 1, 0, mid, N, down));
  const float *w = rgrbm_stack_weights(s, 0);
  for (int n = 0; n < N; n++) {
    for (int j = 0; j < 5; j++) {
      double x = rgrbm_stack_hidden_bias(s, 0)[j];
      for (int i = 0; i < 7; i++) x += (double)in[n * 7 + i] * w[i * 5 + j];
      ck_assert_double_eq_tol(mid[n * 5 + j], act(units, x), 2e-6);
    }
    for (int i = 0; i < 7; i++) {
      double x = rgrbm_stack_visible_bias(s, 0)[i];
      for (int j = 0; j < 5; j++) x += (double)mid[n * 5 + j] * w[i * 5 + j];
      ck_assert_double_eq_tol(down[n * 7 + i], act(units, x), 2e-6);
    }
  }
  float back[N * 7];
  ck_assert_ok(rgrbm_stack_down(s, 2, 0, top, N, back));
  float step[N * 5];
  ck_assert_ok(rgrbm_stack_down(s, 2, 1, top, N, step));
  ck_assert_ok(rgrbm_stack_down(s, 1, 0, step, N, down));
  ck_assert_mem_eq(back, down, sizeof back);
  rgrbm_stack_destroy(s);
}

START_TEST(passes_match_direct_formulas) {
  check_passes(RGRBM_UNITS_BINARY);
  check_passes(RGRBM_UNITS_SPIN);
}
END_TEST

/* Sampled units take only the unit values, and over many identical rows each
 * unit's frequency matches its mean within 5 binomial standard errors. */
static void check_sampling(rgrbm_units units) {
  const int sizes[] = {6, 40};
  rgrbm_stack *s = make(sizes, 2, units, 3);
  ref_randomize(s, 12, 1.0);
  enum { N = 4000 };
  float *in = malloc(N * 6 * sizeof *in), *out = malloc(N * 40 * sizeof *out);
  float mean[40], again[40];
  const float low = units == RGRBM_UNITS_SPIN ? -1.0f : 0.0f;
  for (int i = 0; i < N * 6; i++) in[i] = (i % 3) ? 1.0f : low;
  ck_assert_ok(rgrbm_stack_up(s, 0, 1, in, 1, mean));
  ck_assert_ok(rgrbm_stack_sample_up(s, 0, 1, in, N, 99, out));
  for (int j = 0; j < 40; j++) {
    double on = 0;
    for (int n = 0; n < N; n++) {
      float x = out[n * 40 + j];
      ck_assert(x == 1.0f || x == low);
      on += x == 1.0f;
    }
    double p = units == RGRBM_UNITS_SPIN ? (1 + mean[j]) / 2 : mean[j];
    ck_assert_double_le(fabs(on / N - p), 5 * sqrt(p * (1 - p) / N) + 1e-12);
  }
  ck_assert_ok(rgrbm_stack_sample_up(s, 0, 1, in, 1, 99, again));
  ck_assert_mem_eq(again, out, sizeof again);
  ck_assert_ok(rgrbm_stack_sample_down(s, 1, 0, out, N, 5, in));
  for (int i = 0; i < N * 6; i++) ck_assert(in[i] == 1.0f || in[i] == low);
  free(in);
  free(out);
  rgrbm_stack_destroy(s);
}

START_TEST(samples_follow_the_means) {
  check_sampling(RGRBM_UNITS_BINARY);
  check_sampling(RGRBM_UNITS_SPIN);
}
END_TEST

/* P(on) below 2^-8 is decided entirely by the tie-breaking word: with
 * P(on) = 1e-4, a million units give about 100 "on", and the count must be
 * within 5 Poisson standard errors of that. */
START_TEST(small_probabilities_are_honoured) {
  enum { ROWS = 100, COLS = 10000 };
  const double p = 1e-4;
  float *x = malloc((size_t)ROWS * COLS * sizeof *x);
  rgrbm__rng *rngs = malloc(ROWS * sizeof *rngs);
  for (int spin = 0; spin < 2; spin++) {
    for (size_t i = 0; i < (size_t)ROWS * COLS; i++) x[i] = (float)(spin ? 2 * p - 1 : p);
    rgrbm__rng_init_rows(rngs, ROWS, 8, RGRBM__STREAM(RGRBM__STREAM_TEST, 0));
    rgrbm__sample_units(spin ? RGRBM_UNITS_SPIN : RGRBM_UNITS_BINARY, x, ROWS, COLS, rngs, x);
    double on = 0;
    for (size_t i = 0; i < (size_t)ROWS * COLS; i++) on += x[i] == 1.0f;
    double expected = p * ROWS * COLS;
    ck_assert_msg(fabs(on - expected) < 5 * sqrt(expected), "%.0f on, expected %.1f", on,
                  expected);
  }
  free(x);
  free(rngs);
}
END_TEST

/* Binary -> spin changes E(v, h) by a constant only (so every distribution
 * is unchanged), and the round trip restores the parameters up to float
 * rounding of the biases. */
START_TEST(unit_transform_is_exact) {
  const int sizes[] = {5, 4};
  rgrbm_stack *s = make(sizes, 2, RGRBM_UNITS_BINARY, 1), *t = make(sizes, 2, RGRBM_UNITS_BINARY, 1);
  ref_randomize(s, 13, 2.0);
  ref_randomize(t, 13, 2.0);
  ck_assert_ok(rgrbm_stack_set_units(t, RGRBM_UNITS_SPIN));
  ck_assert(rgrbm_stack_units(t) == RGRBM_UNITS_SPIN);
  double v[5], h[4], sv[5], sh[4], offset = NAN;
  for (uint64_t vi = 0; vi < 32; vi++)
    for (uint64_t hi = 0; hi < 16; hi++) {
      ref_config(vi, 5, RGRBM_UNITS_BINARY, v);
      ref_config(hi, 4, RGRBM_UNITS_BINARY, h);
      ref_config(vi, 5, RGRBM_UNITS_SPIN, sv);
      ref_config(hi, 4, RGRBM_UNITS_SPIN, sh);
      double d = ref_energy(s, v, h) - ref_energy(t, sv, sh);
      if (isnan(offset)) offset = d;
      ck_assert_double_eq_tol(d, offset, 1e-5);
    }
  ck_assert_ok(rgrbm_stack_set_units(t, RGRBM_UNITS_SPIN)); /* no-op */
  ck_assert_ok(rgrbm_stack_set_units(t, RGRBM_UNITS_BINARY));
  ck_assert_mem_eq(rgrbm_stack_weights(s, 0), rgrbm_stack_weights(t, 0), 20 * sizeof(float));
  for (int i = 0; i < 5; i++)
    ck_assert_float_eq_tol(rgrbm_stack_visible_bias(s, 0)[i], rgrbm_stack_visible_bias(t, 0)[i],
                           1e-5f);
  for (int j = 0; j < 4; j++)
    ck_assert_float_eq_tol(rgrbm_stack_hidden_bias(s, 0)[j], rgrbm_stack_hidden_bias(t, 0)[j],
                           1e-5f);
  rgrbm_stack_destroy(s);
  rgrbm_stack_destroy(t);
}
END_TEST

START_TEST(create_rejects_bad_arguments) {
  size_t before = rgrbm_memory_in_use();
  const int good[] = {4, 3}, zero[] = {4, 0, 2};
  rgrbm_stack *s = (rgrbm_stack *)1;
  ck_assert_fails(rgrbm_stack_create(NULL, good, 2, RGRBM_UNITS_BINARY, 1), RGRBM_EINVAL,
                  "rgrbm_stack_create", "out");
  ck_assert_fails(rgrbm_stack_create(&s, NULL, 2, RGRBM_UNITS_BINARY, 1), RGRBM_EINVAL, "sizes");
  ck_assert_ptr_null(s);
  ck_assert_fails(rgrbm_stack_create(&s, good, 1, RGRBM_UNITS_BINARY, 1), RGRBM_EINVAL,
                  "nlevels = 1");
  ck_assert_fails(rgrbm_stack_create(&s, zero, 3, RGRBM_UNITS_BINARY, 1), RGRBM_EINVAL,
                  "sizes[1] = 0");
  ck_assert_fails(rgrbm_stack_create(&s, good, 2, (rgrbm_units)7, 1), RGRBM_EINVAL, "units = 7");
  ck_assert_ptr_null(s);
  /* 2^42 weights (16 TB) cannot be allocated: ENOMEM, nothing kept. */
  const int huge[] = {1 << 21, 1 << 21};
  s = (rgrbm_stack *)1;
  ck_assert_fails(rgrbm_stack_create(&s, huge, 2, RGRBM_UNITS_BINARY, 1), RGRBM_ENOMEM,
                  "rgrbm_stack_create", "cannot allocate");
  ck_assert_ptr_null(s);
  ck_assert_uint_eq(rgrbm_memory_in_use(), before);
  rgrbm_stack_destroy(NULL);
}
END_TEST

/* The getter rule: 0 or NULL, and a message naming the function and the
 * argument, for NULL or an index out of range. */
START_TEST(accessors_reject_bad_arguments) {
  const int sizes[] = {4, 3};
  rgrbm_stack *s = make(sizes, 2, RGRBM_UNITS_SPIN, 1);
  ck_assert_zero_fails(rgrbm_stack_depth(NULL), "rgrbm_stack_depth: s is NULL");
  ck_assert_zero_fails(rgrbm_stack_units(NULL), "rgrbm_stack_units: s is NULL");
  ck_assert_zero_fails(rgrbm_stack_size(NULL, 0), "rgrbm_stack_size: s is NULL");
  ck_assert_zero_fails(rgrbm_stack_size(s, 2), "rgrbm_stack_size: level = 2", "0..1");
  ck_assert_zero_fails(rgrbm_stack_size(s, -1), "rgrbm_stack_size: level = -1");
  ck_assert_fails(rgrbm_stack_set_units(NULL, RGRBM_UNITS_SPIN), RGRBM_EINVAL,
                  "rgrbm_stack_set_units", "s");
  ck_assert_fails(rgrbm_stack_set_units(s, (rgrbm_units)-3), RGRBM_EINVAL, "units = -3");
  ck_assert(rgrbm_stack_units(s) == RGRBM_UNITS_SPIN);
  ck_assert_null_fails(rgrbm_stack_weights(s, 1), "rgrbm_stack_weights: layer = 1");
  ck_assert_null_fails(rgrbm_stack_weights(NULL, 0), "rgrbm_stack_weights: s is NULL");
  ck_assert_null_fails(rgrbm_stack_visible_bias(s, -1), "rgrbm_stack_visible_bias: layer = -1");
  ck_assert_null_fails(rgrbm_stack_visible_bias(NULL, 0),
                       "rgrbm_stack_visible_bias: s is NULL");
  ck_assert_null_fails(rgrbm_stack_hidden_bias(s, 1), "rgrbm_stack_hidden_bias: layer = 1");
  ck_assert_null_fails(rgrbm_stack_hidden_bias(NULL, 0), "rgrbm_stack_hidden_bias: s is NULL");
  ck_assert_null_fails(rgrbm_stack_weights_const(s, 1), "rgrbm_stack_weights_const: layer = 1",
                       "the stack has 1 layers");
  ck_assert_null_fails(rgrbm_stack_weights_const(NULL, 0), "rgrbm_stack_weights_const: s is NULL");
  ck_assert_null_fails(rgrbm_stack_visible_bias_const(s, -1),
                       "rgrbm_stack_visible_bias_const: layer = -1");
  ck_assert_null_fails(rgrbm_stack_visible_bias_const(NULL, 0),
                       "rgrbm_stack_visible_bias_const: s is NULL");
  ck_assert_null_fails(rgrbm_stack_hidden_bias_const(s, 1),
                       "rgrbm_stack_hidden_bias_const: layer = 1");
  ck_assert_null_fails(rgrbm_stack_hidden_bias_const(NULL, 0),
                       "rgrbm_stack_hidden_bias_const: s is NULL");
  rgrbm_stack_destroy(s);
}
END_TEST

/* A reader holding a const stack gets the very arrays the writer does. */
START_TEST(const_accessors_alias_the_parameters) {
  const int sizes[] = {5, 4, 3};
  rgrbm_stack *s = make(sizes, 3, RGRBM_UNITS_BINARY, 2);
  const rgrbm_stack *reader = s;
  for (int l = 0; l < 2; l++) {
    ck_assert_ptr_nonnull(rgrbm_stack_weights_const(reader, l));
    ck_assert_ptr_eq(rgrbm_stack_weights_const(reader, l), rgrbm_stack_weights(s, l));
    ck_assert_ptr_eq(rgrbm_stack_visible_bias_const(reader, l), rgrbm_stack_visible_bias(s, l));
    ck_assert_ptr_eq(rgrbm_stack_hidden_bias_const(reader, l), rgrbm_stack_hidden_bias(s, l));
  }
  rgrbm_stack_weights(s, 1)[7] = 0.5f;
  ck_assert(rgrbm_stack_weights_const(reader, 1)[7] == 0.5f);
  rgrbm_stack_destroy(s);
}
END_TEST

typedef int (*pass_fn)(const rgrbm_stack *, int, int, const float *, size_t, float *);

static int sample_up_seeded(const rgrbm_stack *s, int from, int to, const float *in, size_t n,
                            float *out) {
  return rgrbm_stack_sample_up(s, from, to, in, n, 1, out);
}
static int sample_down_seeded(const rgrbm_stack *s, int from, int to, const float *in, size_t n,
                              float *out) {
  return rgrbm_stack_sample_down(s, from, to, in, n, 1, out);
}

START_TEST(passes_reject_bad_arguments) {
  const int sizes[] = {4, 3, 2};
  rgrbm_stack *s = make(sizes, 3, RGRBM_UNITS_BINARY, 1);
  float buf[16] = {0};
  const pass_fn fns[4] = {rgrbm_stack_up, rgrbm_stack_down, sample_up_seeded, sample_down_seeded};
  const char *names[4] = {"rgrbm_stack_up", "rgrbm_stack_down", "rgrbm_stack_sample_up",
                          "rgrbm_stack_sample_down"};
  /* One direct call each, then every case through the table. */
  ck_assert_fails(rgrbm_stack_up(s, 0, 3, buf, 1, buf), RGRBM_EINVAL, "to = 3");
  ck_assert_fails(rgrbm_stack_down(s, 0, 1, buf, 1, buf), RGRBM_EINVAL, "needs to <");
  ck_assert_fails(rgrbm_stack_sample_up(s, 0, 1, buf, 0, 1, buf), RGRBM_EINVAL, "n = 0");
  ck_assert_fails(rgrbm_stack_sample_down(s, 1, 0, NULL, 1, 1, buf), RGRBM_EINVAL, "in is NULL");
  for (int f = 0; f < 4; f++) {
    const int up = f % 2 == 0, from = up ? 0 : 2, to = up ? 2 : 0;
    ck_assert_fails(fns[f](NULL, from, to, buf, 1, buf), RGRBM_EINVAL, names[f], "s is NULL");
    ck_assert_fails(fns[f](s, 3, to, buf, 1, buf), RGRBM_EINVAL, names[f], "from = 3");
    ck_assert_fails(fns[f](s, from, -1, buf, 1, buf), RGRBM_EINVAL, names[f], "to = -1");
    ck_assert_fails(fns[f](s, to, from, buf, 1, buf), RGRBM_EINVAL, names[f], "from");
    ck_assert_fails(fns[f](s, from, from, buf, 1, buf), RGRBM_EINVAL, names[f], "to");
    ck_assert_fails(fns[f](s, from, to, NULL, 1, buf), RGRBM_EINVAL, names[f], "in is NULL");
    ck_assert_fails(fns[f](s, from, to, buf, 1, NULL), RGRBM_EINVAL, names[f], "out is NULL");
    ck_assert_fails(fns[f](s, from, to, buf, 0, buf), RGRBM_EINVAL, names[f], "n = 0");
  }
  rgrbm_stack_destroy(s);
}
END_TEST

static Suite *stack_suite(void) {
  Suite *s = suite_create("stack");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, create_shapes_and_initial_weights);
  tcase_add_test(tc, passes_match_direct_formulas);
  tcase_add_test(tc, samples_follow_the_means);
  tcase_add_test(tc, small_probabilities_are_honoured);
  tcase_add_test(tc, unit_transform_is_exact);
  tcase_add_test(tc, create_rejects_bad_arguments);
  tcase_add_test(tc, accessors_reject_bad_arguments);
  tcase_add_test(tc, const_accessors_alias_the_parameters);
  tcase_add_test(tc, passes_reject_bad_arguments);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return rgrbm_test_run(stack_suite()); }
