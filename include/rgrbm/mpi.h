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

#include "rgrbm/common.h"
#include "rgrbm/mcrg.h"

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

#ifdef __cplusplus
}
#endif

#endif /* RGRBM_MPI_H */
