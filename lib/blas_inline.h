/* Internal: thin inline wrappers over the CBLAS calls of the hot loops.
 *
 * Every matrix is a dense row-major array whose leading dimension is its
 * column count, so a call names only the logical shape. The one check that
 * matters at run time, that every dimension fits CBLAS's int-sized blasint,
 * lives here: callers check a whole problem once with rgrbm__blas_fits() and
 * then call the kernels without status handling per batch. Never installed. */
#ifndef RGRBM_LIB_BLAS_INLINE_H
#define RGRBM_LIB_BLAS_INLINE_H

#include <cblas.h>
#include <stddef.h>

/* Largest extent (rows, columns or an inner dimension) a CBLAS call accepts. */
#define RGRBM__BLAS_MAX ((size_t)((blasint)((~0u) >> 1)))

/* Whether a matrix extent can be passed to CBLAS. */
static inline int rgrbm__blas_fits(size_t extent) { return extent <= RGRBM__BLAS_MAX; }

/* C (m x n) = alpha op(A) op(B) + beta C, op(A) m x k, op(B) k x n.
 * trans_a = 0: A is stored m x k; trans_a = 1: A is stored k x m (likewise B). */
static inline void rgrbm__sgemm(int trans_a, int trans_b, size_t m, size_t n, size_t k,
                                float alpha, const float *a, const float *b, float beta,
                                float *c) {
  cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
              trans_b ? CblasTrans : CblasNoTrans, (blasint)m, (blasint)n, (blasint)k, alpha,
              a, (blasint)(trans_a ? m : k), b, (blasint)(trans_b ? k : n), beta, c,
              (blasint)n);
}

/* The double-precision counterpart, for quantities that decide a physics number. */
static inline void rgrbm__dgemm(int trans_a, int trans_b, size_t m, size_t n, size_t k,
                                double alpha, const double *a, const double *b, double beta,
                                double *c) {
  cblas_dgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
              trans_b ? CblasTrans : CblasNoTrans, (blasint)m, (blasint)n, (blasint)k, alpha,
              a, (blasint)(trans_a ? m : k), b, (blasint)(trans_b ? k : n), beta, c,
              (blasint)n);
}

#endif
