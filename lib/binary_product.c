/* Binary-times-dense products by group tables; see binary_product.h.
 *
 * Tiling. Each thread owns a range of output columns and walks it in chunks
 * of CHUNK_COLS. For a chunk and a block of GROUP_BLOCK groups it builds the
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

/* Rows r0 .. r0 + rows of the tile: out = (first ? beta out : out) + sum of
 * the tables' entries picked by the rows' codes. */
__attribute__((target("avx512f")))
static void add_entries(const rgrbm__binary_matrix *b, const tile *t, const float *table,
                        float beta, int first, size_t r0, size_t rows, float *out, size_t ld) {
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
  for (size_t i = 0; i < rows; i++)
    for (int q = 0; q < VECS; q++)
      _mm512_mask_storeu_ps(out + (r0 + i) * ld + t->c0 + 16 * q, t->mask[q], acc[i][q]);
}

/* Output columns [c_begin, c_end) of the product. */
__attribute__((target("avx512f")))
static void product_columns(const rgrbm__binary_matrix *b, const rgrbm__dense_matrix *d,
                            float alpha, float beta, float *out, size_t c_begin, size_t c_end) {
  float table[GROUP_BLOCK * ENTRIES * CHUNK_COLS] __attribute__((aligned(64)));
  const size_t groups = rgrbm__code_groups(b->cols);
  for (size_t c0 = c_begin; c0 < c_end; c0 += CHUNK_COLS) {
    tile t = make_tile(c0, c_end - c0 < CHUNK_COLS ? c_end - c0 : CHUNK_COLS);
    for (t.g0 = 0; t.g0 < groups; t.g0 += GROUP_BLOCK) {
      t.groups = groups - t.g0 < GROUP_BLOCK ? groups - t.g0 : GROUP_BLOCK;
      build_tables(b, d, alpha, &t, table);
      for (size_t r = 0; r < b->rows; r += ROW_BLOCK)
        add_entries(b, &t, table, beta, t.g0 == 0, r,
                    b->rows - r < ROW_BLOCK ? b->rows - r : ROW_BLOCK, out, d->cols);
    }
    if (groups == 0) /* K = 0: the product is zero */
      for (size_t r = 0; r < b->rows; r++)
        for (size_t c = c0; c < c0 + t.width; c++)
          out[r * d->cols + c] = beta == 0.0f ? 0.0f : beta * out[r * d->cols + c];
  }
}

void rgrbm__binary_product(const rgrbm__binary_matrix *b, const rgrbm__dense_matrix *d,
                           float alpha, float beta, float *out) {
  const size_t vectors = (d->cols + 15) / 16; /* threads split whole vectors */
  const double work = (double)b->rows * (double)b->cols * (double)d->cols;
#ifdef _OPENMP
#pragma omp parallel if (work >= PARALLEL_MIN_WORK)
#endif
  {
    size_t threads = 1, me = 0;
#ifdef _OPENMP
    threads = (size_t)omp_get_num_threads();
    me = (size_t)omp_get_thread_num();
#endif
    size_t begin = 16 * (vectors * me / threads), end = 16 * (vectors * (me + 1) / threads);
    if (end > d->cols) end = d->cols;
    if (begin < end) product_columns(b, d, alpha, beta, out, begin, end);
  }
  (void)work;
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

void rgrbm__codes_of_rows(const float *x, size_t rows, size_t cols, float mid, uint8_t *codes) {
  codes_of_rows(x, rows, cols, mid, codes);
}

void rgrbm__codes_of_columns(const float *x, size_t n, size_t m, float mid, uint8_t *codes) {
  codes_of_columns(x, n, m, mid, codes);
}
