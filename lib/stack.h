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

/* RGRBM_ENUMERIC attributed to func, naming the first NaN or infinite
 * parameter of layers first..last (inclusive; nothing to check when last <
 * first), as "layer 0 weight (3, 7) is NaN". One pass over those layers'
 * parameters: public functions that read parameters call it once per call,
 * never inside their loops, because the kernels cannot see a NaN (their
 * clamped exponential turns it into a saturated mean). */
int rgrbm__stack_check_finite(const rgrbm_stack *s, int first, int last, const char *func);

/* The same for the weights alone (receptive fields read nothing else). */
int rgrbm__stack_check_finite_weights(const rgrbm_stack *s, int first, int last,
                                      const char *func);

/* RGRBM_ENUMERIC attributed to func when one of the n x cols floats of the
 * batch `name` is NaN or infinite, naming its row and column. */
int rgrbm__check_finite_batch(const float *x, size_t n, size_t cols, const char *name,
                              const char *func);

/* rgrbm_stack_up/down/sample_up/sample_down without the parameter check, for
 * callers that checked the layers themselves (failures name func). sample = 0
 * passes means (seed unused). */
int rgrbm__stack_pass(const rgrbm_stack *s, int from, int to, const float *in, size_t n,
                      float *out, int sample, uint64_t seed, const char *func);

#endif
