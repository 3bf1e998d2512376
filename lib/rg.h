/* Internal: the RG plan, for the modules that coarse-grain with it (rg.c,
 * rg_learned.c, mcrg.c). Never installed. */
#ifndef RGRBM_LIB_RG_H
#define RGRBM_LIB_RG_H

#include <stdint.h>

#include "rgrbm/rg.h"
#include "rng.h"

typedef enum rgrbm__rg_kind {
  RGRBM__RG_DECIMATION1D = 0,
  RGRBM__RG_BLOCK2D = 1,
  RGRBM__RG_LEARNED = 2
} rgrbm__rg_kind;

/* Indexed kinds (decimation, blocks): coarse spin j reads fine spins
 * map[j * block_size .. (j+1) * block_size) and takes their majority (a single
 * member is copied). Learned plans borrow the stack. */
struct rgrbm_rg {
  rgrbm__rg_kind kind;
  size_t in_dim, out_dim;
  int in_lx, in_ly, out_lx, out_ly; /* 0 when the plan has no geometry */
  int b;                            /* linear factor, 0 when undefined */
  int shaped;                       /* 1: outputs get the 2D shape out_lx x out_ly */
  rgrbm_block_rule rule;
  uint64_t seed;
  size_t block_size;
  uint32_t *map;
  const rgrbm_stack *stack;
  int level;
  rgrbm_rg_mode mode;
};

/* A zeroed plan of the given kind with room for out_dim * block_size map
 * entries (no map when block_size is 0). */
int rgrbm__rg_alloc(rgrbm_rg **out, rgrbm__rg_kind kind, size_t out_dim, size_t block_size,
                    const char *func);

/* The generator for one fine configuration: keyed by the plan's seed, its
 * stream by a hash of the packed row, so that coin flips depend on the
 * configuration alone (not on its index or the thread that handles it). */
void rgrbm__rg_row_rng(const rgrbm_rg *rg, const uint64_t *row, size_t words, rgrbm__rng *rng);

/* Append the coarse-graining of every row of in to out, for learned plans
 * (shapes and dims already checked). Grows out only once its own scratch is
 * allocated, so that a failure leaves out as it was. */
int rgrbm__rg_apply_learned(const rgrbm_rg *rg, const rgrbm_dataset *in, rgrbm_dataset *out,
                            const char *func);

#endif
