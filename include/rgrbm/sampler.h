/**
 * @file rgrbm/sampler.h
 * @brief Markov chains: Monte Carlo over an Ising lattice, or block Gibbs
 *        sampling over the layers of an RBM stack.
 *
 * A sampler is created over a lattice (it updates the lattice's spins in
 * place; the lattice is borrowed and must outlive the sampler) or over a
 * stack (borrowed, must outlive the sampler and not change while it runs).
 * Every result is a function of the seed (and the starting configuration)
 * alone, whatever the number of threads.
 *
 * Lattice samplers read K and h from the lattice at every sweep, so
 * rgrbm_lattice_set_couplings() between sweeps takes effect at once; the
 * caller may also write the spins between sweeps, as -1 or +1: every call of
 * rgrbm_sampler_sweep() and rgrbm_sampler_draw() checks the whole lattice
 * once, before any update, and refuses any other value with RGRBM_EINVAL
 * naming the first such site (index, x and y), leaving the lattice and out
 * as they were. The check reads every spin once per call (about N / 13 ns
 * on a busy machine): negligible against a sweep of the local and
 * Swendsen-Wang updates, but a Wolff "sweep" is one cluster, which at high
 * temperature is a few spins, so call it with many sweeps at once (1 cluster
 * per call on 256^2 at K = 0.2 costs 38 times the cluster). One sweep is,
 * by algorithm
 * (docs/samplers.md has the details):
 *  - RGRBM_METROPOLIS, RGRBM_HEAT_BATH: one update of every site, in
 *    checkerboard order (all sites with x + y even, then all with x + y
 *    odd). Metropolis flips with probability min(1, e^{-delta beta*H}), heat
 *    bath sets the spin from its conditional distribution; both exactly, to
 *    within 2^-33. Any h. A periodic side must be even (the checkerboard
 *    needs a bipartite lattice): odd periodic sides are refused with
 *    RGRBM_EUNSUPPORTED; open lattices may have any size.
 *  - RGRBM_WOLFF: one cluster (on average N \<m^2> spins).
 *  - RGRBM_SWENDSEN_WANG: one update of all clusters of the lattice.
 *  The cluster algorithms accept any size but only h = 0 and K >= 0
 *  (RGRBM_EUNSUPPORTED otherwise, at creation and at every sweep).
 *
 * Thread-safety: a sampler and the lattice it runs over need exclusive
 * access while it sweeps; distinct samplers over distinct lattices may run
 * in different threads.
 */
#ifndef RGRBM_SAMPLER_H
#define RGRBM_SAMPLER_H

#include <stddef.h>
#include <stdint.h>

#include "rgrbm/common.h"
#include "rgrbm/dataset.h"
#include "rgrbm/lattice.h"
#include "rgrbm/stack.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Opaque sampler handle. */
typedef struct rgrbm_sampler rgrbm_sampler;

/** Lattice Monte Carlo algorithms. */
typedef enum rgrbm_algorithm {
  RGRBM_METROPOLIS = 0,     /**< single-spin Metropolis in checkerboard order */
  RGRBM_HEAT_BATH = 1,      /**< single-spin heat bath in checkerboard order */
  RGRBM_WOLFF = 2,          /**< Wolff single-cluster updates */
  RGRBM_SWENDSEN_WANG = 3   /**< Swendsen-Wang multi-cluster updates */
} rgrbm_algorithm;

/**
 * @brief Create a Monte Carlo chain over lat with the given algorithm.
 * @param out receives the sampler (NULL on failure); free it with
 *        rgrbm_sampler_destroy() before the lattice.
 * @param lat the lattice, borrowed: its spins are the chain's state.
 * @param alg the algorithm (the file comment says what one sweep is).
 * @param seed with alg, determines every random number the chain uses.
 * @return RGRBM_OK; RGRBM_EINVAL (NULL, unknown alg); RGRBM_EUNSUPPORTED
 *         (an odd periodic side for the checkerboard algorithms, h != 0 or
 *         K < 0 for the cluster algorithms; the message says which);
 *         RGRBM_ENOMEM.
 */
RGRBM_API int rgrbm_sampler_create(rgrbm_sampler **out, rgrbm_lattice *lat, rgrbm_algorithm alg,
                                   uint64_t seed);

/**
 * @brief Create block Gibbs chains over one RBM layer of s, or over the whole
 *        stack from the top RBM down when layer is -1.
 * @param out receives the sampler (NULL on failure).
 * @param s the stack, borrowed: must outlive the sampler and not change.
 * @param layer the RBM layer (0..depth-1), or -1 for the whole stack.
 * @param chains parallel chains, at least 1. rgrbm_sampler_draw()'s count is
 *        the total number of configurations: after each `spacing` sweeps of
 *        every chain, the chains' visible configurations are appended in
 *        chain order until count are out (count 7 with 3 chains takes 3, 3, 1).
 * @param seed one Philox stream per chain, so results do not depend on threads.
 * @return RGRBM_OK, RGRBM_EINVAL or RGRBM_ENOMEM.
 */
RGRBM_API int rgrbm_sampler_create_gibbs(rgrbm_sampler **out, const rgrbm_stack *s, int layer,
                                         size_t chains, uint64_t seed);

/** @brief Free a sampler (not the lattice or stack it runs over). NULL is a no-op.
 * @param smp the sampler. */
RGRBM_API void rgrbm_sampler_destroy(rgrbm_sampler *smp);

/** Longest chain one call runs, in sweeps (2^63 - 1): larger counts (a
 *  negative number converted to uint64_t) are refused with RGRBM_EINVAL. */
#define RGRBM_SAMPLER_MAX_SWEEPS (UINT64_MAX >> 1)

/**
 * @brief Advance the chain(s) by sweeps sweeps (see the file comment for
 *        what a sweep is).
 * @param smp the sampler.
 * @param sweeps 0..RGRBM_SAMPLER_MAX_SWEEPS.
 * @return RGRBM_OK, RGRBM_EINVAL (smp NULL, sweeps above
 *         RGRBM_SAMPLER_MAX_SWEEPS, a lattice spin other than -1/+1;
 *         nothing is changed), RGRBM_EUNSUPPORTED (a cluster
 *         sampler whose lattice now has h != 0 or K < 0; nothing is changed)
 *         or RGRBM_ENUMERIC (a block Gibbs sampler whose stack now holds a
 *         NaN or infinity in a layer it reads; nothing is changed).
 */
RGRBM_API int rgrbm_sampler_sweep(rgrbm_sampler *smp, uint64_t sweeps);

/**
 * @brief Run `thermalize` sweeps, then append count configurations to out,
 *        each one `spacing` sweeps after the previous (the first `spacing`
 *        sweeps after the thermalization).
 *
 * Because every configuration is preceded by its own `spacing` sweeps,
 * consecutive calls with thermalize = 0 continue the chain without repeating
 * a configuration: a long run can be drawn in chunks.
 *
 * out's dim must be the sampler's; a 2D shape is set when the sampler has
 * one (a square lattice) and out has none, and must agree when out has one.
 * Room for count configurations is reserved first.
 * @param smp the sampler.
 * @param count configurations to append.
 * @param thermalize sweeps before the first, 0..RGRBM_SAMPLER_MAX_SWEEPS.
 * @param spacing sweeps before each configuration, 1..RGRBM_SAMPLER_MAX_SWEEPS.
 * @param out receives the configurations.
 * @return RGRBM_OK; RGRBM_EINVAL (NULL, wrong dim or shape, thermalize or
 *         spacing above RGRBM_SAMPLER_MAX_SWEEPS, spacing 0, a lattice spin
 *         other than -1/+1); RGRBM_EUNSUPPORTED
 *         and RGRBM_ENUMERIC (see rgrbm_sampler_sweep()); RGRBM_ENOMEM. On failure out holds exactly what it held before
 *         (the chain itself may have advanced).
 */
RGRBM_API int rgrbm_sampler_draw(rgrbm_sampler *smp, size_t count, uint64_t thermalize,
                                 uint64_t spacing, rgrbm_dataset *out);

#ifdef __cplusplus
}
#endif

#endif /* RGRBM_SAMPLER_H */
