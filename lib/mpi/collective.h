/* Internal to librgrbm_mpi: the collective frame of every public function.
 * Never installed.
 *
 * A call validates and computes locally, then agrees with the other ranks
 * on the outcome at each step: the status of the lowest failing rank and
 * its message, "rank R: ..." (rgrbm__mpi_agree). A rank never returns
 * early from a step the others complete, so no rank waits forever for one
 * that left; MPI runs on a duplicate of the caller's communicator whose
 * errors return (as RGRBM_EIO) instead of aborting. */
#ifndef RGRBM_LIB_MPI_COLLECTIVE_H
#define RGRBM_LIB_MPI_COLLECTIVE_H

#include <mpi.h>

typedef struct rgrbm__mpi_ctx {
  MPI_Comm comm;    /* the duplicate, MPI_ERRORS_RETURN */
  int rank, size;
  const char *func; /* the public function, for the messages */
} rgrbm__mpi_ctx;

/* Checks that MPI is initialized and comm is a communicator (failing on this
 * rank alone: there is no one to agree with), then duplicates comm
 * (collective). The caller's communicator is left as it was. */
int rgrbm__mpi_open(rgrbm__mpi_ctx *ctx, MPI_Comm comm, const char *func);

/* Frees the duplicate (collective). */
void rgrbm__mpi_close(rgrbm__mpi_ctx *ctx);

/* Collective: every rank passes its own status (and, when it failed, has
 * its message in rgrbm_last_error(), naming ctx->func); every rank gets the
 * lowest failing rank's status, with that rank's message "func: rank R:
 * ..." as its own last error; RGRBM_OK when no rank failed. */
int rgrbm__mpi_agree(const rgrbm__mpi_ctx *ctx, int status);

/* RGRBM_EIO for MPI's error code err, returned by the MPI function `call`,
 * with MPI's message; RGRBM_OK when err is MPI_SUCCESS. */
int rgrbm__mpi_check(const rgrbm__mpi_ctx *ctx, int err, const char *call);

#endif
