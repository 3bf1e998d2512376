/* Internal: the lattice's layout, for the samplers and estimators that update
 * or read spins in bulk. Never installed. */
#ifndef RGRBM_LIB_LATTICE_H
#define RGRBM_LIB_LATTICE_H

#include <stddef.h>
#include <stdint.h>

#include "rgrbm/lattice.h"

struct rgrbm_lattice {
  rgrbm_geometry geometry;
  rgrbm_boundary boundary;
  int lx, ly;      /* ly == 1 for a chain */
  size_t sites;
  double K, h;
  int8_t *spins;   /* row-major y*lx + x */
};

/* Check that K and h are finite, naming them as seen by func. */
int rgrbm__check_couplings(double K, double h, const char *func);

/* Validate (g, lx, ly, bc) as a lattice shape; the message is attributed to
 * func. Shared by the lattice constructor and the exact references. */
int rgrbm__check_shape(rgrbm_geometry g, int lx, int ly, rgrbm_boundary bc, const char *func);

/* Sum over bonds of s_i s_j for a row-major configuration of the given shape
 * (bonds as documented in rgrbm/lattice.h). */
long long rgrbm__bond_sum(const int8_t *s, rgrbm_geometry g, int lx, int ly, rgrbm_boundary bc);

/* Sum of the spins. */
long long rgrbm__spin_sum(const int8_t *s, size_t n);

#endif
