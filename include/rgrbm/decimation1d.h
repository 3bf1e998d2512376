/**
 * @file rgrbm/decimation1d.h
 * @brief The exact decimation of the 1D Ising chain: the coupling flow and
 *        the RBM stack that performs it (the paper's exact mapping).
 *
 * Thread-safety: the functions are pure (they read their arguments and
 * write only their outputs; rgrbm_decimation1d_stack() creates a new
 * stack): any calls may run concurrently.
 */
#ifndef RGRBM_DECIMATION1D_H
#define RGRBM_DECIMATION1D_H

#include "rgrbm/common.h"
#include "rgrbm/stack.h"

#ifdef __cplusplus
extern "C" {
#endif

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
 * @param K the coupling, finite (reduced units).
 * @param h the field, finite (reduced units).
 * @param b the block factor, at least 2.
 * @param K_out receives K' (not NULL).
 * @param h_out receives h' (not NULL).
 * @param g_out receives g (not NULL).
 * @return RGRBM_OK, RGRBM_EINVAL (NULL, b < 2, K or h not finite) or
 *         RGRBM_ENUMERIC (the result overflows: |K| or |h| too large).
 */
RGRBM_API int rgrbm_decimation1d_step(double K, double h, int b, double *K_out, double *h_out,
                                      double *g_out);

/**
 * @brief Iterate rgrbm_decimation1d_step: the flow towards the fixed point.
 * @param K the starting coupling, finite.
 * @param h the starting field, finite.
 * @param b the block factor, at least 2.
 * @param steps number of steps, at least 1.
 * @param K_flow steps entries: the coupling after step n.
 * @param h_flow steps entries: the field after step n.
 * @param g_flow steps entries: the constant g of step n (per site of the
 *        chain before step n).
 * @return as rgrbm_decimation1d_step, the message naming the failing step;
 *         on failure the three arrays are unchanged.
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
 * @param n_sites divisible by 2^levels, with at least 2 sites on the top
 *        level. An int: it is level 0's size in rgrbm_stack_create()'s int
 *        sizes (see there).
 * @param K the chain's coupling, |K| <= 10.
 * @param levels number of layers, at least 1.
 * @return RGRBM_OK, RGRBM_EINVAL or RGRBM_ENOMEM.
 */
RGRBM_API int rgrbm_decimation1d_stack(rgrbm_stack **out, int n_sites, double K,
                                              int levels);

/** Margin of the tie weight of rgrbm_decimation1d_stack over 2|K|. */
#define RGRBM_DECIMATION_TIE_WEIGHT 20.0


#ifdef __cplusplus
}
#endif

#endif /* RGRBM_DECIMATION1D_H */
