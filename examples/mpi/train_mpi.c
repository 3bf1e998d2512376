/* The paper's stack trained over MPI ranks: 2D Ising configurations at
 * K = 0.408 (Wolff chains), each rank drawing its own shard, then greedy
 * CD-1 of the stack 1600-400-100-25 (40 x 40 lattice; --quick: 256-64-16-4
 * on 16 x 16) by rgrbm_mpi_cd_train_stack, every batch spread over the
 * ranks. The data come in chunks of CHUNK configurations, chunk c from its
 * own chain (seed, c), and rank r draws a consecutive range of chunks, so
 * the global data set, and with it the trained stack, is the same for any
 * number of ranks: `mpirun -np 1` and `mpirun -np 8` print the same hash.
 *
 *   mpirun -np N train_mpi [--quick] [--seed N] [epochs [samples [batch]]]
 *
 * Rank 0 prints the progress and the parameters' hash; with --out FILE it
 * also saves the stack. Training options as examples/paper2d (its
 * config.c says why). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../cli.h"
#include "rgrbm.h"
#include "rgrbm/mpi.h"

enum { CHUNK = 250, THERMALIZE = 200, SPACING = 3, MAX_ARGS = 64 };

typedef struct {
  int side, sizes[4];
  int epochs;
  size_t samples, batch;
  uint64_t seed;
  const char *out;
} run_args;

static const run_args FULL = {40, {1600, 400, 100, 25}, 200, 20000, 500, 1410383, NULL};
static const run_args QUICK = {16, {256, 64, 16, 4}, 30, 2000, 100, 1410383, NULL};

static void usage(const char *prog) {
  printf("Usage: mpirun -np N %s [--quick] [--seed N] [--out FILE] [epochs [samples [batch]]]\n\n"
         "Trains the stack of Mehta & Schwab's 2D Ising experiment over MPI ranks: each\n"
         "rank draws its shard of Ising configurations at K = 0.408 (Wolff chains, %d\n"
         "configurations a chain), then greedy CD-1 of every layer by\n"
         "rgrbm_mpi_cd_train_stack. The result does not depend on the rank count.\n\n"
         "  epochs      epochs a layer (default %d, --quick %d)\n"
         "  samples     configurations in all (default %zu, --quick %zu)\n"
         "  batch       minibatch size (default %zu, --quick %zu)\n"
         "  --quick     a 16 x 16 lattice and the stack 256-64-16-4 (default 40 x 40,\n"
         "              1600-400-100-25)\n"
         "  --seed N    seed of the data, the stack and the training (default %llu)\n"
         "  --out FILE  save the trained stack (rank 0)\n"
         "  -h, --help  this text\n",
         prog, CHUNK, FULL.epochs, QUICK.epochs, FULL.samples, QUICK.samples, FULL.batch,
         QUICK.batch, (unsigned long long)FULL.seed);
}

/* --quick and --out FILE, then examples/cli.h's options and numbers. */
static int parse_args(int argc, char **argv, run_args *a, int rank) {
  const char *rest[MAX_ARGS], *pos[3];
  int nrest = 0, n, quick = 0;
  const char *out = NULL;
  if (argc > MAX_ARGS) return cli_usage_error(argv[0], "too many arguments");
  rest[nrest++] = argv[0];
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--quick") == 0) {
      quick = 1;
    } else if (strcmp(argv[i], "--out") == 0) {
      if (i + 1 == argc) return cli_usage_error(argv[0], "option --out needs a value");
      out = argv[++i];
    } else {
      rest[nrest++] = argv[i];
    }
  }
  uint64_t seed = FULL.seed;
  int rc = cli_parse_small(nrest, (char **)rest, &seed, pos, 3, &n);
  if (rc == CLI_HELP && rank == 0) usage(argv[0]);
  if (rc != CLI_RUN) return rc;
  *a = quick ? QUICK : FULL;
  a->seed = seed;
  a->out = out;
  if (n > 0 && cli_int(pos[0], 1, INT_MAX / 2, &a->epochs) != 0)
    return cli_usage_error(argv[0], "epochs: not a positive integer: '%s'", pos[0]);
  if (n > 1 && cli_size(pos[1], 1, &a->samples) != 0)
    return cli_usage_error(argv[0], "samples: not a positive integer: '%s'", pos[1]);
  if (n > 2 && cli_size(pos[2], 1, &a->batch) != 0)
    return cli_usage_error(argv[0], "batch: not a positive integer: '%s'", pos[2]);
  return CLI_RUN;
}

/* Chunk c of the data (its own lattice and Wolff chain) appended to ds. */
static int draw_chunk(const run_args *a, size_t c, size_t count, rgrbm_dataset *ds) {
  rgrbm_lattice *lat = NULL;
  rgrbm_sampler *smp = NULL;
  int rc = rgrbm_lattice_create(&lat, RGRBM_SQUARE, a->side, a->side, RGRBM_PERIODIC);
  if (rc == RGRBM_OK) rc = rgrbm_lattice_set_couplings(lat, 0.408, 0.0);
  if (rc == RGRBM_OK) rc = rgrbm_lattice_randomize(lat, a->seed + 2 * c);
  if (rc == RGRBM_OK) rc = rgrbm_sampler_create(&smp, lat, RGRBM_WOLFF, a->seed + 2 * c + 1);
  if (rc == RGRBM_OK) rc = rgrbm_sampler_draw(smp, count, THERMALIZE, SPACING, ds);
  rgrbm_sampler_destroy(smp);
  rgrbm_lattice_destroy(lat);
  return rc;
}

/* This rank's consecutive range of the chunks. */
static int draw_shard(const run_args *a, int rank, int ranks, rgrbm_dataset **out) {
  const size_t chunks = (a->samples + CHUNK - 1) / CHUNK, r = (size_t)rank;
  const size_t each = chunks / (size_t)ranks, extra = chunks % (size_t)ranks;
  const size_t first = each * r + (r < extra ? r : extra), last = first + each + (r < extra);
  int rc = rgrbm_dataset_create(out, (size_t)a->side * (size_t)a->side);
  for (size_t c = first; rc == RGRBM_OK && c < last; c++) {
    const size_t count = c + 1 < chunks ? CHUNK : a->samples - c * CHUNK;
    rc = draw_chunk(a, c, count, *out);
  }
  return rc;
}

static int progress(void *user, int layer, int epoch, double error, double pll,
                    double seconds) {
  const run_args *a = user;
  (void)pll;
  if (epoch == 1 || epoch % 10 == 0 || epoch == a->epochs)
    printf("layer %d epoch %3d  reconstruction error %.5f  %.3f s\n", layer, epoch, error,
           seconds);
  fflush(stdout);
  return 0;
}

static uint64_t parameter_hash(const rgrbm_stack *s) {
  uint64_t h = 0xcbf29ce484222325u;
  for (int l = 0; l < rgrbm_stack_depth(s); l++) {
    const size_t nv = rgrbm_stack_size(s, l), nh = rgrbm_stack_size(s, l + 1);
    const struct {
      const float *p;
      size_t n;
    } parts[3] = {{rgrbm_stack_weights_const(s, l), nv * nh},
                  {rgrbm_stack_visible_bias_const(s, l), nv},
                  {rgrbm_stack_hidden_bias_const(s, l), nh}};
    for (int k = 0; k < 3; k++) {
      const unsigned char *b = (const unsigned char *)parts[k].p;
      for (size_t i = 0; i < parts[k].n * sizeof(float); i++) h = (h ^ b[i]) * 0x100000001b3u;
    }
  }
  return h;
}

/* The rank mpirun gives this process, before MPI_Init (0 when run alone):
 * Open MPI's, MPICH's (PMI) and PMIx's variables. */
static int launcher_rank(void) {
  const char *names[] = {"OMPI_COMM_WORLD_RANK", "PMI_RANK", "PMIX_RANK"};
  for (int i = 0; i < 3; i++) {
    const char *v = getenv(names[i]);
    if (v != NULL) return atoi(v);
  }
  return 0;
}

int main(int argc, char **argv) {
  /* The command line is read before MPI starts: --help and usage errors
   * need no MPI (--help prints on rank 0 only under mpirun). */
  run_args a;
  int parsed = parse_args(argc, argv, &a, launcher_rank());
  if (parsed != CLI_RUN) return parsed == CLI_HELP ? 0 : CLI_USAGE;
  MPI_Init(&argc, &argv);
  int rank, ranks;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &ranks);
  rgrbm_dataset *local = NULL;
  rgrbm_stack *s = NULL;
  double start = MPI_Wtime();
  int rc = draw_shard(&a, rank, ranks, &local);
  double drawn = MPI_Wtime() - start;
  if (rc == RGRBM_OK) rc = rgrbm_stack_create(&s, a.sizes, 4, RGRBM_UNITS_SPIN, a.seed);
  rgrbm_cd_options o[3];
  for (int l = 0; l < 3; l++) {
    rgrbm_cd_options_init(&o[l], RGRBM_CD_OPTIONS_VERSION);
    o[l].epochs = a.epochs;
    o[l].batch_size = a.batch;
    o[l].learning_rate = 0.02;
    o[l].l1 = 2e-4;
    o[l].seed = a.seed;
    o[l].progress = progress; /* rank 0's alone is called */
    o[l].progress_data = &a;
  }
  if (rank == 0)
    printf("%d ranks: %zu configurations of %d x %d at K = 0.408, stack %d-%d-%d-%d\n", ranks,
           a.samples, a.side, a.side, a.sizes[0], a.sizes[1], a.sizes[2], a.sizes[3]);
  /* Collective even when this rank's setup failed: every rank then reports
   * that rank's error instead of waiting for it. */
  double train_start = MPI_Wtime();
  int trc = rgrbm_mpi_cd_train_stack(s, local, o, MPI_COMM_WORLD);
  double trained = MPI_Wtime() - train_start;
  if (rc == RGRBM_OK) rc = trc;
  if (rc == RGRBM_OK && rank == 0 && a.out) rc = rgrbm_stack_save(s, a.out);
  if (rc != RGRBM_OK) {
    fprintf(stderr, "rank %d: %s\n", rank, rgrbm_last_error());
  } else if (rank == 0) {
    printf("data drawn in %.2f s, trained in %.2f s; parameters %016llx\n", drawn, trained,
           (unsigned long long)parameter_hash(s));
  }
  rgrbm_stack_destroy(s);
  rgrbm_dataset_destroy(local);
  MPI_Finalize();
  return rc == RGRBM_OK ? 0 : 1;
}
