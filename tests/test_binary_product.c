/* The group-table product of a binary and a dense matrix, for every kernel
 * level this CPU runs (generic C, AVX2 + FMA, AVX-512, chosen through
 * rgrbm_cpu_set_mask): against a double reference with a
 * rigorous float error bound, over shapes that exercise every remainder
 * (rows of a block, groups of four, vectors of a chunk, chunks of a
 * thread), both value pairs, both layouts of the dense matrix, alpha and
 * beta; the fused step; the code builders against their definition;
 * thread-count independence; every level's bits equal the generic kernel's;
 * agreement with sgemm on the training benchmark's shape. */
#include <float.h>
#include <math.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "binary_product.h"
#include "blas_inline.h"
#include "rng.h"
#include "testutil.h"

typedef struct problem {
  size_t rows, inner, cols;
  float low, high;
  int transposed; /* D given as the transpose of a row-major cols x inner array */
  float alpha, beta;
} problem;

typedef struct arrays {
  float *b;      /* rows x inner, entries low or high */
  float *d;      /* inner x cols (or cols x inner when transposed) */
  float *out;    /* rows x cols */
  double *ref;   /* the exact product in double */
  double *bound; /* float error bound per entry */
  uint8_t *codes;
} arrays;

/* The kernel level the checks run (0 generic, 1 AVX2, 2 AVX-512); every
 * test loops over those the CPU has, through the mask. */
static int kernel = 0;
static const unsigned LEVEL_MASKS[] = {0, RGRBM_CPU_FLAG_AVX2,
                                       RGRBM_CPU_FLAG_AVX2 | RGRBM_CPU_FLAG_AVX512};

/* Sets the mask to level `level` and returns 1 when the CPU has it; else
 * restores the full mask and returns 0 (levels are nested). */
static int use_level(int level) {
  const int known = (int)(sizeof LEVEL_MASKS / sizeof *LEVEL_MASKS);
  if (level >= known || (rgrbm_cpu_flags() & LEVEL_MASKS[level]) != LEVEL_MASKS[level]) {
    rgrbm_cpu_set_mask(RGRBM_CPU_FLAG_ALL);
    return 0;
  }
  rgrbm_cpu_set_mask(LEVEL_MASKS[level]);
  return 1;
}

#define FOR_EACH_KERNEL for (kernel = 0; use_level(kernel); kernel++)

static float uniform(rgrbm__rng *r) { return (float)(2.0 * rgrbm__rng_double(r) - 1.0); }

static arrays make_arrays(const problem *p, uint64_t seed) {
  rgrbm__rng r;
  rgrbm__rng_init(&r, seed, RGRBM__STREAM(RGRBM__STREAM_TEST, 40));
  arrays a = {
      .b = malloc(p->rows * p->inner * sizeof(float) + 1),
      .d = malloc(p->inner * p->cols * sizeof(float) + 1),
      .out = malloc(p->rows * p->cols * sizeof(float) + 1),
      .ref = malloc(p->rows * p->cols * sizeof(double) + 1),
      .bound = malloc(p->rows * p->cols * sizeof(double) + 1),
      .codes = malloc(p->rows * rgrbm__code_groups(p->inner) + 1),
  };
  ck_assert(a.b && a.d && a.out && a.ref && a.bound && a.codes);
  for (size_t i = 0; i < p->rows * p->inner; i++)
    a.b[i] = (rgrbm__rng_u32(&r) & 1) ? p->high : p->low;
  for (size_t i = 0; i < p->inner * p->cols; i++) a.d[i] = uniform(&r);
  for (size_t i = 0; i < p->rows * p->cols; i++)
    a.out[i] = p->beta == 0.0f ? NAN : uniform(&r); /* beta = 0 must not read out */
  return a;
}

static void free_arrays(arrays *a) {
  free(a->b);
  free(a->d);
  free(a->out);
  free(a->ref);
  free(a->bound);
  free(a->codes);
}

static double dense_at(const problem *p, const float *d, size_t k, size_t c) {
  return p->transposed ? d[c * p->inner + k] : d[k * p->cols + c];
}

/* ref = alpha B D + beta out in double; bound: every table entry is at most
 * 4 float additions of alpha (high - low) d terms plus the low part, and a
 * row adds ceil(K / 4) entries and beta out, so with u = FLT_EPSILON / 2,
 * (ceil(K / 4) + 8) u (|alpha| sum_k (|low| + |high|) |d_kc| + |beta out|)
 * bounds the error, with room. */
static void reference(const problem *p, arrays *a) {
  const double u = FLT_EPSILON / 2, steps = (double)rgrbm__code_groups(p->inner) + 8.0;
  for (size_t r = 0; r < p->rows; r++)
    for (size_t c = 0; c < p->cols; c++) {
      double sum = 0.0, size = 0.0;
      for (size_t k = 0; k < p->inner; k++) {
        double dk = dense_at(p, a->d, k, c);
        sum += (double)a->b[r * p->inner + k] * dk;
        size += (fabs((double)p->low) + fabs((double)p->high)) * fabs(dk);
      }
      double old = p->beta == 0.0f ? 0.0 : (double)a->out[r * p->cols + c];
      a->ref[r * p->cols + c] = (double)p->alpha * sum + (double)p->beta * old;
      a->bound[r * p->cols + c] =
          steps * u * (fabs((double)p->alpha) * size + fabs((double)p->beta * old)) + 1e-30;
    }
}

static void run(const problem *p, arrays *a) {
  rgrbm__codes_of_rows(a->b, p->rows, p->inner, 0.5f * (p->low + p->high), a->codes);
  const rgrbm__binary_matrix b = {.codes = a->codes, .rows = p->rows, .cols = p->inner,
                                  .row_stride = rgrbm__code_groups(p->inner),
                                  .group_stride = 1, .low = p->low, .high = p->high};
  const rgrbm__dense_matrix d = p->transposed
      ? (rgrbm__dense_matrix){.data = a->d, .cols = p->cols, .k_stride = 1, .c_stride = p->inner}
      : (rgrbm__dense_matrix){.data = a->d, .cols = p->cols, .k_stride = p->cols, .c_stride = 1};
  rgrbm__binary_product(&b, &d, p->alpha, p->beta, a->out, NULL, NULL);
}

static void check_problem(const problem *p, uint64_t seed) {
  arrays a = make_arrays(p, seed);
  reference(p, &a);
  run(p, &a);
  for (size_t i = 0; i < p->rows * p->cols; i++) {
    double err = fabs((double)a.out[i] - a.ref[i]);
    ck_assert_msg(err <= a.bound[i], "kernel %d, %zu x %zu x %zu (low %g, transposed %d, beta "
                  "%g): entry %zu is %.9g, exact %.9g, error %.3g > bound %.3g", (int)kernel,
                  p->rows, p->inner, p->cols, p->low, p->transposed, p->beta, i, a.out[i],
                  a.ref[i], err, a.bound[i]);
  }
  free_arrays(&a);
}

START_TEST(product_matches_the_double_reference) {
  FOR_EACH_KERNEL {
    const size_t rows[] = {1, 3, 4, 5, 17};
    const size_t inner[] = {1, 3, 4, 5, 63, 64, 130};
    const size_t cols[] = {1, 15, 16, 17, 33, 70};
    uint64_t seed = 1;
    for (size_t ir = 0; ir < sizeof rows / sizeof *rows; ir++)
      for (size_t ik = 0; ik < sizeof inner / sizeof *inner; ik++)
        for (size_t ic = 0; ic < sizeof cols / sizeof *cols; ic++)
          for (int variant = 0; variant < 4; variant++) {
            const int spin = variant & 1, transposed = variant >> 1;
            problem p = {rows[ir], inner[ik], cols[ic], spin ? -1.0f : 0.0f, 1.0f, transposed,
                         spin ? 0.25f : 1.0f, (variant == 3) ? 0.9f : 0.0f};
            check_problem(&p, seed++);
          }
  }
}
END_TEST

/* Shapes of a training batch, large enough that the team splits the columns. */
START_TEST(large_products_match_the_reference) {
  FOR_EACH_KERNEL {
    const problem shapes[] = {
        {100, 1600, 400, 0.0f, 1.0f, 0, 1.0f, 0.0f},   /* hidden means of data */
        {100, 400, 1600, -1.0f, 1.0f, 1, 1.0f, 0.0f},  /* visible means, W^T */
        {1600, 200, 400, 0.0f, 1.0f, 0, 0.01f, 0.9f},  /* the gradient with momentum */
        {7, 1603, 257, -1.0f, 1.0f, 1, -2.0f, 0.5f},
    };
    for (size_t i = 0; i < sizeof shapes / sizeof *shapes; i++) check_problem(&shapes[i], 90 + i);
  }
}
END_TEST

START_TEST(codes_follow_their_definition) {
  enum { N = 11, M = 23 };
  float x[N * M];
  rgrbm__rng r;
  rgrbm__rng_init(&r, 5, RGRBM__STREAM(RGRBM__STREAM_TEST, 41));
  for (int i = 0; i < N * M; i++) x[i] = (rgrbm__rng_u32(&r) & 1) ? 1.0f : -1.0f;
  uint8_t rows[N * 6], cols[3 * M];
  rgrbm__codes_of_rows(x, N, M, 0.0f, rows);
  for (int n = 0; n < N; n++)
    for (int g = 0; g < 6; g++)
      for (int j = 0; j < 4; j++) {
        int bit = (rows[n * 6 + g] >> j) & 1, k = 4 * g + j;
        ck_assert_int_eq(bit, k < M ? x[n * M + k] > 0.0f : 0);
      }
  rgrbm__codes_of_columns(x, N, M, 0.0f, cols);
  for (int g = 0; g < 3; g++)
    for (int i = 0; i < M; i++)
      for (int j = 0; j < 4; j++) {
        int bit = (cols[g * M + i] >> j) & 1, n = 4 * g + j;
        ck_assert_int_eq(bit, n < N ? x[n * M + i] > 0.0f : 0);
      }
}
END_TEST

/* Each output column's sum is taken in one fixed order whichever thread
 * computes it, so the thread count cannot change a bit of the result. */
START_TEST(results_do_not_depend_on_threads) {
  FOR_EACH_KERNEL {
    problem p = {64, 300, 500, 0.0f, 1.0f, 0, 1.0f, 0.0f};
    arrays a = make_arrays(&p, 7);
    run(&p, &a);
    float *first = malloc(p.rows * p.cols * sizeof *first);
    memcpy(first, a.out, p.rows * p.cols * sizeof *first);
  #ifdef _OPENMP
    int threads = omp_get_max_threads();
    omp_set_num_threads(threads > 1 ? 1 : 2);
  #endif
    run(&p, &a);
  #ifdef _OPENMP
    omp_set_num_threads(threads);
  #endif
    ck_assert(memcmp(first, a.out, p.rows * p.cols * sizeof *first) == 0);
    free(first);
    free_arrays(&a);
  }
}
END_TEST

/* The same numbers as sgemm to float rounding on a training shape. */
START_TEST(agrees_with_sgemm) {
  FOR_EACH_KERNEL {
    problem p = {100, 1600, 400, 0.0f, 1.0f, 0, 1.0f, 0.0f};
    arrays a = make_arrays(&p, 8);
    reference(&p, &a);
    run(&p, &a);
    float *blas = malloc(p.rows * p.cols * sizeof *blas);
    rgrbm__sgemm(0, 0, p.rows, p.cols, p.inner, 1.0f, a.b, a.d, 0.0f, blas);
    double worst = 0.0;
    for (size_t i = 0; i < p.rows * p.cols; i++) {
      double diff = fabs((double)a.out[i] - (double)blas[i]);
      ck_assert_msg(diff <= 2 * a.bound[i], "entry %zu: tables %.9g, sgemm %.9g", i, a.out[i],
                    blas[i]);
      if (diff > worst) worst = diff;
    }
    ck_assert(worst < 1e-4); /* sums of ~800 terms of size <= 1 */
    free(blas);
    free_arrays(&a);
  }
}
END_TEST

/* The fused training step: out = alpha B D + beta out, then
 * out -= l2 p + l1 sign(p) and p += out, with the flag raised exactly when a
 * parameter stops being finite. */
START_TEST(fused_step_matches_the_reference) {
  FOR_EACH_KERNEL {
    problem p = {1603, 13, 70, 0.0f, 1.0f, 0, 0.01f, 0.9f}; /* the gradient's orientation */
    arrays a = make_arrays(&p, 9);
    reference(&p, &a);
    const size_t n = p.rows * p.cols;
    float *param = malloc(n * sizeof *param), *before = malloc(n * sizeof *before);
    rgrbm__rng r;
    rgrbm__rng_init(&r, 10, RGRBM__STREAM(RGRBM__STREAM_TEST, 42));
    for (size_t i = 0; i < n; i++) param[i] = i % 7 == 0 ? 0.0f : uniform(&r);
    memcpy(before, param, n * sizeof *param);
    rgrbm__codes_of_rows(a.b, p.rows, p.inner, 0.5f, a.codes);
    const rgrbm__binary_matrix b = {.codes = a.codes, .rows = p.rows, .cols = p.inner,
                                    .row_stride = rgrbm__code_groups(p.inner), .group_stride = 1,
                                    .low = 0.0f, .high = 1.0f};
    const rgrbm__dense_matrix d = {.data = a.d, .cols = p.cols, .k_stride = p.cols, .c_stride = 1};
    const rgrbm__param_step step = {.param = param, .l2 = 0.003f, .l1 = 0.0005f};
    ck_assert_int_eq(rgrbm__binary_product(&b, &d, p.alpha, p.beta, a.out, &step, NULL), 0);
    for (size_t i = 0; i < n; i++) {
      double w = before[i], sign = (w > 0) - (w < 0);
      double x = a.ref[i] - 0.003 * w - 0.0005 * sign;
      double tol = a.bound[i] + 4 * FLT_EPSILON * (fabs(x) + fabs(w));
      ck_assert_msg(fabs((double)a.out[i] - x) <= tol, "step %zu: %.9g, exact %.9g", i, a.out[i], x);
      ck_assert_msg(fabs((double)param[i] - (w + x)) <= tol + FLT_EPSILON * fabs(w + x),
                    "parameter %zu: %.9g, exact %.9g", i, param[i], w + x);
    }
    /* one infinite parameter raises the flag */
    param[n / 2] = INFINITY;
    ck_assert_int_ne(rgrbm__binary_product(&b, &d, p.alpha, p.beta, a.out, &step, NULL), 0);
    free(param);
    free(before);
    free_arrays(&a);
  }
}
END_TEST

/* One run of a product with the fused step, on copies of the start. */
typedef struct bits_run {
  float *out, *param;
  int bad;
} bits_run;

static bits_run run_with_step(const problem *p, arrays *a, const float *start,
                              const float *param_start) {
  const size_t n = p->rows * p->cols;
  bits_run r = {malloc(n * sizeof(float)), malloc(n * sizeof(float)), 0};
  ck_assert(r.out && r.param);
  memcpy(a->out, start, n * sizeof(float));
  memcpy(r.param, param_start, n * sizeof(float));
  rgrbm__codes_of_rows(a->b, p->rows, p->inner, 0.5f * (p->low + p->high), a->codes);
  const rgrbm__binary_matrix b = {.codes = a->codes, .rows = p->rows, .cols = p->inner,
                                  .row_stride = rgrbm__code_groups(p->inner),
                                  .group_stride = 1, .low = p->low, .high = p->high};
  const rgrbm__dense_matrix d = p->transposed
      ? (rgrbm__dense_matrix){.data = a->d, .cols = p->cols, .k_stride = 1, .c_stride = p->inner}
      : (rgrbm__dense_matrix){.data = a->d, .cols = p->cols, .k_stride = p->cols, .c_stride = 1};
  const rgrbm__param_step step = {.param = r.param, .l2 = 0.003f, .l1 = 0.0005f};
  r.bad = rgrbm__binary_product(&b, &d, p->alpha, p->beta, a->out, &step, NULL);
  memcpy(r.out, a->out, n * sizeof(float));
  return r;
}

/* Every level makes the generic kernel's operations in its order (an FMA
 * in the step on every level), so products and fused steps agree bit for
 * bit, on shapes with every remainder and both layouts of D. */
START_TEST(levels_agree_bit_for_bit_with_generic) {
  const problem shapes[] = {{37, 203, 77, -1.0f, 1.0f, 1, 0.5f, 0.3f},
                            {5, 9, 33, 0.0f, 1.0f, 1, 1.0f, 0.0f},
                            {1603, 13, 70, 0.0f, 1.0f, 0, 0.01f, 0.9f},
                            {100, 1600, 400, 0.0f, 1.0f, 0, 1.0f, 0.0f},
                            {100, 400, 1600, 0.0f, 1.0f, 1, 1.0f, 0.0f}};
  for (size_t i = 0; i < sizeof shapes / sizeof *shapes; i++) {
    const problem *p = &shapes[i];
    arrays a = make_arrays(p, 60 + i);
    const size_t n = p->rows * p->cols;
    float *start = malloc(n * sizeof *start), *param = malloc(n * sizeof *param);
    memcpy(start, a.out, n * sizeof *start);
    rgrbm__rng r;
    rgrbm__rng_init(&r, 70 + i, RGRBM__STREAM(RGRBM__STREAM_TEST, 43));
    for (size_t k = 0; k < n; k++) param[k] = k % 5 == 0 ? 0.0f : uniform(&r);
    use_level(0);
    bits_run generic = run_with_step(p, &a, start, param);
    for (kernel = 1; use_level(kernel); kernel++) {
      bits_run other = run_with_step(p, &a, start, param);
      ck_assert_msg(memcmp(generic.out, other.out, n * sizeof(float)) == 0,
                    "shape %zu: level %d's product differs from the generic one", i, kernel);
      ck_assert_msg(memcmp(generic.param, other.param, n * sizeof(float)) == 0,
                    "shape %zu: level %d's step differs from the generic one", i, kernel);
      ck_assert_int_eq(generic.bad, other.bad);
      free(other.out);
      free(other.param);
    }
    free(generic.out);
    free(generic.param);
    free(start);
    free(param);
    free_arrays(&a);
  }
}
END_TEST

static Suite *binary_product_suite(void) {
  Suite *s = suite_create("binary_product");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, product_matches_the_double_reference);
  tcase_add_test(tc, large_products_match_the_reference);
  tcase_add_test(tc, codes_follow_their_definition);
  tcase_add_test(tc, results_do_not_depend_on_threads);
  tcase_add_test(tc, agrees_with_sgemm);
  tcase_add_test(tc, fused_step_matches_the_reference);
  tcase_add_test(tc, levels_agree_bit_for_bit_with_generic);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return rgrbm_test_run(binary_product_suite()); }
