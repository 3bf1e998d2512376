/* Internal: products of a binary matrix with a dense float matrix by group
 * tables (the "four Russians" idea), for the products of contrastive
 * divergence whose one operand holds only two values: a batch of data or of
 * sampled units. Never installed.
 *
 * The binary matrix B (R x K, every entry `low` or `high`) is stored as one
 * 4-bit code per row and group of four columns: bit j of code (r, g) is set
 * when entry (r, 4g + j) is `high`. For each group the 16 possible sums of
 * its four rows of the dense matrix D (K x C) are tabulated once, and a row
 * of B D is then the sum of one table entry per group: K/4 vector additions
 * a row instead of K multiply-adds, and 16 rows of additions per group to
 * build the table. On a batch of 100 rows that is about 3.5 times fewer
 * operations than sgemm's. Sums are taken in float in a different order
 * from sgemm's, so results agree with it to float rounding, not bit for bit.
 *
 * The kernel is compiled for AVX-512F and for AVX2 + FMA; callers ask
 * rgrbm__binary_products_supported() first and keep sgemm otherwise. */
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
 * contiguous) or k_stride is 1 (D is the transpose of a row-major matrix),
 * then with c_stride <= RGRBM__BINARY_MAX_STRIDE (gathers index in int32). */
#define RGRBM__BINARY_MAX_STRIDE ((size_t)(INT32_MAX / 16))
typedef struct rgrbm__dense_matrix {
  const float *data;
  size_t cols;
  size_t k_stride, c_stride;
} rgrbm__dense_matrix;

/* The instruction sets the kernel is compiled for, in increasing order. */
typedef enum rgrbm__tables_isa {
  RGRBM__TABLES_NONE = 0,
  RGRBM__TABLES_AVX2 = 1,  /* AVX2 + FMA */
  RGRBM__TABLES_AVX512 = 2 /* AVX-512F */
} rgrbm__tables_isa;

/* The best kernel this CPU runs. */
rgrbm__tables_isa rgrbm__tables_best(void);

/* Whether this CPU runs a table kernel (AVX2 + FMA or AVX-512F). */
int rgrbm__binary_products_supported(void);

/* out (b->rows x d->cols, row-major, leading dimension d->cols) =
 * alpha B D + beta out; with beta = 0 out's old contents are not read. The
 * columns (or the rows, whichever balances better) are split between the
 * OpenMP team's threads; every entry is summed in the same order whatever
 * the thread count. */
void rgrbm__binary_product(const rgrbm__binary_matrix *b, const rgrbm__dense_matrix *d,
                           float alpha, float beta, float *out);

/* A training step fused into a product's final store: param has out's
 * shape, and once an entry x of out is final,
 *     x -= l2 param + l1 sign(param);  param += x
 * (weight decay and L1 on a momentum step, as in contrastive divergence),
 * saving a separate pass over both arrays. */
typedef struct rgrbm__param_step {
  float *param;
  float l2, l1;
} rgrbm__param_step;

/* rgrbm__binary_product with a chosen kernel, which the CPU must run
 * (isa <= rgrbm__tables_best(), not NONE), followed by the training step
 * when step is not NULL; returns nonzero when a parameter stopped being
 * finite (NaN or infinity). */
int rgrbm__binary_product_isa(rgrbm__tables_isa isa, const rgrbm__binary_matrix *b,
                              const rgrbm__dense_matrix *d, float alpha, float beta, float *out,
                              const rgrbm__param_step *step);

/* Codes of the rows of x (rows x cols floats): bit j of code (r, g) is
 * x[r][4g + j] > mid; code (r, g) is stored at codes[r * ceil(cols / 4) + g]. */
void rgrbm__codes_of_rows(const float *x, size_t rows, size_t cols, float mid, uint8_t *codes);

/* Codes of the transpose of x (n x m floats), the binary matrix x^T (m x n):
 * bit j of code (i, g) is x[4g + j][i] > mid; stored group-major at
 * codes[g * m + i] (row stride 1, group stride m). */
void rgrbm__codes_of_columns(const float *x, size_t n, size_t m, float mid, uint8_t *codes);

/* Groups of four in an inner dimension of k. */
static inline size_t rgrbm__code_groups(size_t k) { return (k + 3) / 4; }

#endif
