/**
 * @file rgrbm/rg.h
 * @brief Renormalization-group plans: 1D decimation, 2D block spins and the
 *        coarse-graining a trained RBM stack performs (the exact decimation
 *        flow is in rgrbm/decimation1d.h, variational-RG checks in
 *        rgrbm/vrg.h).
 *
 * An ::rgrbm_rg is a plan (FFTW style): it is created once for a fine size,
 * precomputes its index maps, and rgrbm_rg_apply() on the const plan may run
 * from several threads at once. Every coarse configuration is a function of
 * the plan's seed and the fine configuration alone (not of its position in a
 * dataset, nor of the thread count): where randomness is needed (majority
 * ties, stochastic coarse-graining) the Philox stream is keyed by a hash of
 * the fine configuration. (Learned plans also inherit the float rounding of
 * the BLAS products that form the conditional means.) See docs/rg.md.
 *
 * Thread-safety: creating and destroying plans is thread-safe for distinct
 * plans; a const plan may be read and applied from several threads at once.
 */
#ifndef RGRBM_RG_H
#define RGRBM_RG_H

#include <stddef.h>
#include <stdint.h>

#include "rgrbm/common.h"
#include "rgrbm/conv.h"
#include "rgrbm/dataset.h"
#include "rgrbm/lattice.h"
#include "rgrbm/stack.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Opaque RG plan. */
typedef struct rgrbm_rg rgrbm_rg;

/** How a b x b block of spins becomes one coarse spin. */
typedef enum rgrbm_block_rule {
  RGRBM_BLOCK_MAJORITY = 0, /**< sign of the block sum; a zero sum is a seeded coin flip */
  RGRBM_BLOCK_DECIMATE = 1  /**< keep the block's top-left spin (x = bX, y = bY) */
} rgrbm_block_rule;

/** How a learned transform turns a stack level into coarse spins. */
typedef enum rgrbm_rg_mode {
  RGRBM_RG_SIGN_MEAN = 0, /**< feed means up; coarse spin = sign of E[h|v], a zero mean a seeded coin */
  RGRBM_RG_SAMPLE = 1     /**< sample every level on the way up from p(h|v) */
} rgrbm_rg_mode;

/**
 * @brief Plan decimation of a periodic chain: keep sites 0, b, 2b, ...
 * @param out receives the plan (NULL on failure).
 * @param n_sites fine chain length, a multiple of b.
 * @param b block factor, at least 2.
 * @return RGRBM_OK, RGRBM_EINVAL (naming the argument) or RGRBM_ENOMEM.
 */
RGRBM_API int rgrbm_rg_create_decimation1d(rgrbm_rg **out, int n_sites, int b);

/**
 * @brief Plan b x b block spins on a periodic lx x ly lattice (lx/b x ly/b out).
 * @param out receives the plan (NULL on failure).
 * @param lx fine lattice side along x, a multiple of b.
 * @param ly fine lattice side along y, a multiple of b.
 * @param b block side, at least 2.
 * @param rule RGRBM_BLOCK_MAJORITY or RGRBM_BLOCK_DECIMATE.
 * @param seed keys the coin flips that break majority ties (even b only).
 * @return RGRBM_OK, RGRBM_EINVAL (b < 2, b not dividing lx or ly, unknown
 *         rule) or RGRBM_ENOMEM.
 */
RGRBM_API int rgrbm_rg_create_block2d(rgrbm_rg **out, int lx, int ly, int b,
                                      rgrbm_block_rule rule, uint64_t seed);

/**
 * @brief Plan the coarse-graining of a stack from level 0 to `level`.
 *
 * The stack is borrowed: it must outlive the plan and must not change while
 * the plan is applied. When size(0) and size(level) are perfect squares
 * whose ratio is the square of an integer b, the plan has 2D shapes and
 * factor b (rgrbm_rg_shape()); otherwise its shapes and factor are 0.
 * @param out receives the plan (NULL on failure).
 * @param s the stack (borrowed, see above).
 * @param level 1..depth.
 * @param mode RGRBM_RG_SIGN_MEAN or RGRBM_RG_SAMPLE.
 * @param seed keys the coins of zero means and the samples.
 * @return RGRBM_OK, RGRBM_EINVAL or RGRBM_ENOMEM.
 */
RGRBM_API int rgrbm_rg_create_learned(rgrbm_rg **out, const rgrbm_stack *s, int level,
                                      rgrbm_rg_mode mode, uint64_t seed);

/** Layout version of ::rgrbm_rg_placement that this header describes (1 is
 *  the first and current one). */
#define RGRBM_RG_PLACEMENT_VERSION 1

/** How a stack level's units fall on the coarse lattice, from
 *  rgrbm_rg_create_learned_placed(). The caller sets version
 *  (RGRBM_RG_PLACEMENT_INIT); the library writes only that version's fields. */
typedef struct rgrbm_rg_placement {
  unsigned version;     /**< set by the caller, 1..RGRBM_RG_PLACEMENT_VERSION */
  int coarse_lx;        /**< coarse sites per row: lx / B with size(0) = B^2 size(level) */
  int coarse_ly;        /**< coarse rows: ly / B */
  size_t units;         /**< units of the level, = coarse_lx * coarse_ly */
  size_t placed;        /**< units alone on their coarse site */
  double fraction;      /**< placed / units; 1 exactly when the placement is one-to-one */
  size_t empty_sites;   /**< coarse sites no unit's centre falls on */
  size_t crowded_sites; /**< coarse sites two or more units' centres fall on */
} rgrbm_rg_placement;

/** Static initializer of a result of version RGRBM_RG_PLACEMENT_VERSION. */
#define RGRBM_RG_PLACEMENT_INIT {RGRBM_RG_PLACEMENT_VERSION, 0, 0, 0, 0, 0.0, 0, 0}

/**
 * @brief Plan the coarse-graining of a stack from level 0 to `level`, its
 *        units placed on the coarse lattice: a plan Monte Carlo RG can run.
 *
 * The visible layer is an lx x ly periodic lattice and level `level` the
 * (lx / B) x (ly / B) lattice, B the integer with size(0) = B^2 size(level).
 * Each unit sits where its receptive field (rgrbm/receptive.h) is centred:
 * the circular mean of the sites weighted by |r|^2 (the centre
 * rgrbm_receptive_locality() reports), rounded to the nearest coarse site
 * (coarse site X covers fine sites B X .. B X + B - 1, centred on
 * B X + (B - 1) / 2). When every coarse site gets exactly one unit, the plan
 * coarse-grains as rgrbm_rg_create_learned() does (same mode and seed: the
 * same coarse spins, except that a mean exactly at the midpoint draws its
 * coin in site order) and outputs them in site order, y * (lx / B) + x;
 * otherwise it fails, and report says how far the placement got. The placement is
 * computed once here: retraining the stack later keeps it.
 *
 * For rgrbm_mcrg_run() the plan is level 1 of the run; its level n is the
 * stack's level n * `level`, placed the same way from the fine lattice
 * (seed + n - 1), and must place one-to-one too. See docs/rg.md "Monte Carlo
 * RG with learned plans".
 * @param out receives the plan (NULL on failure).
 * @param s the stack (borrowed: it must outlive the plan and not change while
 *        the plan is applied).
 * @param level 1..depth.
 * @param mode RGRBM_RG_SIGN_MEAN or RGRBM_RG_SAMPLE.
 * @param seed keys the coins of zero means and the samples.
 * @param lx the visible layer's sites per row (lx * ly == size(0)).
 * @param ly its rows.
 * @param report NULL, or its version set by the caller: receives that
 *        version's fields whenever the placement was computed, so also when
 *        it is not one-to-one.
 * @return RGRBM_OK; RGRBM_EINVAL (NULL, level or mode out of range, lx * ly
 *         != size(0), no integer B dividing lx and ly, report->version 0 or
 *         newer than the library's, or a placement that is not one-to-one,
 *         the message giving the fraction placed and the empty and crowded
 *         sites); RGRBM_ENUMERIC (a weight not finite, a receptive field all
 *         zero); RGRBM_ENOMEM.
 */
RGRBM_API int rgrbm_rg_create_learned_placed(rgrbm_rg **out, const rgrbm_stack *s, int level,
                                             rgrbm_rg_mode mode, uint64_t seed, int lx, int ly,
                                             rgrbm_rg_placement *report);
/**
 * @brief Plan the coarse-graining of an lx x ly periodic lattice by a
 *        translation-invariant layer (rgrbm/conv.h): lx/b x ly/b out, coarse
 *        spin (X, Y) from hidden unit (X, Y), whose window is centred on the
 *        b x b block at (b X, b Y).
 *
 * In RGRBM_RG_SIGN_MEAN mode the coarse spin is the side of the hidden
 * conditional mean relative to the middle of the units' range (0 for spin,
 * 1/2 for binary units), a mean exactly there a seeded coin; in
 * RGRBM_RG_SAMPLE mode a sample of p(h | v). Coarse outputs are always -1/+1
 * spins, whatever the layer's units, oriented to follow their blocks: when
 * the filter's weights sum to less than 0 (training may break the layer's
 * symmetry w -> -w, h -> -h either way), the coarse spin is the opposite of
 * the unit's side. The layer is borrowed: it must outlive
 * the plan and must not change while the plan is applied; it may be trained
 * between applications (each application reads the filter as it is then,
 * and refuses a NaN or infinite parameter with RGRBM_ENUMERIC). For Monte
 * Carlo RG (rgrbm/mcrg.h) level n >= 2 applies the same layer and mode to
 * level n - 1's lattice with seed + n - 1.
 * @param out receives the plan (NULL on failure).
 * @param c the layer (borrowed, see above).
 * @param lx fine lattice side along x, a positive multiple of b.
 * @param ly fine lattice side along y, a positive multiple of b.
 * @param mode RGRBM_RG_SIGN_MEAN or RGRBM_RG_SAMPLE.
 * @param seed keys the coins of zero means and the samples.
 * @return RGRBM_OK, RGRBM_EINVAL (NULL, b not dividing lx or ly, unknown
 *         mode; named) or RGRBM_ENOMEM.
 */
RGRBM_API int rgrbm_rg_create_conv(rgrbm_rg **out, const rgrbm_conv *c, int lx, int ly,
                                   rgrbm_rg_mode mode, uint64_t seed);

/** @brief Free a plan. NULL is a no-op.
 * @param rg the plan. */
RGRBM_API void rgrbm_rg_destroy(rgrbm_rg *rg);

/** Layout version of ::rgrbm_rg_dims that this header describes (1 is the
 *  first and current one). */
#define RGRBM_RG_DIMS_VERSION 1

/** A plan's sizes, from rgrbm_rg_shape(). The caller sets version
 *  (RGRBM_RG_DIMS_INIT); the library writes only that version's fields. */
typedef struct rgrbm_rg_dims {
  unsigned version; /**< set by the caller, 1..RGRBM_RG_DIMS_VERSION */
  size_t in_dim;    /**< spins per fine configuration */
  size_t out_dim;   /**< spins per coarse configuration */
  int in_lx;        /**< fine sites per row (1D plans: n; 0 without geometry) */
  int in_ly;        /**< fine rows (1D plans: 1; 0 without geometry) */
  int out_lx;       /**< coarse sites per row (0 without geometry) */
  int out_ly;       /**< coarse rows (0 without geometry) */
  int b;            /**< linear block factor (0 when undefined) */
} rgrbm_rg_dims;

/** Static initializer of a result of version RGRBM_RG_DIMS_VERSION. */
#define RGRBM_RG_DIMS_INIT {RGRBM_RG_DIMS_VERSION, 0, 0, 0, 0, 0, 0, 0}

/**
 * @brief The plan's sizes.
 * @param rg the plan.
 * @param out its version set by the caller; receives that version's fields
 *        (unchanged on failure).
 * @return RGRBM_OK or RGRBM_EINVAL (rg or out NULL, out->version 0 or newer
 *         than the library's).
 */
RGRBM_API int rgrbm_rg_shape(const rgrbm_rg *rg, rgrbm_rg_dims *out);

/**
 * @brief Coarse-grain every configuration of in and append the results to out.
 *
 * Thread-safe on a const plan (distinct out datasets). out gets the coarse 2D
 * shape when the plan has one and out has none.
 * @param rg the plan.
 * @param in dim == in_dim; a 2D shape, if set, must equal the plan's.
 * @param out dim == out_dim; a 2D shape, if set, must equal the plan's; not in.
 * @return RGRBM_OK, RGRBM_EINVAL (naming the mismatch) or RGRBM_ENOMEM; on
 *         failure out is unchanged.
 */
RGRBM_API int rgrbm_rg_apply(const rgrbm_rg *rg, const rgrbm_dataset *in, rgrbm_dataset *out);

#ifdef __cplusplus
}
#endif

#endif /* RGRBM_RG_H */
