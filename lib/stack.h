/* Internal: the stack's layout, for the modules that train, sample, save and
 * coarse-grain with it. Never installed. */
#ifndef RGRBM_LIB_STACK_H
#define RGRBM_LIB_STACK_H

#include <stddef.h>
#include <stdint.h>

#include "rgrbm/stack.h"

/* The stack's own record of how a layer was last trained: every option
 * value that matters for reproducing the training (not the callback), as
 * plain data so that the model does not depend on the trainer's option
 * struct. rgrbm_cd_train writes it after each completed epoch; the stack
 * file stores all of it (docs/formats.md). */
typedef struct rgrbm__training_record {
  int trained;                   /* 0 = never trained (all else 0), 1 = trained */
  int epochs;                    /* epochs the last call asked for */
  size_t batch_size;
  int k;
  int persistent;                /* 0 or 1 */
  size_t persistent_chains;
  double learning_rate;
  double momentum_initial;
  double momentum_final;
  int momentum_switch_epoch;
  int mean_field_reconstruction; /* 0 or 1 */
  double l1;
  double l2;
  rgrbm_pass feed_up;
  int compute_pll;               /* 0 or 1 */
  uint64_t seed;
  int products;                  /* an rgrbm_products value (stack files of format 1:
                                    RGRBM_PRODUCTS_AUTO = 0) */
} rgrbm__training_record;

/* Layer l has weights[l] (sizes[l] x sizes[l+1], row-major), vbias[l]
 * (sizes[l]) and hbias[l] (sizes[l+1]), each its own rgrbm__alloc block
 * (freed by rgrbm_stack_destroy). Training metadata travels with the stack
 * and into its files: epochs_done[l] counts the epochs rgrbm_cd_train has
 * completed on layer l (it also derives the epochs' random streams from it,
 * so continued training draws fresh numbers) and trained_with[l] records the
 * options of the last call. */
struct rgrbm_stack {
  int depth;              /* RBM layers; levels are 0..depth */
  int *sizes;             /* depth + 1 entries */
  rgrbm_units units;
  float **weights;
  float **vbias;
  float **hbias;
  int *epochs_done;       /* per layer */
  rgrbm__training_record *trained_with; /* per layer: the last options used */
  uint64_t seed;          /* creation seed */
};

/* n initial weights N(0, RGRBM_STACK_DEFAULT_SIGMA^2) from the stream
 * `index` of the seed's initialisation streams (a stack's layer l uses l). */
void rgrbm__init_weights(float *w, size_t n, uint64_t seed, uint64_t index);

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
