/* Binary-times-dense products by group tables; see binary_product.h.
 *
 * Tiling. The output is cut into tiles of CHUNK_COLS columns and a block
 * of rows; each tile is a task of the team (team.h). For a tile and a block
 * of GROUP_BLOCK groups a kernel builds the tables (GROUP_BLOCK x 16
 * entries x CHUNK_COLS floats = 32 KB, inside L1) and then adds one entry
 * per group to every output row of the tile. The sizes were chosen by
 * measurement on the 1600 x 400 shapes of tests/bench/bench_cd. The x86
 * kernels (binary_product_kernel.h) keep several rows' accumulators in
 * registers; the generic C kernel below makes the same operations in the
 * same order, entry by entry. */
#include "binary_product.h"

#include <math.h>
#include <stdatomic.h>

#include "cpu.h"
#include "isa_clones.h"
#include "team.h"

enum {
  CHUNK_COLS = RGRBM__CHUNK_COLS,
  GROUP_BLOCK = RGRBM__GROUP_BLOCK,
  ENTRIES = RGRBM__TABLE_ENTRIES,
  TILE_MAX_ROWS = 512 /* a tile's rows: tables (16 rows' worth) stay a small part */
};

/* ---- the generic C kernel ---- */

typedef struct generic_tile {
  size_t c0, width, g0, groups;
} generic_tile;

static float dense_at(const rgrbm__dense_matrix *d, size_t k, size_t c) {
  return d->data[k * d->k_stride + c * d->c_stride];
}

/* Row k of D at the tile's columns, zeros outside D. */
static void dense_row_generic(const rgrbm__dense_matrix *d, size_t K, const generic_tile *t,
                              size_t k, float *row) {
  for (size_t c = 0; c < CHUNK_COLS; c++)
    row[c] = k < K && c < t->width ? dense_at(d, k, t->c0 + c) : 0.0f;
}

/* The tables of binary_product_kernel.h's build_tables, with the columns
 * innermost (so that the compiler vectorizes them). */
static void build_tables_generic(const rgrbm__binary_matrix *b, const rgrbm__dense_matrix *d,
                                 float alpha, const generic_tile *t, float *table) {
  const float step = alpha * (b->high - b->low), base_scale = alpha * b->low;
  float x[4][CHUNK_COLS];
  for (size_t g = 0; g < t->groups; g++) {
    float(*e)[CHUNK_COLS] = (float(*)[CHUNK_COLS])(table + g * ENTRIES * CHUNK_COLS);
    for (size_t j = 0; j < 4; j++) dense_row_generic(d, b->cols, t, 4 * (t->g0 + g) + j, x[j]);
    for (size_t c = 0; c < CHUNK_COLS; c++) {
      float sum = (((0.0f + x[0][c]) + x[1][c]) + x[2][c]) + x[3][c];
      e[0][c] = b->low == 0.0f ? 0.0f : base_scale * sum;
    }
    for (int j = 0; j < 4; j++)
      for (int s = 0; s < (1 << j); s++)
        for (size_t c = 0; c < CHUNK_COLS; c++) e[(1 << j) + s][c] = e[s][c] + step * x[j][c];
  }
}

/* x -= fma(l2, p, l1 sign(p)); p += x, as the vector kernels' apply_step. */
static int apply_step_generic(const rgrbm__param_step *step, float *p, float *x) {
  const float w = *p, sign = w > 0.0f ? 1.0f : w < 0.0f ? -1.0f : 0.0f;
  *x = *x - fmaf(step->l2, w, step->l1 * sign);
  *p = w + *x;
  return !(*p - *p == 0.0f);
}

/* Row r of the tile, as the vector kernels' add_entries. */
static int add_entries_generic(const rgrbm__binary_matrix *b, const generic_tile *t,
                               const float *table, float beta, int first,
                               const rgrbm__param_step *step, size_t r, float *out, size_t ld) {
  float acc[CHUNK_COLS], *o = out + r * ld + t->c0;
  const uint8_t *code = b->codes + r * b->row_stride + t->g0 * b->group_stride;
  for (size_t c = 0; c < t->width; c++)
    acc[c] = !first ? o[c] : beta == 0.0f ? 0.0f : o[c] * beta;
  for (size_t g = 0; g < t->groups; g++) {
    const float *e = table + (g * ENTRIES + code[g * b->group_stride]) * CHUNK_COLS;
    for (size_t c = 0; c < t->width; c++) acc[c] = acc[c] + e[c];
  }
  int bad = 0;
  for (size_t c = 0; c < t->width; c++) {
    if (step) bad |= apply_step_generic(step, step->param + r * ld + t->c0 + c, &acc[c]);
    o[c] = acc[c];
  }
  return bad;
}

static int product_block_generic(const rgrbm__binary_matrix *b, const rgrbm__dense_matrix *d,
                                 float alpha, float beta, const rgrbm__param_step *step,
                                 float *out, size_t r_begin, size_t r_end, size_t c_begin,
                                 size_t c_end) {
  float table[GROUP_BLOCK * ENTRIES * CHUNK_COLS];
  const size_t groups = rgrbm__code_groups(b->cols);
  int bad = 0;
  for (size_t c0 = c_begin; c0 < c_end; c0 += CHUNK_COLS) {
    generic_tile t = {.c0 = c0, .width = c_end - c0 < CHUNK_COLS ? c_end - c0 : CHUNK_COLS};
    for (t.g0 = 0; t.g0 < groups; t.g0 += GROUP_BLOCK) {
      t.groups = groups - t.g0 < GROUP_BLOCK ? groups - t.g0 : GROUP_BLOCK;
      const rgrbm__param_step *last = t.g0 + t.groups == groups ? step : NULL;
      build_tables_generic(b, d, alpha, &t, table);
      for (size_t r = r_begin; r < r_end; r++)
        bad |= add_entries_generic(b, &t, table, beta, t.g0 == 0, last, r, out, d->cols);
    }
  }
  return bad;
}

/* ---- dispatch and tasks ---- */

static rgrbm__product_block_fn kernel_for(rgrbm__isa isa) {
#if RGRBM__X86_64
  if (isa >= RGRBM__ISA_AVX512) return rgrbm__product_block_avx512;
  if (isa >= RGRBM__ISA_AVX2) return rgrbm__product_block_avx2;
#endif
  (void)isa;
  return product_block_generic;
}

typedef struct product_job {
  rgrbm__product_block_fn kernel;
  const rgrbm__binary_matrix *b;
  const rgrbm__dense_matrix *d;
  float alpha, beta;
  float *out;
  const rgrbm__param_step *step;
  const rgrbm__product_epilogue *after;
  size_t r_begin, r_end; /* the output rows computed */
  size_t row_blocks;
  atomic_int bad;
} product_job;

/* Task = (column chunk, row block): a shape's tasks do not depend on the
 * thread count. */
static void product_task(void *arg, size_t task) {
  product_job *j = arg;
  const size_t cols = j->d->cols;
  size_t r0, r1, c0 = (task / j->row_blocks) * CHUNK_COLS;
  size_t c1 = cols - c0 < CHUNK_COLS ? cols : c0 + CHUNK_COLS;
  rgrbm__team_part(j->r_end - j->r_begin, j->row_blocks, task % j->row_blocks, &r0, &r1);
  r0 += j->r_begin;
  r1 += j->r_begin;
  if (r0 == r1) return;
  if (j->kernel(j->b, j->d, j->alpha, j->beta, j->step, j->out, r0, r1, c0, c1))
    atomic_store(&j->bad, 1);
  if (j->after) j->after->fn(j->after->arg, j->out, cols, r0, r1, c0, c1);
}

int rgrbm__binary_product_rows(const rgrbm__binary_matrix *b, const rgrbm__dense_matrix *d,
                               float alpha, float beta, float *out,
                               const rgrbm__param_step *step,
                               const rgrbm__product_epilogue *after, size_t r_begin,
                               size_t r_end) {
  const size_t rows = r_end - r_begin;
  product_job j = {.kernel = kernel_for(rgrbm__cpu_isa()), .b = b, .d = d, .alpha = alpha,
                   .beta = beta, .out = out, .step = step, .after = after,
                   .r_begin = r_begin, .r_end = r_end,
                   .row_blocks = (rows + TILE_MAX_ROWS - 1) / TILE_MAX_ROWS};
  atomic_init(&j.bad, 0);
  if (rows == 0 || d->cols == 0) return 0;
  const size_t chunks = (d->cols + CHUNK_COLS - 1) / CHUNK_COLS;
  const double work = (double)rows * (double)b->cols * (double)d->cols / 4.0;
  rgrbm__team_run(chunks * j.row_blocks, work, product_task, &j);
  return atomic_load(&j.bad);
}

int rgrbm__binary_product(const rgrbm__binary_matrix *b, const rgrbm__dense_matrix *d,
                          float alpha, float beta, float *out, const rgrbm__param_step *step,
                          const rgrbm__product_epilogue *after) {
  return rgrbm__binary_product_rows(b, d, alpha, beta, out, step, after, 0, b->rows);
}

/* ---- codes ---- */

/* One row's codes: bit j of code g is x[4g + j] > mid. */
RGRBM__INLINE void code_row_body(const float *x, size_t cols, float mid, uint8_t *codes) {
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
RGRBM__CLONES_VOID(code_row, (const float *x, size_t cols, float mid, uint8_t *codes),
                   (x, cols, mid, codes))

/* One group's codes down the m columns of rows x[0..present) (present <= 4). */
RGRBM__INLINE void code_group_body(const float *x, size_t present, size_t m, float mid,
                                   uint8_t *codes) {
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
RGRBM__CLONES_VOID(code_group,
                   (const float *x, size_t present, size_t m, float mid, uint8_t *codes),
                   (x, present, m, mid, codes))

typedef struct codes_job {
  const float *x;
  size_t n, m, per_task;
  float mid;
  uint8_t *codes;
  rgrbm__isa isa;
} codes_job;

enum { CODES_TASK_FLOATS = 8192 }; /* floats a task codes */

static size_t codes_tasks(codes_job *j, size_t items, size_t floats_per_item) {
  j->per_task = CODES_TASK_FLOATS / (floats_per_item ? floats_per_item : 1);
  if (j->per_task == 0) j->per_task = 1;
  return (items + j->per_task - 1) / j->per_task;
}

static void rows_task(void *arg, size_t task) {
  const codes_job *j = arg;
  const size_t groups = rgrbm__code_groups(j->m), r1 = (task + 1) * j->per_task;
  void (*code)(const float *, size_t, float, uint8_t *) = code_row_for(j->isa);
  for (size_t r = task * j->per_task; r < r1 && r < j->n; r++)
    code(j->x + r * j->m, j->m, j->mid, j->codes + r * groups);
}

void rgrbm__codes_of_rows(const float *x, size_t rows, size_t cols, float mid, uint8_t *codes) {
  codes_job j = {.x = x, .n = rows, .m = cols, .mid = mid, .codes = codes,
                 .isa = rgrbm__cpu_isa()};
  const size_t tasks = codes_tasks(&j, rows, cols);
  rgrbm__team_run(tasks, (double)rows * (double)cols, rows_task, &j);
}

static void groups_task(void *arg, size_t task) {
  const codes_job *j = arg;
  const size_t groups = rgrbm__code_groups(j->n), g1 = (task + 1) * j->per_task;
  for (size_t g = task * j->per_task; g < g1 && g < groups; g++) {
    const size_t k = 4 * g, present = j->n - k < 4 ? j->n - k : 4;
    code_group_for(j->isa)(j->x + k * j->m, present, j->m, j->mid, j->codes + g * j->m);
  }
}

void rgrbm__codes_of_columns(const float *x, size_t n, size_t m, float mid, uint8_t *codes) {
  codes_job j = {.x = x, .n = n, .m = m, .mid = mid, .codes = codes, .isa = rgrbm__cpu_isa()};
  const size_t tasks = codes_tasks(&j, rgrbm__code_groups(n), 4 * m);
  rgrbm__team_run(tasks, (double)n * (double)m, groups_task, &j);
}
