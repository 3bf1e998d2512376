/* Internal: data-parallel contrastive divergence over processes that each
 * hold a shard of the data, for librgrbm_mpi (lib/mpi/cd_mpi.c), which
 * supplies the collectives; librgrbm itself never calls MPI. Never
 * installed.
 *
 * The global data set is the shards concatenated in process order. Every
 * process computes the epoch's shuffle of the global rows and walks the
 * same batches; the batch positions, the persistent chains and the rows of
 * W are cut into one contiguous slice per process (lib/cd_trainer.h), and
 * each process computes its slices with the arithmetic of one process.
 * Per batch:
 *   1. alltoallv: the packed data rows of its positions, from their shards;
 *   2. its positions' hidden means and negative phase, its chains' steps;
 *   3. allgatherv (4 calls): every process's visible and hidden rows of
 *      the batch, so that every process holds all of them;
 *   4. every process computes the bias gradients and steps (the same bits
 *      everywhere) and its rows of dw and W;
 *   5. allgatherv: every process's rows of W; one allreduce of a flag:
 *      whether a parameter became non-finite anywhere.
 * The table kernels compute a row of a pass from that row alone and an
 * entry of the gradient in an order independent of the tiling, so on the
 * table path the parameters are those of rgrbm_cd_train on the
 * concatenated data, bit for bit, for any number of processes and any
 * split. On the sgemm path every sgemm call has the same shape for any
 * number of processes (trainer.row_chunk): the parameters do not depend
 * on the split either, and differ from rgrbm_cd_train's by float rounding
 * only. */
#ifndef RGRBM_LIB_CD_DISTRIBUTED_H
#define RGRBM_LIB_CD_DISTRIBUTED_H

#include <stddef.h>

#include "sibling.h"
#include "rgrbm/cd.h"

/* The element types the collectives move. */
typedef enum rgrbm__cd_type {
  RGRBM__CD_FLOAT,
  RGRBM__CD_DOUBLE,
  RGRBM__CD_WORD /* uint64_t: packed rows, row counts */
} rgrbm__cd_type;

/* The collectives, all called by every process in the same order from the
 * thread that called the training function. Each returns RGRBM_OK or a
 * status with its message set (RGRBM_EIO for an MPI error). Counts and
 * displacements are in elements; the trainer checks that they fit an int
 * before it starts. */
typedef struct rgrbm__cd_comm {
  int rank, size;
  void *ctx; /* the implementation's */
  /* Every process passes its status (its message, when it failed, names
   * func); all return the lowest failing process's status, with its
   * message, "func: rank R: ...". */
  int (*agree)(void *ctx, int status, const char *func);
  /* bytes of buf from process 0 to every process. */
  int (*bcast)(void *ctx, void *buf, size_t bytes);
  /* In place: process r's elements [displs[r], displs[r] + counts[r]) of
   * buf to every process. */
  int (*allgatherv)(void *ctx, rgrbm__cd_type type, void *buf, const int *counts,
                    const int *displs);
  /* MPI_Alltoallv's semantics. */
  int (*alltoallv)(void *ctx, rgrbm__cd_type type, const void *send, const int *send_counts,
                   const int *send_displs, void *recv, const int *recv_counts,
                   const int *recv_displs);
  /* *flag = whether any process's *flag is nonzero. */
  int (*any)(void *ctx, int *flag);
} rgrbm__cd_comm;

/* rgrbm_cd_train of layer `layer` on the concatenation of every process's
 * `local` shard (which may hold no rows), collective over comm: every
 * process passes the same stack (its parameters are compared with process
 * 0's), the same options and layer, a shard of the stack's dimension.
 * Every process returns the same status and message (failures name the
 * process, through comm->agree) and ends with the same stack. The progress
 * callback runs on process 0 only; its answer stops every process. Failures
 * are in the name of func. */
RGRBM__SIBLING int rgrbm__cd_train_distributed(rgrbm_stack *s, int layer,
                                               const rgrbm_dataset *local,
                                               const rgrbm_cd_options *o,
                                               const rgrbm__cd_comm *comm, const char *func);

/* rgrbm_cd_train_stack likewise: every layer's options are checked on every
 * process (and compared with process 0's) before any layer is trained; the
 * layers' failures are reported as rgrbm_cd_train_stack reports them, with
 * layer_func the name of the one-layer function. */
RGRBM__SIBLING int rgrbm__cd_train_stack_distributed(rgrbm_stack *s,
                                                     const rgrbm_dataset *local,
                                                     const rgrbm_cd_options *per_layer,
                                                     const rgrbm__cd_comm *comm,
                                                     const char *func,
                                                     const char *layer_func);

/* Internal to librgrbm (cd_greedy.c), collective, agreed statuses: the
 * rows of all shards; whether layer's options and the stack are process
 * 0's (messages say "per_layer[index]: "). */
int rgrbm__cd_dist_global_count(const rgrbm__cd_comm *c, const rgrbm_dataset *local,
                                size_t *count, const char *func);
/* Local: whether layer's exchanges (count rows in all, of `words` words)
 * fit MPI's int counts: RGRBM_EUNSUPPORTED otherwise. */
int rgrbm__cd_dist_check_counts(const rgrbm_stack *s, int layer, const rgrbm_cd_options *o,
                                size_t count, size_t words, const char *func);
int rgrbm__cd_dist_check_same(const rgrbm__cd_comm *c, const rgrbm_stack *s, int layer,
                              const rgrbm_cd_options *o, int index, const char *func);

#endif
