/* Binary-times-dense products by group tables; see binary_product.h.
 *
 * Tiling. Each thread owns a block of output columns (or of rows, see
 * split_rows) and walks its columns in chunks of CHUNK_COLS. For a chunk and a block of GROUP_BLOCK groups it builds the
 * tables (GROUP_BLOCK x 16 entries x CHUNK_COLS floats = 32 KB, inside L1)
 * and then adds one entry per group to every output row, ROW_BLOCK rows at
 * a time so that eight independent accumulators hide the addition latency.
 * The sizes were chosen by measurement on the 1600 x 400 shapes of
 * tests/bench/bench_cd (wider chunks spill the tables out of L1, narrower
 * ones spend more on addressing). */
#include "binary_product.h"

#include <immintrin.h>
#ifdef _OPENMP
#include <omp.h>
#endif

enum {
  CHUNK_COLS = 32,            /* two 16-float vectors */
  VECS = CHUNK_COLS / 16,
  GROUP_BLOCK = 16,
  ENTRIES = 16,               /* codes of four bits */
  ROW_BLOCK = 4,
  PARALLEL_MIN_WORK = 1 << 20 /* R K C below which one thread is faster */
};

int rgrbm__binary_products_supported(void) { return __builtin_cpu_supports("avx512f"); }

typedef struct tile {
  size_t c0, width;        /* output columns c0 .. c0 + width, width <= CHUNK_COLS */
  size_t g0, groups;       /* groups g0 .. g0 + groups */
  __mmask16 mask[VECS];    /* valid lanes of each vector of the chunk */
} tile;

static tile make_tile(size_t c0, size_t width) {
  tile t = {.c0 = c0, .width = width};
  for (int q = 0; q < VECS; q++) {
    long left = (long)width - 16L * q;
    t.mask[q] = left >= 16 ? (__mmask16)0xFFFF : left <= 0 ? 0 : (__mmask16)((1u << left) - 1u);
  }
  return t;
}

/* Row k of D restricted to the chunk's vector q (zeros outside D). */
__attribute__((target("avx512f")))
static inline __m512 dense_part(const rgrbm__dense_matrix *d, size_t k, const tile *t, int q,
                                __m512i gather_index) {
  const float *p = d->data + k * d->k_stride + (t->c0 + 16 * (size_t)q) * d->c_stride;
  if (d->c_stride == 1) return _mm512_maskz_loadu_ps(t->mask[q], p);
  return _mm512_mask_i32gather_ps(_mm512_setzero_ps(), t->mask[q], gather_index, p, 4);
}

/* table[g][s][c] = alpha sum_j value(bit j of s) D[4 (g0 + g) + j][c0 + c],
 * value(0) = low, value(1) = high, rows at or beyond K counting as zero.
 * Entry s adds one row's (high - low) multiple to entry s minus its top bit,
 * so each entry costs one vector addition. */
__attribute__((target("avx512f")))
static void build_tables(const rgrbm__binary_matrix *b, const rgrbm__dense_matrix *d,
                         float alpha, const tile *t, float *table) {
  const __m512 step = _mm512_set1_ps(alpha * (b->high - b->low));
  const __m512 base_scale = _mm512_set1_ps(alpha * b->low);
  const __m512i gather_index = _mm512_mullo_epi32(
      _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
      _mm512_set1_epi32((int)d->c_stride));
  for (size_t g = 0; g < t->groups; g++) {
    float *entries = table + g * ENTRIES * CHUNK_COLS;
    for (int q = 0; q < VECS; q++) {
      __m512 row_step[4], sum = _mm512_setzero_ps();
      for (int j = 0; j < 4; j++) {
        size_t k = 4 * (t->g0 + g) + (size_t)j;
        __m512 x = k < b->cols ? dense_part(d, k, t, q, gather_index) : _mm512_setzero_ps();
        sum = _mm512_add_ps(sum, x);
        row_step[j] = _mm512_mul_ps(step, x);
      }
      __m512 e[ENTRIES];
      e[0] = b->low == 0.0f ? _mm512_setzero_ps() : _mm512_mul_ps(base_scale, sum);
      for (int j = 0; j < 4; j++)
        for (int s = 0; s < (1 << j); s++) e[(1 << j) + s] = _mm512_add_ps(e[s], row_step[j]);
      for (int s = 0; s < ENTRIES; s++) _mm512_store_ps(entries + s * CHUNK_COLS + 16 * q, e[s]);
    }
  }
}

/* The fused step on stored values x (one vector, lanes in mask) of out and
 * the parameters p at the same place: x -= l2 p + l1 sign(p); p += x.
 * Returns the lanes whose new p is not finite. */
__attribute__((target("avx512f")))
static inline __mmask16 apply_step(const rgrbm__param_step *step, __mmask16 mask, float *p,
                                   __m512 *x) {
  const __m512 zero = _mm512_setzero_ps(), one = _mm512_set1_ps(1.0f);
  __m512 w = _mm512_maskz_loadu_ps(mask, p);
  __m512 sign = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(w, zero, _CMP_GT_OQ), zero, one);
  sign = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(w, zero, _CMP_LT_OQ), sign,
                              _mm512_set1_ps(-1.0f));
  *x = _mm512_sub_ps(*x, _mm512_fmadd_ps(_mm512_set1_ps(step->l2), w,
                                         _mm512_mul_ps(_mm512_set1_ps(step->l1), sign)));
  w = _mm512_add_ps(w, *x);
  _mm512_mask_storeu_ps(p, mask, w);
  __m512 diff = _mm512_sub_ps(w, w); /* NaN exactly where w is NaN or infinite */
  return _mm512_mask_cmp_ps_mask(mask, diff, diff, _CMP_UNORD_Q);
}

/* Rows r0 .. r0 + rows of the tile: out = (first ? beta out : out) + sum of
 * the tables' entries picked by the rows' codes; after the last block of
 * groups (step != NULL) the fused parameter step. Returns nonzero when a
 * parameter stopped being finite. */
__attribute__((target("avx512f")))
static int add_entries(const rgrbm__binary_matrix *b, const tile *t, const float *table,
                       float beta, int first, const rgrbm__param_step *step, size_t r0,
                       size_t rows, float *out, size_t ld) {
  __m512 acc[ROW_BLOCK][VECS];
  const uint8_t *code[ROW_BLOCK];
  for (size_t i = 0; i < ROW_BLOCK; i++) {
    size_t r = r0 + (i < rows ? i : 0); /* a short block repeats its first row, unstored */
    const float *o = out + r * ld + t->c0;
    code[i] = b->codes + r * b->row_stride + t->g0 * b->group_stride;
    for (int q = 0; q < VECS; q++) {
      if (first && beta == 0.0f) {
        acc[i][q] = _mm512_setzero_ps();
      } else {
        acc[i][q] = _mm512_maskz_loadu_ps(t->mask[q], o + 16 * q);
        if (first) acc[i][q] = _mm512_mul_ps(acc[i][q], _mm512_set1_ps(beta));
      }
    }
  }
  for (size_t g = 0; g < t->groups; g++) {
    const float *entries = table + g * ENTRIES * CHUNK_COLS;
    const size_t at = g * b->group_stride;
    for (size_t i = 0; i < ROW_BLOCK; i++) {
      const float *e = entries + (size_t)code[i][at] * CHUNK_COLS;
      for (int q = 0; q < VECS; q++) acc[i][q] = _mm512_add_ps(acc[i][q], _mm512_load_ps(e + 16 * q));
    }
  }
  __mmask16 bad = 0;
  for (size_t i = 0; i < rows; i++)
    for (int q = 0; q < VECS; q++) {
      const size_t at = (r0 + i) * ld + t->c0 + 16 * (size_t)q;
      if (step) bad |= apply_step(step, t->mask[q], step->param + at, &acc[i][q]);
      _mm512_mask_storeu_ps(out + at, t->mask[q], acc[i][q]);
    }
  return bad != 0;
}

/* K = 0: the product is zero, out = beta out, then the step. */
static int empty_product(float beta, const rgrbm__param_step *step, size_t r0, size_t r1,
                         size_t c0, size_t c1, float *out, size_t ld) {
  int bad = 0;
  for (size_t r = r0; r < r1; r++)
    for (size_t c = c0; c < c1; c++) {
      float x = beta == 0.0f ? 0.0f : beta * out[r * ld + c];
      if (step) {
        float *p = step->param + r * ld + c;
        x -= step->l2 * *p + step->l1 * (float)((*p > 0.0f) - (*p < 0.0f));
        *p += x;
        bad |= !(*p - *p == 0.0f);
      }
      out[r * ld + c] = x;
    }
  return bad;
}

/* The block of output rows [r_begin, r_end) x columns [c_begin, c_end). */
__attribute__((target("avx512f")))
static int product_block(const rgrbm__binary_matrix *b, const rgrbm__dense_matrix *d,
                         float alpha, float beta, const rgrbm__param_step *step, float *out,
                         size_t r_begin, size_t r_end, size_t c_begin, size_t c_end) {
  float table[GROUP_BLOCK * ENTRIES * CHUNK_COLS] __attribute__((aligned(64)));
  const size_t groups = rgrbm__code_groups(b->cols);
  if (groups == 0) return empty_product(beta, step, r_begin, r_end, c_begin, c_end, out, d->cols);
  int bad = 0;
  for (size_t c0 = c_begin; c0 < c_end; c0 += CHUNK_COLS) {
    tile t = make_tile(c0, c_end - c0 < CHUNK_COLS ? c_end - c0 : CHUNK_COLS);
    for (t.g0 = 0; t.g0 < groups; t.g0 += GROUP_BLOCK) {
      t.groups = groups - t.g0 < GROUP_BLOCK ? groups - t.g0 : GROUP_BLOCK;
      const rgrbm__param_step *last = t.g0 + t.groups == groups ? step : NULL;
      build_tables(b, d, alpha, &t, table);
      for (size_t r = r_begin; r < r_end; r += ROW_BLOCK)
        bad |= add_entries(b, &t, table, beta, t.g0 == 0, last, r,
                           r_end - r < ROW_BLOCK ? r_end - r : ROW_BLOCK, out, d->cols);
    }
  }
  return bad;
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

static int product(const rgrbm__binary_matrix *b, const rgrbm__dense_matrix *d, float alpha,
                   float beta, const rgrbm__param_step *step, float *out) {
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
      share(b->rows, ROW_BLOCK, threads, me, &r0, &r1);
    else
      share(d->cols, 16, threads, me, &c0, &c1); /* whole vectors */
    if (r0 < r1 && c0 < c1) bad |= product_block(b, d, alpha, beta, step, out, r0, r1, c0, c1);
  }
  (void)work;
  return bad;
}

void rgrbm__binary_product(const rgrbm__binary_matrix *b, const rgrbm__dense_matrix *d,
                           float alpha, float beta, float *out) {
  product(b, d, alpha, beta, NULL, out);
}

int rgrbm__binary_product_step(const rgrbm__binary_matrix *b, const rgrbm__dense_matrix *d,
                               float alpha, float beta, float *out,
                               const rgrbm__param_step *step) {
  return product(b, d, alpha, beta, step, out);
}

/* The code builders are static clones behind plain external functions:
 * clang rejects target_clones on functions other files call. */
__attribute__((target_clones("avx512f", "avx2", "default")))
static void codes_of_rows(const float *x, size_t rows, size_t cols, float mid, uint8_t *codes) {
  const size_t groups = rgrbm__code_groups(cols), full = cols / 4;
  for (size_t r = 0; r < rows; r++) {
    const float *xr = x + r * cols;
    uint8_t *cr = codes + r * groups;
    for (size_t g = 0; g < full; g++)
      cr[g] = (uint8_t)((xr[4 * g] > mid) | (xr[4 * g + 1] > mid) << 1 |
                        (xr[4 * g + 2] > mid) << 2 | (xr[4 * g + 3] > mid) << 3);
    if (full < groups) {
      unsigned code = 0;
      for (size_t j = 0; 4 * full + j < cols; j++) code |= (unsigned)(xr[4 * full + j] > mid) << j;
      cr[full] = (uint8_t)code;
    }
  }
}

__attribute__((target_clones("avx512f", "avx2", "default")))
static void codes_of_columns(const float *x, size_t n, size_t m, float mid, uint8_t *codes) {
  const size_t groups = rgrbm__code_groups(n);
  for (size_t g = 0; g < groups; g++) {
    uint8_t *cg = codes + g * m;
    const size_t k = 4 * g, present = n - k < 4 ? n - k : 4;
    if (present == 4) {
      const float *x0 = x + k * m, *x1 = x0 + m, *x2 = x1 + m, *x3 = x2 + m;
      for (size_t i = 0; i < m; i++)
        cg[i] = (uint8_t)((x0[i] > mid) | (x1[i] > mid) << 1 | (x2[i] > mid) << 2 |
                          (x3[i] > mid) << 3);
    } else {
      for (size_t i = 0; i < m; i++) {
        unsigned code = 0;
        for (size_t j = 0; j < present; j++) code |= (unsigned)(x[(k + j) * m + i] > mid) << j;
        cg[i] = (uint8_t)code;
      }
    }
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
    codes_of_rows(x + (size_t)r * cols, 1, cols, mid, codes + (size_t)r * groups);
}

void rgrbm__codes_of_columns(const float *x, size_t n, size_t m, float mid, uint8_t *codes) {
  const long groups = (long)rgrbm__code_groups(n);
#ifdef _OPENMP
#pragma omp parallel for schedule(static) if (n * m >= CODES_PARALLEL_MIN)
#endif
  for (long g = 0; g < groups; g++) {
    const size_t k = 4 * (size_t)g, rows = n - k < 4 ? n - k : 4;
    codes_of_columns(x + k * m, rows, m, mid, codes + (size_t)g * m);
  }
}
