/**
 * @file rgrbm/measure.h
 * @brief Ising observables measured on a dataset of sampled configurations,
 *        with their errors (see rgrbm/series.h for the series statistics).
 *
 * Every function but rgrbm_measure_k_eff() takes the configurations of a dataset together with
 * a lattice that supplies the geometry, boundary and couplings (K, h) they were sampled at (its
 * spins are not used); the dataset's dim must equal the lattice's site count.
 * rgrbm_measure_k_eff() is a thermometer: it reads the torus from the
 * dataset's 2D shape and returns the coupling.
 *
 * Per-configuration quantities (N sites, B = sum_\<ij> s_i s_j with the bonds
 * of rgrbm/lattice.h, M = sum_i s_i):
 *   bond mean b = B/N, magnetization m = M/N, energy e = beta*H/N = -K b - h m.
 * Ensemble quantities (averages over the configurations):
 *   susceptibility chi = N (\<m^2> - <|m|>^2)   (the finite-lattice convention
 *                        with |m|, per site, units of 1/(k_B T) absorbed),
 *   specific heat  C   = N (\<e^2> - \<e>^2)      (per site, units of k_B; at
 *                        h = 0 this is K^2 N Var(b), as in rgrbm/exact.h),
 *   Binder cumulant U  = 1 - \<m^4> / (3 \<m^2>^2).
 *
 * Results: ::rgrbm_thermo is versioned (the caller sets its version and the
 * library writes only that version's fields); ::rgrbm_estimate is a frozen
 * value pair without a version.
 *
 * All functions are pure and thread-safe on const inputs.
 */
#ifndef RGRBM_MEASURE_H
#define RGRBM_MEASURE_H

#include <stddef.h>

#include "rgrbm/common.h"
#include "rgrbm/dataset.h"
#include "rgrbm/lattice.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Per-configuration observables for rgrbm_measure(). */
typedef enum rgrbm_observable {
  RGRBM_OBS_BOND_MEAN = 0,         /**< b = B / N */
  RGRBM_OBS_MAGNETIZATION = 1,     /**< m = M / N */
  RGRBM_OBS_ABS_MAGNETIZATION = 2, /**< |m| */
  RGRBM_OBS_MAGNETIZATION2 = 3,    /**< m^2 */
  RGRBM_OBS_MAGNETIZATION4 = 4,    /**< m^4 */
  RGRBM_OBS_ENERGY = 5             /**< e = beta*H / N = -K b - h m */
} rgrbm_observable;

/**
 * @brief One observable for each configuration of ds, in order.
 * @param ds configurations, dim = the model's sites.
 * @param model the lattice giving geometry, boundary and couplings (its spins are not read).
 * @param obs the observable.
 * @param out room for rgrbm_dataset_count(ds) values.
 * @return RGRBM_OK, RGRBM_EINVAL (NULL, dim != sites of model, unknown obs),
 *         RGRBM_ENUMERIC (energies of the model could overflow double:
 *         2|K| + |h| > DBL_MAX) or RGRBM_ENOMEM.
 */
RGRBM_API int rgrbm_measure(const rgrbm_dataset *ds, const rgrbm_lattice *model,
                            rgrbm_observable obs, double *out);

/** A value with its standard error: complete by definition, so it carries no
 *  version and its layout never changes. */
typedef struct rgrbm_estimate {
  double value; /**< the estimate from all configurations */
  double error; /**< its standard error (binned; jackknife over bins for ratios) */
} rgrbm_estimate;

/** Layout version of ::rgrbm_thermo that this header describes (1 is the
 *  first and current one). */
#define RGRBM_THERMO_VERSION 1

/** Ensemble estimates from rgrbm_measure_thermo() (definitions in the file
 *  comment). The caller sets version (RGRBM_THERMO_INIT). */
typedef struct rgrbm_thermo {
  unsigned version;                 /**< set by the caller, 1..RGRBM_THERMO_VERSION */
  rgrbm_estimate bond_mean;         /**< \<b> */
  rgrbm_estimate abs_magnetization; /**< <|m|> */
  rgrbm_estimate magnetization2;    /**< \<m^2> */
  rgrbm_estimate susceptibility;    /**< N (\<m^2> - <|m|>^2) */
  rgrbm_estimate specific_heat;     /**< N (\<e^2> - \<e>^2) */
  rgrbm_estimate binder;            /**< 1 - \<m^4> / (3 \<m^2>^2) */
} rgrbm_thermo;

/** Static initializer of a result of version RGRBM_THERMO_VERSION. */
#define RGRBM_THERMO_INIT {RGRBM_THERMO_VERSION, {0, 0}, {0, 0}, {0, 0}, {0, 0}, {0, 0}, {0, 0}}

/**
 * @brief Ensemble estimates with errors from `bins` jackknife bins of
 *        consecutive configurations (see rgrbm_series_binned_error() for the
 *        binning).
 * The variances (susceptibility, specific heat) are formed from deviations
 * from the dataset's means, so they keep their digits (and sign) when the
 * fluctuations are tiny, as at low temperature.
 * @param ds configurations, dim = the model's sites.
 * @param model the lattice giving geometry, boundary and couplings (its spins are not read).
 * @param bins jackknife bins, 2..count.
 * @param out receives the estimates (its version set by the caller);
 *        unchanged on failure.
 * @return RGRBM_OK, RGRBM_EINVAL (NULL, out of an unknown version, dim
 *         mismatch, bins < 2, fewer configurations than bins), RGRBM_ENUMERIC (the model's couplings
 *         make energies too large to square, 2|K| + |h| > 1e150; or an
 *         estimate is not finite: the Binder cumulant when <m^2> = 0 in all
 *         configurations or in a bin) or RGRBM_ENOMEM.
 */
RGRBM_API int rgrbm_measure_thermo(const rgrbm_dataset *ds, const rgrbm_lattice *model,
                                   size_t bins, rgrbm_thermo *out);

/**
 * @brief The two-point function G(r) = \<s_i s_{i + r e}>, averaged over the
 *        configurations, the sites i and the lattice axes e, for r = 0..rmax.
 *
 * Periodic lattices wrap; on open lattices only pairs inside the lattice are
 * averaged. G(0) = 1.
 * @param ds configurations, dim = the model's sites.
 * @param model the lattice giving geometry and boundary (its spins are not read).
 * @param rmax largest distance, 0 <= rmax < the longest side.
 * @param g room for rmax + 1 values.
 * @return RGRBM_OK, RGRBM_EINVAL (NULL, dim mismatch, rmax out of range, an
 *         empty dataset) or RGRBM_ENOMEM.
 */
RGRBM_API int rgrbm_measure_correlation(const rgrbm_dataset *ds, const rgrbm_lattice *model,
                                        int rmax, double *g);

/**
 * @brief The second-moment correlation length,
 *        xi = sqrt(chi_0 / F - 1) / (2 sin(pi / L)), with
 *        chi_0 = <|sum_j s_j|^2> / N and F = <|sum_j s_j e^{i k x_j}|^2> / N at
 *        the smallest wave vector |k| = 2 pi / L (both axes averaged on a
 *        square lattice). The error is a jackknife over `bins` bins.
 *
 * Requires a periodic chain, or a periodic square lattice with lx = ly = L.
 * @param ds configurations, dim = the model's sites.
 * @param model the lattice giving geometry and boundary (its spins are not read).
 * @param bins jackknife bins, 2..count.
 * @param xi receives the length and its error.
 * @return RGRBM_OK, RGRBM_EINVAL (NULL, dim mismatch, bins < 2, fewer
 *         configurations than bins), RGRBM_EUNSUPPORTED (open boundaries,
 *         lx != ly), RGRBM_ENUMERIC (chi_0 <= F overall or in a jackknife
 *         bin: no correlation resolvable; this used to be a NaN value with
 *         RGRBM_OK) or RGRBM_ENOMEM. *xi is unchanged on failure.
 */
RGRBM_API int rgrbm_measure_xi2(const rgrbm_dataset *ds, const rgrbm_lattice *model, size_t bins,
                                rgrbm_estimate *xi);

/**
 * @brief K_eff, the exact thermometer: the coupling K at which the exact
 *        lx x ly torus (Kaufman; rgrbm_exact_torus_coupling()) has the bond
 *        mean the configurations show, with its error.
 *
 * The configurations are read as the periodic square lattice of the
 * dataset's 2D shape (lx x ly, both >= 2). Their bond mean b = B / N (2
 * bonds per site, as rgrbm_measure_thermo()'s bond_mean) is averaged over
 * all configurations; its standard error is rgrbm_series_binned_error()'s
 * with `bins` bins of consecutive configurations, and the error of K_eff is
 * that error carried linearly through the exact slope at the solution,
 * dK = db / (db/dK), db/dK = N Var(b) = C / K^2 of the torus (a first-order
 * propagation: the bond mean is a smooth, strictly increasing function of
 * K, and the errors of sampled data are small against its curvature).
 * K_eff is solved to 1e-10 in K (see rgrbm_exact_torus_coupling() for the
 * limit at large K).
 *
 * Caveat: on configurations that are not equilibrium samples of the
 * nearest-neighbour model (coarse-grained configurations, an RBM's
 * reconstructions), K_eff is an effective nearest-neighbour coupling: the
 * coupling of the nearest-neighbour model that has the same bond mean on
 * the same torus, not the coarse Hamiltonian, which has further couplings
 * (next-nearest, four-spin, ...). Two sets with the same K_eff agree in
 * their nearest-neighbour correlation only.
 * @param ds configurations with a 2D shape, both sides >= 2.
 * @param bins bins for the error, 2..count.
 * @param k_eff receives K_eff and its standard error (unchanged on failure).
 * @return RGRBM_OK; RGRBM_EINVAL (NULL, no 2D shape, a side < 2, bins < 2,
 *         fewer configurations than bins); RGRBM_ENUMERIC (every bond
 *         satisfied in every configuration, b = 2, or b = -2: K_eff is
 *         infinite; or the slope at K_eff underflows, far in the ordered
 *         phase, so the error cannot be carried); RGRBM_EUNSUPPORTED (b < 0
 *         with an odd side: see rgrbm_exact_torus_coupling()); RGRBM_ENOMEM.
 */
RGRBM_API int rgrbm_measure_k_eff(const rgrbm_dataset *ds, size_t bins, rgrbm_estimate *k_eff);

#ifdef __cplusplus
}
#endif

#endif /* RGRBM_MEASURE_H */
