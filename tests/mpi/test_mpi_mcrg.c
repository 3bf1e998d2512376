/* rgrbm_mpi_mcrg_run under mpirun -np 1, 2, 3 (tests/mpi/run.sh): the
 * exponents are the single-process ones bit for bit on every rank (so the
 * same for every rank count), and a failure on one rank is the same error,
 * naming that rank, on every rank. The harness: mpi_testutil.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mpi_testutil.h"

typedef struct {
  rgrbm_lattice *lat;
  rgrbm_sampler *smp;
  rgrbm_rg *rg;
} setup;

static setup make(rgrbm_algorithm alg) {
  setup u;
  if (rgrbm_lattice_create(&u.lat, RGRBM_SQUARE, 16, 16, RGRBM_PERIODIC) ||
      rgrbm_lattice_set_couplings(u.lat, 0.44, 0) ||
      rgrbm_sampler_create(&u.smp, u.lat, alg, 21) ||
      rgrbm_rg_create_block2d(&u.rg, 16, 16, 2, RGRBM_BLOCK_MAJORITY, 4)) {
    fprintf(stderr, "rank %d: setup failed: %s\n", rank, rgrbm_last_error());
    MPI_Abort(MPI_COMM_WORLD, 2); /* the test's own setup, not the library */
  }
  return u;
}

static void unmake(setup *u) {
  rgrbm_rg_destroy(u->rg);
  rgrbm_sampler_destroy(u->smp);
  rgrbm_lattice_destroy(u->lat);
}

static rgrbm_mcrg_options options(size_t chains) {
  rgrbm_mcrg_options o = RGRBM_MCRG_OPTIONS_INIT;
  o.levels = 2;
  o.samples = 100;
  o.thermalize = 10;
  o.bins = 6;
  o.chains = chains;
  o.seed = 2026;
  o.even_operators = 3;
  o.odd_operators = 2;
  return o;
}

static int same_exponents(const rgrbm_mcrg_result *a, const rgrbm_mcrg_result *b) {
  size_t ne = (size_t)(a->levels * a->even_operators), no = (size_t)(a->levels * a->odd_operators);
  return a->levels == b->levels && a->even_operators == b->even_operators &&
         a->odd_operators == b->odd_operators && a->samples == b->samples &&
         memcmp(a->even, b->even, ne * sizeof *a->even) == 0 &&
         memcmp(a->odd, b->odd, no * sizeof *a->odd) == 0;
}

/* Every rank's exponents are the single-process run's, bit for bit. */
static void exponents_are_the_single_process_ones(size_t chains, rgrbm_algorithm alg) {
  setup mpi = make(alg), local = make(alg);
  rgrbm_mcrg_options o = options(chains);
  rgrbm_mcrg_result a = RGRBM_MCRG_RESULT_INIT, b = RGRBM_MCRG_RESULT_INIT;
  int8_t start[256];
  memcpy(start, rgrbm_lattice_spins_const(mpi.lat), sizeof start);
  int rc = rgrbm_mpi_mcrg_run(mpi.smp, mpi.rg, &o, &a, MPI_COMM_WORLD);
  CHECK(rc == RGRBM_OK, "chains %zu: %s", chains, rgrbm_last_error());
  CHECK(rgrbm_mcrg_run(local.smp, local.rg, &o, &b) == RGRBM_OK, "%s", rgrbm_last_error());
  if (rc == RGRBM_OK)
    CHECK(same_exponents(&a, &b), "chains %zu on %d ranks: exponents differ from one process",
          chains, size);
  /* One chain is rank 0's sampler; several leave every sampler alone. */
  int advanced = memcmp(start, rgrbm_lattice_spins_const(mpi.lat), sizeof start) != 0;
  CHECK(advanced == (chains == 1 && rank == 0), "chains %zu: sampler advanced = %d", chains,
        advanced);
  rgrbm_mcrg_result_free(&a);
  rgrbm_mcrg_result_free(&b);
  unmake(&mpi);
  unmake(&local);
}

static void failures_are_collective(void) {
  setup u = make(RGRBM_WOLFF);
  const int last = size - 1;
  char needle[128];
  rgrbm_mcrg_result r = RGRBM_MCRG_RESULT_INIT, copy = r;

  /* Bad options on the last rank only. */
  rgrbm_mcrg_options o = options(3);
  if (rank == last) o.levels = 0;
  snprintf(needle, sizeof needle, "rgrbm_mpi_mcrg_run: rank %d: o->levels = 0", last);
  same_error_everywhere(rgrbm_mpi_mcrg_run(u.smp, u.rg, &o, &r, MPI_COMM_WORLD), RGRBM_EINVAL,
                        needle);
  CHECK(memcmp(&r, &copy, sizeof r) == 0, "out changed by a failed call");

  /* Valid options that differ from rank 0's (with one rank, nothing differs). */
  o = options(3);
  if (rank == last) o.seed = 7;
  snprintf(needle, sizeof needle, "rank %d: o->seed = 7 differs from rank 0's 2026", last);
  int rc = rgrbm_mpi_mcrg_run(u.smp, u.rg, &o, &r, MPI_COMM_WORLD);
  if (size > 1) same_error_everywhere(rc, RGRBM_EINVAL, needle);
  else CHECK(rc == RGRBM_OK, "%s", rgrbm_last_error());
  rgrbm_mcrg_result_free(&r);

  /* A failure while sampling, on the rank that holds the last chain (chain
   * size: rank 0 holds chains 0 and 1): its
   * template has a spin of 3. The other ranks finish their chains first. */
  o = options((size_t)size + 1);
  if (rank == last) rgrbm_lattice_spins(u.lat)[5] = 3;
  snprintf(needle, sizeof needle, "rgrbm_mpi_mcrg_run: rank %d: chain %d: ", last,
           size == 1 ? 0 : size);
  same_error_everywhere(rgrbm_mpi_mcrg_run(u.smp, u.rg, &o, &r, MPI_COMM_WORLD), RGRBM_EINVAL,
                        needle);
  CHECK(r.even == NULL, "out filled by a failed call");
  rgrbm_lattice_spins(u.lat)[5] = 1;

  /* The library worked on a duplicate: the caller's error handler is still
   * the one it set. */
  MPI_Errhandler handler;
  MPI_Comm_get_errhandler(MPI_COMM_WORLD, &handler);
  CHECK(handler == MPI_ERRORS_ARE_FATAL, "MPI_COMM_WORLD's error handler changed");
  MPI_Errhandler_free(&handler);

  /* No communicator: this rank alone, at once. */
  CHECK(rgrbm_mpi_mcrg_run(u.smp, u.rg, &o, &r, MPI_COMM_NULL) == RGRBM_EINVAL &&
            strcmp(rgrbm_last_error(), "rgrbm_mpi_mcrg_run: comm is MPI_COMM_NULL") == 0,
        "%s", rgrbm_last_error());
  unmake(&u);
}

int main(int argc, char **argv) {
  mpi_test_init(&argc, &argv);
  size_t before = rgrbm_memory_in_use();
  exponents_are_the_single_process_ones(1, RGRBM_WOLFF);
  exponents_are_the_single_process_ones(2, RGRBM_HEAT_BATH);
  exponents_are_the_single_process_ones(5, RGRBM_SWENDSEN_WANG); /* uneven over 2 and 3 */
  exponents_are_the_single_process_ones(7, RGRBM_METROPOLIS);
  failures_are_collective();
  CHECK(rgrbm_memory_in_use() == before, "%zu bytes held after the tests",
        rgrbm_memory_in_use() - before);
  return mpi_test_finish();
}
