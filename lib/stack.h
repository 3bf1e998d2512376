/* Internal: the stack's layout, for the modules that train, sample, save and
 * coarse-grain with it. Never installed. */
#ifndef RGRBM_LIB_STACK_H
#define RGRBM_LIB_STACK_H

#include "rgrbm/cd.h"
#include "rgrbm/stack.h"

/* Layer l has weights[l] (sizes[l] x sizes[l+1], row-major), vbias[l]
 * (sizes[l]) and hbias[l] (sizes[l+1]). Training metadata travels with the
 * stack and into its files. */
struct rgrbm_stack {
  int depth;              /* RBM layers; levels are 0..depth */
  int *sizes;             /* depth + 1 entries */
  rgrbm_units units;
  float **weights;
  float **vbias;
  float **hbias;
  int *epochs_done;       /* per layer */
  rgrbm_cd_options *trained_with; /* per layer: the last options used (callback fields cleared) */
  uint64_t seed;          /* creation seed */
};

#endif
