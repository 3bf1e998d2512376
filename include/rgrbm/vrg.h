/**
 * @file rgrbm/vrg.h
 * @brief Variational-RG checks of an RBM layer by exact enumeration
 *        (Mehta and Schwab, section III).
 *
 * Thread-safety: rgrbm_vrg_check() only reads the stack and the lattice;
 * calls on const inputs may run in several threads at once.
 */
#ifndef RGRBM_VRG_H
#define RGRBM_VRG_H

#include "rgrbm/common.h"
#include "rgrbm/lattice.h"
#include "rgrbm/stack.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Layout version of ::rgrbm_vrg_report that this header describes (1 is
 *  the first and current one). */
#define RGRBM_VRG_REPORT_VERSION 1

/**
 * @brief What rgrbm_vrg_check measures. With T(v,h) = -E(v,h) + H(v) and
 *        e^{-H_RG(h)} = Tr_v e^{T(v,h) - H(v)}:
 *
 * The caller sets version (RGRBM_VRG_REPORT_INIT); the library writes only
 * that version's fields.
 */
typedef struct rgrbm_vrg_report {
  unsigned version;       /**< set by the caller, 1..RGRBM_VRG_REPORT_VERSION */
  double trace_defect;    /**< max_v |ln Tr_h e^{T(v,h)}|: zero iff the step is exact with this T */
  double trace_spread;    /**< max_v - min_v of ln Tr_h e^{T}: zero iff exact up to a constant */
  double delta_f;         /**< F_h - F_v, F = -ln of the partition function */
  double kl;              /**< KL(P || p) of the model P(v) and the RBM's visible marginal p(v) */
  double h_rg_max_diff;   /**< max_h |H_RG(h) - H_RBM(h)| (Eq. 21: zero up to rounding) */
} rgrbm_vrg_report;

/** Static initializer of a report of version RGRBM_VRG_REPORT_VERSION. */
#define RGRBM_VRG_REPORT_INIT {RGRBM_VRG_REPORT_VERSION, 0, 0, 0, 0, 0}

/**
 * @brief Variational-RG checks of one layer by exact enumeration.
 *
 * Enumerates every (v, h) pair: H_RG(h) and Tr_h e^{T} are summed from their
 * definitions, H_RBM(h) = -ln Tr_v e^{-E(v,h)} in closed form, so
 * h_rg_max_diff tests the paper's Eq. 21 numerically. Binary units are mapped
 * to spins s = 2x - 1 for H(v).
 * @param s the stack (any units, any parameters).
 * @param layer 0..depth-1; size(layer) <= 20, size(layer+1) <= 12.
 * @param model a lattice with size(layer) sites giving H(v) (its bonds, K and h).
 * @param out its version set by the caller (RGRBM_VRG_REPORT_INIT); receives
 *        that version's fields (unchanged on failure).
 * @return RGRBM_OK, RGRBM_EINVAL (naming the argument; out->version 0 or
 *         newer than the library's), RGRBM_EUNSUPPORTED
 *         (too many units to enumerate) or RGRBM_ENOMEM.
 */
RGRBM_API int rgrbm_vrg_check(const rgrbm_stack *s, int layer, const rgrbm_lattice *model,
                              rgrbm_vrg_report *out);


#ifdef __cplusplus
}
#endif

#endif /* RGRBM_VRG_H */
