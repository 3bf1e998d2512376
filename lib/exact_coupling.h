/* Internal: the exact thermometer with its slope, for rgrbm_measure_k_eff
 * (lib/thermometer.c). Never installed. */
#ifndef RGRBM_LIB_EXACT_COUPLING_H
#define RGRBM_LIB_EXACT_COUPLING_H

/* rgrbm_exact_torus_coupling() with the messages attributed to func, also
 * writing db/dK at the solution to *slope (the exact N Var(b) there, 0 where
 * it underflows). *K and *slope are written only on success. */
int rgrbm__exact_torus_coupling(int lx, int ly, double bond_mean, double *K, double *slope,
                                const char *func);

#endif
