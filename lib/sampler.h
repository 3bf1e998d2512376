/* Internal: the sampler handle. One public handle covers lattice Markov
 * chains (Metropolis, heat bath, Wolff, Swendsen-Wang) and block Gibbs chains
 * over stacks; each kind supplies its operations. Never installed. */
#ifndef RGRBM_LIB_SAMPLER_H
#define RGRBM_LIB_SAMPLER_H

#include <stddef.h>

#include "rgrbm/sampler.h"

typedef struct rgrbm__sampler_ops {
  const char *name;
  /* Advance every chain by sweeps sweeps (the kind documents what a sweep is). */
  int (*sweep)(rgrbm_sampler *smp, long sweeps);
  /* Append the current configuration(s), at most max of them, to out (whose
   * dim was checked); set *appended. */
  int (*emit)(rgrbm_sampler *smp, rgrbm_dataset *out, size_t max, size_t *appended);
  void (*destroy)(rgrbm_sampler *smp);
} rgrbm__sampler_ops;

struct rgrbm_sampler {
  const rgrbm__sampler_ops *ops;
  size_t dim;     /* spins per emitted configuration */
  int lx, ly;     /* 2D shape for emitted datasets, 0 if none */
  size_t chains;  /* configurations emitted per emit call (1 for lattices) */
  void *state;    /* the kind's own state */
};

#endif
