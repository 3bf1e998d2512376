/**
 * @file rgrbm/mcrg.h
 * @brief Monte Carlo renormalization group (Swendsen 1979): critical
 *        exponents from the linearized RG map measured on block-spin
 *        configurations.
 *
 * A lattice sampler produces configurations; a block-spin plan coarse-grains
 * each of them repeatedly (level 0 is the lattice, level n the n-times
 * blocked lattice). At every level the even operators S_a (products of an even
 * number of spins, summed over the lattice) and the odd ones are measured.
 * With F_ab = \<S_a^(n) S_b^(n-1)> - \<S_a^(n)>\<S_b^(n-1)> and
 * G_ab = \<S_a^(n) S_b^(n)> - \<S_a^(n)>\<S_b^(n)>, the linearized map of the
 * couplings K^(n-1) -> K^(n) is T = G^{-1} F, separately for each parity, and
 * its eigenvalues lambda give the exponents y = ln(lambda) / ln(b). Error bars
 * are jackknife estimates over bins of consecutive samples. docs/rg.md lists
 * the operators.
 */
#ifndef RGRBM_MCRG_H
#define RGRBM_MCRG_H

#include <stddef.h>
#include <stdint.h>

#include "rgrbm/common.h"
#include "rgrbm/rg.h"
#include "rgrbm/sampler.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Layout version of ::rgrbm_mcrg_options that this header describes. */
#define RGRBM_MCRG_OPTIONS_VERSION 1
/** Most blocking levels a run may measure. */
#define RGRBM_MCRG_MAX_LEVELS 8
/** Even operators available, in order: nearest neighbours, next-nearest
 *  (diagonal), third neighbours (distance 2), plaquette, distance sqrt 5,
 *  distance 2 sqrt 2. */
#define RGRBM_MCRG_EVEN 6
/** Odd operators available, in order: magnetization, three spins of a
 *  plaquette, three spins in a row or column, three spins on a diagonal. */
#define RGRBM_MCRG_ODD 4
/** Smallest side of the most blocked lattice. */
#define RGRBM_MCRG_MIN_SIDE 4
/** Most configurations a run measures (2^32): beyond it a run could not end
 *  in practice, and the bin arithmetic stays exact below it. */
#define RGRBM_MCRG_MAX_SAMPLES (UINT64_C(1) << 32)
/** Most sampler sweeps a run makes, thermalize + samples * spacing (2^48:
 *  months at ten nanoseconds a sweep). */
#define RGRBM_MCRG_MAX_SWEEPS (UINT64_C(1) << 48)

/** Run options. Initialize with rgrbm_mcrg_options_init(), then change fields. */
typedef struct rgrbm_mcrg_options {
  unsigned version;   /**< RGRBM_MCRG_OPTIONS_VERSION (set by init) */
  int levels;         /**< blocking levels 1..RGRBM_MCRG_MAX_LEVELS; default 3 */
  size_t samples;     /**< measured configurations, bins..RGRBM_MCRG_MAX_SAMPLES;
                           default 10000 */
  long thermalize;    /**< sampler sweeps before the first measurement, >= 0; default 200;
                           thermalize + samples * spacing <= RGRBM_MCRG_MAX_SWEEPS */
  long spacing;       /**< sampler sweeps between measurements, >= 1; default 1 */
  int bins;           /**< jackknife bins, 2..samples; default 20 */
  int even_operators; /**< even operators used, 1..RGRBM_MCRG_EVEN; default all */
  int odd_operators;  /**< odd operators used, 1..RGRBM_MCRG_ODD; default all */
} rgrbm_mcrg_options;

/** @brief Set every field of o to its documented default (and the version). */
RGRBM_API void rgrbm_mcrg_options_init(rgrbm_mcrg_options *o);

/**
 * @brief The exponents of a run. Index [n-1][k-1] refers to level n (the map
 *        from level n-1 to level n) truncated to the first k operators of
 *        the parity; entries beyond levels or the operator counts are NaN.
 *
 * lambda is the eigenvalue of T with the largest real part (its real part);
 * y = ln(lambda) / ln(b) (NaN when lambda <= 0); the _err fields are
 * jackknife standard errors.
 */
typedef struct rgrbm_mcrg_result {
  unsigned version;   /**< RGRBM_MCRG_OPTIONS_VERSION of the library that wrote it */
  int levels;         /**< levels measured */
  int even_operators; /**< even operators used */
  int odd_operators;  /**< odd operators used */
  int b;              /**< block factor */
  size_t samples;     /**< configurations measured */
  double lambda_even[RGRBM_MCRG_MAX_LEVELS][RGRBM_MCRG_EVEN];     /**< leading even eigenvalue */
  double lambda_even_err[RGRBM_MCRG_MAX_LEVELS][RGRBM_MCRG_EVEN]; /**< its error */
  double y_even[RGRBM_MCRG_MAX_LEVELS][RGRBM_MCRG_EVEN];          /**< thermal exponent y_t */
  double y_even_err[RGRBM_MCRG_MAX_LEVELS][RGRBM_MCRG_EVEN];      /**< its error */
  double lambda_odd[RGRBM_MCRG_MAX_LEVELS][RGRBM_MCRG_ODD];       /**< leading odd eigenvalue */
  double lambda_odd_err[RGRBM_MCRG_MAX_LEVELS][RGRBM_MCRG_ODD];   /**< its error */
  double y_odd[RGRBM_MCRG_MAX_LEVELS][RGRBM_MCRG_ODD];            /**< magnetic exponent y_h */
  double y_odd_err[RGRBM_MCRG_MAX_LEVELS][RGRBM_MCRG_ODD];        /**< its error */
} rgrbm_mcrg_result;

/**
 * @brief Run MCRG: thermalize smp, measure o->samples configurations at
 *        every level, and fill out.
 *
 * The sampler advances (it is not reset), also when the run fails after
 * sampling (a singular matrix is found at the end). Deeper levels use block-spin plans
 * like rg (same b and rule) for the smaller lattices.
 * @param smp a lattice sampler over a periodic 2D lattice of rg's fine shape
 *        (the operators wrap around: an open lattice is refused with
 *        RGRBM_EINVAL, it would bias them).
 * @param rg a block-spin plan (rgrbm_rg_create_block2d).
 * @param o options, or NULL for the defaults.
 * @param out receives the result (unchanged on failure).
 * @return RGRBM_OK; RGRBM_EINVAL (naming the argument: shape mismatch, open
 *         boundaries, more levels than the lattice allows, bad options or
 *         limits); RGRBM_EUNSUPPORTED (rg is not a block-spin plan);
 *         RGRBM_ENUMERIC (a correlation matrix is singular, e.g. an operator
 *         that never fluctuates; the message names the level and parity);
 *         RGRBM_ENOMEM (also when LAPACKE cannot allocate its work space); or
 *         the sampler's error (e.g. RGRBM_EINVAL for a spin other than -1/+1).
 */
RGRBM_API int rgrbm_mcrg_run(rgrbm_sampler *smp, const rgrbm_rg *rg, const rgrbm_mcrg_options *o,
                             rgrbm_mcrg_result *out);

#ifdef __cplusplus
}
#endif

#endif /* RGRBM_MCRG_H */
