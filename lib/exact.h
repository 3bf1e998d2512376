/* Internal: helpers shared by the exact references. Never installed. */
#ifndef RGRBM_LIB_EXACT_H
#define RGRBM_LIB_EXACT_H

#include "rgrbm/exact.h"

/* Set every field of out to NaN (the "not defined" value). */
void rgrbm__exact_clear(rgrbm_exact *out);

/* The last guard of every exact reference: RGRBM_ENUMERIC attributed to func
 * if log_z_per_site, bond_mean or specific_heat is not finite or the
 * specific heat is negative (never such a number with RGRBM_OK). */
int rgrbm__exact_check(const rgrbm_exact *e, const char *func);

/* log(e^a + e^b) without overflow. */
double rgrbm__log_add(double a, double b);

#endif
