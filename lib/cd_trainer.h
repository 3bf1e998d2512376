/* Internal: the trainer of contrastive divergence (lib/cd.c), shared with
 * its data-parallel driver (lib/cd_distributed.c). Never installed.
 *
 * One process trains every batch position, every persistent chain and every
 * row of W itself. Distributed over P processes, each one computes a slice
 * of the batch positions, of the chains and of W's rows (the pos_*, chain_*
 * and w_* ranges below) with exactly the arithmetic of one process, and
 * the hooks of cd_distributed.c (rgrbm__cd_dist_*) move the rows between
 * the processes at fixed points of a batch: the data rows of its positions
 * before the batch, the computed rows after its Gibbs steps, the updated
 * rows of W after the step. */
#ifndef RGRBM_LIB_CD_TRAINER_H
#define RGRBM_LIB_CD_TRAINER_H

#include <stddef.h>
#include <stdint.h>

#include "rgrbm/cd.h"
#include "rng.h"
#include "stack_feed.h"
#include "workspace.h"

typedef struct rgrbm__cd_dist rgrbm__cd_dist; /* cd_distributed.c */

/* Distributed on the sgemm path, the passes over batch rows are sgemm calls
 * of RGRBM__CD_ROW_CHUNK rows and the gradient's are calls of
 * RGRBM__CD_W_CHUNK rows of W, at fixed offsets: the processes' slices
 * start at multiples of them. */
enum { RGRBM__CD_ROW_CHUNK = 16, RGRBM__CD_W_CHUNK = 64 };

typedef struct rgrbm__cd_trainer {
  const char *func; /* the public entry point, named by every failure */
  rgrbm_stack *s;
  int layer;
  const rgrbm_dataset *data; /* the data (distributed: this process's shard) */
  const rgrbm_cd_options *o;
  size_t nv, nh;
  size_t count;  /* rows of the data set (distributed: of all shards) */
  size_t batch;  /* rows of a full batch */
  size_t chains; /* PCD chains (0 for CD) */
  int reporting; /* a progress callback is set (distributed: rank 0's) */
  /* What this process computes: batch positions [pos_lo, pos_hi) (clipped
   * to a short batch), chains [chain_lo, chain_hi), rows [w_lo, w_hi) of
   * W; everything for one process. */
  size_t pos_lo, pos_hi, chain_lo, chain_hi, w_lo, w_hi;
  /* sgemm passes in calls of row_chunk rows at fixed offsets from the
   * slice's start (distributed only, 0 = one call), so that every call has
   * the same shape for any number of processes. */
  size_t row_chunk;
  /* v and h hold batch positive rows and the negative rows (CD: batch,
   * PCD: chains); hs the negative side's hidden samples (PCD: the chains'
   * state). */
  float *v, *h, *hs;
  /* PCD with a progress callback only: the error's reconstruction (batch x
   * nv), its hidden sample (batch x nh) and its generators (batch) */
  float *recon, *recon_h;
  rgrbm__rng *error_rngs;
  rgrbm__feed feed; /* batch x widest level below layer, layer > 0 only */
  float *dw, *dc, *db; /* momentum */
  float *gc, *gb;      /* bias gradients of one batch */
  float *good;      /* the layer's parameters after the last good epoch (rbm.h's block) */
  uint8_t *codes;   /* the table kernel's binary operand (tables only) */
  float *fed;       /* count x nv: the data at the layer's level, or NULL */
  int tables;       /* products by group tables (else sgemm) */
  size_t *order;
  rgrbm__rng *rngs; /* batch rows, then chains */
  double *pll_scratch; /* o->compute_pll with a callback: the PLL's, batch rows */
  double sq_error;  /* this epoch's summed squared reconstruction error */
  /* distributed with a callback: each position's squared error of the
   * epoch (batch entries), added up in position order at its end */
  double *row_error;
  rgrbm__cd_dist *dist; /* NULL: one process */
  rgrbm__workspace ws; /* the single block holding all of the above */
} rgrbm__cd_trainer;

/* Checks every option of o (read into the current layout) that can be
 * checked without the data's row count, in the name of func. */
int rgrbm__cd_check_options(const rgrbm_cd_options *o, const char *func);

/* The remaining checks of a call training `layer` of s on `count` rows of
 * dimension `dim` (cd_options.h's rgrbm__cd_check_call without the data). */
int rgrbm__cd_check_sized(const rgrbm_stack *s, int layer, size_t dim, size_t count,
                          const rgrbm_cd_options *o, const char *func);

/* RGRBM_ENUMERIC when layer's own parameters, or those of the layers below
 * it (which feed the data up), are not finite. */
int rgrbm__cd_check_finite(const rgrbm_stack *s, int layer, const char *func);

/* Allocates the trainer of `layer` on data with `count` rows in all (data
 * itself when dist is NULL); dist, when not NULL, has been set up for these
 * sizes and sets the slices (rgrbm__cd_dist_slices). The arguments are
 * checked. Holds nothing on failure. */
int rgrbm__cd_trainer_init(rgrbm__cd_trainer *t, rgrbm_stack *s, int layer,
                           const rgrbm_dataset *data, size_t count, const rgrbm_cd_options *o,
                           rgrbm__cd_dist *dist, const char *func);
void rgrbm__cd_trainer_free(rgrbm__cd_trainer *t);

/* o->epochs epochs, with rgrbm_cd_train's results and failures. */
int rgrbm__cd_trainer_train(rgrbm__cd_trainer *t);

/* ---- the hooks of the distributed trainer (cd_distributed.c) ---- */

/* Sets t's slices and row_chunk for this process (t's sizes are set). */
void rgrbm__cd_dist_slices(rgrbm__cd_dist *d, rgrbm__cd_trainer *t);

/* Collective: the data rows of batch positions [lo, hi) (global rows
 * idx[lo..hi)) from the processes holding them, as *data rows (*rows)[0 ..
 * hi - lo). */
int rgrbm__cd_dist_fetch(rgrbm__cd_trainer *t, const size_t *idx, size_t n, size_t lo,
                         size_t hi, const rgrbm_dataset **data, const size_t **rows);

/* Collective: global rows [0, k) on every process, as rows 0..k-1 of *data
 * (the persistent chains' starting rows). */
int rgrbm__cd_dist_first_rows(rgrbm__cd_trainer *t, size_t k, const rgrbm_dataset **data);

/* Collective: every process's batch positions (chains = 0) or chains
 * (chains = 1) of x (rows of `width` floats, n of them) to every process. */
int rgrbm__cd_dist_gather_rows(rgrbm__cd_trainer *t, int chains, float *x, size_t width,
                               size_t n);

/* Collective: every process's rows of W to every process; then whether
 * any process's step made a parameter non-finite (*bad in and out). */
int rgrbm__cd_dist_gather_weights(rgrbm__cd_trainer *t, int *bad);

/* Collective: the epoch's squared error (added up in position order) and
 * the PLL partial sums (added up in process order) of every process. */
int rgrbm__cd_dist_sum_error(rgrbm__cd_trainer *t, double *sq_error);
int rgrbm__cd_dist_sum_pll(rgrbm__cd_trainer *t, double *sum);

/* Whether this process runs the progress callback (rank 0). */
int rgrbm__cd_dist_reports(const rgrbm__cd_trainer *t);

/* Collective: rank 0's *stop to every process. */
int rgrbm__cd_dist_stop(rgrbm__cd_trainer *t, int *stop);

#endif
