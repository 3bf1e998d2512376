/**
 * @file rgrbm/exact.h
 * @brief Exact reference values for Ising models, without sampling: the 1D
 *        chain (transfer matrix), Onsager's infinite square lattice,
 *        Kaufman's finite torus (and its inverse, the coupling of a given
 *        bond mean), and exhaustive enumeration of small lattices.
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
 * Accuracy and range: every function either returns finite numbers with a
 * non-negative specific heat, bond_mean within [-max, max] (max = bonds per
 * site: 2 on a torus) and magnetization fields within [-1, 1], or fails with
 * RGRBM_ENUMERIC (never such a number with RGRBM_OK; the one documented
 * infinity is Onsager's C at K_c exactly). Specific heats are computed
 * without cancellation: the variance is never the difference of two large
 * moments (tests/test_exact.c checks them against 60-150 digit mpmath values
 * from tests/exact_references.py and against the low-temperature expansion
 * C = 64 K^2 e^{-8K} (1 + 4.5 e^{-4K} + ...) per site of the square lattice).
 * Results far below the smallest double (C at very large K) round to 0.
 *
 * Results: the caller sets out->version (RGRBM_EXACT_INIT, or .version =
 * RGRBM_EXACT_VERSION) and the functions write only that version's fields;
 * a version of 0 or newer than the library's is refused with RGRBM_EINVAL.
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

/** Layout version of ::rgrbm_exact that this header describes (1 is the
 *  first and current one). */
#define RGRBM_EXACT_VERSION 1

/** Exact per-site thermodynamics (see the file comment for definitions). */
typedef struct rgrbm_exact {
  unsigned version;         /**< set by the caller, 1..RGRBM_EXACT_VERSION */
  double log_z_per_site;    /**< (1/N) ln Z */
  double bond_mean;         /**< \<B>/N */
  double specific_heat;     /**< Var(beta*H)/N, units of k_B */
  double magnetization;     /**< \<M>/N, or NaN where not defined */
  double abs_magnetization; /**< <|M|>/N (enumeration only, NaN otherwise) */
  double magnetization2;    /**< \<M^2>/N^2 (enumeration only, NaN otherwise) */
  double magnetization4;    /**< \<M^4>/N^4 (enumeration only, NaN otherwise) */
} rgrbm_exact;

/** Static initializer of a result of version RGRBM_EXACT_VERSION. */
#define RGRBM_EXACT_INIT {RGRBM_EXACT_VERSION, 0, 0, 0, 0, 0, 0, 0}

/**
 * @brief The chain of n sites with field, by the 2 x 2 transfer matrix
 *        (products by repeated squaring, with exact first and second
 *        derivatives, scaled to stay finite for any n).
 *
 * magnetization is \<M>/N (0 at h = 0 by symmetry). The energies are
 * measured from the infinite chain's means (exactly the ground state's deep
 * in an ordered phase) and the variance is taken along the ray (K, h), so
 * the specific heat keeps its relative accuracy (about 1e-14) at any finite
 * K and h, e.g. (n-1)/n K^2 / cosh^2 K for an open chain at h = 0 up to
 * K = 354.9 and beyond (where it underflows to 0). Known exception: a
 * periodic chain of odd n at large negative K (a frustrated ring) loses
 * digits in C.
 * @param n sites, >= 1 (a periodic chain of 1 site has one self-bond).
 * @param K coupling J/kT, finite.
 * @param h field B/kT, finite.
 * @param bc RGRBM_PERIODIC or RGRBM_OPEN.
 * @param out receives the results (its version set by the caller).
 * @return RGRBM_OK or RGRBM_EINVAL (out NULL or of an unknown version, n < 1,
 *         K or h not finite, unknown bc).
 */
RGRBM_API int rgrbm_exact_chain(int n, double K, double h, rgrbm_boundary bc, rgrbm_exact *out);

/**
 * @brief Onsager's solution of the infinite square lattice at h = 0.
 *
 * magnetization is the spontaneous magnetization (1 - sinh^{-4} 2K)^{1/8}
 * for K > K_c and 0 for K <= K_c; specific_heat is +inf at K = K_c exactly.
 * bond_mean and specific_heat come from the elliptic integrals below K = 1.1
 * and from the low-temperature series (13 orders in e^{-4K}, truncation
 * below 2e-15) from K = 1.1 on, where the elliptic form cancels as e^{4K};
 * relative accuracy of C about 1e-10 or better at every K (the elliptic
 * form just below K = 1.1; 1e-15 in the series).
 * @param K coupling, 0 < K <= RGRBM_EXACT_SQUARE_MAX_K.
 * @param out receives the results (its version set by the caller).
 * @return RGRBM_OK, RGRBM_EINVAL (out NULL or of an unknown version, K not
 *         finite) or
 *         RGRBM_EUNSUPPORTED (K <= 0 or K > RGRBM_EXACT_SQUARE_MAX_K).
 */
RGRBM_API int rgrbm_exact_onsager(double K, rgrbm_exact *out);

/**
 * @brief The finite lx x ly torus at h = 0, exactly (Kaufman 1949), in the
 *        log domain with analytic derivatives.
 *
 * log_z_per_site is Kaufman's, to near double precision. bond_mean and
 * specific_heat: Kaufman's derivatives below K = 1.1 (short side <= 6) or
 * K = 2 (wider tori); above, where Kaufman's second derivative cancels as
 * e^{4K}, the row transfer matrix (2^w states, short side w <= 6, moments
 * of the energy above the ground state carried exactly) or, for wider tori,
 * the infinite lattice's low-temperature series (excitations that wrap
 * around such a torus weigh below 1e-19 relative there). Relative accuracy
 * of C: 1e-9 or better at every K (measured against Onsager and
 * enumeration on a grid of K: at most 6.4e-11, at K just below 2 on
 * 1024^2), about 1e-14 where the transfer matrix or the series is used.
 * magnetization is NaN (zero by symmetry in a finite system; use the
 * enumeration or a sampler for <|m|>).
 * @param lx side, 2..RGRBM_LATTICE_MAX_SIDE.
 * @param ly side, 2..RGRBM_LATTICE_MAX_SIDE.
 * @param K coupling, 0 < K <= RGRBM_EXACT_SQUARE_MAX_K.
 * @param out receives the results (its version set by the caller).
 * @return RGRBM_OK, RGRBM_EINVAL (out NULL or of an unknown version, side out
 *         of range, K not finite), RGRBM_EUNSUPPORTED (K <= 0 or K >
 *         RGRBM_EXACT_SQUARE_MAX_K) or RGRBM_ENOMEM (the transfer matrix,
 *         at most 300 KiB).
 */
RGRBM_API int rgrbm_exact_torus(int lx, int ly, double K, rgrbm_exact *out);

/**
 * @brief The exact thermometer: the coupling K at which the lx x ly torus at
 *        h = 0 has a given bond mean, the inverse of rgrbm_exact_torus()'s
 *        bond_mean.
 *
 * bond_mean is B / N as everywhere in this header (2 bonds per site: the
 * nearest-neighbour correlation \<s_i s_j> is bond_mean / 2). It increases
 * strictly with K (its slope is N Var(B/N) = C / K^2 > 0), from 0 at K = 0 to
 * 2 as K -> infinity, so the solution is unique; it is found by Newton's
 * method on the exact bond mean and its exact slope, safeguarded by
 * bisection, to 1e-10 in K or better wherever the bond mean resolves K that
 * finely (its slope is 64 K e^{-8K}-small at large K: at K = 4 a change of
 * one rounding step in the bond mean already moves K by about 1e-3).
 * bond_mean = 0 gives K = 0 exactly. A negative bond_mean gives K < 0 on a
 * torus with even sides (flipping one sublattice maps K to -K and the bond
 * mean to minus itself); with an odd side that ferro-antiferro symmetry is
 * broken and K < 0 is not covered.
 * @param lx side, 2..RGRBM_LATTICE_MAX_SIDE.
 * @param ly side, 2..RGRBM_LATTICE_MAX_SIDE.
 * @param bond_mean B / N, in (-2, 2).
 * @param K receives the coupling (unchanged on failure).
 * @return RGRBM_OK, RGRBM_EINVAL (K NULL, side out of range, bond_mean not
 *         finite or outside [-2, 2]), RGRBM_ENUMERIC (|bond_mean| = 2, the
 *         ground state's, whose coupling is infinite, or a bond mean beyond
 *         the torus's at K = RGRBM_EXACT_SQUARE_MAX_K), RGRBM_EUNSUPPORTED
 *         (bond_mean < 0 with an odd side) or RGRBM_ENOMEM (as
 *         rgrbm_exact_torus()).
 */
RGRBM_API int rgrbm_exact_torus_coupling(int lx, int ly, double bond_mean, double *K);

/**
 * @brief Exhaustive enumeration of all 2^N states of a lattice of at most
 *        RGRBM_EXACT_ENUMERATE_MAX_SITES sites (any geometry, boundary, K, h).
 *
 * Fills every field of out, magnetization being \<M>/N. Intended for tests;
 * 25 sites take about a second. Averages are weighted means over the
 * (B, M) histogram with weights relative to its heaviest cell, and the
 * specific heat a second pass of squared deviations: exact to rounding at
 * any finite K and h (at K = 1e300: bond_mean at its maximum, C = 0).
 * @param g the geometry (RGRBM_CHAIN or RGRBM_SQUARE).
 * @param lx sites per row.
 * @param ly rows (1 for a chain).
 * @param bc RGRBM_PERIODIC or RGRBM_OPEN.
 * @param K coupling, finite.
 * @param h field, finite.
 * @param out receives the results (its version set by the caller).
 * @return RGRBM_OK or RGRBM_EINVAL (out NULL or of an unknown version, bad
 *         shape, too many sites, K or h not finite).
 */
RGRBM_API int rgrbm_exact_enumerate(rgrbm_geometry g, int lx, int ly, rgrbm_boundary bc, double K,
                                    double h, rgrbm_exact *out);

#ifdef __cplusplus
}
#endif

#endif /* RGRBM_EXACT_H */
