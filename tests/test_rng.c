/* Philox4x32-10: published known answers, stream layout, bulk/scalar
 * agreement and the distributions' first moments. */
#include <math.h>
#include <pthread.h>

#include "cpu.h"
#include "rng.h"
#include "testutil.h"

/* Random123's kat_vectors for philox4x32 with 10 rounds: counter, key, output. */
static const uint32_t kat[3][10] = {
    {0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x6627e8d5,
     0xe169c58d, 0xbc57ac4c, 0x9b00dbd8},
    {0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0x408f276d,
     0x41c83b0e, 0xa20bc7c6, 0x6d5451fd},
    {0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0, 0xd16cfe09,
     0x94fdcceb, 0x5001e420, 0x24126ea1},
};

START_TEST(philox_known_answers) {
  for (int i = 0; i < 3; i++) {
    uint32_t out[4];
    rgrbm__philox4x32_10(kat[i], kat[i] + 4, out);
    for (int j = 0; j < 4; j++)
      ck_assert_msg(out[j] == kat[i][6 + j], "vector %d word %d: %08x != %08x", i, j, out[j],
                    kat[i][6 + j]);
  }
}
END_TEST

START_TEST(generator_layout_is_seed_key_stream_counter) {
  /* The generator's first block is Philox(ctr = {0, 0, stream lo, stream hi},
   * key = {seed lo, seed hi}). Seed and stream of the third known answer: */
  uint64_t seed = ((uint64_t)kat[2][5] << 32) | kat[2][4];
  uint64_t stream = ((uint64_t)kat[2][3] << 32) | kat[2][2];
  rgrbm__rng r;
  rgrbm__rng_init(&r, seed, stream);
  uint32_t ctr[4] = {0, 0, kat[2][2], kat[2][3]}, out[4];
  rgrbm__philox4x32_10(ctr, kat[2] + 4, out);
  for (int j = 0; j < 4; j++) ck_assert_uint_eq(rgrbm__rng_u32(&r), out[j]);
  ctr[0] = 1;
  rgrbm__philox4x32_10(ctr, kat[2] + 4, out);
  ck_assert_uint_eq(rgrbm__rng_u32(&r), out[0]);
}
END_TEST

/* Kernel levels as masks; a level the CPU lacks gives a lower
 * rgrbm__cpu_isa() and is skipped. */
static const struct {
  unsigned mask;
  rgrbm__isa isa;
} levels[] = {
    {0, RGRBM__ISA_GENERIC},
    {RGRBM_CPU_FLAG_NEON, RGRBM__ISA_NEON},
    {RGRBM_CPU_FLAG_AVX2, RGRBM__ISA_AVX2},
    {RGRBM_CPU_FLAG_AVX2 | RGRBM_CPU_FLAG_AVX512, RGRBM__ISA_AVX512},
    {RGRBM_CPU_FLAG_ALL, RGRBM__ISA_AVX512VBMI},
};

START_TEST(bulk_fill_equals_scalar_draws) {
  /* On every kernel level (loop index). Odd offsets and lengths exercise the
   * partial-block paths; 9 groups and more the batches of 8 groups (pairs
   * and a single on AVX-512). */
  rgrbm_cpu_set_mask(levels[_i].mask);
  if (rgrbm__cpu_isa() != levels[_i].isa) {
    rgrbm_cpu_set_mask(RGRBM_CPU_FLAG_ALL);
    return;
  }
  const size_t lengths[] = {0, 1, 3, 63, 64, 65, 1000, 9 * 64 + 5, 4099};
  for (size_t li = 0; li < sizeof lengths / sizeof lengths[0]; li++) {
    size_t n = lengths[li];
    rgrbm__rng a, b;
    rgrbm__rng_init(&a, 42, 7);
    rgrbm__rng_init(&b, 42, 7);
    (void)rgrbm__rng_u32(&a);
    (void)rgrbm__rng_u32(&b);
    uint32_t *bulk = malloc((n + 1) * sizeof *bulk);
    float *fl = malloc((n + 1) * sizeof *fl);
    rgrbm__rng_fill_u32(&a, bulk, n);
    for (size_t i = 0; i < n; i++) ck_assert_uint_eq(bulk[i], rgrbm__rng_u32(&b));
    ck_assert_uint_eq(rgrbm__rng_u32(&a), rgrbm__rng_u32(&b));
    rgrbm__rng_fill_float(&a, fl, n);
    for (size_t i = 0; i < n; i++) ck_assert(fl[i] == rgrbm__rng_float(&b));
    double d[5];
    rgrbm__rng_fill_double(&a, d, 5);
    for (size_t i = 0; i < 5; i++) ck_assert(d[i] == rgrbm__rng_double(&b));
    free(bulk);
    free(fl);
  }
  rgrbm_cpu_set_mask(RGRBM_CPU_FLAG_ALL);
}
END_TEST

START_TEST(streams_and_seeds_differ) {
  rgrbm__rng a, b, c;
  rgrbm__rng_init(&a, 1, 0);
  rgrbm__rng_init(&b, 1, 1);
  rgrbm__rng_init(&c, 2, 0);
  int same_ab = 0, same_ac = 0;
  for (int i = 0; i < 1000; i++) {
    uint32_t x = rgrbm__rng_u32(&a);
    same_ab += x == rgrbm__rng_u32(&b);
    same_ac += x == rgrbm__rng_u32(&c);
  }
  ck_assert_int_le(same_ab, 1);
  ck_assert_int_le(same_ac, 1);
}
END_TEST

START_TEST(uniforms_have_the_right_moments) {
  /* Mean 1/2, variance 1/12: with n draws the mean's standard error is
   * sqrt(1/12n); assert within 5 standard errors. */
  enum { N = 1 << 20 };
  rgrbm__rng r;
  rgrbm__rng_init(&r, 2026, 3);
  float *f = malloc(N * sizeof *f);
  rgrbm__rng_fill_float(&r, f, N);
  double sum = 0, sum2 = 0;
  for (int i = 0; i < N; i++) {
    ck_assert(f[i] >= 0.0f && f[i] < 1.0f);
    sum += f[i];
    sum2 += (double)f[i] * f[i];
  }
  double mean = sum / N, var = sum2 / N - mean * mean;
  ck_assert_double_le(fabs(mean - 0.5), 5 * sqrt(1.0 / 12 / N));
  ck_assert_double_le(fabs(var - 1.0 / 12), 0.001);
  free(f);
  double d = 0;
  for (int i = 0; i < N; i++) {
    double u = rgrbm__rng_double(&r);
    ck_assert(u >= 0.0 && u < 1.0);
    d += u;
  }
  ck_assert_double_le(fabs(d / N - 0.5), 5 * sqrt(1.0 / 12 / N));
}
END_TEST

START_TEST(below_is_unbiased) {
  /* Chi-square over 7 cells with 70,000 draws; 6 degrees of freedom, the
   * 0.999 quantile is 22.46. */
  enum { CELLS = 7, DRAWS = 70000 };
  long counts[CELLS] = {0};
  rgrbm__rng r;
  rgrbm__rng_init(&r, 99, 0);
  for (int i = 0; i < DRAWS; i++) {
    uint64_t k = rgrbm__rng_below(&r, CELLS);
    ck_assert_uint_lt(k, CELLS);
    counts[k]++;
  }
  double chi2 = 0, expect = (double)DRAWS / CELLS;
  for (int k = 0; k < CELLS; k++) chi2 += (counts[k] - expect) * (counts[k] - expect) / expect;
  ck_assert_double_lt(chi2, 22.46);
  ck_assert_uint_eq(rgrbm__rng_below(&r, 1), 0);
  /* The top of the range is reachable and nothing exceeds it. */
  uint64_t big = (UINT64_C(1) << 63) + 12345;
  for (int i = 0; i < 100; i++) ck_assert_uint_lt(rgrbm__rng_below(&r, big), big);
}
END_TEST

START_TEST(normals_have_the_right_moments) {
  enum { N = 200000 };
  rgrbm__rng r;
  rgrbm__rng_init(&r, 5, 5);
  double s1 = 0, s2 = 0, s4 = 0;
  for (int i = 0; i < N; i++) {
    double x = rgrbm__rng_normal(&r);
    s1 += x;
    s2 += x * x;
    s4 += x * x * x * x;
  }
  /* Standard errors: mean 1/sqrt(N), variance sqrt(2/N), fourth moment sqrt(96/N). */
  ck_assert_double_le(fabs(s1 / N), 5 / sqrt(N));
  ck_assert_double_le(fabs(s2 / N - 1), 5 * sqrt(2.0 / N));
  ck_assert_double_le(fabs(s4 / N - 3), 5 * sqrt(96.0 / N));
}
END_TEST

typedef struct {
  uint64_t stream;
  uint32_t out[256];
} stream_job;

static void *draw_stream(void *arg) {
  stream_job *job = arg;
  rgrbm__rng r;
  rgrbm__rng_init(&r, 77, job->stream);
  rgrbm__rng_fill_u32(&r, job->out, 256);
  return NULL;
}

START_TEST(results_do_not_depend_on_threads) {
  stream_job jobs[4], serial[4];
  pthread_t t[4];
  for (int i = 0; i < 4; i++) {
    jobs[i].stream = serial[i].stream = (uint64_t)i;
    ck_assert_int_eq(pthread_create(&t[i], NULL, draw_stream, &jobs[i]), 0);
  }
  for (int i = 0; i < 4; i++) {
    pthread_join(t[i], NULL);
    draw_stream(&serial[i]);
    ck_assert_mem_eq(jobs[i].out, serial[i].out, sizeof jobs[i].out);
  }
}
END_TEST

static Suite *rng_suite(void) {
  Suite *s = suite_create("rng");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, philox_known_answers);
  tcase_add_test(tc, generator_layout_is_seed_key_stream_counter);
  tcase_add_loop_test(tc, bulk_fill_equals_scalar_draws, 0, 5);
  tcase_add_test(tc, streams_and_seeds_differ);
  tcase_add_test(tc, uniforms_have_the_right_moments);
  tcase_add_test(tc, below_is_unbiased);
  tcase_add_test(tc, normals_have_the_right_moments);
  tcase_add_test(tc, results_do_not_depend_on_threads);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return rgrbm_test_run(rng_suite()); }
