/* Internal: the RG plan handle. One public handle covers the plans that
 * gather fine spins by an index map (decimation, block spins:
 * lib/rg_indexed.c) and the plans read from a trained stack
 * (lib/rg_learned.c); each kind supplies its operations, as the samplers'
 * kinds do (sampler.h), and rg.c dispatches through them. Never installed. */
#ifndef RGRBM_LIB_RG_H
#define RGRBM_LIB_RG_H

#include <stddef.h>
#include <stdint.h>

#include "rgrbm/rg.h"
#include "rng.h"

typedef struct rgrbm__rg_kind {
  /* Whether the plan can run now, failing in the name of func (the public
   * entry point): a learned plan's borrowed stack may change after
   * creation. NULL when any state can run. */
  int (*check)(const rgrbm_rg *rg, const char *func);
  /* Appends the coarse-graining of every row of in to out (dims and shapes
   * already checked). Grows out only once its own scratch is allocated, so
   * that a failure leaves out as it was. */
  int (*apply)(const rgrbm_rg *rg, const rgrbm_dataset *in, rgrbm_dataset *out,
               const char *func);
  /* Monte Carlo RG's plan for blocking level n >= 2 of a run whose first
   * level is rg (mcrg.c): *plan (new, the caller destroys it) maps the
   * configurations of level *reads to level n. *reads is n - 1 for plans
   * that block level after level (block spins, a translation-invariant
   * filter: the same rule on the next lattice), 0 for plans that
   * coarse-grain the fine lattice in one go (a placed stack level). The
   * plan must have a 2D geometry (out_lx, out_ly), which MCRG reads its
   * operators on; its coin flips should be keyed apart from the other
   * levels' (block spins use seed + n - 1). NULL for kinds MCRG cannot run
   * (their outputs are not a lattice in site order). Failures are
   * attributed to func. */
  int (*mcrg_level)(const rgrbm_rg *rg, int n, rgrbm_rg **plan, int *reads, const char *func);
} rgrbm__rg_kind;

/* A plan lives in one block: the handle, then the kind's state, then the
 * index map (rgrbm__rg_alloc). */
struct rgrbm_rg {
  const rgrbm__rg_kind *kind;
  size_t in_dim, out_dim;
  int in_lx, in_ly, out_lx, out_ly; /* 0 when the plan has no geometry */
  int b;                            /* linear factor, 0 when undefined */
  int shaped;                       /* 1: outputs get the 2D shape out_lx x out_ly */
  uint64_t seed;                    /* keys every coin flip (rgrbm__rg_row_rng) */
  /* Plans that gather: coarse spin j reads fine spins map[j * block_size ..
   * (j+1) * block_size). Placed learned plans (block_size 1): coarse site j
   * is the stack unit map[j]. 0 and NULL for other kinds. */
  size_t block_size;
  uint32_t *map;
  void *state; /* the kind's own data, NULL when it has none */
};

/* A zeroed plan of the given kind in one block: the handle, state_bytes of
 * kind state (rg->state) and out_dim * block_size map entries (rg->map,
 * none when block_size is 0). Failures are attributed to func. */
int rgrbm__rg_alloc(rgrbm_rg **out, const rgrbm__rg_kind *kind, size_t out_dim,
                    size_t state_bytes, size_t block_size, const char *func);

/* Gives rg the 2D geometry of b x b blocks on an lx x ly lattice (b divides
 * both sides): lx * ly fine spins, a (lx / b) x (ly / b) coarse lattice. */
void rgrbm__rg_set_blocks(rgrbm_rg *rg, int lx, int ly, int b);

/* The generator for one fine configuration: keyed by the plan's seed, its
 * stream by a hash of the packed row, so that coin flips depend on the
 * configuration alone (not on its index or the thread that handles it). */
void rgrbm__rg_row_rng(const rgrbm_rg *rg, const uint64_t *row, size_t words, rgrbm__rng *rng);

#endif
