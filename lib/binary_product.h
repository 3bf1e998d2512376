/* Internal: products of a binary matrix with a dense float matrix by group
 * tables (the "four Russians" idea), for the products of contrastive
 * divergence whose one operand holds only two values: a batch of data or of
 * sampled units. Never installed.
 *
 * The binary matrix B (R x K, every entry `low` or `high`) is stored as one
 * 4-bit code per row and group of four columns: bit j of code (r, g) is set
 * when entry (r, 4g + j) is `high`. For each group the 16 possible sums of
 * its four rows of the dense matrix D (K x C) are tabulated once, and a row
 * of B D is then the sum of one table entry per group: per group and output
 * column, one addition a row instead of sgemm's four multiply-adds. Building
 * a group's table costs 23 operations per output column (4 additions and 4
 * multiplications for the group's rows, 15 additions for the entries; one
 * more multiplication when low != 0), shared by a tile's rows (up to 512).
 * For R rows that is R + 24 operations against 4 R: on a batch of 100 rows
 * 124 against 400, about 3.2 times fewer (counting a multiply-add as one),
 * approaching 4 for tall blocks. Sums are taken in float in a different order
 * from sgemm's, so results agree with it to float rounding, not bit for bit.
 *
 * Kernels: generic C (any CPU), AVX2 + FMA and AVX-512 (lib/x86/), chosen
 * by rgrbm__cpu_isa() once per call. All of them sum every entry in the
 * same order with the same operations (an FMA where the vector kernels use
 * one, fmaf in C), so they give the same bits. */
#ifndef RGRBM_LIB_BINARY_PRODUCT_H
#define RGRBM_LIB_BINARY_PRODUCT_H

#include <stddef.h>
#include <stdint.h>

/* B: code (r, g) at codes[r * row_stride + g * group_stride], g < ceil(cols / 4);
 * bits for columns at or beyond `cols` must be 0; cols (K) is at least 1. */
typedef struct rgrbm__binary_matrix {
  const uint8_t *codes;
  size_t rows, cols;
  size_t row_stride, group_stride;
  float low, high;
} rgrbm__binary_matrix;

/* D: element (k, c) at data[k * k_stride + c * c_stride]; c_stride is 1 (rows
 * contiguous) or k_stride is 1 (D is the transpose of a row-major matrix:
 * the kernels copy blocks of it, transposed, into a buffer). */
typedef struct rgrbm__dense_matrix {
  const float *data;
  size_t cols;
  size_t k_stride, c_stride;
} rgrbm__dense_matrix;

/* A training step fused into a product's final store: param has out's
 * shape, and once an entry x of out is final,
 *     x -= fma(l2, param, l1 sign(param));  param += x
 * (weight decay and L1 on a momentum step, as in contrastive divergence),
 * saving a separate pass over both arrays. */
typedef struct rgrbm__param_step {
  float *param;
  float l2, l1;
} rgrbm__param_step;

/* Work on a finished block of the output (rows r0..r1, columns c0..c1 of
 * out, leading dimension ld) while it is still in cache, e.g. a bias and an
 * activation; elementwise, so the result does not depend on the blocks. */
typedef struct rgrbm__product_epilogue {
  void (*fn)(void *arg, float *out, size_t ld, size_t r0, size_t r1, size_t c0, size_t c1);
  void *arg;
} rgrbm__product_epilogue;

/* out (b->rows x d->cols, row-major, leading dimension d->cols) =
 * alpha B D + beta out (with beta = 0 out's old contents are not read),
 * then the training step when step is not NULL and the epilogue when after
 * is not NULL. Tiles of the output are tasks of the library's team
 * (team.h); every entry is summed in the same order whatever the thread
 * count and the kernel level. Returns nonzero when a parameter of the step
 * stopped being finite (NaN or infinity). */
int rgrbm__binary_product(const rgrbm__binary_matrix *b, const rgrbm__dense_matrix *d,
                          float alpha, float beta, float *out, const rgrbm__param_step *step,
                          const rgrbm__product_epilogue *after);

/* The output rows [r_begin, r_end) of rgrbm__binary_product (r_end <=
 * b->rows), the other rows of out and of the step's param untouched: every
 * entry gets the bits the whole product gives it (an entry's sum never
 * depends on the tiling), so processes that each compute a range of rows
 * (data-parallel training, lib/cd_distributed.c) together make the
 * product of one process. */
int rgrbm__binary_product_rows(const rgrbm__binary_matrix *b, const rgrbm__dense_matrix *d,
                               float alpha, float beta, float *out,
                               const rgrbm__param_step *step,
                               const rgrbm__product_epilogue *after, size_t r_begin,
                               size_t r_end);

/* One level's kernel: the block [r_begin, r_end) x [c_begin, c_end) of the
 * product with the step, for K = b->cols > 0 (binary_product_kernel.h). */
typedef int (*rgrbm__product_block_fn)(const rgrbm__binary_matrix *b,
                                       const rgrbm__dense_matrix *d, float alpha, float beta,
                                       const rgrbm__param_step *step, float *out,
                                       size_t r_begin, size_t r_end, size_t c_begin,
                                       size_t c_end);
#if defined(__x86_64__)
int rgrbm__product_block_avx2(const rgrbm__binary_matrix *b, const rgrbm__dense_matrix *d,
                              float alpha, float beta, const rgrbm__param_step *step,
                              float *out, size_t r_begin, size_t r_end, size_t c_begin,
                              size_t c_end);
int rgrbm__product_block_avx512(const rgrbm__binary_matrix *b, const rgrbm__dense_matrix *d,
                                float alpha, float beta, const rgrbm__param_step *step,
                                float *out, size_t r_begin, size_t r_end, size_t c_begin,
                                size_t c_end);
#endif

/* Tiling shared by every kernel: a tile is CHUNK_COLS output columns, its
 * tables cover GROUP_BLOCK groups of four inner rows at a time. */
enum { RGRBM__CHUNK_COLS = 32, RGRBM__GROUP_BLOCK = 16, RGRBM__TABLE_ENTRIES = 16 };

/* Codes of the rows of x (rows x cols floats), on the team: bit j of code
 * (r, g) is x[r][4g + j] > mid; code (r, g) is stored at codes[r * ceil(cols / 4) + g]. */
void rgrbm__codes_of_rows(const float *x, size_t rows, size_t cols, float mid, uint8_t *codes);

/* Codes of the transpose of x (n x m floats), the binary matrix x^T (m x n):
 * bit j of code (i, g) is x[4g + j][i] > mid; stored group-major at
 * codes[g * m + i] (row stride 1, group stride m). */
void rgrbm__codes_of_columns(const float *x, size_t n, size_t m, float mid, uint8_t *codes);

/* Groups of four in an inner dimension of k. */
static inline size_t rgrbm__code_groups(size_t k) { return (k + 3) / 4; }

#endif
