/**
 * @file rgrbm/sampler.h
 * @brief Markov chains: Monte Carlo over an Ising lattice, or block Gibbs
 *        sampling over the layers of an RBM stack.
 *
 * A sampler is created over a lattice (it updates the lattice's spins in
 * place; the lattice is borrowed and must outlive the sampler) or over a
 * stack (borrowed, must outlive the sampler and not change while it runs).
 * Every result is a function of the seed alone.
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
 * @param out receives the sampler (NULL on failure).
 * @return RGRBM_OK, RGRBM_EINVAL, RGRBM_EUNSUPPORTED or RGRBM_ENOMEM.
 */
RGRBM_API int rgrbm_sampler_create(rgrbm_sampler **out, rgrbm_lattice *lat, rgrbm_algorithm alg,
                                   uint64_t seed);

/**
 * @brief Create block Gibbs chains over one RBM layer of s, or over the whole
 *        stack from the top RBM down when layer is -1.
 * @param chains parallel chains, at least 1; each draw emits one visible
 *        configuration per chain.
 */
RGRBM_API int rgrbm_sampler_create_gibbs(rgrbm_sampler **out, const rgrbm_stack *s, int layer,
                                         size_t chains, uint64_t seed);

/** @brief Free a sampler (not the lattice or stack it runs over). NULL is a no-op. */
RGRBM_API void rgrbm_sampler_destroy(rgrbm_sampler *smp);

/** @brief Advance the chain(s) by sweeps sweeps (>= 0). */
RGRBM_API int rgrbm_sampler_sweep(rgrbm_sampler *smp, long sweeps);

/**
 * @brief Thermalize, then append count configurations spaced by `spacing`
 *        sweeps to out (whose dim must match; a 2D shape is set when the
 *        sampler has one and out has none).
 * @return RGRBM_OK or RGRBM_EINVAL (wrong dim, negative sweeps, NULL);
 *         on failure out is unchanged.
 */
RGRBM_API int rgrbm_sampler_draw(rgrbm_sampler *smp, size_t count, long thermalize, long spacing,
                                 rgrbm_dataset *out);

#ifdef __cplusplus
}
#endif

#endif /* RGRBM_SAMPLER_H */
