/* Data-parallel contrastive divergence over MPI ranks: the core's
 * distributed trainer (lib/cd_distributed.h) with MPI's collectives on the
 * duplicate communicator of collective.h. */
#include <stdint.h>

#include "cd_distributed.h"
#include "collective.h"
#include "rgrbm/mpi.h"

static MPI_Datatype mpi_type(rgrbm__cd_type type) {
  switch (type) {
    case RGRBM__CD_FLOAT:
      return MPI_FLOAT;
    case RGRBM__CD_DOUBLE:
      return MPI_DOUBLE;
    case RGRBM__CD_WORD:
    default:
      return MPI_UINT64_T;
  }
}

/* The agreement in the name of func (the stack driver's layers agree in
 * the name of rgrbm_mpi_cd_train). */
static int agree(void *ctx, int status, const char *func) {
  rgrbm__mpi_ctx named = *(const rgrbm__mpi_ctx *)ctx;
  named.func = func;
  return rgrbm__mpi_agree(&named, status);
}

static int bcast(void *ctx, void *buf, size_t bytes) {
  const rgrbm__mpi_ctx *c = ctx;
  return rgrbm__mpi_check(c, MPI_Bcast(buf, (int)bytes, MPI_BYTE, 0, c->comm), "MPI_Bcast");
}

static int allgatherv(void *ctx, rgrbm__cd_type type, void *buf, const int *counts,
                      const int *displs) {
  const rgrbm__mpi_ctx *c = ctx;
  int err = MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, buf, counts, displs,
                           mpi_type(type), c->comm);
  return rgrbm__mpi_check(c, err, "MPI_Allgatherv");
}

static int alltoallv(void *ctx, rgrbm__cd_type type, const void *send, const int *send_counts,
                     const int *send_displs, void *recv, const int *recv_counts,
                     const int *recv_displs) {
  const rgrbm__mpi_ctx *c = ctx;
  int err = MPI_Alltoallv(send, send_counts, send_displs, mpi_type(type), recv, recv_counts,
                          recv_displs, mpi_type(type), c->comm);
  return rgrbm__mpi_check(c, err, "MPI_Alltoallv");
}

static int any(void *ctx, int *flag) {
  const rgrbm__mpi_ctx *c = ctx;
  return rgrbm__mpi_check(c, MPI_Allreduce(MPI_IN_PLACE, flag, 1, MPI_INT, MPI_LOR, c->comm),
                          "MPI_Allreduce");
}

static rgrbm__cd_comm comm_of(rgrbm__mpi_ctx *ctx) {
  const rgrbm__cd_comm c = {.rank = ctx->rank, .size = ctx->size, .ctx = ctx, .agree = agree,
                            .bcast = bcast, .allgatherv = allgatherv, .alltoallv = alltoallv,
                            .any = any};
  return c;
}

int rgrbm_mpi_cd_train(rgrbm_stack *s, int layer, const rgrbm_dataset *local,
                       const rgrbm_cd_options *o, MPI_Comm comm) {
  rgrbm__mpi_ctx ctx;
  int rc = rgrbm__mpi_open(&ctx, comm, __func__);
  if (rc != RGRBM_OK) return rc;
  const rgrbm__cd_comm c = comm_of(&ctx);
  rc = rgrbm__cd_train_distributed(s, layer, local, o, &c, __func__);
  rgrbm__mpi_close(&ctx);
  return rc;
}

int rgrbm_mpi_cd_train_stack(rgrbm_stack *s, const rgrbm_dataset *local,
                             const rgrbm_cd_options *per_layer, MPI_Comm comm) {
  rgrbm__mpi_ctx ctx;
  int rc = rgrbm__mpi_open(&ctx, comm, __func__);
  if (rc != RGRBM_OK) return rc;
  const rgrbm__cd_comm c = comm_of(&ctx);
  rc = rgrbm__cd_train_stack_distributed(s, local, per_layer, &c, __func__,
                                         "rgrbm_mpi_cd_train");
  rgrbm__mpi_close(&ctx);
  return rc;
}
