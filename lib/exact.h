/* Internal: helpers shared by the exact references. Never installed. */
#ifndef RGRBM_LIB_EXACT_H
#define RGRBM_LIB_EXACT_H

#include "rgrbm/exact.h"

/* Set every field of out to NaN (the "not defined" value). */
void rgrbm__exact_clear(rgrbm_exact *out);

/* log(e^a + e^b) without overflow. */
double rgrbm__log_add(double a, double b);

#endif
