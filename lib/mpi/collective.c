/* The collective frame of librgrbm_mpi's functions: one status and one
 * message on every rank. */
#include "collective.h"

#include <stdio.h>
#include <string.h>

#include "fail.h" /* rgrbm__fail_message, RGRBM__ERROR_CAPACITY */
#include "rgrbm/common.h"

/* The longest message the core keeps. */
enum { MESSAGE_BYTES = RGRBM__ERROR_CAPACITY };

int rgrbm__mpi_check(const rgrbm__mpi_ctx *ctx, int err, const char *call) {
  if (err == MPI_SUCCESS) return RGRBM_OK;
  char text[MPI_MAX_ERROR_STRING], message[MESSAGE_BYTES];
  int len = 0;
  if (MPI_Error_string(err, text, &len) != MPI_SUCCESS) snprintf(text, sizeof text, "unknown");
  snprintf(message, sizeof message, "%s failed with MPI error %d: %s", call, err, text);
  return rgrbm__fail_message(RGRBM_EIO, ctx->func, message);
}

int rgrbm__mpi_open(rgrbm__mpi_ctx *ctx, MPI_Comm comm, const char *func) {
  memset(ctx, 0, sizeof *ctx);
  ctx->func = func;
  ctx->comm = MPI_COMM_NULL;
  int initialized = 0, finalized = 0;
  MPI_Initialized(&initialized);
  MPI_Finalized(&finalized);
  if (!initialized || finalized)
    return rgrbm__fail_message(RGRBM_EINVAL, func,
                               finalized ? "MPI is finalized" : "MPI is not initialized (call "
                                                                "MPI_Init first)");
  if (comm == MPI_COMM_NULL) return rgrbm__fail_message(RGRBM_EINVAL, func, "comm is MPI_COMM_NULL");
  /* The duplicate inherits the handler: make it return errors for the dup
   * itself too, then restore the caller's. */
  MPI_Errhandler callers;
  int err = MPI_Comm_get_errhandler(comm, &callers);
  if (err != MPI_SUCCESS) return rgrbm__mpi_check(ctx, err, "MPI_Comm_get_errhandler");
  MPI_Comm_set_errhandler(comm, MPI_ERRORS_RETURN);
  err = MPI_Comm_dup(comm, &ctx->comm);
  MPI_Comm_set_errhandler(comm, callers);
  MPI_Errhandler_free(&callers);
  if (err != MPI_SUCCESS) {
    ctx->comm = MPI_COMM_NULL;
    return rgrbm__mpi_check(ctx, err, "MPI_Comm_dup");
  }
  MPI_Comm_set_errhandler(ctx->comm, MPI_ERRORS_RETURN);
  MPI_Comm_rank(ctx->comm, &ctx->rank);
  MPI_Comm_size(ctx->comm, &ctx->size);
  return RGRBM_OK;
}

void rgrbm__mpi_close(rgrbm__mpi_ctx *ctx) {
  if (ctx->comm != MPI_COMM_NULL) MPI_Comm_free(&ctx->comm);
}

/* The message without its leading "func: ", which the agreed message
 * repeats in front of the rank. */
static const char *without_func(const char *message, const char *func) {
  size_t len = strlen(func);
  if (strncmp(message, func, len) == 0 && strncmp(message + len, ": ", 2) == 0)
    return message + len + 2;
  return message;
}

int rgrbm__mpi_agree(const rgrbm__mpi_ctx *ctx, int status) {
  int mine = status != RGRBM_OK ? ctx->rank : ctx->size, first = ctx->size;
  int err = MPI_Allreduce(&mine, &first, 1, MPI_INT, MPI_MIN, ctx->comm);
  if (err != MPI_SUCCESS) return rgrbm__mpi_check(ctx, err, "MPI_Allreduce");
  if (first == ctx->size) return RGRBM_OK;
  struct {
    int status;
    char message[MESSAGE_BYTES];
  } report;
  memset(&report, 0, sizeof report);
  if (ctx->rank == first) {
    report.status = status;
    snprintf(report.message, sizeof report.message, "%s",
             without_func(rgrbm_last_error(), ctx->func));
  }
  err = MPI_Bcast(&report, (int)sizeof report, MPI_BYTE, first, ctx->comm);
  if (err != MPI_SUCCESS) return rgrbm__mpi_check(ctx, err, "MPI_Bcast");
  report.message[sizeof report.message - 1] = '\0';
  char message[MESSAGE_BYTES + 32];
  snprintf(message, sizeof message, "rank %d: %s", first, report.message);
  return rgrbm__fail_message(report.status, ctx->func, message);
}
