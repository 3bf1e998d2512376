/* The communication inputs of docs/scaling.md on this machine: the time of
 * MPI_Allreduce (float sums: a classic data-parallel gradient) and
 * MPI_Allgather (every rank's share to every rank: parameter slices, MCRG's
 * moment sums) for the message sizes the library sends.
 *
 *   mpirun -np N comm_time [reps]
 *
 * Rank 0 prints, per size, the best and the median time of `reps` calls
 * (default 50) and the bandwidth they imply. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int compare(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Best and median seconds of reps calls of op (0 allreduce, 1 allgather) on
 * `count` floats in all. */
static void time_op(int op, size_t count, int reps, int ranks, double *best, double *median) {
  size_t share = count / (size_t)ranks;
  float *a = calloc(count, sizeof *a), *b = calloc(count, sizeof *b);
  double *t = malloc((size_t)reps * sizeof *t);
  if (a == NULL || b == NULL || t == NULL) MPI_Abort(MPI_COMM_WORLD, 1); /* a tool, not the library */
  for (int r = -2; r < reps; r++) { /* two warm-up calls */
    MPI_Barrier(MPI_COMM_WORLD);
    double start = MPI_Wtime();
    if (op == 0)
      MPI_Allreduce(a, b, (int)count, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
    else
      MPI_Allgather(a, (int)share, MPI_FLOAT, b, (int)share, MPI_FLOAT, MPI_COMM_WORLD);
    double s = MPI_Wtime() - start, slowest;
    MPI_Allreduce(&s, &slowest, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
    if (r >= 0) t[r] = slowest;
  }
  qsort(t, (size_t)reps, sizeof *t, compare);
  *best = t[0];
  *median = t[reps / 2];
  free(a);
  free(b);
  free(t);
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  int rank, ranks;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &ranks);
  int reps = argc > 1 ? atoi(argv[1]) : 50;
  if (reps < 1) reps = 1;
  /* Floats: 25 x 100 + biases, 100 x 400, 400 x 1600 (the paper's stack),
   * 1024 x 4096 (the large training set's layer), MCRG's sums of 3 levels
   * and 64 chains ((20 + 64) x 641 doubles = 2 x 53844 floats). */
  const struct {
    const char *what;
    size_t floats;
  } sizes[] = {{"W 100 x 25", 2500},          {"W 400 x 100", 40000},
               {"MCRG sums, 64 chains", 107688}, {"W 1600 x 400", 640000},
               {"W 4096 x 1024", 4194304}};
  if (rank == 0)
    printf("%d ranks, best / median of %d calls (the slowest rank's time)\n", ranks, reps);
  for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
    size_t n = sizes[i].floats / (size_t)ranks * (size_t)ranks;
    double ar_best, ar_med, ag_best, ag_med;
    time_op(0, n, reps, ranks, &ar_best, &ar_med);
    time_op(1, n, reps, ranks, &ag_best, &ag_med);
    if (rank == 0)
      printf("%-22s %9zu bytes  allreduce %9.1f / %9.1f us (%5.2f GB/s)  allgather %9.1f / "
             "%9.1f us (%5.2f GB/s)\n",
             sizes[i].what, n * 4, ar_best * 1e6, ar_med * 1e6, n * 4 / ar_best / 1e9,
             ag_best * 1e6, ag_med * 1e6, n * 4 / ag_best / 1e9);
  }
  MPI_Finalize();
  return 0;
}
