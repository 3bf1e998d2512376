/* Internal: the stack's layout, for the modules that train, sample, save and
 * coarse-grain with it. Never installed. */
#ifndef RGRBM_LIB_STACK_H
#define RGRBM_LIB_STACK_H

#include "rgrbm/cd.h"
#include "rgrbm/stack.h"

/* Layer l has weights[l] (sizes[l] x sizes[l+1], row-major), vbias[l]
 * (sizes[l]) and hbias[l] (sizes[l+1]), each its own rgrbm__alloc block
 * (freed by rgrbm_stack_destroy). Training metadata travels with the stack
 * and into its files: epochs_done[l] counts the epochs rgrbm_cd_train has
 * completed on layer l (it also derives the epochs' random streams from it,
 * so continued training draws fresh numbers) and trained_with[l] holds the
 * options of the last call (version 0 = never trained). */
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

/* A stack with every parameter 0 (weights too) and no training metadata, for
 * constructors and loaders that fill in the parameters themselves. Validates
 * like rgrbm_stack_create, attributing failures to func; *out = NULL on
 * failure. */
int rgrbm__stack_alloc(rgrbm_stack **out, const int *sizes, int nlevels, rgrbm_units units,
                       const char *func);

#endif
