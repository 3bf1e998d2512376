/* Internal: helpers shared by the exact references. Never installed. */
#ifndef RGRBM_LIB_EXACT_H
#define RGRBM_LIB_EXACT_H

#include "rgrbm/exact.h"

/* From this coupling up, Onsager's bond_mean and specific_heat come from the
 * low-temperature series and narrow tori use the row transfer matrix
 * (exact_square.c): the closed forms lose digits as e^{4K}, the series'
 * truncation is below 2e-15 relative there. */
#define RGRBM__EXACT_SERIES_K 1.1

/* Set every field of out to NaN (the "not defined" value). */
void rgrbm__exact_clear(rgrbm_exact *out);

/* The last guard of every exact reference: RGRBM_ENUMERIC attributed to func
 * if log_z_per_site or specific_heat is not finite, the specific heat is
 * negative, or bond_mean (bound max_bond, the bonds per site) or a defined
 * magnetization field (bound 1) lies beyond its bound by more than rounding;
 * within rounding it is clamped to the bound. Never such a number with
 * RGRBM_OK. */
int rgrbm__exact_finish(rgrbm_exact *e, double max_bond, const char *func);

/* log(e^a + e^b) without overflow. */
double rgrbm__log_add(double a, double b);

#endif
