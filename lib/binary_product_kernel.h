/* Internal: the x86 table kernel's body, written once and compiled once per
 * instruction set by lib/x86/binary_product_avx2.c and _avx512.c, which
 * define before the inclusion
 *   SUFFIX(name)   the function name for this instruction set
 *   TARGET         its target attribute (RGRBM__TARGET_AVX2 or _AVX512)
 *   LANES          floats per vector; ROWS rows added at a time
 *   VEC, VMASK and the V_* operations below (intrinsics of that width).
 * Every entry is summed in the same order, with the same operations, as
 * the generic C kernel of binary_product.c, so all kernels give the same
 * bits. Where D is a transpose, a block of it is first copied, transposed
 * by 8 x 8 shuffles, into a panel: gathers are slow on AMD Zen 2 and 3.
 * Never installed. */
#include <immintrin.h>

#include "binary_product.h"

#ifndef TABLE_GROUPS
#define TABLE_GROUPS RGRBM__GROUP_BLOCK
#endif

enum {
  CHUNK_COLS = RGRBM__CHUNK_COLS,
  GROUP_BLOCK = TABLE_GROUPS, /* groups a table covers: its size decides its cache level */
  ENTRIES = RGRBM__TABLE_ENTRIES,
  PANEL_ROWS = 4 * TABLE_GROUPS,
  VECS = CHUNK_COLS / LANES
};

typedef struct tile {
  size_t c0, width;       /* output columns c0 .. c0 + width, width <= CHUNK_COLS */
  size_t g0, groups;      /* groups g0 .. g0 + groups */
  VMASK mask[VECS];       /* valid lanes of each vector of the chunk */
  int full;               /* width == CHUNK_COLS: whole vectors, no masks (masked
                             loads and stores are slow on AMD CPUs) */
  const float *panel;     /* D's rows 4 g0.. at the tile's columns, or NULL: read D */
} tile;

TARGET static tile make_tile(size_t c0, size_t width) {
  tile t = {.c0 = c0, .width = width, .full = width == CHUNK_COLS};
  for (int q = 0; q < VECS; q++) t.mask[q] = V_LANE_MASK((long)width - (long)LANES * q);
  return t;
}

/* Vector q of the tile's columns at p (p points at column c0), zeros
 * beyond the tile's width; and the store of such a vector. */
TARGET static inline VEC load_part(const tile *t, int q, const float *p) {
  return t->full ? V_LOADU(p + LANES * q) : V_LOAD_MASKED(t->mask[q], p + LANES * q);
}

TARGET static inline void store_part(const tile *t, int q, float *p, VEC x) {
  if (t->full)
    V_STOREU(p + LANES * q, x);
  else
    V_STORE_MASKED(p + LANES * q, t->mask[q], x);
}

/* dst (8 rows of CHUNK_COLS floats) = the transpose of the 8 x 8 block at
 * src (8 rows of stride `stride`). */
TARGET static void transpose8(const float *src, size_t stride, float *dst) {
  __m256 r[8], u[8], s[8];
  for (int i = 0; i < 8; i++) r[i] = _mm256_loadu_ps(src + (size_t)i * stride);
  for (int i = 0; i < 8; i += 2) {
    u[i] = _mm256_unpacklo_ps(r[i], r[i + 1]);
    u[i + 1] = _mm256_unpackhi_ps(r[i], r[i + 1]);
  }
  for (int i = 0; i < 8; i += 4)
    for (int h = 0; h < 2; h++) {
      s[i + 2 * h] = _mm256_shuffle_ps(u[i + h], u[i + h + 2], _MM_SHUFFLE(1, 0, 1, 0));
      s[i + 2 * h + 1] = _mm256_shuffle_ps(u[i + h], u[i + h + 2], _MM_SHUFFLE(3, 2, 3, 2));
    }
  for (int i = 0; i < 4; i++) {
    _mm256_storeu_ps(dst + (size_t)i * CHUNK_COLS, _mm256_permute2f128_ps(s[i], s[i + 4], 0x20));
    _mm256_storeu_ps(dst + (size_t)(i + 4) * CHUNK_COLS,
                     _mm256_permute2f128_ps(s[i], s[i + 4], 0x31));
  }
}

/* An 8 x 8 block of the panel at D's rows k.. and the tile's columns c..,
 * zeros outside D: by shuffles when whole, else one entry at a time. */
TARGET static void panel_block(const rgrbm__dense_matrix *d, size_t K, const tile *t, size_t k,
                               size_t c, float *dst) {
  const float *src = d->data + k + (t->c0 + c) * d->c_stride;
  if (k + 8 <= K && c + 8 <= t->width) {
    transpose8(src, d->c_stride, dst);
    return;
  }
  for (size_t j = 0; j < 8; j++)
    for (size_t i = 0; i < 8; i++)
      dst[j * CHUNK_COLS + i] = k + j < K && c + i < t->width ? src[i * d->c_stride + j] : 0.0f;
}

/* The panel of a transposed D: rows 4 g0 .. 4 (g0 + groups), rounded up to 8. */
TARGET static void fill_panel(const rgrbm__dense_matrix *d, size_t K, const tile *t,
                              float *panel) {
  for (size_t i = 0; i < 4 * t->groups; i += 8)
    for (size_t c = 0; c < CHUNK_COLS; c += 8)
      panel_block(d, K, t, 4 * t->g0 + i, c, panel + i * CHUNK_COLS + c);
}

/* Row k of D restricted to the chunk's vector q (zeros outside D). */
TARGET static inline VEC dense_part(const rgrbm__dense_matrix *d, size_t k, const tile *t,
                                    int q) {
  if (t->panel) return V_LOAD(t->panel + (k - 4 * t->g0) * CHUNK_COLS + LANES * (size_t)q);
  return load_part(t, q, d->data + k * d->k_stride + t->c0);
}

/* table[g][s][c] = alpha sum_j value(bit j of s) D[4 (g0 + g) + j][c0 + c],
 * value(0) = low, value(1) = high, rows at or beyond K counting as zero.
 * Entry s adds one row's (high - low) multiple to entry s minus its top bit,
 * so each entry costs one vector addition. */
TARGET static void build_tables(const rgrbm__binary_matrix *b, const rgrbm__dense_matrix *d,
                                float alpha, const tile *t, float *table) {
  const VEC step = V_SET1(alpha * (b->high - b->low)), base_scale = V_SET1(alpha * b->low);
  for (size_t g = 0; g < t->groups; g++) {
    float *entries = table + g * ENTRIES * CHUNK_COLS;
    for (int q = 0; q < VECS; q++) {
      VEC row_step[4], sum = V_ZERO();
      for (int j = 0; j < 4; j++) {
        size_t k = 4 * (t->g0 + g) + (size_t)j;
        VEC x = k < b->cols ? dense_part(d, k, t, q) : V_ZERO();
        sum = V_ADD(sum, x);
        row_step[j] = V_MUL(step, x);
      }
      /* each entry is stored as soon as it is made: at most 8 stay live */
      VEC e[ENTRIES];
      e[0] = b->low == 0.0f ? V_ZERO() : V_MUL(base_scale, sum);
      V_STORE(entries + LANES * q, e[0]);
      for (int j = 0; j < 4; j++)
        for (int s = 0; s < (1 << j); s++) {
          e[(1 << j) + s] = V_ADD(e[s], row_step[j]);
          V_STORE(entries + ((1 << j) + s) * CHUNK_COLS + LANES * q, e[(1 << j) + s]);
        }
    }
  }
}

/* The fused step on stored values x (one vector, lanes in mask) of out and
 * the parameters p at the same place: x -= fma(l2, p, l1 sign(p)); p += x.
 * Returns nonzero when a new p of the mask's lanes is not finite. */
TARGET static inline int apply_step(const rgrbm__param_step *step, const tile *t, int q,
                                    float *p, VEC *x) {
  VEC w = load_part(t, q, p);
  *x = V_SUB(*x, V_FMADD(V_SET1(step->l2), w, V_MUL(V_SET1(step->l1), V_SIGN(w))));
  w = V_ADD(w, *x);
  store_part(t, q, p, w);
  return V_ANY_NOT_FINITE(t->mask[q], w);
}

/* The accumulators' start: 0, beta out or out. */
TARGET static inline VEC start_value(const tile *t, int q, const float *o, float beta,
                                     int first) {
  if (first && beta == 0.0f) return V_ZERO();
  VEC x = load_part(t, q, o);
  return first ? V_MUL(x, V_SET1(beta)) : x;
}

/* Rows r0 .. r0 + rows of the tile: out = (first ? beta out : out) + sum of
 * the tables' entries picked by the rows' codes; after the last block of
 * groups (step != NULL) the fused parameter step. Returns nonzero when a
 * parameter stopped being finite. */
TARGET static int add_entries(const rgrbm__binary_matrix *b, const tile *t, const float *table,
                              float beta, int first, const rgrbm__param_step *step, size_t r0,
                              size_t rows, float *out, size_t ld) {
  VEC acc[ROWS][VECS];
  const uint8_t *code[ROWS];
  for (size_t i = 0; i < ROWS; i++) {
    size_t r = r0 + (i < rows ? i : 0); /* a short block repeats its first row, unstored */
    code[i] = b->codes + r * b->row_stride + t->g0 * b->group_stride;
    for (int q = 0; q < VECS; q++) acc[i][q] = start_value(t, q, out + r * ld + t->c0, beta, first);
  }
  for (size_t g = 0; g < t->groups; g++) {
    const float *entries = table + g * ENTRIES * CHUNK_COLS;
    const size_t at = g * b->group_stride;
    for (size_t i = 0; i < ROWS; i++) {
      const float *e = entries + (size_t)code[i][at] * CHUNK_COLS;
      for (int q = 0; q < VECS; q++) acc[i][q] = V_ADD(acc[i][q], V_LOAD(e + LANES * q));
    }
  }
  int bad = 0;
  for (size_t i = 0; i < rows; i++)
    for (int q = 0; q < VECS; q++) {
      const size_t at = (r0 + i) * ld + t->c0;
      if (step) bad |= apply_step(step, t, q, step->param + at, &acc[i][q]);
      store_part(t, q, out + at, acc[i][q]);
    }
  return bad;
}

/* The block of output rows [r_begin, r_end) x columns [c_begin, c_end) of a
 * product with K > 0. */
TARGET int SUFFIX(rgrbm__product_block)(const rgrbm__binary_matrix *b,
                                        const rgrbm__dense_matrix *d, float alpha, float beta,
                                        const rgrbm__param_step *step, float *out,
                                        size_t r_begin, size_t r_end, size_t c_begin,
                                        size_t c_end) {
  float table[GROUP_BLOCK * ENTRIES * CHUNK_COLS] __attribute__((aligned(64)));
  float panel[PANEL_ROWS * CHUNK_COLS] __attribute__((aligned(64)));
  const size_t groups = rgrbm__code_groups(b->cols);
  int bad = 0;
  for (size_t c0 = c_begin; c0 < c_end; c0 += CHUNK_COLS) {
    tile t = make_tile(c0, c_end - c0 < CHUNK_COLS ? c_end - c0 : CHUNK_COLS);
    for (t.g0 = 0; t.g0 < groups; t.g0 += GROUP_BLOCK) {
      t.groups = groups - t.g0 < GROUP_BLOCK ? groups - t.g0 : GROUP_BLOCK;
      t.panel = NULL;
      if (d->c_stride != 1) {
        fill_panel(d, b->cols, &t, panel);
        t.panel = panel;
      }
      const rgrbm__param_step *last = t.g0 + t.groups == groups ? step : NULL;
      build_tables(b, d, alpha, &t, table);
      for (size_t r = r_begin; r < r_end; r += ROWS)
        bad |= add_entries(b, &t, table, beta, t.g0 == 0, last, r,
                           r_end - r < ROWS ? r_end - r : ROWS, out, d->cols);
    }
  }
  return bad;
}
