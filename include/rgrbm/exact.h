/**
 * @file rgrbm/exact.h
 * @brief Exact reference values for Ising models, without sampling: the 1D
 *        chain (transfer matrix), Onsager's infinite square lattice,
 *        Kaufman's finite torus, and exhaustive enumeration of small lattices.
 *
 * Everything refers to the reduced Hamiltonian of rgrbm/lattice.h,
 * beta*H = -K sum_\<ij> s_i s_j - h sum_i s_i, with the same bond counting.
 * Quantities are per site (N sites, B = sum_\<ij> s_i s_j, M = sum_i s_i):
 *
 * - log_z_per_site  = (1/N) ln Z
 * - bond_mean       = \<B> / N                 (sqrt(2) at K_c, infinite lattice)
 * - specific_heat   = Var(beta*H) / N, in units of k_B; at h = 0 this is
 *                     K^2 N Var(B / N) = K^2 (1/N) d^2 ln Z / dK^2
 * - magnetization   = \<M> / N where it is defined (see each function), NaN otherwise
 * - abs_magnetization, magnetization2, magnetization4 = <|M/N|>, <(M/N)^2>,
 *   <(M/N)^4>: from rgrbm_exact_enumerate() only, NaN from the others.
 *
 * All functions are pure and thread-safe.
 */
#ifndef RGRBM_EXACT_H
#define RGRBM_EXACT_H

#include "rgrbm/common.h"
#include "rgrbm/lattice.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Critical coupling of the square lattice, K_c = ln(1 + sqrt 2) / 2. */
#define RGRBM_K_CRITICAL 0.44068679350977151262

/** Largest coupling the square-lattice solutions accept (rgrbm_exact_onsager(),
 *  rgrbm_exact_torus()): at K = 300 the specific heat, 64 K^2 e^{-8K} per
 *  site, is already below the smallest double, and every other quantity is
 *  at its K -> infinity limit to double precision. */
#define RGRBM_EXACT_SQUARE_MAX_K 300

/** Largest lattice rgrbm_exact_enumerate() accepts, in sites (2^25 states). */
#define RGRBM_EXACT_ENUMERATE_MAX_SITES 25

/** Exact per-site thermodynamics (see the file comment for definitions). */
typedef struct rgrbm_exact {
  double log_z_per_site;    /**< (1/N) ln Z */
  double bond_mean;         /**< \<B>/N */
  double specific_heat;     /**< Var(beta*H)/N, units of k_B */
  double magnetization;     /**< \<M>/N, or NaN where not defined */
  double abs_magnetization; /**< <|M|>/N (enumeration only, NaN otherwise) */
  double magnetization2;    /**< \<M^2>/N^2 (enumeration only, NaN otherwise) */
  double magnetization4;    /**< \<M^4>/N^4 (enumeration only, NaN otherwise) */
} rgrbm_exact;

/**
 * @brief The chain of n sites with field, by the 2 x 2 transfer matrix
 *        (products by repeated squaring, with exact first and second
 *        derivatives, scaled to stay finite for any n).
 *
 * magnetization is \<M>/N (0 at h = 0 by symmetry).
 * @param n sites, >= 1 (a periodic chain of 1 site has one self-bond).
 * @param K coupling J/kT, finite.
 * @param h field B/kT, finite.
 * @param bc RGRBM_PERIODIC or RGRBM_OPEN.
 * @param out receives the results.
 * @return RGRBM_OK or RGRBM_EINVAL (out NULL, n < 1, K or h not finite,
 *         unknown bc).
 */
RGRBM_API int rgrbm_exact_chain(int n, double K, double h, rgrbm_boundary bc, rgrbm_exact *out);

/**
 * @brief Onsager's solution of the infinite square lattice at h = 0.
 *
 * magnetization is the spontaneous magnetization (1 - sinh^{-4} 2K)^{1/8}
 * for K > K_c and 0 for K <= K_c; specific_heat is +inf at K = K_c exactly.
 * @param K coupling, > 0.
 * @param out receives the results.
 * @return RGRBM_OK, RGRBM_EINVAL (out NULL, K not finite) or
 *         RGRBM_EUNSUPPORTED (K <= 0).
 */
RGRBM_API int rgrbm_exact_onsager(double K, rgrbm_exact *out);

/**
 * @brief The finite lx x ly torus at h = 0, exactly (Kaufman 1949), in the
 *        log domain with analytic derivatives; accurate to near double
 *        precision at least up to 256 x 256.
 *
 * magnetization is NaN (zero by symmetry in a finite system; use the
 * enumeration or a sampler for <|m|>).
 * @param lx, ly sides, 2..RGRBM_LATTICE_MAX_SIDE.
 * @param K coupling, > 0.
 * @param out receives the results.
 * @return RGRBM_OK, RGRBM_EINVAL (out NULL, side out of range, K not
 *         finite) or RGRBM_EUNSUPPORTED (K <= 0).
 */
RGRBM_API int rgrbm_exact_torus(int lx, int ly, double K, rgrbm_exact *out);

/**
 * @brief Exhaustive enumeration of all 2^N states of a lattice of at most
 *        RGRBM_EXACT_ENUMERATE_MAX_SITES sites (any geometry, boundary, K, h).
 *
 * Fills every field of out, magnetization being \<M>/N. Intended for tests;
 * 25 sites take about a second.
 * @return RGRBM_OK or RGRBM_EINVAL (out NULL, bad shape, too many sites, K or
 *         h not finite).
 */
RGRBM_API int rgrbm_exact_enumerate(rgrbm_geometry g, int lx, int ly, rgrbm_boundary bc, double K,
                                    double h, rgrbm_exact *out);

#ifdef __cplusplus
}
#endif

#endif /* RGRBM_EXACT_H */
