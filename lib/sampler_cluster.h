/* Internal: what the cluster algorithms (lib/sampler_wolff.c,
 * lib/sampler_swendsen_wang.c) share. Never installed. */
#ifndef RGRBM_LIB_SAMPLER_CLUSTER_H
#define RGRBM_LIB_SAMPLER_CLUSTER_H

#include <stdint.h>

#include "lattice.h"

/* Cluster algorithms implement h = 0 and K >= 0 only: the error otherwise
 * (RGRBM_EUNSUPPORTED, naming the algorithm and failing in the name of
 * func), checked at creation and at every sweep. */
int rgrbm__check_cluster_couplings(const rgrbm_lattice *lat, const char *algorithm,
                                   const char *func);

/* The probability 1 - e^{-2K} of a bond between equal spins as a threshold
 * round(p 2^32), at most 2^32: a uniform 32-bit word w activates the bond
 * iff w < threshold, i.e. with probability p to within 2^-33. */
uint64_t rgrbm__bond_threshold(double K);

#endif
