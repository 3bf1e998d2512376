/* Monte Carlo RG of the 2D Ising model at K_c over MPI ranks: independent
 * Swendsen-Wang chains on an L x L torus, spread over the ranks by
 * rgrbm_mpi_mcrg_run, 2 x 2 majority blocks, the leading thermal and
 * magnetic exponents per level. The numbers depend on the arguments, not on
 * the rank count: `mpirun -np 1` and `mpirun -np 64` print the same digits.
 *
 *   mpirun -np N mcrg_mpi [--seed N] [L [samples [chains [levels [thermalize]]]]]
 *
 * The defaults (512 x 512, 10^6 samples over 256 chains, 7 levels) are a
 * production run: hours on one machine (docs/scaling.md has the timing), minutes
 * on a few hundred cores. Rank 0 prints; every rank gets the result. */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "../cli.h"
#include "rgrbm.h"
#include "rgrbm/mpi.h"

typedef struct {
  int L;
  size_t samples, chains;
  int levels;
  uint64_t thermalize, seed;
} run_args;

static void usage(const char *prog, const run_args *d) {
  printf("Usage: mpirun -np N %s [--seed N] [L [samples [chains [levels [thermalize]]]]]\n\n"
         "Monte Carlo renormalization group of the 2D Ising model at K_c over MPI ranks:\n"
         "`chains` independent Swendsen-Wang chains of an L x L torus (each thermalized\n"
         "`thermalize` sweeps), spread over the ranks; `samples` measured configurations\n"
         "in all; 2 x 2 majority blocks. The result does not depend on the rank count.\n\n"
         "  L           side, a multiple of 2^levels with L / 2^levels >= %d (default %d)\n"
         "  samples     configurations measured over all chains (default %zu)\n"
         "  chains      independent chains, at most samples (default %zu)\n"
         "  levels      blocking levels, 1..%d (default %d)\n"
         "  thermalize  sweeps of each chain before it measures (default %llu)\n"
         "  --seed N    seed of the chains (default %llu)\n",
         prog, RGRBM_MCRG_MIN_SIDE, d->L, d->samples, d->chains, RGRBM_MCRG_MAX_LEVELS,
         d->levels, (unsigned long long)d->thermalize, (unsigned long long)d->seed);
}

static int parse_args(int argc, char **argv, run_args *a, int rank) {
  const char *pos[5];
  int n;
  int rc = cli_parse_small(argc, argv, &a->seed, pos, 5, &n);
  if (rc == CLI_HELP && rank == 0) usage(argv[0], a);
  if (rc != CLI_RUN) return rc;
  if (n > 0 && cli_int(pos[0], 1, INT_MAX, &a->L) != 0)
    return cli_usage_error(argv[0], "L: not a positive integer: '%s'", pos[0]);
  if (n > 1 && cli_size(pos[1], 1, &a->samples) != 0)
    return cli_usage_error(argv[0], "samples: not a positive integer: '%s'", pos[1]);
  if (n > 2 && cli_size(pos[2], 1, &a->chains) != 0)
    return cli_usage_error(argv[0], "chains: not a positive integer: '%s'", pos[2]);
  if (n > 3 && cli_int(pos[3], 1, RGRBM_MCRG_MAX_LEVELS, &a->levels) != 0)
    return cli_usage_error(argv[0], "levels: not an integer in 1..%d: '%s'",
                           RGRBM_MCRG_MAX_LEVELS, pos[3]);
  if (n > 4 && cli_u64(pos[4], 0, UINT64_MAX, &a->thermalize) != 0)
    return cli_usage_error(argv[0], "thermalize: not an integer >= 0: '%s'", pos[4]);
  return CLI_RUN;
}

/* cpu: the busiest rank's processor time, which a loaded machine does not
 * stretch as it stretches the wall time s. */
static void print_result(const rgrbm_mcrg_result *r, const run_args *a, int ranks, double cpu,
                         double s) {
  printf("MCRG, %d x %d torus at K_c, %zu samples over %zu chains, %d ranks, cpu %.3f s, %.3f s\n",
         a->L, a->L, r->samples, a->chains, ranks, cpu, s);
  for (int n = 0; n < r->levels; n++) {
    const rgrbm_mcrg_exponent *t = r->even + (size_t)(n + 1) * r->even_operators - 1;
    const rgrbm_mcrg_exponent *h = r->odd + (size_t)(n + 1) * r->odd_operators - 1;
    /* %.17g: two runs agree to the last bit or differ visibly. */
    printf("level %d  y_t %.17g +- %.3g  y_h %.17g +- %.3g\n", n + 1, t->y, t->y_err, h->y,
           h->y_err);
  }
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  int rank, ranks;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &ranks);
  run_args a = {512, 1000000, 256, 7, 1000, 2026};
  int parsed = parse_args(argc, argv, &a, rank);
  if (parsed != CLI_RUN) {
    MPI_Finalize();
    return parsed == CLI_HELP ? 0 : CLI_USAGE;
  }
  rgrbm_mcrg_options o = RGRBM_MCRG_OPTIONS_INIT;
  o.levels = a.levels;
  o.samples = a.samples;
  o.chains = a.chains;
  o.thermalize = a.thermalize;
  o.seed = a.seed;
  rgrbm_lattice *lat = NULL;
  rgrbm_sampler *smp = NULL;
  rgrbm_rg *rg = NULL;
  rgrbm_mcrg_result r = RGRBM_MCRG_RESULT_INIT;
  const double K_c = 0.5 * log(1 + sqrt(2.0));
  /* The template: every rank builds the same one (its spins all up). */
  int rc = rgrbm_lattice_create(&lat, RGRBM_SQUARE, a.L, a.L, RGRBM_PERIODIC);
  if (rc == RGRBM_OK) rc = rgrbm_lattice_set_couplings(lat, K_c, 0);
  if (rc == RGRBM_OK) rc = rgrbm_sampler_create(&smp, lat, RGRBM_SWENDSEN_WANG, a.seed);
  if (rc == RGRBM_OK) rc = rgrbm_rg_create_block2d(&rg, a.L, a.L, 2, RGRBM_BLOCK_MAJORITY, 7);
  MPI_Barrier(MPI_COMM_WORLD);
  double start = MPI_Wtime();
  clock_t cpu_start = clock();
  /* Collective even when this rank's setup failed: a NULL argument is then
   * reported on every rank instead of leaving the others waiting. */
  rc = rgrbm_mpi_mcrg_run(smp, rg, &o, &r, MPI_COMM_WORLD);
  double seconds = MPI_Wtime() - start;
  double cpu = (double)(clock() - cpu_start) / CLOCKS_PER_SEC, cpu_max = cpu;
  MPI_Reduce(&cpu, &cpu_max, 1, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);
  if (rc != RGRBM_OK) {
    if (rank == 0) fprintf(stderr, "%s\n", rgrbm_last_error());
  } else if (rank == 0) {
    print_result(&r, &a, ranks, cpu_max, seconds);
  }
  rgrbm_mcrg_result_free(&r);
  rgrbm_rg_destroy(rg);
  rgrbm_sampler_destroy(smp);
  rgrbm_lattice_destroy(lat);
  MPI_Finalize();
  return rc == RGRBM_OK ? 0 : 1;
}
