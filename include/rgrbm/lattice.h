/**
 * @file rgrbm/lattice.h
 * @brief Ising lattices: a 1D chain or a 2D square lattice of -1/+1 spins
 *        with nearest-neighbour coupling K and field h.
 *
 * The reduced (dimensionless) Hamiltonian is
 *
 *     beta*H = -K sum_\<ij> s_i s_j - h sum_i s_i
 *
 * with K = J/kT and h = B/kT. The bonds \<ij> are, for every site, the bond to
 * its right neighbour (x+1) and, on the square lattice, to the neighbour below
 * (y+1); with RGRBM_PERIODIC these wrap around, with RGRBM_OPEN the bonds
 * leaving the lattice are absent. A periodic torus therefore has 2N bonds and
 * a periodic chain N bonds (also for sides 1 and 2, where a bond may join a
 * site to itself or two sites twice, exactly as the transfer matrix counts).
 *
 * Spins are stored as int8_t, row-major: site (x, y) is index y*lx + x.
 *
 * Thread-safety: functions taking a const lattice may run concurrently;
 * others (and samplers running over the lattice) need exclusive access.
 */
#ifndef RGRBM_LATTICE_H
#define RGRBM_LATTICE_H

#include <stddef.h>
#include <stdint.h>

#include "rgrbm/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Largest side length accepted by rgrbm_lattice_create(). */
#define RGRBM_LATTICE_MAX_SIDE 65536

/** Lattice geometry. */
typedef enum rgrbm_geometry {
  RGRBM_CHAIN = 0,  /**< 1D chain of lx sites (ly must be 1) */
  RGRBM_SQUARE = 1  /**< 2D square lattice of lx columns and ly rows */
} rgrbm_geometry;

/** Boundary conditions. */
typedef enum rgrbm_boundary {
  RGRBM_PERIODIC = 0, /**< bonds wrap around (ring, torus) */
  RGRBM_OPEN = 1      /**< free ends: no bonds leave the lattice */
} rgrbm_boundary;

/** Opaque lattice handle. */
typedef struct rgrbm_lattice rgrbm_lattice;

/**
 * @brief Create a lattice with every spin +1 and couplings K = h = 0.
 * @param out receives the lattice (NULL on failure); free it with
 *        rgrbm_lattice_destroy().
 * @param g RGRBM_CHAIN or RGRBM_SQUARE.
 * @param lx sites per row, 1..RGRBM_LATTICE_MAX_SIDE.
 * @param ly rows, 1..RGRBM_LATTICE_MAX_SIDE; must be 1 for a chain.
 * @param bc RGRBM_PERIODIC or RGRBM_OPEN.
 * @return RGRBM_OK, RGRBM_EINVAL (out NULL, unknown enum value, side out of
 *         range) or RGRBM_ENOMEM.
 */
RGRBM_API int rgrbm_lattice_create(rgrbm_lattice **out, rgrbm_geometry g, int lx, int ly,
                                   rgrbm_boundary bc);

/** @brief Free a lattice. NULL is a no-op. Samplers over it must be destroyed first. */
RGRBM_API void rgrbm_lattice_destroy(rgrbm_lattice *lat);

/**
 * @brief Set the dimensionless coupling K (= J/kT) and field h (= B/kT).
 * @return RGRBM_OK or RGRBM_EINVAL (lat NULL, K or h NaN or infinite); on
 *         failure the couplings are unchanged.
 */
RGRBM_API int rgrbm_lattice_set_couplings(rgrbm_lattice *lat, double K, double h);

/**
 * @brief Read the couplings.
 * @param K, h receive the values; either may be NULL if not wanted.
 * @param lat the lattice.
 * @return RGRBM_OK or RGRBM_EINVAL (lat NULL).
 */
RGRBM_API int rgrbm_lattice_couplings(const rgrbm_lattice *lat, double *K, double *h);

/**
 * @brief Read the shape the lattice was created with.
 * @param g, lx, ly, bc receive the values; any may be NULL if not wanted.
 * @param lat the lattice.
 * @return RGRBM_OK or RGRBM_EINVAL (lat NULL).
 */
RGRBM_API int rgrbm_lattice_shape(const rgrbm_lattice *lat, rgrbm_geometry *g, int *lx, int *ly,
                                  rgrbm_boundary *bc);

/** @brief Number of sites N = lx * ly (0 for NULL). */
RGRBM_API size_t rgrbm_lattice_sites(const rgrbm_lattice *lat);

/**
 * @brief The spins, N int8_t values, row-major y*lx + x (NULL for NULL).
 *
 * Borrowed: valid until the lattice is destroyed. The caller may write them
 * but must keep every value -1 or +1 (samplers assume it).
 */
RGRBM_API int8_t *rgrbm_lattice_spins(rgrbm_lattice *lat);

/**
 * @brief Bond mean per site, (1/N) sum_\<ij> s_i s_j (NaN for NULL).
 *
 * In [-2, 2] on a torus; sqrt(2) at K_c on the infinite square lattice.
 */
RGRBM_API double rgrbm_lattice_bond_mean(const rgrbm_lattice *lat);

/** @brief Magnetization per site, (1/N) sum_i s_i (NaN for NULL). */
RGRBM_API double rgrbm_lattice_magnetization(const rgrbm_lattice *lat);

/**
 * @brief Reduced energy per site, beta*H / N = -K bond_mean - h m (NaN for NULL).
 *
 * Finite whenever 2|K| + |h| <= DBL_MAX and the spins are -1/+1 (the
 * couplings only need to be finite, so with |K| near DBL_MAX the product
 * overflows to an infinity: this getter has no status to refuse it;
 * rgrbm_measure() checks the same bound and fails with RGRBM_ENUMERIC).
 */
RGRBM_API double rgrbm_lattice_energy(const rgrbm_lattice *lat);

/**
 * @brief Set every spin to value.
 * @return RGRBM_OK or RGRBM_EINVAL (lat NULL, value not -1 or +1).
 */
RGRBM_API int rgrbm_lattice_fill(rgrbm_lattice *lat, int value);

/**
 * @brief Set every spin independently to -1 or +1 with probability 1/2 (an
 *        infinite-temperature start); a function of seed alone.
 * @return RGRBM_OK or RGRBM_EINVAL (lat NULL).
 */
RGRBM_API int rgrbm_lattice_randomize(rgrbm_lattice *lat, uint64_t seed);

#ifdef __cplusplus
}
#endif

#endif /* RGRBM_LATTICE_H */
