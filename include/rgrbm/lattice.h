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
 * Thread-safety: distinct lattices may be used from different threads at
 * once. Functions taking a const lattice (couplings, shape, sites,
 * spins_const, the observables, and measurements that read it as a model)
 * may run concurrently on the same one; the others (set_couplings, fill,
 * randomize, writes through rgrbm_lattice_spins(), destroy, and samplers
 * running over the lattice) need exclusive access.
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

/**
 * @brief Free a lattice. Samplers over it must be destroyed first.
 * @param lat the lattice; NULL is a no-op.
 */
RGRBM_API void rgrbm_lattice_destroy(rgrbm_lattice *lat);

/**
 * @brief Set the dimensionless coupling K (= J/kT) and field h (= B/kT).
 * @param lat the lattice.
 * @param K the nearest-neighbour coupling, finite.
 * @param h the field, finite.
 * @return RGRBM_OK or RGRBM_EINVAL (lat NULL, K or h NaN or infinite); on
 *         failure the couplings are unchanged.
 */
RGRBM_API int rgrbm_lattice_set_couplings(rgrbm_lattice *lat, double K, double h);

/**
 * @brief Read the couplings (two values: a status and out-pointers, not a getter).
 * @param lat the lattice.
 * @param K receives the coupling; may be NULL if not wanted.
 * @param h receives the field; may be NULL if not wanted.
 * @return RGRBM_OK or RGRBM_EINVAL (lat NULL; K and h are then unchanged).
 */
RGRBM_API int rgrbm_lattice_couplings(const rgrbm_lattice *lat, double *K, double *h);

/**
 * @brief Read the shape the lattice was created with (four values: a status
 *        and out-pointers, not a getter).
 * @param lat the lattice.
 * @param g receives the geometry; may be NULL if not wanted.
 * @param lx receives the sites per row; may be NULL if not wanted.
 * @param ly receives the rows; may be NULL if not wanted.
 * @param bc receives the boundary conditions; may be NULL if not wanted.
 * @return RGRBM_OK or RGRBM_EINVAL (lat NULL; the outputs are then unchanged).
 */
RGRBM_API int rgrbm_lattice_shape(const rgrbm_lattice *lat, rgrbm_geometry *g, int *lx, int *ly,
                                  rgrbm_boundary *bc);

/**
 * @brief Number of sites N = lx * ly (a getter).
 * @param lat the lattice.
 * @return N, at least 1; 0 for a NULL lat, with rgrbm_last_error() set
 *         ("rgrbm_lattice_sites: lat is NULL").
 */
RGRBM_API size_t rgrbm_lattice_sites(const rgrbm_lattice *lat);

/**
 * @brief The spins, N int8_t values, row-major y*lx + x (a getter).
 *
 * Borrowed: valid until the lattice is destroyed. The caller may write them
 * but must keep every value -1 or +1 (samplers assume it).
 * @param lat the lattice.
 * @return A pointer into the lattice; NULL for a NULL lat, with
 *         rgrbm_last_error() set.
 */
RGRBM_API int8_t *rgrbm_lattice_spins(rgrbm_lattice *lat);

/**
 * @brief The spins of a lattice held read-only: the same pointer as
 *        rgrbm_lattice_spins(), as const (a getter).
 * @param lat the lattice.
 * @return A read-only pointer into the lattice, valid until it is
 *         destroyed; NULL for a NULL lat, with rgrbm_last_error() set.
 */
RGRBM_API const int8_t *rgrbm_lattice_spins_const(const rgrbm_lattice *lat);

/**
 * @brief Bond mean per site, (1/N) sum_\<ij> s_i s_j (computed from the
 *        spins: a status and an out-pointer).
 *
 * In [-2, 2] on a torus; sqrt(2) at K_c on the infinite square lattice.
 * @param lat the lattice.
 * @param out receives the bond mean.
 * @return RGRBM_OK or RGRBM_EINVAL (lat or out NULL; *out is then unchanged).
 */
RGRBM_API int rgrbm_lattice_bond_mean(const rgrbm_lattice *lat, double *out);

/**
 * @brief Magnetization per site, (1/N) sum_i s_i (computed from the spins:
 *        a status and an out-pointer).
 * @param lat the lattice.
 * @param out receives the magnetization, in [-1, 1].
 * @return RGRBM_OK or RGRBM_EINVAL (lat or out NULL; *out is then unchanged).
 */
RGRBM_API int rgrbm_lattice_magnetization(const rgrbm_lattice *lat, double *out);

/**
 * @brief Reduced energy per site, beta*H / N = -K bond_mean - h m (computed
 *        from the spins and couplings: a status and an out-pointer).
 * @param lat the lattice.
 * @param out receives the energy per site.
 * @return RGRBM_OK; RGRBM_EINVAL (lat or out NULL); RGRBM_ENUMERIC (the
 *         energy overflows double, which needs 2|K| + |h| > DBL_MAX; the
 *         message gives K and h). On failure *out is unchanged.
 */
RGRBM_API int rgrbm_lattice_energy(const rgrbm_lattice *lat, double *out);

/**
 * @brief Set every spin to value.
 * @param lat the lattice.
 * @param value -1 or +1.
 * @return RGRBM_OK or RGRBM_EINVAL (lat NULL, value not -1 or +1).
 */
RGRBM_API int rgrbm_lattice_fill(rgrbm_lattice *lat, int value);

/**
 * @brief Set every spin independently to -1 or +1 with probability 1/2 (an
 *        infinite-temperature start); a function of seed alone.
 * @param lat the lattice.
 * @param seed the configuration's seed.
 * @return RGRBM_OK or RGRBM_EINVAL (lat NULL).
 */
RGRBM_API int rgrbm_lattice_randomize(rgrbm_lattice *lat, uint64_t seed);

#ifdef __cplusplus
}
#endif

#endif /* RGRBM_LATTICE_H */
