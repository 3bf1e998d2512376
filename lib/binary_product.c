/* Binary-times-dense products by group tables; see binary_product.h.
 *
 * Tiling. Each thread owns a block of output columns (or of rows, see
 * split_rows) and walks its columns in chunks of CHUNK_COLS. For a chunk
 * and a block of GROUP_BLOCK groups it builds the tables (GROUP_BLOCK x 16
 * entries x CHUNK_COLS floats = 32 KB, inside L1) and then adds one entry
 * per group to every output row, a few rows at a time so that eight
 * independent accumulators hide the addition latency. The sizes were chosen
 * by measurement on the 1600 x 400 shapes of tests/bench/bench_cd (wider
 * chunks spill the tables out of L1, narrower ones spend more on
 * addressing). The kernel (binary_product_kernel.h) is compiled for AVX-512F
 * (16 lanes, four rows at a time) and for AVX2 + FMA (8 lanes, two rows: it
 * has half the registers); both sum every entry in the same order. */
#include "binary_product.h"

#include <immintrin.h>
#ifdef _OPENMP
#include <omp.h>
#endif

enum {
  CHUNK_COLS = 32,
  GROUP_BLOCK = 16,
  ENTRIES = 16,               /* codes of four bits */
  SPLIT_ROWS_UNIT = 4,        /* a row split hands out multiples of this */
  SPLIT_COLS_UNIT = 16,       /* a column split hands out whole vectors of either kernel */
  PARALLEL_MIN_WORK = 1 << 20 /* R K C below which one thread is faster */
};

rgrbm__tables_isa rgrbm__tables_best(void) {
  if (__builtin_cpu_supports("avx512f")) return RGRBM__TABLES_AVX512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return RGRBM__TABLES_AVX2;
  return RGRBM__TABLES_NONE;
}

int rgrbm__binary_products_supported(void) { return rgrbm__tables_best() != RGRBM__TABLES_NONE; }

/* ---- the AVX-512F kernel ---- */
#define SUFFIX(name) name##_avx512
#define TARGET "avx512f"
#define LANES 16
#define ROWS 4
#define VEC __m512
#define VMASK __mmask16
#define VINDEX __m512i
#define V_ZERO() _mm512_setzero_ps()
#define V_SET1(x) _mm512_set1_ps(x)
#define V_ADD(a, b) _mm512_add_ps(a, b)
#define V_SUB(a, b) _mm512_sub_ps(a, b)
#define V_MUL(a, b) _mm512_mul_ps(a, b)
#define V_FMADD(a, b, c) _mm512_fmadd_ps(a, b, c)
#define V_LOAD(p) _mm512_load_ps(p)
#define V_STORE(p, x) _mm512_store_ps(p, x)
#define V_LOAD_MASKED(m, p) _mm512_maskz_loadu_ps(m, p)
#define V_STORE_MASKED(p, m, x) _mm512_mask_storeu_ps(p, m, x)
#define V_GATHER_MASKED(m, index, p) \
  _mm512_mask_i32gather_ps(_mm512_setzero_ps(), m, index, p, 4)
#define V_INDEX(stride)                                                                  \
  _mm512_mullo_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15), \
                     _mm512_set1_epi32(stride))
#define V_LANE_MASK(left) \
  ((left) >= 16 ? (__mmask16)0xFFFF : (left) <= 0 ? (__mmask16)0 : (__mmask16)((1u << (left)) - 1u))
#define V_SIGN(w) sign_avx512(w)
#define V_ANY_NOT_FINITE(m, w) any_not_finite_avx512(m, w)

__attribute__((target(TARGET)))
static inline __m512 sign_avx512(__m512 w) {
  const __m512 zero = _mm512_setzero_ps();
  __m512 s = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(w, zero, _CMP_GT_OQ), zero,
                                  _mm512_set1_ps(1.0f));
  return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(w, zero, _CMP_LT_OQ), s, _mm512_set1_ps(-1.0f));
}

/* w - w is NaN exactly where w is NaN or infinite. */
__attribute__((target(TARGET)))
static inline int any_not_finite_avx512(__mmask16 m, __m512 w) {
  __m512 diff = _mm512_sub_ps(w, w);
  return _mm512_mask_cmp_ps_mask(m, diff, diff, _CMP_UNORD_Q) != 0;
}

#include "binary_product_kernel.h"

#undef SUFFIX
#undef TARGET
#undef LANES
#undef ROWS
#undef VEC
#undef VMASK
#undef VINDEX
#undef V_ZERO
#undef V_SET1
#undef V_ADD
#undef V_SUB
#undef V_MUL
#undef V_FMADD
#undef V_LOAD
#undef V_STORE
#undef V_LOAD_MASKED
#undef V_STORE_MASKED
#undef V_GATHER_MASKED
#undef V_INDEX
#undef V_LANE_MASK
#undef V_SIGN
#undef V_ANY_NOT_FINITE

/* ---- the AVX2 + FMA kernel ---- */
#define SUFFIX(name) name##_avx2
#define TARGET "avx2,fma"
#define LANES 8
#define ROWS 2
#define VEC __m256
#define VMASK __m256i
#define VINDEX __m256i
#define V_ZERO() _mm256_setzero_ps()
#define V_SET1(x) _mm256_set1_ps(x)
#define V_ADD(a, b) _mm256_add_ps(a, b)
#define V_SUB(a, b) _mm256_sub_ps(a, b)
#define V_MUL(a, b) _mm256_mul_ps(a, b)
#define V_FMADD(a, b, c) _mm256_fmadd_ps(a, b, c)
#define V_LOAD(p) _mm256_load_ps(p)
#define V_STORE(p, x) _mm256_store_ps(p, x)
#define V_LOAD_MASKED(m, p) _mm256_maskload_ps(p, m)
#define V_STORE_MASKED(p, m, x) _mm256_maskstore_ps(p, m, x)
#define V_GATHER_MASKED(m, index, p) \
  _mm256_mask_i32gather_ps(_mm256_setzero_ps(), p, index, _mm256_castsi256_ps(m), 4)
#define V_INDEX(stride) \
  _mm256_mullo_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7), _mm256_set1_epi32(stride))
#define V_LANE_MASK(left) \
  _mm256_cmpgt_epi32(_mm256_set1_epi32((int)((left) > 8 ? 8 : (left) < 0 ? 0 : (left))), \
                     _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7))
#define V_SIGN(w) sign_avx2(w)
#define V_ANY_NOT_FINITE(m, w) any_not_finite_avx2(m, w)

__attribute__((target(TARGET)))
static inline __m256 sign_avx2(__m256 w) {
  const __m256 zero = _mm256_setzero_ps(), one = _mm256_set1_ps(1.0f);
  return _mm256_sub_ps(_mm256_and_ps(_mm256_cmp_ps(w, zero, _CMP_GT_OQ), one),
                       _mm256_and_ps(_mm256_cmp_ps(w, zero, _CMP_LT_OQ), one));
}

__attribute__((target(TARGET)))
static inline int any_not_finite_avx2(__m256i m, __m256 w) {
  __m256 diff = _mm256_sub_ps(w, w);
  __m256 bad = _mm256_and_ps(_mm256_cmp_ps(diff, diff, _CMP_UNORD_Q), _mm256_castsi256_ps(m));
  return _mm256_movemask_ps(bad) != 0;
}

#include "binary_product_kernel.h"

/* ---- dispatch and threads ---- */

static int product_block(rgrbm__tables_isa isa, const rgrbm__binary_matrix *b,
                         const rgrbm__dense_matrix *d, float alpha, float beta,
                         const rgrbm__param_step *step, float *out, size_t r0, size_t r1,
                         size_t c0, size_t c1) {
  if (isa == RGRBM__TABLES_AVX512)
    return product_block_avx512(b, d, alpha, beta, step, out, r0, r1, c0, c1);
  return product_block_avx2(b, d, alpha, beta, step, out, r0, r1, c0, c1);
}

/* How a product is split between threads. Splitting columns gives each
 * thread whole chunks (the tables are built once), but chunks come in
 * units of CHUNK_COLS, so 400 columns (13 chunks) leave one thread a chunk
 * more; splitting rows balances exactly but every thread builds every
 * table. Cost model, in row-additions of one chunk: a table costs about
 * ENTRIES rows' worth. The cheaper makespan wins. */
static int split_rows(size_t rows, size_t cols, size_t threads) {
  const size_t chunks = (cols + CHUNK_COLS - 1) / CHUNK_COLS;
  const double by_cols = (double)((chunks + threads - 1) / threads) * (double)(rows + ENTRIES);
  const double by_rows = (double)chunks * (double)((rows + threads - 1) / threads + ENTRIES);
  return by_rows < by_cols;
}

/* This thread's share [begin, end) of n items in units of `unit`. */
static void share(size_t n, size_t unit, size_t threads, size_t me, size_t *begin, size_t *end) {
  const size_t units = (n + unit - 1) / unit;
  *begin = unit * (units * me / threads);
  *end = unit * (units * (me + 1) / threads);
  if (*end > n) *end = n;
}

static int product(rgrbm__tables_isa isa, const rgrbm__binary_matrix *b,
                   const rgrbm__dense_matrix *d, float alpha, float beta,
                   const rgrbm__param_step *step, float *out) {
  const double work = (double)b->rows * (double)b->cols * (double)d->cols;
  int bad = 0;
#ifdef _OPENMP
#pragma omp parallel if (work >= PARALLEL_MIN_WORK) reduction(| : bad)
#endif
  {
    size_t threads = 1, me = 0;
#ifdef _OPENMP
    threads = (size_t)omp_get_num_threads();
    me = (size_t)omp_get_thread_num();
#endif
    size_t r0 = 0, r1 = b->rows, c0 = 0, c1 = d->cols;
    if (split_rows(b->rows, d->cols, threads))
      share(b->rows, SPLIT_ROWS_UNIT, threads, me, &r0, &r1);
    else
      share(d->cols, SPLIT_COLS_UNIT, threads, me, &c0, &c1);
    if (r0 < r1 && c0 < c1)
      bad |= product_block(isa, b, d, alpha, beta, step, out, r0, r1, c0, c1);
  }
  (void)work;
  return bad;
}

void rgrbm__binary_product(const rgrbm__binary_matrix *b, const rgrbm__dense_matrix *d,
                           float alpha, float beta, float *out) {
  product(rgrbm__tables_best(), b, d, alpha, beta, NULL, out);
}

int rgrbm__binary_product_isa(rgrbm__tables_isa isa, const rgrbm__binary_matrix *b,
                              const rgrbm__dense_matrix *d, float alpha, float beta, float *out,
                              const rgrbm__param_step *step) {
  return product(isa, b, d, alpha, beta, step, out);
}

/* The code builders are static clones behind plain external functions:
 * clang rejects target_clones on functions other files call. */

/* One row's codes: bit j of code g is x[4g + j] > mid. */
__attribute__((target_clones("avx512f", "avx2", "default")))
static void code_row(const float *x, size_t cols, float mid, uint8_t *codes) {
  const size_t full = cols / 4;
  for (size_t g = 0; g < full; g++)
    codes[g] = (uint8_t)((x[4 * g] > mid) | (x[4 * g + 1] > mid) << 1 |
                         (x[4 * g + 2] > mid) << 2 | (x[4 * g + 3] > mid) << 3);
  if (4 * full < cols) {
    unsigned code = 0;
    for (size_t j = 0; 4 * full + j < cols; j++) code |= (unsigned)(x[4 * full + j] > mid) << j;
    codes[full] = (uint8_t)code;
  }
}

/* One group's codes down the m columns of rows x[0..present) (present <= 4). */
__attribute__((target_clones("avx512f", "avx2", "default")))
static void code_group(const float *x, size_t present, size_t m, float mid, uint8_t *codes) {
  if (present == 4) {
    const float *x0 = x, *x1 = x0 + m, *x2 = x1 + m, *x3 = x2 + m;
    for (size_t i = 0; i < m; i++)
      codes[i] = (uint8_t)((x0[i] > mid) | (x1[i] > mid) << 1 | (x2[i] > mid) << 2 |
                           (x3[i] > mid) << 3);
    return;
  }
  for (size_t i = 0; i < m; i++) {
    unsigned code = 0;
    for (size_t j = 0; j < present; j++) code |= (unsigned)(x[j * m + i] > mid) << j;
    codes[i] = (uint8_t)code;
  }
}

/* The builders split rows (or groups) over the team above this many floats. */
enum { CODES_PARALLEL_MIN = 1 << 15 };

void rgrbm__codes_of_rows(const float *x, size_t rows, size_t cols, float mid, uint8_t *codes) {
  const size_t groups = rgrbm__code_groups(cols);
  const long n = (long)rows;
#ifdef _OPENMP
#pragma omp parallel for schedule(static) if (rows * cols >= CODES_PARALLEL_MIN)
#endif
  for (long r = 0; r < n; r++)
    code_row(x + (size_t)r * cols, cols, mid, codes + (size_t)r * groups);
}

void rgrbm__codes_of_columns(const float *x, size_t n, size_t m, float mid, uint8_t *codes) {
  const long groups = (long)rgrbm__code_groups(n);
#ifdef _OPENMP
#pragma omp parallel for schedule(static) if (n * m >= CODES_PARALLEL_MIN)
#endif
  for (long g = 0; g < groups; g++) {
    const size_t k = 4 * (size_t)g, present = n - k < 4 ? n - k : 4;
    code_group(x + k * m, present, m, mid, codes + (size_t)g * m);
  }
}
