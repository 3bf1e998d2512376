/* The CD target of issue 15: epochs of CD-1 on the shape of
 * tests/bench/bench_cd (1600 -> 400 binary units, 20,000 random
 * configurations, batches of 100, the default table path), either by
 * rgrbm_cd_train in one process (mode `single`, on the library's threads:
 * set OMP_NUM_THREADS) or by rgrbm_mpi_cd_train over the ranks (mode `mpi`,
 * each rank holding an even shard). Every repetition trains a fresh stack
 * for one epoch; rank 0 prints the best and median wall time (the slowest
 * rank's) and a hash of the trained parameters, which must be the same in
 * both modes. examples/mpi/bench_cd_mpi.sh runs both and prints the ratio.
 *
 *   mpirun -np N bench_cd_mpi [--seed N] [mode [reps [rows]]] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../cli.h"
#include "rgrbm.h"
#include "rgrbm/mpi.h"

enum { NV = 1600, NH = 400, BATCH = 100 };

typedef struct {
  int mpi;         /* 0: rgrbm_cd_train on one rank */
  int reps;
  size_t rows;
  uint64_t seed;
  const char *cpu; /* NULL: every level the CPU has */
} bench_args;

static void usage(const char *prog, const bench_args *d) {
  printf("Usage: mpirun -np N %s [--seed N] [mode [reps [rows [cpu]]]]\n\n"
         "Times epochs of CD-1, %d -> %d binary units, batches of %d, on random\n"
         "configurations: by rgrbm_cd_train on one rank (mode single; its threads are\n"
         "OMP_NUM_THREADS) or by rgrbm_mpi_cd_train over the ranks (mode mpi). Prints the\n"
         "best and median epoch and a hash of the parameters (the same in both modes).\n\n"
         "  mode       single or mpi (default %s)\n"
         "  reps       epochs timed, each on a fresh stack (default %d)\n"
         "  rows       configurations (default %zu)\n"
         "  cpu        limit the kernels to generic, avx2 or avx512 (default: all the\n"
         "             CPU has), standing in for CPUs of that class\n"
         "  --seed N   seed of the data, the stack and the training (default %llu)\n",
         prog, NV, NH, BATCH, d->mpi ? "mpi" : "single", d->reps, d->rows,
         (unsigned long long)d->seed);
}

/* The kernel mask of a level name, or CPU_UNKNOWN. */
#define CPU_UNKNOWN 0xFFFFFFFEu
static unsigned cpu_mask(const char *name) {
  if (strcmp(name, "generic") == 0) return 0;
  if (strcmp(name, "avx2") == 0) return RGRBM_CPU_FLAG_AVX2;
  if (strcmp(name, "avx512") == 0) return RGRBM_CPU_FLAG_AVX2 | RGRBM_CPU_FLAG_AVX512;
  return CPU_UNKNOWN;
}

static int parse_args(int argc, char **argv, bench_args *a, int rank) {
  const char *pos[4];
  int n;
  int rc = cli_parse_small(argc, argv, &a->seed, pos, 4, &n);
  if (rc == CLI_HELP && rank == 0) usage(argv[0], a);
  if (rc != CLI_RUN) return rc;
  if (n > 0 && strcmp(pos[0], "single") != 0 && strcmp(pos[0], "mpi") != 0)
    return cli_usage_error(argv[0], "mode: neither single nor mpi: '%s'", pos[0]);
  if (n > 0) a->mpi = strcmp(pos[0], "mpi") == 0;
  if (n > 1 && cli_int(pos[1], 1, 1000, &a->reps) != 0)
    return cli_usage_error(argv[0], "reps: not an integer in 1..1000: '%s'", pos[1]);
  if (n > 2 && cli_size(pos[2], 1, &a->rows) != 0)
    return cli_usage_error(argv[0], "rows: not a positive integer: '%s'", pos[2]);
  if (n > 3 && cpu_mask(pos[3]) == CPU_UNKNOWN)
    return cli_usage_error(argv[0], "cpu: neither generic, avx2 nor avx512: '%s'", pos[3]);
  if (n > 3) a->cpu = pos[3];
  return CLI_RUN;
}

/* This rank's shard of the random data set (every rank draws the whole
 * stream and keeps its rows). */
static rgrbm_dataset *shard(const bench_args *a, size_t first, size_t count) {
  rgrbm_dataset *ds = NULL;
  int8_t *row = malloc(NV);
  if (row == NULL || rgrbm_dataset_create(&ds, NV) || rgrbm_dataset_reserve(ds, count)) {
    free(row);
    rgrbm_dataset_destroy(ds);
    return NULL;
  }
  uint64_t x = a->seed * 0x9E3779B97F4A7C15u + 1;
  for (size_t r = 0; r < first + count; r++)
    for (int i = 0; i < NV; i++) {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      row[i] = (x >> 32) & 1 ? 1 : -1;
      if (i == NV - 1 && r >= first && rgrbm_dataset_append(ds, row, 1) != RGRBM_OK) {
        free(row);
        rgrbm_dataset_destroy(ds);
        return NULL;
      }
    }
  free(row);
  return ds;
}

/* FNV-1a of the layer's parameters' bytes. */
static uint64_t parameter_hash(const rgrbm_stack *s) {
  const struct {
    const float *p;
    size_t n;
  } parts[3] = {{rgrbm_stack_weights_const(s, 0), (size_t)NV * NH},
                {rgrbm_stack_visible_bias_const(s, 0), NV},
                {rgrbm_stack_hidden_bias_const(s, 0), NH}};
  uint64_t h = 0xcbf29ce484222325u;
  for (int k = 0; k < 3; k++) {
    const unsigned char *b = (const unsigned char *)parts[k].p;
    for (size_t i = 0; i < parts[k].n * sizeof(float); i++) h = (h ^ b[i]) * 0x100000001b3u;
  }
  return h;
}

static int compare(const void *x, const void *y) {
  double a = *(const double *)x, b = *(const double *)y;
  return (a > b) - (a < b);
}

/* One epoch on a fresh stack; *seconds is the slowest rank's. */
static int timed_epoch(const bench_args *a, const rgrbm_dataset *data, double *seconds,
                       uint64_t *hash) {
  const int sizes[2] = {NV, NH};
  rgrbm_stack *s = NULL;
  int rc = rgrbm_stack_create(&s, sizes, 2, RGRBM_UNITS_BINARY, a->seed);
  rgrbm_cd_options o = RGRBM_CD_OPTIONS_INIT;
  o.epochs = 1;
  o.batch_size = BATCH;
  o.seed = a->seed;
  MPI_Barrier(MPI_COMM_WORLD);
  double start = MPI_Wtime();
  if (a->mpi)
    rc = rgrbm_mpi_cd_train(s, 0, data, &o, MPI_COMM_WORLD); /* collective even on failure */
  else if (rc == RGRBM_OK)
    rc = rgrbm_cd_train(s, 0, data, &o);
  double mine = MPI_Wtime() - start;
  MPI_Allreduce(&mine, seconds, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
  if (rc == RGRBM_OK) *hash = parameter_hash(s);
  rgrbm_stack_destroy(s);
  return rc;
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  int rank, ranks;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &ranks);
  bench_args a = {0, 5, 20000, 2024, NULL};
  int parsed = parse_args(argc, argv, &a, rank);
  if (parsed == CLI_RUN && !a.mpi && ranks != 1)
    parsed = rank == 0 ? cli_usage_error(argv[0], "mode single runs on one rank, not %d", ranks)
                       : CLI_USAGE;
  if (parsed != CLI_RUN) {
    MPI_Finalize();
    return parsed == CLI_HELP ? 0 : CLI_USAGE;
  }
  if (a.cpu != NULL) rgrbm_cpu_set_mask(cpu_mask(a.cpu));
  size_t first = a.rows / (size_t)ranks * (size_t)rank, count = a.rows / (size_t)ranks;
  if (rank == ranks - 1) count = a.rows - first;
  rgrbm_dataset *data = shard(&a, first, count);
  double *t = malloc((size_t)a.reps * sizeof *t);
  uint64_t hash = 0;
  int rc = data && t ? RGRBM_OK : RGRBM_ENOMEM;
  for (int r = 0; rc == RGRBM_OK && r < a.reps; r++) rc = timed_epoch(&a, data, &t[r], &hash);
  if (rc != RGRBM_OK && rank == 0)
    fprintf(stderr, "%s\n", rc == RGRBM_ENOMEM && !(data && t) ? "out of memory"
                                                                : rgrbm_last_error());
  if (rc == RGRBM_OK && rank == 0) {
    qsort(t, (size_t)a.reps, sizeof *t, compare);
    printf("%s, %d rank%s: CD-1 epoch %d -> %d, %zu rows, batch %d, kernels %s: best %.3f s, "
           "median %.3f s, parameters %016llx\n",
           a.mpi ? "rgrbm_mpi_cd_train" : "rgrbm_cd_train", ranks, ranks == 1 ? "" : "s", NV,
           NH, a.rows, BATCH, rgrbm_cpu_level_name(), t[0], t[a.reps / 2],
           (unsigned long long)hash);
  }
  free(t);
  rgrbm_dataset_destroy(data);
  MPI_Finalize();
  return rc == RGRBM_OK ? 0 : 1;
}
