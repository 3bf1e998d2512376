/* rgrbm_mpi_cd_train and rgrbm_mpi_cd_train_stack under mpirun -np 1, 2, 3
 * (tests/mpi/run.sh). Every run trains on sub-communicators of 1 .. size
 * ranks (with all of them, several splits of the rows: a rank with no
 * rows, a rank with one row, all rows on one rank), so one run compares
 * rank counts:
 *  - table path: the parameters equal rgrbm_cd_train's on the concatenated
 *    data bit for bit, for every rank count and split (CD, PCD, a
 *    callback, layer 1 fed up by samples, the stack driver);
 *  - sgemm path: bit for bit the same for every rank count and split, and
 *    within a stated bound of rgrbm_cd_train's (layer 0 sgemm, layer 1 fed
 *    up by means);
 *  - failures on one rank (bad options, a shard of the wrong dimension, a
 *    different stack or seed), a stop by rank 0's callback and non-finite
 *    parameters: the same status and message on every rank, no hang (the
 *    runner's timeout).
 * The harness: mpi_testutil.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mpi_testutil.h"

/* The global data: ROWS configurations of NV spins, the same on every
 * rank (a fixed generator), more ordered than random so that training
 * moves. Batches of 40 make slices of 14, 13 and 13 positions on 3 ranks
 * on the table path, of 16, 16 and 8 on the sgemm path (whose slices start
 * at multiples of 16); the last batch of 20 leaves rank 2 none. 200
 * visible units make four blocks of 64 rows of W on the sgemm path. */
enum { NV = 200, NH = 24, NTOP = 8, ROWS = 100, BATCH = 40 };
static int8_t spins[ROWS][NV];

static void make_spins(void) {
  uint64_t x = 0x9E3779B97F4A7C15u;
  for (int r = 0; r < ROWS; r++) {
    const int sign = r % 3 ? 1 : -1; /* three kinds of rows */
    for (int i = 0; i < NV; i++) {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      const int flip = (x >> 40) % 8 == 0;
      spins[r][i] = (int8_t)((i < NV / 2 ? sign : -sign) * (flip ? -1 : 1));
    }
  }
}

static void die(const char *what) {
  fprintf(stderr, "rank %d: setup failed: %s: %s\n", rank, what, rgrbm_last_error());
  MPI_Abort(MPI_COMM_WORLD, 2); /* the test's own setup, not the library */
}

static rgrbm_dataset *rows_dataset(int first, int count, int dim) {
  rgrbm_dataset *ds = NULL;
  if (rgrbm_dataset_create(&ds, (size_t)dim)) die("dataset");
  for (int r = first; r < first + count; r++)
    if (rgrbm_dataset_append(ds, spins[r], 1)) die("append");
  return ds;
}

static rgrbm_units units = RGRBM_UNITS_BINARY; /* of the stacks made */

static rgrbm_stack *make_stack(void) {
  const int sizes[3] = {NV, NH, NTOP};
  rgrbm_stack *s = NULL;
  if (rgrbm_stack_create(&s, sizes, 3, units, 77)) die("stack");
  return s;
}

static size_t layer_floats(const rgrbm_stack *s, int layer) {
  const size_t nv = rgrbm_stack_size(s, layer), nh = rgrbm_stack_size(s, layer + 1);
  return nv * nh + nv + nh;
}

/* The layer's parameters as one block. */
static float *params_of(const rgrbm_stack *s, int layer) {
  const size_t nv = rgrbm_stack_size(s, layer), nh = rgrbm_stack_size(s, layer + 1);
  float *p = malloc(layer_floats(s, layer) * sizeof *p);
  if (p == NULL) die("malloc");
  memcpy(p, rgrbm_stack_weights_const(s, layer), nv * nh * sizeof *p);
  memcpy(p + nv * nh, rgrbm_stack_visible_bias_const(s, layer), nv * sizeof *p);
  memcpy(p + nv * nh + nv, rgrbm_stack_hidden_bias_const(s, layer), nh * sizeof *p);
  return p;
}

static double max_difference(const rgrbm_stack *a, const rgrbm_stack *b, int layer) {
  float *x = params_of(a, layer), *y = params_of(b, layer);
  double most = 0.0;
  for (size_t i = 0; i < layer_floats(a, layer); i++) {
    double d = fabs((double)x[i] - (double)y[i]);
    if (!(d <= most)) most = d; /* NaN wins */
  }
  free(x);
  free(y);
  return most;
}

static int same_bits(const rgrbm_stack *a, const rgrbm_stack *b, int layer) {
  float *x = params_of(a, layer), *y = params_of(b, layer);
  int same = memcmp(x, y, layer_floats(a, layer) * sizeof *x) == 0;
  free(x);
  free(y);
  return same;
}

/* Whether every rank of comm holds rank 0's parameters of the layer. */
static int same_on_every_rank(const rgrbm_stack *s, int layer, MPI_Comm comm) {
  float *mine = params_of(s, layer), *root = params_of(s, layer);
  const int n = (int)layer_floats(s, layer);
  MPI_Bcast(root, n, MPI_FLOAT, 0, comm);
  int same = memcmp(mine, root, (size_t)n * sizeof *mine) == 0, all = 0;
  MPI_Allreduce(&same, &all, 1, MPI_INT, MPI_LAND, comm);
  free(mine);
  free(root);
  return all;
}

/* ---- splits of the rows over p ranks ---- */

enum { SPLITS = 4 };

/* Split `which` of ROWS rows over p ranks: even; one row on rank 0 and the
 * rest on the last (3 ranks: none on rank 1); all on the last rank; 7 rows
 * on every rank but the first. */
static void split_rows(int which, int p, int counts[]) {
  for (int r = 0; r < p; r++) counts[r] = 0;
  if (which == 0 || p == 1) {
    for (int r = 0; r < p; r++) counts[r] = ROWS / p + (r < ROWS % p);
  } else if (which == 1) {
    counts[0] = 1;
    counts[p - 1] = ROWS - 1;
  } else if (which == 2) {
    counts[p - 1] = ROWS;
  } else {
    counts[0] = ROWS - 7 * (p - 1);
    for (int r = 1; r < p; r++) counts[r] = 7;
  }
}

static rgrbm_dataset *shard(int which, int p, int r) {
  int counts[8], first = 0;
  split_rows(which, p, counts);
  for (int q = 0; q < r; q++) first += counts[q];
  return rows_dataset(first, counts[r], NV);
}

/* The communicator of ranks 0..p-1 (MPI_COMM_NULL on the others). */
static MPI_Comm first_ranks(int p) {
  MPI_Comm c;
  MPI_Comm_split(MPI_COMM_WORLD, rank < p ? 0 : MPI_UNDEFINED, rank, &c);
  return c;
}

/* ---- options ---- */

static rgrbm_cd_options cd_options(int persistent, rgrbm_products products) {
  rgrbm_cd_options o = RGRBM_CD_OPTIONS_INIT;
  o.epochs = 2;
  o.batch_size = BATCH;
  o.k = 2;
  o.persistent = persistent;
  o.learning_rate = 0.05;
  o.momentum_switch_epoch = 2; /* both momenta */
  o.l1 = 1e-4;
  o.l2 = 1e-3;
  o.seed = 2026;
  o.products = products;
  return o;
}

typedef struct progress_log {
  int calls;
  double error[8], pll[8];
  int stop_after; /* 0: never */
} progress_log;

static int record_progress(void *user, int layer, int epoch, double error, double pll,
                           double seconds) {
  progress_log *log = user;
  (void)layer;
  (void)seconds;
  if (log->calls < 8) {
    log->error[log->calls] = error;
    log->pll[log->calls] = pll;
  }
  log->calls++;
  return log->stop_after && epoch >= log->stop_after;
}

/* ---- training against one process ---- */

/* The reference: rgrbm_cd_train on all rows, layers below `layer` trained
 * first (by rgrbm_cd_train with lower_o) in both stacks. */
typedef struct pair {
  rgrbm_stack *mpi, *one;
} pair;

static pair make_pair(int layer, const rgrbm_cd_options *lower_o) {
  pair p = {make_stack(), make_stack()};
  rgrbm_dataset *all = rows_dataset(0, ROWS, NV);
  for (int l = 0; l < layer; l++)
    if (rgrbm_cd_train(p.mpi, l, all, lower_o) || rgrbm_cd_train(p.one, l, all, lower_o))
      die("lower layers");
  rgrbm_dataset_destroy(all);
  return p;
}

static void free_pair(pair *p) {
  rgrbm_stack_destroy(p->mpi);
  rgrbm_stack_destroy(p->one);
}

/* Trains `layer` with o on every rank count and split; the parameters are
 * rgrbm_cd_train's bit for bit (bound < 0) or within bound of them and
 * bit for bit those of one rank (bound >= 0). */
static void check_layer(const char *what, int layer, const rgrbm_cd_options *o,
                        const rgrbm_cd_options *lower_o, double bound) {
  pair ref = make_pair(layer, lower_o);
  rgrbm_dataset *all = rows_dataset(0, ROWS, NV);
  if (rgrbm_cd_train(ref.one, layer, all, o)) die("reference");
  rgrbm_stack *first = NULL; /* one rank's result, for the sgemm path */
  for (int p = 1; p <= size; p++) {
    MPI_Comm comm = first_ranks(p);
    /* every split on all ranks, the even one on fewer */
    for (int which = 0; which < (p == size ? SPLITS : 1); which++) {
      if (comm == MPI_COMM_NULL) continue;
      pair run = make_pair(layer, lower_o);
      rgrbm_dataset *local = shard(which, p, rank);
      int rc = rgrbm_mpi_cd_train(run.mpi, layer, local, o, comm);
      CHECK(rc == RGRBM_OK, "%s, %d ranks, split %d: %s", what, p, which, rgrbm_last_error());
      CHECK(same_on_every_rank(run.mpi, layer, comm), "%s, %d ranks, split %d: the ranks' "
            "stacks differ", what, p, which);
      if (bound < 0) {
        CHECK(same_bits(run.mpi, ref.one, layer), "%s, %d ranks, split %d: differs from "
              "rgrbm_cd_train by %g", what, p, which, max_difference(run.mpi, ref.one, layer));
      } else {
        double d = max_difference(run.mpi, ref.one, layer);
        CHECK(d <= bound, "%s, %d ranks, split %d: differs from rgrbm_cd_train by %g > %g",
              what, p, which, d, bound);
        if (first == NULL) {
          first = run.mpi; /* rank 0 alone, the first run (p = 1 runs on rank 0) */
          run.mpi = NULL;
        } else {
          CHECK(same_bits(run.mpi, first, layer), "%s, %d ranks, split %d: differs from "
                "one rank by %g", what, p, which, max_difference(run.mpi, first, layer));
        }
      }
      rgrbm_dataset_destroy(local);
      free_pair(&run);
    }
    if (comm != MPI_COMM_NULL) MPI_Comm_free(&comm);
  }
  rgrbm_stack_destroy(first);
  rgrbm_dataset_destroy(all);
  free_pair(&ref);
}

static void table_path_equals_one_process(void) {
  rgrbm_cd_options cd = cd_options(0, RGRBM_PRODUCTS_TABLES);
  check_layer("CD-2, tables", 0, &cd, NULL, -1.0);
  rgrbm_cd_options pcd = cd_options(1, RGRBM_PRODUCTS_AUTO);
  check_layer("PCD-2, tables", 0, &pcd, NULL, -1.0);
  pcd.persistent_chains = 150; /* more chains than rows: chain c starts at row c mod 100 */
  check_layer("PCD-2, 150 chains", 0, &pcd, NULL, -1.0);
  /* Layer 1 on data fed up by samples (tables): the feed-up draws from the
   * positions' streams. */
  rgrbm_cd_options up = cd_options(0, RGRBM_PRODUCTS_AUTO);
  up.feed_up = RGRBM_PASS_SAMPLES;
  up.batch_size = 33; /* slices of 16, 16 and 1 positions on 3 ranks */
  check_layer("layer 1 fed up by samples", 1, &up, &cd, -1.0);
  up.persistent = 1;
  check_layer("PCD layer 1 fed up by samples", 1, &up, &cd, -1.0);
  units = RGRBM_UNITS_SPIN; /* -1/+1 units: the codes' low value is -1 */
  check_layer("CD-2, spin units", 0, &cd, NULL, -1.0);
  units = RGRBM_UNITS_BINARY;
}

/* The sgemm path: the same bits for every rank count; against one process
 * (whose sgemm calls have other shapes) a float-rounding difference after 2
 * epochs of k = 2 (9e-8 measured after 3), parameters of order 0.1 to 1: 1e-5
 * is about 100 ulps of the largest. */
static void sgemm_path_is_rank_independent(void) {
  rgrbm_cd_options cd = cd_options(0, RGRBM_PRODUCTS_SGEMM);
  check_layer("CD-2, sgemm", 0, &cd, NULL, 1e-5);
  rgrbm_cd_options pcd = cd_options(1, RGRBM_PRODUCTS_SGEMM);
  check_layer("PCD-2, sgemm", 0, &pcd, NULL, 1e-5);
  rgrbm_cd_options means = cd_options(0, RGRBM_PRODUCTS_AUTO); /* sgemm: means are floats */
  means.feed_up = RGRBM_PASS_MEANS;
  rgrbm_cd_options lower = cd_options(0, RGRBM_PRODUCTS_AUTO);
  check_layer("layer 1 fed up by means", 1, &means, &lower, 1e-5);
  means.mean_field_reconstruction = 1;
  check_layer("layer 1, mean-field reconstruction", 1, &means, &lower, 1e-5);
}

/* A callback changes nothing; rank 0's gets rgrbm_cd_train's numbers (the
 * error summed per position: to rounding; the PLL per shard: to rounding). */
static void progress_runs_on_rank_zero(void) {
  for (int persistent = 0; persistent <= 1; persistent++) {
    rgrbm_cd_options o = cd_options(persistent, RGRBM_PRODUCTS_AUTO);
    o.compute_pll = 1;
    progress_log want = {0}, got = {0};
    o.progress = record_progress;
    o.progress_data = &want;
    pair p = make_pair(0, NULL);
    rgrbm_dataset *all = rows_dataset(0, ROWS, NV), *local = shard(3, size, rank);
    if (rgrbm_cd_train(p.one, 0, all, &o)) die("reference");
    o.progress_data = &got;
    if (rank == size - 1 && size > 1) o.progress = NULL; /* only rank 0's is called */
    int rc = rgrbm_mpi_cd_train(p.mpi, 0, local, &o, MPI_COMM_WORLD);
    CHECK(rc == RGRBM_OK, "persistent %d: %s", persistent, rgrbm_last_error());
    CHECK(same_bits(p.mpi, p.one, 0), "persistent %d: the callback changed the training",
          persistent);
    CHECK(got.calls == (rank == 0 ? o.epochs : 0), "persistent %d: %d calls on rank %d",
          persistent, got.calls, rank);
    for (int e = 0; rank == 0 && e < o.epochs; e++) {
      CHECK(fabs(got.error[e] - want.error[e]) <= 1e-6 * want.error[e],
            "persistent %d, epoch %d: error %.9g, one process %.9g", persistent, e + 1,
            got.error[e], want.error[e]);
      CHECK(fabs(got.pll[e] - want.pll[e]) <= 1e-12 * fabs(want.pll[e]),
            "persistent %d, epoch %d: PLL %.17g, one process %.17g", persistent, e + 1,
            got.pll[e], want.pll[e]);
    }
    rgrbm_dataset_destroy(all);
    rgrbm_dataset_destroy(local);
    free_pair(&p);
  }
}

static void stack_driver_equals_one_process(void) {
  rgrbm_cd_options per_layer[2] = {cd_options(0, RGRBM_PRODUCTS_AUTO),
                                   cd_options(1, RGRBM_PRODUCTS_AUTO)};
  per_layer[1].feed_up = RGRBM_PASS_SAMPLES;
  per_layer[1].batch_size = 50;
  pair p = make_pair(0, NULL);
  rgrbm_dataset *all = rows_dataset(0, ROWS, NV), *local = shard(1, size, rank);
  if (rgrbm_cd_train_stack(p.one, all, per_layer)) die("reference");
  int rc = rgrbm_mpi_cd_train_stack(p.mpi, local, per_layer, MPI_COMM_WORLD);
  CHECK(rc == RGRBM_OK, "%s", rgrbm_last_error());
  for (int l = 0; l < 2; l++)
    CHECK(same_bits(p.mpi, p.one, l), "stack: layer %d differs by %g", l,
          max_difference(p.mpi, p.one, l));
  rgrbm_dataset_destroy(all);
  rgrbm_dataset_destroy(local);
  free_pair(&p);
}

/* ---- failures ---- */

/* rgrbm_cd_train's last message as rgrbm_mpi_cd_train words it. */
static void mpi_message(char *out, size_t n) {
  const char *prefix = "rgrbm_cd_train: ", *m = rgrbm_last_error();
  CHECK(strncmp(m, prefix, strlen(prefix)) == 0, "unexpected message '%s'", m);
  snprintf(out, n, "rgrbm_mpi_cd_train: %s", m + strlen(prefix));
}

/* Layer 0 trained with o fails with `want`, on all rows in one process and
 * on the shards over the ranks: the same message (reworded) on every rank
 * and the parameters one process is left with. */
static void fails_as_one_process(const rgrbm_cd_options *o, const rgrbm_dataset *all,
                                 const rgrbm_dataset *local, int want, const char *what) {
  char needle[160];
  pair p = make_pair(0, NULL);
  CHECK(rgrbm_cd_train(p.one, 0, all, o) == want, "%s: the reference did not fail with %d",
        what, want);
  mpi_message(needle, sizeof needle);
  same_error_everywhere(rgrbm_mpi_cd_train(p.mpi, 0, local, o, MPI_COMM_WORLD), want, needle);
  CHECK(same_bits(p.mpi, p.one, 0), "%s: the parameters differ from one process's", what);
  free_pair(&p);
}

/* A failed call leaves the stack as it was. */
static void unchanged(rgrbm_stack *s, const char *what) {
  rgrbm_stack *fresh = make_stack();
  for (int l = 0; l < 2; l++) CHECK(same_bits(s, fresh, l), "%s: layer %d changed", what, l);
  rgrbm_stack_destroy(fresh);
}

static void failures_are_collective(void) {
  const int last = size - 1;
  char needle[160];
  rgrbm_stack *s = make_stack();
  rgrbm_dataset *local = shard(0, size, rank);

  /* Bad options on the last rank only. */
  rgrbm_cd_options o = cd_options(0, RGRBM_PRODUCTS_AUTO);
  if (rank == last) o.k = 0;
  snprintf(needle, sizeof needle, "rgrbm_mpi_cd_train: rank %d: o->k = 0, must be at least 1",
           last);
  same_error_everywhere(rgrbm_mpi_cd_train(s, 0, local, &o, MPI_COMM_WORLD), RGRBM_EINVAL,
                        needle);
  unchanged(s, "bad options");

  /* A shard of the wrong dimension on the last rank. */
  o = cd_options(0, RGRBM_PRODUCTS_AUTO);
  rgrbm_dataset *narrow = rows_dataset(0, 3, NV - 1);
  snprintf(needle, sizeof needle, "rgrbm_mpi_cd_train: rank %d: local dim = %d != size(0) = %d",
           last, NV - 1, NV);
  same_error_everywhere(rgrbm_mpi_cd_train(s, 0, rank == last ? narrow : local, &o,
                                           MPI_COMM_WORLD),
                        RGRBM_EINVAL, needle);
  unchanged(s, "wrong dimension");

  /* Valid options or a stack that differ from rank 0's (with one rank,
   * nothing differs). */
  if (rank == last) o.seed = 7;
  snprintf(needle, sizeof needle, "rank %d: o->seed = 7 differs from rank 0's 2026", last);
  int rc = rgrbm_mpi_cd_train(s, 0, local, &o, MPI_COMM_WORLD);
  if (size > 1) {
    same_error_everywhere(rc, RGRBM_EINVAL, needle);
    unchanged(s, "different options");
    o.seed = 2026;
    const float kept = rgrbm_stack_weights(s, 1)[5];
    if (rank == last) rgrbm_stack_weights(s, 1)[5] += 1.0f;
    snprintf(needle, sizeof needle, "rank %d: the stack's parameters differ from rank 0's",
             last);
    same_error_everywhere(rgrbm_mpi_cd_train(s, 0, local, &o, MPI_COMM_WORLD), RGRBM_EINVAL,
                          needle);
    rgrbm_stack_weights(s, 1)[5] = kept;
    unchanged(s, "different stacks");
  } else {
    CHECK(rc == RGRBM_OK, "%s", rgrbm_last_error());
  }
  rgrbm_stack_destroy(s);
  s = make_stack();

  /* No rows anywhere. */
  rgrbm_dataset *empty = rows_dataset(0, 0, NV);
  same_error_everywhere(rgrbm_mpi_cd_train(s, 0, empty, &o, MPI_COMM_WORLD), RGRBM_EINVAL,
                        "rgrbm_mpi_cd_train: rank 0: the shards hold 0 configurations in all");

  /* The stack driver: layer 1's options bad on the last rank. */
  rgrbm_cd_options per_layer[2] = {cd_options(0, RGRBM_PRODUCTS_AUTO),
                                   cd_options(0, RGRBM_PRODUCTS_AUTO)};
  if (rank == last) per_layer[1].learning_rate = -1.0;
  snprintf(needle, sizeof needle, "rgrbm_mpi_cd_train_stack: rank %d: per_layer[1]: "
           "rgrbm_mpi_cd_train: o->learning_rate = -1", last);
  same_error_everywhere(rgrbm_mpi_cd_train_stack(s, local, per_layer, MPI_COMM_WORLD),
                        RGRBM_EINVAL, needle);
  unchanged(s, "stack driver");

  /* Rank 0's callback stops every rank after epoch 1, as one process. */
  rgrbm_dataset *all = rows_dataset(0, ROWS, NV);
  progress_log log = {.stop_after = 1};
  o = cd_options(1, RGRBM_PRODUCTS_AUTO);
  o.progress = record_progress;
  o.progress_data = &log;
  fails_as_one_process(&o, all, local, RGRBM_ECANCELED, "cancelled");

  /* A learning rate that overflows: every rank restores the last good
   * parameters (those of one process). */
  o = cd_options(0, RGRBM_PRODUCTS_AUTO);
  o.learning_rate = 3e38;
  o.momentum_initial = 0.0;
  o.epochs = 2;
  fails_as_one_process(&o, all, local, RGRBM_ENUMERIC, "overflow");

  /* MPI_COMM_NULL is refused by every rank alone. */
  rc = rgrbm_mpi_cd_train(s, 0, local, &o, MPI_COMM_NULL);
  CHECK(rc == RGRBM_EINVAL && strstr(rgrbm_last_error(), "comm is MPI_COMM_NULL"), "%s",
        rgrbm_last_error());

  rgrbm_dataset_destroy(all);
  rgrbm_dataset_destroy(empty);
  rgrbm_dataset_destroy(narrow);
  rgrbm_dataset_destroy(local);
  rgrbm_stack_destroy(s);
}

int main(int argc, char **argv) {
  mpi_test_init(&argc, &argv);
  make_spins();
  table_path_equals_one_process();
  sgemm_path_is_rank_independent();
  progress_runs_on_rank_zero();
  stack_driver_equals_one_process();
  failures_are_collective();
  /* The library's own allocations are all returned (OpenMPI's are not
   * counted). */
  CHECK(rgrbm_memory_in_use() == 0, "%zu bytes still allocated", rgrbm_memory_in_use());
  return mpi_test_finish();
}
