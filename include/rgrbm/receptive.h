/**
 * @file rgrbm/receptive.h
 * @brief What a trained stack has learned: receptive fields, their locality
 *        on 2D data.
 *
 * The receptive field of level l is the product r(l) = W(0) W(1) ... W(l-1)
 * of the weight matrices below it (the paper's W(1)...W(l), numbered from 1),
 * a size(0) x size(l) matrix whose column j is the linear image of unit j of
 * level l on the visible layer. On 2D data of shape lx x ly (site y * lx + x)
 * each column is an image, and the locality measures turn "the fields look
 * local and block-like" into numbers:
 *
 * - centre: the circular mean of the site coordinates weighted by |r|^2, per
 *   axis (angles 2 pi x / lx), so a field straddling a periodic boundary gets
 *   its centre on the boundary, not in the middle of the lattice;
 * - radius of gyration: sqrt(sum |r_i|^2 d_i^2 / sum |r_i|^2) with d_i the
 *   minimum-image distance of site i from the centre (at most
 *   sqrt(lx^2 + ly^2) / 2; about sqrt((lx^2 + ly^2) / 12) for a field spread
 *   uniformly);
 * - block fraction: the largest share of sum |r_i|^2 inside any b x b block of
 *   sites (every periodic position), 1 for a field confined to one block and
 *   b^2 / (lx ly) for a uniform one.
 *
 * Thread-safety: every function only reads its inputs; calls on a const
 * stack may run in several threads at once.
 */
#ifndef RGRBM_RECEPTIVE_H
#define RGRBM_RECEPTIVE_H

#include <stddef.h>
#include <stdint.h>

#include "rgrbm/common.h"
#include "rgrbm/stack.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief The receptive fields of level `level` (1..depth): out = W(0) ... W(level-1).
 * @param s the stack (borrowed).
 * @param level 1..depth; level 1 gives W(0) itself.
 * @param out size(0) x size(level) floats, row-major (row = visible unit).
 * @return RGRBM_OK, RGRBM_EINVAL (NULL, level out of range), RGRBM_ENUMERIC (a
 *         weight of layers 0..level-1 is not finite, checked before any
 *         work; or finite weights whose product overflows float, in which
 *         case out holds the partial product) or RGRBM_ENOMEM.
 *         Thread-safe for a const stack.
 */
RGRBM_API int rgrbm_receptive_field(const rgrbm_stack *s, int level, float *out);

/**
 * @brief Locality of `units` receptive fields laid out on an lx x ly periodic lattice.
 * @param rf (lx * ly) x units floats, row-major, as rgrbm_receptive_field() writes.
 * @param lx lattice side along x (>= 1); site (x, y) is row y * lx + x.
 * @param ly lattice side along y (>= 1).
 * @param units fields (columns of rf), at least 1.
 * @param b block side for the block fraction, 1 <= b <= min(lx, ly).
 * @param centre_x per unit, the centre's x in [0, lx) (may be NULL).
 * @param centre_y per unit, the centre's y in [0, ly) (may be NULL).
 * @param gyration per unit, the radius of gyration in lattice spacings (may be NULL).
 * @param block_fraction per unit, in (0, 1] (may be NULL).
 * @return RGRBM_OK; RGRBM_EINVAL (NULL rf, bad sizes or b, units 0);
 *         RGRBM_ENUMERIC (a field is all zero or not finite: it has no centre).
 */
RGRBM_API int rgrbm_receptive_locality(const float *rf, int lx, int ly, size_t units, int b,
                                       double *centre_x, double *centre_y, double *gyration,
                                       double *block_fraction);

/** Layout version of ::rgrbm_receptive_summary that this header describes. */
#define RGRBM_RECEPTIVE_SUMMARY_VERSION 1

/**
 * @brief Per-level summary of the locality measures: mean and spread (sample
 *        standard deviation, 0 for one unit) over the level's units.
 *        The caller sets version (RGRBM_RECEPTIVE_SUMMARY_INIT); the library
 *        writes only that version's fields.
 */
typedef struct rgrbm_receptive_summary {
  unsigned version;           /**< set by the caller, 1..RGRBM_RECEPTIVE_SUMMARY_VERSION */
  size_t units;               /**< units summarized (size(level)) */
  double gyration_mean;       /**< mean radius of gyration, lattice spacings */
  double gyration_sd;         /**< its standard deviation over units */
  double block_fraction_mean; /**< mean best b x b block fraction */
  double block_fraction_sd;   /**< its standard deviation over units */
} rgrbm_receptive_summary;

/** Static initializer of a result of version RGRBM_RECEPTIVE_SUMMARY_VERSION
 *  (1, the first and current one). */
#define RGRBM_RECEPTIVE_SUMMARY_INIT {RGRBM_RECEPTIVE_SUMMARY_VERSION, 0, 0, 0, 0, 0}

/**
 * @brief Summarize the locality of level `level`'s receptive fields for data
 *        of shape lx x ly (lx * ly == size(0)).
 * @param s the stack (borrowed).
 * @param level 1..depth.
 * @param lx the visible layer's 2D shape: sites per row,
 * @param ly and rows; lx * ly == size(0).
 * @param b block side for the block fraction, 1 <= b <= min(lx, ly).
 * @param out its version set by the caller (RGRBM_RECEPTIVE_SUMMARY_INIT);
 *        that version's fields are filled on success, unchanged on failure.
 * @return as rgrbm_receptive_field() and rgrbm_receptive_locality();
 *         RGRBM_EINVAL also for out->version 0 or newer than the library's.
 */
RGRBM_API int rgrbm_receptive_summarize(const rgrbm_stack *s, int level, int lx, int ly, int b,
                                   rgrbm_receptive_summary *out);

#ifdef __cplusplus
}
#endif

#endif /* RGRBM_RECEPTIVE_H */
