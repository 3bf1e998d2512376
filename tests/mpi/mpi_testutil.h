/* The harness of the MPI test programs (test_mpi_*.c), included once by
 * each: plain programs, not Check (Check's forked tests and MPI do not mix).
 * A failed CHECK is counted and reported with its rank; mpi_test_finish
 * adds up every rank's count for the exit status. */
#ifndef RGRBM_TESTS_MPI_TESTUTIL_H
#define RGRBM_TESTS_MPI_TESTUTIL_H

#include <stdio.h>
#include <string.h>

#include "rgrbm.h"
#include "rgrbm/mpi.h"

static int rank, size, failures;

#define CHECK(cond, ...)                                             \
  do {                                                               \
    if (!(cond)) {                                                   \
      failures++;                                                    \
      fprintf(stderr, "rank %d: %s:%d: ", rank, __FILE__, __LINE__); \
      fprintf(stderr, __VA_ARGS__);                                  \
      fputc('\n', stderr);                                           \
    }                                                                \
  } while (0)

static void mpi_test_init(int *argc, char ***argv) {
  MPI_Init(argc, argv);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
}

/* The status and message rank 0 got, compared on every rank. */
static void same_error_everywhere(int rc, int want, const char *needle) {
  char message[512];
  snprintf(message, sizeof message, "%s", rgrbm_last_error());
  CHECK(rc == want, "status %d, expected %d (%s)", rc, want, message);
  CHECK(strstr(message, needle) != NULL, "message '%s' lacks '%s'", message, needle);
  int root_rc = rc;
  char root_message[512];
  memcpy(root_message, message, sizeof message);
  MPI_Bcast(&root_rc, 1, MPI_INT, 0, MPI_COMM_WORLD);
  MPI_Bcast(root_message, sizeof root_message, MPI_CHAR, 0, MPI_COMM_WORLD);
  CHECK(rc == root_rc && strcmp(message, root_message) == 0,
        "rank 0 got %d '%s', this rank %d '%s'", root_rc, root_message, rc, message);
}

/* Every rank's failed checks added up, rank 0's verdict printed, MPI
 * finalized: the program's exit status (0 when every rank passed). */
static int mpi_test_finish(void) {
  int total = 0;
  MPI_Allreduce(&failures, &total, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
  if (rank == 0) printf("%d ranks: %s (%d failed checks)\n", size, total ? "FAIL" : "ok", total);
  MPI_Finalize();
  return total ? 1 : 0;
}

#endif
