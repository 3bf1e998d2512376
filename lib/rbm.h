/* Internal: the kernels that training (cd.c), the stack passes (stack.c),
 * likelihoods (stack_likelihood.c), block Gibbs sampling and AIS share. None of
 * them validates arguments: the public entry points do that once (the
 * rgrbm__stack_check_* helpers below) and the kernels trust it. Never
 * installed.
 *
 * Shapes: layer l of a stack has nv = sizes[l] visible and nh = sizes[l+1]
 * hidden units; batches are row-major, n rows. Units are 0/1 (binary,
 * means are sigmoids) or -1/+1 (spin, means are tanh). */
#ifndef RGRBM_LIB_RBM_H
#define RGRBM_LIB_RBM_H

#include <stddef.h>
#include <stdint.h>

#include "rng.h"
#include "stack.h"

/* Stream indices under RGRBM__STREAM_CD. Training keys its generators with a
 * seed derived from (options seed, layer, epoch) and uses rows' indices
 * (batch rows, then chains);
 * the public sample passes key with the caller's seed and set PASS_BIT. */
#define RGRBM__CD_SHUFFLE_BIT (UINT64_C(1) << 55)
#define RGRBM__CD_PASS_BIT (UINT64_C(1) << 54)
/* PCD's reconstruction-error samples: streams of their own, so that asking
 * for the error never changes the training. */
#define RGRBM__CD_ERROR_BIT (UINT64_C(1) << 53)

/* ---- argument checks for public entry points (fail naming the argument) ---- */

/* s non-NULL and 0 <= layer < depth. */
int rgrbm__stack_check_layer(const rgrbm_stack *s, int layer, const char *func);
/* s non-NULL and 0 <= level <= depth; name is the argument's name. */
int rgrbm__stack_check_level(const rgrbm_stack *s, int level, const char *name,
                             const char *func);

/* ---- a layer's parameters as one block ---- */

/* Floats of layer `layer`'s parameters: nv * nh weights, nv visible and nh
 * hidden biases. */
size_t rgrbm__layer_floats(const rgrbm_stack *s, int layer);
/* Copies the layer's weights, visible biases and hidden biases, in that
 * order, to block (restore = 0) or back from it (restore = 1); block holds
 * rgrbm__layer_floats(s, layer) floats. */
void rgrbm__layer_copy(rgrbm_stack *s, int layer, float *block, int restore);

/* ---- elementwise kernels (every kernel level, the same bits; see
 * isa_clones.h) ---- */

/* x[r][c] = act(x[r][c] + bias[c]) for rows x cols, act = sigmoid or tanh. */
void rgrbm__bias_activate(rgrbm_units units, const float *bias, size_t rows, size_t cols,
                          float *x);

/* out[r][c] = a sample of a unit with mean means[r][c]: binary 1 with
 * probability m, spin +1 with probability (1 + m) / 2 (to 2^-40: 8 random
 * bits decide all but 2^-8 of the units, a further word the rest). Row r
 * draws from row_rngs[r] (advanced), so the result does not depend on how
 * rows are split between threads or calls. out may equal means. Runs on the
 * calling thread (see rbm.c for why). */
void rgrbm__sample_units(rgrbm_units units, const float *means, size_t rows, size_t cols,
                         rgrbm__rng *row_rngs, float *out);

/* row_rngs[r] = generator (seed, first_stream + r) for r < rows. */
void rgrbm__rng_init_rows(rgrbm__rng *row_rngs, size_t rows, uint64_t seed,
                          uint64_t first_stream);

/* The value of an "off" unit: 0 for binary, -1 for spin. */
static inline float rgrbm__units_low(rgrbm_units units) {
  return units == RGRBM_UNITS_SPIN ? -1.0f : 0.0f;
}

/* ---- layer passes (one sgemm plus one fused bias/activation pass) ---- */

/* out (n x nh) = act(b + v W). */
void rgrbm__rbm_hidden_means(const rgrbm_stack *s, int layer, const float *v, size_t n,
                             float *out);
/* out (n x nv) = act(c + h W^T). */
void rgrbm__rbm_visible_means(const rgrbm_stack *s, int layer, const float *h, size_t n,
                              float *out);

/* ---- the same passes for binary inputs, by group tables ---- */

/* As rgrbm__rbm_hidden_means / rgrbm__rbm_visible_means for inputs whose
 * every entry is the units' low or high value, by the table kernel of
 * binary_product.h. codes is scratch of n * ceil(width / 4) bytes, width
 * the input's. The product, with the bias and activation fused into its
 * tiles, runs on the library's threads (team.h). */
void rgrbm__rbm_hidden_means_tables(const rgrbm_stack *s, int layer, const float *v, size_t n,
                                    uint8_t *codes, float *out);
void rgrbm__rbm_visible_means_tables(const rgrbm_stack *s, int layer, const float *h,
                                     size_t n, uint8_t *codes, float *out);

/* rgrbm__sample_units with the rows split over the library's threads
 * (same results: each row has its own generator). Only for loops that make
 * no BLAS calls, see rbm.c. */
void rgrbm__sample_units_team(rgrbm_units units, const float *means, size_t rows, size_t cols,
                              rgrbm__rng *row_rngs, float *out);

/* Midway between the units' low and high values (0.5 for {0,1}, 0 for
 * {-1,+1}): the threshold between them, and the mean of a uniform unit. */
static inline float rgrbm__units_mid(rgrbm_units units) {
  return units == RGRBM_UNITS_SPIN ? 0.0f : 0.5f;
}

/* ---- double-precision energies ---- */

/* Free energy of n visible vectors v (n x nv) under the RBM with parameters
 * (w: nv x nh, c: nv, b: nh) all multiplied by beta (beta = 1 is the model
 * itself, beta = 0 the uniform distribution; AIS interpolates):
 *   F(v) = -beta c.v - sum_j softplus(beta (b_j + v W_j))          binary,
 *   F(v) = -beta c.v - sum_j ln(2 cosh(beta (b_j + v W_j)))        spin.
 * Accumulates in double. */
void rgrbm__free_energy_params(rgrbm_units units, const float *w, const float *c,
                               const float *b, size_t nv, size_t nh, double beta,
                               const float *v, size_t n, double *out);

/* ln(1 + e^x) and ln(2 cosh x) without overflow. */
double rgrbm__softplus(double x);
double rgrbm__log2cosh(double x);

#endif
