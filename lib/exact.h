/* Internal: helpers shared by the exact references. Never installed. */
#ifndef RGRBM_LIB_EXACT_H
#define RGRBM_LIB_EXACT_H

#include "rgrbm/exact.h"

/* From this coupling up, Onsager's bond_mean and specific_heat come from the
 * low-temperature series and narrow tori use the row transfer matrix
 * (exact_square.c): the closed forms lose digits as e^{4K}, the series'
 * truncation is below 2e-15 relative there. */
#define RGRBM__EXACT_SERIES_K 1.1

/* RGRBM_EINVAL in func's name unless out is non-NULL and of a version
 * 1..RGRBM_EXACT_VERSION. */
int rgrbm__exact_check_out(const rgrbm_exact *out, const char *func);

/* RGRBM_EINVAL in func's name unless both sides of a torus, lx and ly, lie
 * in 2..RGRBM_LATTICE_MAX_SIDE. */
int rgrbm__exact_check_torus_sides(int lx, int ly, const char *func);

/* Write the caller's version's fields of e (current layout) to out. */
void rgrbm__exact_write(rgrbm_exact *out, rgrbm_exact *e);

/* Set every field of out to NaN (the "not defined" value) and its version
 * to the current one. */
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
