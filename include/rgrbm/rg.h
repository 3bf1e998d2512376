/**
 * @file rgrbm/rg.h
 * @brief Renormalization-group transforms: exact 1D decimation, 2D block
 *        spins, the coarse-graining a trained RBM stack performs, and the two
 *        directions of Mehta & Schwab's mapping (decimation as an RBM stack,
 *        variational-RG checks of any RBM layer).
 *
 * An ::rgrbm_rg is a plan (FFTW style): it is created once for a fine size,
 * precomputes its index maps, and rgrbm_rg_apply() on the const plan may run
 * from several threads at once. Every coarse configuration is a function of
 * the plan's seed and the fine configuration alone (not of its position in a
 * dataset, nor of the thread count): where randomness is needed (majority
 * ties, stochastic coarse-graining) the Philox stream is keyed by a hash of
 * the fine configuration. (Learned plans also inherit the float rounding of
 * the BLAS products that form the conditional means.) See docs/rg.md.
 */
#ifndef RGRBM_RG_H
#define RGRBM_RG_H

#include <stddef.h>
#include <stdint.h>

#include "rgrbm/common.h"
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
 * @param lx, ly fine lattice sides, multiples of b.
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

/** @brief Free a plan. NULL is a no-op. */
RGRBM_API void rgrbm_rg_destroy(rgrbm_rg *rg);

/**
 * @brief The plan's sizes.
 * @param rg the plan.
 * @param in_dim, out_dim spins per fine and coarse configuration;
 * @param in_lx, in_ly, out_lx, out_ly 2D shapes (1D plans: lx = n, ly = 1;
 *        0 when the plan has no geometry);
 * @param b linear block factor (0 when undefined). Any pointer may be NULL.
 * @return RGRBM_OK or RGRBM_EINVAL (rg NULL).
 */
RGRBM_API int rgrbm_rg_shape(const rgrbm_rg *rg, size_t *in_dim, size_t *out_dim, int *in_lx,
                             int *in_ly, int *out_lx, int *out_ly, int *b);

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

/**
 * @brief One exact decimation step of the 1D Ising chain with coupling K and
 *        field h: sum out b-1 of every b spins.
 *
 * With the transfer matrix T(s,s') = exp(K s s' + h (s+s')/2), T^b = e^{b g} T'
 * where T' has the same form at (K', h'). Hence for a periodic chain of N
 * sites (N a multiple of b), ln Z_N(K,h) = N g + ln Z_{N/b}(K',h'): g is the
 * free-energy constant per ORIGINAL site, and iterating gives
 * ln Z / N = sum_n g_n / b^n + (tail). Computed from the eigen-decomposition
 * of T in scaled, cancellation-free form.
 * @param K, h finite couplings (reduced units); @param b >= 2.
 * @param K_out, h_out, g_out receive K', h', g (none may be NULL).
 * @return RGRBM_OK, RGRBM_EINVAL (NULL, b < 2, K or h not finite) or
 *         RGRBM_ENUMERIC (the result overflows: |K| or |h| too large).
 */
RGRBM_API int rgrbm_decimation1d_step(double K, double h, int b, double *K_out, double *h_out,
                                      double *g_out);

/**
 * @brief Iterate rgrbm_decimation1d_step: the flow towards the fixed point.
 * @param K, h the starting couplings; @param b the block factor, >= 2.
 * @param steps number of steps, at least 1.
 * @param K_flow, h_flow, g_flow arrays of steps entries receiving the
 *        couplings after step n and the constant g of step n (per site of the
 *        chain before step n). On failure they are unchanged.
 * @return as rgrbm_decimation1d_step, the message naming the failing step.
 */
RGRBM_API int rgrbm_decimation1d_flow(double K, double h, int b, int steps, double *K_flow,
                                      double *h_flow, double *g_flow);

/**
 * @brief The exact decimation network: a stack whose level l holds the sites
 *        of a periodic chain left after l decimation steps (b = 2).
 *
 * Level l has n_sites / 2^l units (spin units). In layer l, the odd sites of
 * level l couple with weight K_l to their two neighbours on level l+1 (the
 * even sites, renamed): this bipartite RBM sums out the odd sites exactly.
 * Each even site of level l is tied to its copy on level l+1 by a weight
 * w_l = 2|K_l| + RGRBM_DECIMATION_TIE_WEIGHT, so that the visible marginal of
 * layer l is the chain at K_l up to a relative correction e^{-2(w_l - 2|K_l|)}
 * (below double rounding). Biases are 0. The hidden marginal of layer l is
 * exactly the chain of n_sites/2^{l+1} sites at K' with tanh K' = tanh^2 K_l,
 * for any tie weight. The stored K_l are the flow rounded to multiples of
 * 2^-18 (K_{l+1} = that rounding of K'), so that every weight and the row and
 * column sums that rgrbm_stack_set_units() forms are exact in float: the
 * statements hold to rounding in binary units too.
 * @param out receives the stack (NULL on failure).
 * @param n_sites divisible by 2^levels, with at least 2 sites on the top level.
 * @param K |K| <= 10. @param levels number of layers, at least 1.
 * @return RGRBM_OK, RGRBM_EINVAL or RGRBM_ENOMEM.
 */
RGRBM_API int rgrbm_stack_create_decimation1d(rgrbm_stack **out, int n_sites, double K,
                                              int levels);

/** Margin of the tie weight of rgrbm_stack_create_decimation1d over 2|K|. */
#define RGRBM_DECIMATION_TIE_WEIGHT 20.0

/** Layout version of ::rgrbm_vrg_report. */
#define RGRBM_VRG_REPORT_VERSION 1

/**
 * @brief What rgrbm_vrg_check measures. With T(v,h) = -E(v,h) + H(v) and
 *        e^{-H_RG(h)} = Tr_v e^{T(v,h) - H(v)}:
 */
typedef struct rgrbm_vrg_report {
  unsigned version;       /**< set to RGRBM_VRG_REPORT_VERSION by rgrbm_vrg_check */
  double trace_defect;    /**< max_v |ln Tr_h e^{T(v,h)}|: zero iff the step is exact with this T */
  double trace_spread;    /**< max_v - min_v of ln Tr_h e^{T}: zero iff exact up to a constant */
  double delta_f;         /**< F_h - F_v, F = -ln of the partition function */
  double kl;              /**< KL(P || p) of the model P(v) and the RBM's visible marginal p(v) */
  double h_rg_max_diff;   /**< max_h |H_RG(h) - H_RBM(h)| (Eq. 21: zero up to rounding) */
} rgrbm_vrg_report;

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
 * @param out receives the report (unchanged on failure).
 * @return RGRBM_OK, RGRBM_EINVAL (naming the argument), RGRBM_EUNSUPPORTED
 *         (too many units to enumerate) or RGRBM_ENOMEM.
 */
RGRBM_API int rgrbm_vrg_check(const rgrbm_stack *s, int layer, const rgrbm_lattice *model,
                              rgrbm_vrg_report *out);

#ifdef __cplusplus
}
#endif

#endif /* RGRBM_RG_H */
