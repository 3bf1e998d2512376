/**
 * @file rgrbm/mpi.h
 * @brief librgrbm_mpi: the library's computations spread over the ranks of
 *        an MPI communicator, with the results of one process.
 *
 * A separate library (`pkg-config rgrbm-mpi`, link -lrgrbm_mpi -lrgrbm and
 * MPI): librgrbm itself never calls MPI. This header includes <mpi.h>, so
 * compile with mpicc or MPI's compiler flags; rgrbm.h does not include it.
 *
 * Every function here is collective over its communicator: every rank
 * calls it with the same arguments (where a function says so) and every
 * rank returns the same status. When any rank fails (a bad argument, no
 * memory, an MPI error), every rank returns the status of the lowest
 * failing rank, and rgrbm_last_error() gives on every rank that rank's
 * message prefixed with its number: `rgrbm_mpi_mcrg_run: rank 2:
 * o->levels = 0, must be in 1..8`. No function calls MPI_Abort. The
 * library works on a duplicate of the communicator whose error handler
 * returns MPI's errors as RGRBM_EIO (naming the MPI call and MPI's
 * message); an MPI error that leaves the other ranks waiting (a rank that
 * dies) is beyond what a library can recover from.
 *
 * Threads: MPI is called from the calling thread only (MPI_THREAD_FUNNELED
 * or MPI_THREAD_SINGLE suffice, when that thread initialized MPI); the
 * library's worker threads compute. A communicator must not be used by two
 * of these calls at once.
 */
#ifndef RGRBM_MPI_H
#define RGRBM_MPI_H

#include <mpi.h>

#include "rgrbm/cd.h"
#include "rgrbm/common.h"
#include "rgrbm/dataset.h"
#include "rgrbm/mcrg.h"
#include "rgrbm/stack.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief rgrbm_mcrg_run() with its chains spread over the ranks of comm.
 *
 * The o->chains chains (see rgrbm_mcrg_run()) are cut into nearly equal
 * consecutive ranges, one per rank in rank order (the first chains % size
 * ranks take one more; ranks beyond the chain count take none). Every rank
 * runs its chains (on the library's worker threads) and sends their moment
 * sums to every other rank (MPI_Allgatherv of (bins + chains) x (m + 1)
 * doubles at most, see rgrbm_mcrg_run()); every rank then adds them in
 * chain order and solves for the exponents. The exponents are therefore
 * bit for bit those of rgrbm_mcrg_run() with the same arguments, on any
 * number of ranks, and the same on every rank.
 *
 * Every rank passes the same options, and a sampler and plan in the same
 * state (created with the same arguments): the options are compared with
 * rank 0's and a difference is refused with RGRBM_EINVAL. With o->chains
 * = 1 the single chain is rank 0's sampler, which advances; the other
 * ranks' samplers do not. With more chains no sampler advances.
 *
 * @param smp as for rgrbm_mcrg_run(): the chain (1 chain) or the template.
 * @param rg a block-spin plan of smp's shape.
 * @param o options, or NULL for the defaults; the same on every rank.
 * @param out the caller's result, version set; filled on every rank (free
 *        it with rgrbm_mcrg_result_free()); unchanged on failure.
 * @param comm the communicator; collective over it.
 * @return RGRBM_OK or the first failing rank's status, as listed for
 *         rgrbm_mcrg_run(); RGRBM_EINVAL also when MPI is not initialized
 *         or comm is MPI_COMM_NULL (these two are reported by the rank
 *         alone: without a communicator no agreement is possible), or
 *         when the options differ from rank 0's; RGRBM_EIO for an error
 *         of MPI itself.
 */
RGRBM_API int rgrbm_mpi_mcrg_run(rgrbm_sampler *smp, const rgrbm_rg *rg,
                                 const rgrbm_mcrg_options *o, rgrbm_mcrg_result *out,
                                 MPI_Comm comm);

/**
 * @brief rgrbm_cd_train() on the concatenation of the ranks' shards (rank
 *        0's rows first), the work of every batch spread over the ranks.
 *
 * Every rank holds the same stack and a shard `local` of the data (any
 * number of rows, 0 too). Every rank computes the epoch's shuffle of the
 * global rows as rgrbm_cd_train() does and walks the same batches; the
 * positions of a batch, the persistent chains and the rows of the weight
 * matrix are cut into one contiguous slice per rank, and each rank
 * computes its slices with rgrbm_cd_train()'s arithmetic (its positions'
 * random streams included). Per batch the ranks exchange the data rows of
 * their positions (MPI_Alltoallv, packed bits), their visible and hidden
 * rows (MPI_Allgatherv) and their rows of the weights (MPI_Allgatherv),
 * and agree on whether a parameter stopped being finite (MPI_Allreduce of
 * an int); docs/scaling.md gives the bytes.
 *
 * Results: on the table path (o->products RGRBM_PRODUCTS_TABLES, or
 * RGRBM_PRODUCTS_AUTO with binary operands: see ::rgrbm_products) the
 * parameters are bit for bit those of rgrbm_cd_train() on the concatenated
 * data with the same options, for any number of ranks and any split of the
 * rows. On the sgemm path they are bit for bit the same for any number of
 * ranks and any split (every sgemm call has a fixed shape: 16 batch rows,
 * 64 rows of the weights) and agree with rgrbm_cd_train()'s to float
 * rounding (tests/mpi/ bounds the difference). Every rank ends with the
 * same stack.
 *
 * The progress callback runs on rank 0 only (the other ranks' callbacks
 * are never called; a rank's o->progress may be NULL); its return value is
 * broadcast, so a stop is collective (RGRBM_ECANCELED on every rank). The
 * reconstruction error it gets is summed per batch position in position
 * order (equal to rgrbm_cd_train()'s to rounding); the PLL is summed per
 * shard, then over the ranks in rank order: at layer 0 it equals
 * rgrbm_cd_train()'s to rounding; above it each shard's rows are sampled up
 * from streams of their local positions, so the PLL (not the training)
 * depends on the split. Above layer 0
 * the data are fed up batch by batch (rgrbm_cd_train()'s cache of the fed
 * data is not kept: each rank would need all of it).
 *
 * Memory per rank: what rgrbm_cd_train() holds for the global batch, plus
 * the global shuffle order (8 bytes a row of all shards) and the packed
 * rows of a batch (twice).
 *
 * Every rank's arguments are checked on that rank; the layer and the
 * options (all fields but progress and progress_data) and the stack (its
 * shape, the layer's epochs and a CRC-32 of every parameter) are then
 * compared with rank 0's, and a difference is refused with RGRBM_EINVAL
 * on every rank, naming the rank.
 *
 * @param s the stack, the same on every rank; on success every rank holds
 *        the trained stack.
 * @param layer 0..depth-1, the same on every rank.
 * @param local this rank's rows (dimension size(0); possibly none).
 * @param o options as for rgrbm_cd_train(), or NULL for the defaults; the
 *        same on every rank (the callback excepted).
 * @param comm the communicator; collective over it.
 * @return as rgrbm_cd_train(), the same status and message on every rank;
 *         RGRBM_EINVAL also when the shards hold no rows in all, or the
 *         arguments differ from rank 0's, or MPI is not initialized or comm
 *         is MPI_COMM_NULL (reported by the rank alone); RGRBM_EUNSUPPORTED
 *         when an exchange would pass MPI's int counts; RGRBM_EIO for an
 *         error of MPI itself.
 */
RGRBM_API int rgrbm_mpi_cd_train(rgrbm_stack *s, int layer, const rgrbm_dataset *local,
                                 const rgrbm_cd_options *o, MPI_Comm comm);

/**
 * @brief rgrbm_cd_train_stack() over the ranks: greedy layer-wise training,
 *        each layer by rgrbm_mpi_cd_train().
 *
 * Every layer's options are checked on every rank and compared with rank
 * 0's before any layer is trained.
 * @param s the stack, the same on every rank.
 * @param local this rank's rows, as for rgrbm_mpi_cd_train().
 * @param per_layer depth options (as for rgrbm_cd_train_stack()), or NULL
 *        for the defaults; the same on every rank.
 * @param comm the communicator; collective over it.
 * @return as rgrbm_cd_train_stack() and rgrbm_mpi_cd_train(), the same
 *         status and message on every rank.
 */
RGRBM_API int rgrbm_mpi_cd_train_stack(rgrbm_stack *s, const rgrbm_dataset *local,
                                       const rgrbm_cd_options *per_layer, MPI_Comm comm);

#ifdef __cplusplus
}
#endif

#endif /* RGRBM_MPI_H */
