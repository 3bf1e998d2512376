/* Monte Carlo RG over MPI ranks: each rank runs a consecutive range of the
 * chains; the chains' moment sums, gathered on every rank, are added in
 * chain order by the core exactly as rgrbm_mcrg_run adds them (lib/mcrg.c). */
#include <inttypes.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "collective.h"
#include "mcrg.h"
#include "team.h" /* rgrbm__team_part: the ranks' ranges of chains */
#include "rgrbm/mpi.h"

/* The options' fields as numbers, to compare them with rank 0's (the
 * struct's padding holds whatever the caller's memory held). */
enum { FIELDS = 9 };
static void option_fields(const rgrbm_mcrg_options *o, uint64_t f[FIELDS]) {
  const uint64_t v[FIELDS] = {(uint64_t)o->levels,  o->samples,
                              o->thermalize,         o->spacing,
                              o->bins,               (uint64_t)o->even_operators,
                              (uint64_t)o->odd_operators, o->chains,
                              o->seed};
  for (int i = 0; i < FIELDS; i++) f[i] = v[i];
}

/* Local: whether this rank's options are rank 0's (a collective broadcast
 * first). */
static int check_same_options(const rgrbm__mpi_ctx *ctx, const rgrbm_mcrg_options *o) {
  static const char *const names[FIELDS] = {"levels",         "samples",       "thermalize",
                                            "spacing",        "bins",          "even_operators",
                                            "odd_operators",  "chains",        "seed"};
  uint64_t mine[FIELDS], root[FIELDS];
  option_fields(o, mine);
  option_fields(o, root);
  int rc = rgrbm__mpi_check(ctx, MPI_Bcast(root, FIELDS, MPI_UINT64_T, 0, ctx->comm), "MPI_Bcast");
  for (int i = 0; rc == RGRBM_OK && i < FIELDS; i++)
    if (mine[i] != root[i]) {
      char message[256];
      snprintf(message, sizeof message,
               "o->%s = %" PRIu64 " differs from rank 0's %" PRIu64
               ": every rank must pass the same options",
               names[i], mine[i], root[i]);
      rc = rgrbm__fail_message(RGRBM_EINVAL, ctx->func, message);
    }
  return rc;
}

/* Local: the MPI counts of the gathered sums fit in an int. */
static int check_counts(const rgrbm__mpi_ctx *ctx, const rgrbm__mcrg_job *job) {
  if (job->offsets[job->o.chains] <= (size_t)INT_MAX) return RGRBM_OK;
  char message[256];
  snprintf(message, sizeof message,
           "the chains' moment sums (%zu doubles for o->chains = %zu, o->bins = %zu) exceed "
           "MPI's int count; use fewer chains or bins",
           job->offsets[job->o.chains], job->o.chains, job->o.bins);
  return rgrbm__fail_message(RGRBM_EUNSUPPORTED, ctx->func, message);
}

/* Collective: every rank's chains' sums to every rank, in place. */
static int gather_sums(const rgrbm__mpi_ctx *ctx, rgrbm__mcrg_job *job) {
  int *counts = malloc(2 * (size_t)ctx->size * sizeof *counts);
  int rc = RGRBM_OK;
  if (counts == NULL) {
    char message[128];
    snprintf(message, sizeof message, "cannot allocate %zu bytes for the MPI counts",
             2 * (size_t)ctx->size * sizeof *counts);
    rc = rgrbm__fail_message(RGRBM_ENOMEM, ctx->func, message);
  }
  rc = rgrbm__mpi_agree(ctx, rc);
  if (rc != RGRBM_OK) {
    free(counts);
    return rc;
  }
  int *displs = counts + ctx->size;
  for (int r = 0; r < ctx->size; r++) {
    size_t first, last;
    rgrbm__team_part(job->o.chains, (size_t)ctx->size, (size_t)r, &first, &last);
    displs[r] = (int)job->offsets[first];
    counts[r] = (int)(job->offsets[last] - job->offsets[first]);
  }
  rc = rgrbm__mpi_check(ctx,
                        MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, job->partials, counts,
                                       displs, MPI_DOUBLE, ctx->comm),
                        "MPI_Allgatherv");
  free(counts);
  return rgrbm__mpi_agree(ctx, rc);
}

int rgrbm_mpi_mcrg_run(rgrbm_sampler *smp, const rgrbm_rg *rg, const rgrbm_mcrg_options *o,
                       rgrbm_mcrg_result *out, MPI_Comm comm) {
  rgrbm__mpi_ctx ctx;
  int rc = rgrbm__mpi_open(&ctx, comm, __func__);
  if (rc != RGRBM_OK) return rc;
  rgrbm__mcrg_job job;
  rc = rgrbm__mpi_agree(&ctx, rgrbm__mcrg_begin(&job, smp, rg, o, out, __func__));
  if (rc == RGRBM_OK) {
    int local = check_same_options(&ctx, &job.o);
    if (local == RGRBM_OK) local = check_counts(&ctx, &job);
    rc = rgrbm__mpi_agree(&ctx, local);
  }
  if (rc == RGRBM_OK) {
    size_t first, last;
    rgrbm__team_part(job.o.chains, (size_t)ctx.size, (size_t)ctx.rank, &first, &last);
    int local = first < last ? rgrbm__mcrg_run_chains(&job, first, last, __func__) : RGRBM_OK;
    rc = rgrbm__mpi_agree(&ctx, local);
  }
  if (rc == RGRBM_OK) rc = gather_sums(&ctx, &job);
  if (rc == RGRBM_OK) rc = rgrbm__mpi_agree(&ctx, rgrbm__mcrg_finish(&job, __func__));
  if (rc == RGRBM_OK) rgrbm__mcrg_deliver(&job, out);
  rgrbm__mcrg_end(&job);
  rgrbm__mpi_close(&ctx);
  return rc;
}
