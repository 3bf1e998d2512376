/* Internal: MCRG operator measurement, shared by the driver (mcrg.c) and the
 * tests. Never installed. */
#ifndef RGRBM_LIB_MCRG_H
#define RGRBM_LIB_MCRG_H

#include <stddef.h>
#include <stdint.h>

#include "rgrbm/mcrg.h"
#include "fail.h"
#include "sibling.h"

/* Widest offset of any operator: the frame's halo. */
#define RGRBM__MCRG_HALO 2

/* int8 entries of the framed copy of an lx x ly configuration. */
size_t rgrbm__mcrg_frame_size(int lx, int ly);

/* The first n_even even and the first n_odd odd operators (in the order of
 * rgrbm/mcrg.h) of one periodic configuration, written to out[0 ..
 * n_even + n_odd). frame has rgrbm__mcrg_frame_size(lx, ly) entries. */
void rgrbm__mcrg_measure(const int8_t *spins, int lx, int ly, int n_even, int n_odd,
                         int8_t *frame, double *out);

/* Whether a LAPACKE status says its own allocation failed
 * (LAPACK_WORK_MEMORY_ERROR, LAPACK_TRANSPOSE_MEMORY_ERROR): out of memory,
 * not a numerical failure. */
int rgrbm__lapack_out_of_memory(int info);

/* RGRBM_ENOMEM attributed to func for such a status, naming what LAPACKE
 * could not allocate. */
int rgrbm__mcrg_lapack_failure(int info, const char *func);

/* A run split in phases, so that the MPI layer (lib/mpi/) can run a range
 * of chains on each rank and combine them exactly as rgrbm_mcrg_run does:
 *
 *   begin (validate, allocate everything) -> run_chains (any ranges that
 *   cover 0..chains-1) -> finish (combine in chain order, analyse) ->
 *   deliver (fill out) -> end (free).
 *
 * Chain c's moment sums occupy partials[offsets[c] .. offsets[c + 1]): for
 * each bin its samples touch, in order, the bin's `stride` sums followed
 * later by the bins' sample counts (see mcrg.c). Every value there is a
 * function of the options, the sampler and the plan only. */
/* The levels of a run: plan[n] makes level n (1..levels) from level
 * reads[n] < n; plan[1] is the caller's plan (reads[1] = 0), the others come
 * from its kind's mcrg_level (lib/rg.h) and are owned. Level n is an
 * lx[n] x ly[n] lattice (level 0 the sampler's) and lx[n - 1] = b lx[n]. */
typedef struct rgrbm__mcrg_levels {
  int levels, b;
  const rgrbm_rg *plan[RGRBM_MCRG_MAX_LEVELS + 1];
  rgrbm_rg *owned[RGRBM_MCRG_MAX_LEVELS + 1];
  int reads[RGRBM_MCRG_MAX_LEVELS + 1];
  int lx[RGRBM_MCRG_MAX_LEVELS + 1], ly[RGRBM_MCRG_MAX_LEVELS + 1];
} rgrbm__mcrg_levels;

typedef struct rgrbm__mcrg_job {
  rgrbm_mcrg_options o;   /* current layout, validated */
  rgrbm_sampler *smp;     /* the caller's: the chain with 1 chain, else a template */
  const rgrbm_rg *rg;
  rgrbm__mcrg_levels lv;  /* built once by begin; the chains apply them (const) */
  int alg;                /* smp's rgrbm_algorithm when chains > 1 */
  size_t stride;          /* sums per bin */
  size_t *offsets;        /* chains + 1 entries */
  double *partials;       /* offsets[chains] doubles */
  double *sums, *counts;  /* the combined bins */
  double *avg, *lam;      /* the jackknife's work space */
  rgrbm_mcrg_result res;  /* the result, its arrays allocated up front */
  /* The first failing chain's status and message (chains run on worker
   * threads, whose messages are their own). */
  int failed_rc;
  size_t failed_chain;
  char failed_message[RGRBM__ERROR_CAPACITY];
} rgrbm__mcrg_job;

/* Validates the arguments as rgrbm_mcrg_run does and allocates the whole
 * job (failing in the name of func, holding nothing on failure). */
RGRBM__SIBLING int rgrbm__mcrg_begin(rgrbm__mcrg_job *job, rgrbm_sampler *smp, const rgrbm_rg *rg,
                      const rgrbm_mcrg_options *given, const rgrbm_mcrg_result *out,
                      const char *func);

/* Runs chains first..last-1 (the worker threads take them in parallel) and
 * writes their sums. On failure the message names the lowest failing chain
 * (when chains > 1). */
RGRBM__SIBLING int rgrbm__mcrg_run_chains(rgrbm__mcrg_job *job, size_t first, size_t last, const char *func);

/* Adds the chains' sums in chain order and analyses them into the job's
 * result. */
RGRBM__SIBLING int rgrbm__mcrg_finish(rgrbm__mcrg_job *job, const char *func);

/* Fills out (whose version begin checked) after a successful finish; the
 * job's result arrays pass to out. Cannot fail. */
RGRBM__SIBLING void rgrbm__mcrg_deliver(rgrbm__mcrg_job *job, rgrbm_mcrg_result *out);

/* Frees what the job still holds. Safe after a failed begin (it zeroes the
 * job). */
RGRBM__SIBLING void rgrbm__mcrg_end(rgrbm__mcrg_job *job);

#endif
