/**
 * @file rgrbm/mcrg.h
 * @brief Monte Carlo renormalization group (Swendsen 1979): critical
 *        exponents from the linearized RG map measured on coarse-grained
 *        configurations.
 *
 * A lattice sampler produces configurations; a plan coarse-grains each of
 * them repeatedly (level 0 is the lattice, level n the n-times blocked
 * lattice): block spins, or a stack whose units are placed on the coarse
 * lattices (rgrbm_rg_create_learned_placed(); docs/rg.md "Monte Carlo RG
 * with learned plans"). At every level the even operators S_a (products of an even
 * number of spins, summed over the lattice) and the odd ones are measured.
 * With F_ab = \<S_a^(n) S_b^(n-1)> - \<S_a^(n)>\<S_b^(n-1)> and
 * G_ab = \<S_a^(n) S_b^(n)> - \<S_a^(n)>\<S_b^(n)>, the linearized map of the
 * couplings K^(n-1) -> K^(n) is T = G^{-1} F, separately for each parity, and
 * its eigenvalues lambda give the exponents y = ln(lambda) / ln(b). Error bars
 * are jackknife estimates over bins of consecutive samples. docs/rg.md lists
 * the operators.
 *
 * Thread-safety: a run advances its sampler, which needs exclusive access
 * (see rgrbm/sampler.h); the plan is only read. Runs on distinct samplers
 * may run in different threads.
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
#define RGRBM_MCRG_OPTIONS_VERSION 2
/** Most blocking levels a run may measure (a limit of the options, not of
 *  any struct's layout). */
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
/** Most independent Markov chains a run may use (see
 *  ::rgrbm_mcrg_options::chains). */
#define RGRBM_MCRG_MAX_CHAINS 65536

/** Run options. Initialize with RGRBM_MCRG_OPTIONS_INIT or
 *  rgrbm_mcrg_options_init(), then change fields. */
typedef struct rgrbm_mcrg_options {
  unsigned version;    /**< the caller's layout, 1..RGRBM_MCRG_OPTIONS_VERSION (set by init) */
  int levels;          /**< blocking levels 1..RGRBM_MCRG_MAX_LEVELS; default 3 */
  size_t samples;      /**< measured configurations, bins..RGRBM_MCRG_MAX_SAMPLES;
                            default 10000 */
  uint64_t thermalize; /**< sampler sweeps before the first measurement; default 200;
                            thermalize + samples * spacing <= RGRBM_MCRG_MAX_SWEEPS */
  uint64_t spacing;    /**< sampler sweeps between measurements, >= 1; default 1 */
  size_t bins;         /**< jackknife bins, 2..min(samples, 100000); default 20 */
  int even_operators;  /**< even operators used, 1..RGRBM_MCRG_EVEN; default all */
  int odd_operators;   /**< odd operators used, 1..RGRBM_MCRG_ODD; default all */
  /* Version 2. */
  size_t chains;       /**< independent Markov chains, 1..min(samples,
                            RGRBM_MCRG_MAX_CHAINS); default 1. With 1 the run
                            advances the sampler it is given; with more, that
                            sampler is a template (see rgrbm_mcrg_run()). */
  uint64_t seed;       /**< with chains > 1, keys chain c's sampler (see
                            rgrbm_mcrg_run()); default 0; unused with 1 chain */
} rgrbm_mcrg_options;

/** Static initializer: the defaults, version RGRBM_MCRG_OPTIONS_VERSION.
 *  Equal, field by field, to what rgrbm_mcrg_options_init() writes. */
#define RGRBM_MCRG_OPTIONS_INIT \
  {RGRBM_MCRG_OPTIONS_VERSION, 3, 10000, 200, 1, 20, RGRBM_MCRG_EVEN, RGRBM_MCRG_ODD, 1, 0}

/**
 * @brief Write the defaults of layout `version` into o, and nothing past
 *        that layout's size.
 * @param o the options to fill.
 * @param version 1..RGRBM_MCRG_OPTIONS_VERSION; pass RGRBM_MCRG_OPTIONS_VERSION.
 * @return RGRBM_OK, or RGRBM_EINVAL (o NULL, version 0 or unknown; o unchanged).
 *         Thread-safe.
 */
RGRBM_API int rgrbm_mcrg_options_init(rgrbm_mcrg_options *o, unsigned version);

/**
 * @brief One leading eigenvalue of the linearized map and its exponent. A
 *        value type, complete by definition: it carries no version and never
 *        changes.
 *
 * lambda is the eigenvalue of T with the largest real part (its real part);
 * y = ln(lambda) / ln(b) (NaN when lambda <= 0); the _err fields are
 * jackknife standard errors.
 */
typedef struct rgrbm_mcrg_exponent {
  double lambda;     /**< leading eigenvalue */
  double lambda_err; /**< its error */
  double y;          /**< exponent ln(lambda) / ln(b): y_t (even), y_h (odd) */
  double y_err;      /**< its error */
} rgrbm_mcrg_exponent;

/** Layout version of ::rgrbm_mcrg_result that this header describes (1 is
 *  the first and current one). */
#define RGRBM_MCRG_RESULT_VERSION 1

/**
 * @brief The exponents of a run, in arrays the library allocates: even[(n -
 *        1) * even_operators + (k - 1)] refers to level n (the map from
 *        level n-1 to level n, n = 1..levels) truncated to the first k even
 *        operators (k = 1..even_operators); odd[(n - 1) * odd_operators +
 *        (k - 1)] likewise. Release them with rgrbm_mcrg_result_free().
 *
 * The caller sets version (RGRBM_MCRG_RESULT_INIT or .version =
 * RGRBM_MCRG_RESULT_VERSION); the library writes only that version's fields.
 */
typedef struct rgrbm_mcrg_result {
  unsigned version;          /**< set by the caller, 1..RGRBM_MCRG_RESULT_VERSION */
  int levels;                /**< levels measured */
  int even_operators;        /**< even operators used */
  int odd_operators;         /**< odd operators used */
  int b;                     /**< block factor */
  size_t samples;            /**< configurations measured */
  rgrbm_mcrg_exponent *even; /**< levels x even_operators, owned by the result */
  rgrbm_mcrg_exponent *odd;  /**< levels x odd_operators, owned by the result */
} rgrbm_mcrg_result;

/** Static initializer of an empty result of version RGRBM_MCRG_RESULT_VERSION. */
#define RGRBM_MCRG_RESULT_INIT {RGRBM_MCRG_RESULT_VERSION, 0, 0, 0, 0, 0, NULL, NULL}

/**
 * @brief Release a result's arrays and set its pointers to NULL (the other
 *        fields stay). Safe on NULL, on an empty (INIT or zeroed) result and
 *        twice. Thread-safe for distinct results.
 * @param r the result.
 */
RGRBM_API void rgrbm_mcrg_result_free(rgrbm_mcrg_result *r);

/**
 * @brief Run MCRG: thermalize smp, measure o->samples configurations at
 *        every level, and fill out.
 *
 * With one chain (the default, and every version-1 options struct) the
 * run thermalizes and samples smp itself: smp advances (it is not reset),
 * also when the run fails after sampling (a singular matrix is found at the
 * end). Level 1 is rg itself; the plan of every deeper level n comes from
 * rg's kind: for block spins the same b and rule on level n - 1's lattice,
 * its tie-breaking coins keyed by rg's seed + n - 1; for a placed stack
 * the stack's level n times rg's level, placed the same way and applied to
 * the fine configuration (seed + n - 1). Every level must be a 2D lattice
 * smaller than the one before by the same factor b (the result's b), with
 * sides of at least RGRBM_MCRG_MIN_SIDE. The plans are built once, before
 * the first sweep, and shared by the chains.
 *
 * With o->chains = C > 1 the run makes C independent chains and smp is only
 * a template, left unchanged: it must be a lattice sampler (Metropolis,
 * heat bath, Wolff or Swendsen-Wang). Chain c (0..C-1) runs smp's algorithm
 * on its own copy of smp's lattice (couplings and current spins) with the
 * sampler seed given by the first 64-bit word of the library's Philox
 * stream (o->seed, c); it thermalizes o->thermalize sweeps and then
 * measures samples_c = o->samples / C configurations, one more for
 * c < o->samples % C, o->spacing sweeps apart. The chains' samples,
 * concatenated in chain order, are numbered 0..o->samples-1 and sample g
 * falls in jackknife bin g * o->bins / o->samples, exactly as the samples
 * of a single chain do: a bin holds consecutive samples of one chain or
 * the end of one chain and the start of the next ones. Each chain sums
 * its samples' moments per bin in sample order; the chains' sums are then
 * added in chain order. The library's worker threads run chains in
 * parallel; the exponents depend on the options, smp and rg only, not on
 * the thread count, and rgrbm_mpi_mcrg_run() gives the same bits on any
 * number of MPI ranks. Memory: at most (o->bins + C) * (m + 1) doubles for
 * the chains' sums, m = (levels + 1) k + 2 levels k^2 with k = even + odd
 * operators used, plus one lattice, sampler and blocking pipeline per
 * running thread.
 * @param smp a lattice sampler over a periodic 2D lattice of rg's fine shape
 *        (the operators wrap around: an open lattice is refused with
 *        RGRBM_EINVAL, it would bias them).
 * @param rg a block-spin plan (rgrbm_rg_create_block2d()) or a placed stack
 *        (rgrbm_rg_create_learned_placed()).
 * @param o options of version 1..RGRBM_MCRG_OPTIONS_VERSION, or NULL for the
 *        defaults.
 * @param out the caller's result, version set (see ::rgrbm_mcrg_result):
 *        receives the result and two new arrays (free them with
 *        rgrbm_mcrg_result_free(); arrays it held before are overwritten,
 *        not freed, so free a previous result before reusing it). On
 *        failure nothing is allocated and out is unchanged.
 * @return RGRBM_OK; RGRBM_EINVAL (naming the argument: shape mismatch, open
 *         boundaries, more levels than the lattice or the stack allows, a
 *         level without 2D geometry or with another factor b, a deeper
 *         stack level that does not place one-to-one, bad options or
 *         limits); RGRBM_EUNSUPPORTED (rg is of a kind MCRG cannot repeat:
 *         1D decimation, an unplaced learned plan);
 *         RGRBM_ENUMERIC (a correlation matrix is singular, e.g. an operator
 *         that never fluctuates; the message names the level and parity);
 *         RGRBM_ENOMEM (also when LAPACKE cannot allocate its work space);
 *         RGRBM_EINVAL also for out->version 0 or newer than the library's,
 *         and for chains > 1 with a sampler that is not a lattice sampler; or
 *         the sampler's error (e.g. RGRBM_EINVAL for a spin other than -1/+1;
 *         with chains > 1 the message names the first chain that failed).
 */
RGRBM_API int rgrbm_mcrg_run(rgrbm_sampler *smp, const rgrbm_rg *rg, const rgrbm_mcrg_options *o,
                             rgrbm_mcrg_result *out);

#ifdef __cplusplus
}
#endif

#endif /* RGRBM_MCRG_H */
