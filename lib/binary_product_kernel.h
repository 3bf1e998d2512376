/* Internal: the table kernel's body, written once and compiled once per
 * instruction set by binary_product.c, which defines before each inclusion
 *   SUFFIX(name)   the function name for this instruction set
 *   TARGET         its target attribute
 *   LANES          floats per vector; ROWS rows added at a time
 *   VEC, VMASK, VINDEX and the V_* operations below (intrinsics).
 * The tables of a chunk are CHUNK_COLS columns wide whatever LANES is, so
 * both kernels sum every entry in the same order. Never installed. */

enum { SUFFIX(VECS) = CHUNK_COLS / LANES };

typedef struct SUFFIX(tile) {
  size_t c0, width;          /* output columns c0 .. c0 + width, width <= CHUNK_COLS */
  size_t g0, groups;         /* groups g0 .. g0 + groups */
  VMASK mask[SUFFIX(VECS)];  /* valid lanes of each vector of the chunk */
} SUFFIX(tile);

__attribute__((target(TARGET)))
static SUFFIX(tile) SUFFIX(make_tile)(size_t c0, size_t width) {
  SUFFIX(tile) t = {.c0 = c0, .width = width};
  for (int q = 0; q < SUFFIX(VECS); q++) t.mask[q] = V_LANE_MASK((long)width - (long)LANES * q);
  return t;
}

/* Row k of D restricted to the chunk's vector q (zeros outside D). */
__attribute__((target(TARGET)))
static inline VEC SUFFIX(dense_part)(const rgrbm__dense_matrix *d, size_t k,
                                     const SUFFIX(tile) *t, int q, VINDEX gather_index) {
  const float *p = d->data + k * d->k_stride + (t->c0 + LANES * (size_t)q) * d->c_stride;
  if (d->c_stride == 1) return V_LOAD_MASKED(t->mask[q], p);
  return V_GATHER_MASKED(t->mask[q], gather_index, p);
}

/* table[g][s][c] = alpha sum_j value(bit j of s) D[4 (g0 + g) + j][c0 + c],
 * value(0) = low, value(1) = high, rows at or beyond K counting as zero.
 * Entry s adds one row's (high - low) multiple to entry s minus its top bit,
 * so each entry costs one vector addition. */
__attribute__((target(TARGET)))
static void SUFFIX(build_tables)(const rgrbm__binary_matrix *b, const rgrbm__dense_matrix *d,
                                 float alpha, const SUFFIX(tile) *t, float *table) {
  const VEC step = V_SET1(alpha * (b->high - b->low)), base_scale = V_SET1(alpha * b->low);
  const VINDEX gather_index = V_INDEX((int)d->c_stride);
  for (size_t g = 0; g < t->groups; g++) {
    float *entries = table + g * ENTRIES * CHUNK_COLS;
    for (int q = 0; q < SUFFIX(VECS); q++) {
      VEC row_step[4], sum = V_ZERO();
      for (int j = 0; j < 4; j++) {
        size_t k = 4 * (t->g0 + g) + (size_t)j;
        VEC x = k < b->cols ? SUFFIX(dense_part)(d, k, t, q, gather_index) : V_ZERO();
        sum = V_ADD(sum, x);
        row_step[j] = V_MUL(step, x);
      }
      VEC e[ENTRIES];
      e[0] = b->low == 0.0f ? V_ZERO() : V_MUL(base_scale, sum);
      for (int j = 0; j < 4; j++)
        for (int s = 0; s < (1 << j); s++) e[(1 << j) + s] = V_ADD(e[s], row_step[j]);
      for (int s = 0; s < ENTRIES; s++) V_STORE(entries + s * CHUNK_COLS + LANES * q, e[s]);
    }
  }
}

/* The fused step on stored values x (one vector, lanes in mask) of out and
 * the parameters p at the same place: x -= l2 p + l1 sign(p); p += x.
 * Returns nonzero when a new p of the mask's lanes is not finite. */
__attribute__((target(TARGET)))
static inline int SUFFIX(apply_step)(const rgrbm__param_step *step, VMASK mask, float *p,
                                     VEC *x) {
  VEC w = V_LOAD_MASKED(mask, p);
  *x = V_SUB(*x, V_FMADD(V_SET1(step->l2), w, V_MUL(V_SET1(step->l1), V_SIGN(w))));
  w = V_ADD(w, *x);
  V_STORE_MASKED(p, mask, w);
  return V_ANY_NOT_FINITE(mask, w);
}

/* Rows r0 .. r0 + rows of the tile: out = (first ? beta out : out) + sum of
 * the tables' entries picked by the rows' codes; after the last block of
 * groups (step != NULL) the fused parameter step. Returns nonzero when a
 * parameter stopped being finite. */
__attribute__((target(TARGET)))
static int SUFFIX(add_entries)(const rgrbm__binary_matrix *b, const SUFFIX(tile) *t,
                               const float *table, float beta, int first,
                               const rgrbm__param_step *step, size_t r0, size_t rows,
                               float *out, size_t ld) {
  VEC acc[ROWS][SUFFIX(VECS)];
  const uint8_t *code[ROWS];
  for (size_t i = 0; i < ROWS; i++) {
    size_t r = r0 + (i < rows ? i : 0); /* a short block repeats its first row, unstored */
    const float *o = out + r * ld + t->c0;
    code[i] = b->codes + r * b->row_stride + t->g0 * b->group_stride;
    for (int q = 0; q < SUFFIX(VECS); q++) {
      if (first && beta == 0.0f) {
        acc[i][q] = V_ZERO();
      } else {
        acc[i][q] = V_LOAD_MASKED(t->mask[q], o + LANES * q);
        if (first) acc[i][q] = V_MUL(acc[i][q], V_SET1(beta));
      }
    }
  }
  for (size_t g = 0; g < t->groups; g++) {
    const float *entries = table + g * ENTRIES * CHUNK_COLS;
    const size_t at = g * b->group_stride;
    for (size_t i = 0; i < ROWS; i++) {
      const float *e = entries + (size_t)code[i][at] * CHUNK_COLS;
      for (int q = 0; q < SUFFIX(VECS); q++) acc[i][q] = V_ADD(acc[i][q], V_LOAD(e + LANES * q));
    }
  }
  int bad = 0;
  for (size_t i = 0; i < rows; i++)
    for (int q = 0; q < SUFFIX(VECS); q++) {
      const size_t at = (r0 + i) * ld + t->c0 + LANES * (size_t)q;
      if (step) bad |= SUFFIX(apply_step)(step, t->mask[q], step->param + at, &acc[i][q]);
      V_STORE_MASKED(out + at, t->mask[q], acc[i][q]);
    }
  return bad;
}

/* The block of output rows [r_begin, r_end) x columns [c_begin, c_end) of a
 * product with K > 0. */
__attribute__((target(TARGET)))
static int SUFFIX(product_block)(const rgrbm__binary_matrix *b, const rgrbm__dense_matrix *d,
                                 float alpha, float beta, const rgrbm__param_step *step,
                                 float *out, size_t r_begin, size_t r_end, size_t c_begin,
                                 size_t c_end) {
  float table[GROUP_BLOCK * ENTRIES * CHUNK_COLS] __attribute__((aligned(64)));
  const size_t groups = rgrbm__code_groups(b->cols);
  int bad = 0;
  for (size_t c0 = c_begin; c0 < c_end; c0 += CHUNK_COLS) {
    SUFFIX(tile) t = SUFFIX(make_tile)(c0, c_end - c0 < CHUNK_COLS ? c_end - c0 : CHUNK_COLS);
    for (t.g0 = 0; t.g0 < groups; t.g0 += GROUP_BLOCK) {
      t.groups = groups - t.g0 < GROUP_BLOCK ? groups - t.g0 : GROUP_BLOCK;
      const rgrbm__param_step *last = t.g0 + t.groups == groups ? step : NULL;
      SUFFIX(build_tables)(b, d, alpha, &t, table);
      for (size_t r = r_begin; r < r_end; r += ROWS)
        bad |= SUFFIX(add_entries)(b, &t, table, beta, t.g0 == 0, last, r,
                                   r_end - r < ROWS ? r_end - r : ROWS, out, d->cols);
    }
  }
  return bad;
}
