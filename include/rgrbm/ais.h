/**
 * @file rgrbm/ais.h
 * @brief ln Z of an RBM layer by annealed importance sampling (AIS), bracketed
 *        by a forward (lower) and a reverse (upper) estimate.
 *
 * AIS (Neal 2001; Salakhutdinov & Murray 2008) anneals from a base-rate model
 * p_A(v) proportional to exp(c_A . v), whose partition function is known in
 * closed form, to the RBM through the distributions
 *
 *     p_beta(v) proportional to exp((1 - beta) c_A . v - F_beta(v)),
 *
 * where F_beta is the RBM's free energy with every parameter multiplied by
 * beta, with block Gibbs steps at each beta. The mean importance weight is an
 * unbiased estimate of Z / Z_A, so its logarithm is low in expectation
 * (Jensen): a stochastic lower estimate. Reverse AIS (Burda, Grosse &
 * Salakhutdinov 2015) anneals from the RBM back to p_A starting from samples
 * of the RBM and estimates Z_A / Z, so ln Z_A minus its logarithm is high in
 * expectation: a stochastic upper estimate. Its start comes from block Gibbs
 * chains at beta = 1 run for reverse_burn_in sweeps; the upper estimate is
 * only as good as those chains' mixing.
 *
 * Both estimates are widened by `margin` standard errors of the log mean
 * weight (delta method over the runs), so the bracket also covers the
 * estimates' sampling noise.
 *
 * Thread-safety: rgrbm_ais_log_partition() only reads the stack and the
 * options; calls on a const stack may run in several threads at once.
 */
#ifndef RGRBM_AIS_H
#define RGRBM_AIS_H

#include <stddef.h>
#include <stdint.h>

#include "rgrbm/common.h"
#include "rgrbm/dataset.h"
#include "rgrbm/stack.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Layout version of ::rgrbm_ais_options that this header describes. */
#define RGRBM_AIS_OPTIONS_VERSION 1

/** Which base-rate model AIS starts from. */
typedef enum rgrbm_ais_base {
  RGRBM_AIS_BASE_ZERO = 0, /**< c_A = 0: the uniform distribution */
  RGRBM_AIS_BASE_DATA = 1  /**< c_A fitted to the visible means of `data` (fed up
                                to the layer by conditional means), smoothed
                                p = (N mean + 1/2) / (N + 1) so no rate is 0 or 1 */
} rgrbm_ais_base;

/** AIS options. Initialize with RGRBM_AIS_OPTIONS_INIT or
 *  rgrbm_ais_options_init(), then change fields. */
typedef struct rgrbm_ais_options {
  unsigned version;          /**< the caller's layout, 1..RGRBM_AIS_OPTIONS_VERSION (set by
                                  init) */
  int betas;                 /**< intermediate inverse temperatures, evenly spaced in
                                  (0, 1); default 1000; at least 1 */
  size_t runs;               /**< independent annealing runs each way; default 100; at least 2 */
  rgrbm_ais_base base;       /**< default RGRBM_AIS_BASE_ZERO */
  const rgrbm_dataset *data; /**< for RGRBM_AIS_BASE_DATA: dim == size(0), borrowed */
  uint64_t reverse_burn_in;  /**< Gibbs sweeps at beta = 1 before the reverse runs, at most
                                  2^48; default 1000 */
  double margin;             /**< standard errors added to each side; default 3 */
  uint64_t seed;             /**< every random number; default 1 */
} rgrbm_ais_options;

/** Static initializer: the defaults, version RGRBM_AIS_OPTIONS_VERSION.
 *  Equal, field by field, to what rgrbm_ais_options_init() writes. */
#define RGRBM_AIS_OPTIONS_INIT \
  {RGRBM_AIS_OPTIONS_VERSION, 1000, 100, RGRBM_AIS_BASE_ZERO, NULL, 1000, 3.0, 1}

/**
 * @brief Write the defaults of layout `version` into o, and nothing past
 *        that layout's size.
 * @param o the options to fill.
 * @param version 1..RGRBM_AIS_OPTIONS_VERSION; pass RGRBM_AIS_OPTIONS_VERSION.
 * @return RGRBM_OK, or RGRBM_EINVAL (o NULL, version 0 or unknown; o unchanged).
 *         Thread-safe.
 */
RGRBM_API int rgrbm_ais_options_init(rgrbm_ais_options *o, unsigned version);

/**
 * @brief Bracket ln Z of layer's RBM: *lower from forward AIS, *upper from reverse AIS.
 *
 * Cost: 2 runs x (betas + 1) steps (plus runs x reverse_burn_in sweeps);
 * a step is, for all runs at once, one product v W in double for the
 * importance weights and one block Gibbs step (two float products). The
 * result is a function of the options alone.
 * @param s the stack (borrowed).
 * @param layer the RBM, 0..depth-1.
 * @param o options of version 1..RGRBM_AIS_OPTIONS_VERSION, or NULL for the defaults.
 * @param lower receives the forward estimate minus o->margin standard errors.
 * @param upper receives the reverse estimate plus o->margin standard errors.
 * @return RGRBM_OK; RGRBM_EINVAL (NULL, layer out of range, bad options
 *         named by field, data's dim mismatched or empty); RGRBM_ENUMERIC: a
 *         parameter of the layer (or, with RGRBM_AIS_BASE_DATA, of a layer
 *         below) is not finite; the parameters are out of AIS's range, i.e.
 *         a pre-activation |b_j| + sum_i |W_ij| (or |c_i| + sum_j |W_ij|)
 *         can exceed FLT_MAX, or the bound scale = nh ln 2 + sum_i |c_i| +
 *         sum_j (|b_j| + sum_i |W_ij|) on |ln p*(v)| is so large that
 *         2 DBL_EPSILON (betas + 1) (nv + nh + 2) scale > 0.01, when rounding
 *         alone could move the estimates by more than 0.01 (for the
 *         defaults and 1000 units, scale above about 2e7); an importance
 *         weight overflowed; or the bracket came out inverted (lower >
 *         upper: the reverse chains did not reach the model, raise
 *         reverse_burn_in or runs) or not finite; RGRBM_ENOMEM. On failure
 *         *lower and *upper are unchanged. Thread-safe for a const stack.
 */
RGRBM_API int rgrbm_ais_log_partition(const rgrbm_stack *s, int layer,
                                            const rgrbm_ais_options *o, double *lower,
                                            double *upper);

#ifdef __cplusplus
}
#endif

#endif /* RGRBM_AIS_H */
