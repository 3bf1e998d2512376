/* Internal: exact likelihood machinery shared by lib/stack_likelihood.c, training
 * (the per-epoch pseudo-log-likelihood) and the tests. Never installed. */
#ifndef RGRBM_LIB_LIKELIHOOD_H
#define RGRBM_LIB_LIKELIHOOD_H

#include <stddef.h>

#include "stack.h"

/* Largest number of units the exact log Z enumerates (2^30 terms). */
#define RGRBM__LOGZ_MAX_UNITS 30

/* Which layer of an RBM the exact log Z enumerates. */
typedef enum rgrbm__side { RGRBM__SIDE_VISIBLE = 0, RGRBM__SIDE_HIDDEN = 1 } rgrbm__side;

/* Exact ln Z of layer's RBM by enumerating the given side (at most
 * RGRBM__LOGZ_MAX_UNITS units, else RGRBM_EUNSUPPORTED attributed to func). */
int rgrbm__log_partition_side(const rgrbm_stack *s, int layer, rgrbm__side side,
                              double *log_z, const char *func);

/* *sum = sum over the n rows v (n x size(layer), configurations in the
 * stack's units) and every site i of ln p(v_i | v_-i). Allocates scratch,
 * hence may fail with RGRBM_ENOMEM attributed to func. */
int rgrbm__pll_sum(const rgrbm_stack *s, int layer, const float *v, size_t n, double *sum,
                   const char *func);

/* The same with the caller's scratch, for callers that must allocate before
 * changing anything (rgrbm_cd_train): rgrbm__pll_scratch_doubles(s, layer,
 * n) doubles, the count 0 with *overflow set when it does not fit size_t. */
size_t rgrbm__pll_scratch_doubles(const rgrbm_stack *s, int layer, size_t n, int *overflow);
int rgrbm__pll_sum_with(const rgrbm_stack *s, int layer, const float *v, size_t n,
                        double *scratch, double *sum);

#endif
