/* MCRG: operators against direct loops, the exact linearized map at the
 * infinite-temperature fixed point, singular correlations, bad input. The
 * critical exponents are checked in test_mcrg_accept.c. */
#include <lapacke.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "mcrg.h"
#include "rgrbm/mcrg.h"
#include "rng.h"
#include "testutil.h"

static int spin_at(const int8_t *s, int lx, int ly, int x, int y) {
  return s[((y % ly + ly) % ly) * lx + (x % lx + lx) % lx];
}

START_TEST(operators_match_direct_sums) {
  const int lx = 6, ly = 5;
  int8_t s[30];
  rgrbm__rng r;
  rgrbm__rng_init(&r, 9, 0);
  for (int i = 0; i < 30; i++) s[i] = (rgrbm__rng_u32(&r) >> 31) ? 1 : -1;
  double want[RGRBM_MCRG_EVEN + RGRBM_MCRG_ODD] = {0};
  for (int y = 0; y < ly; y++)
    for (int x = 0; x < lx; x++) {
#define S(dx, dy) spin_at(s, lx, ly, x + (dx), y + (dy))
      want[0] += S(0, 0) * (S(1, 0) + S(0, 1));
      want[1] += S(0, 0) * (S(1, 1) + S(1, -1));
      want[2] += S(0, 0) * (S(2, 0) + S(0, 2));
      want[3] += S(0, 0) * S(1, 0) * S(0, 1) * S(1, 1);
      want[4] += S(0, 0) * (S(2, 1) + S(1, 2) + S(2, -1) + S(1, -2));
      want[5] += S(0, 0) * (S(2, 2) + S(2, -2));
      want[6] += S(0, 0);
      want[7] += S(0, 0) * S(1, 0) * S(0, 1) + S(0, 0) * S(1, 0) * S(1, 1) +
                 S(0, 0) * S(0, 1) * S(1, 1) + S(1, 0) * S(0, 1) * S(1, 1);
      want[8] += S(-1, 0) * S(0, 0) * S(1, 0) + S(0, -1) * S(0, 0) * S(0, 1);
      want[9] += S(-1, -1) * S(0, 0) * S(1, 1) + S(-1, 1) * S(0, 0) * S(1, -1);
#undef S
    }
  int8_t *frame = malloc(rgrbm__mcrg_frame_size(lx, ly));
  double got[10];
  rgrbm__mcrg_measure(s, lx, ly, RGRBM_MCRG_EVEN, RGRBM_MCRG_ODD, frame, got);
  for (int a = 0; a < 10; a++) ck_assert_msg(got[a] == want[a], "operator %d: %g vs %g", a, got[a], want[a]);
  /* Truncation keeps the first operators of each parity. */
  rgrbm__mcrg_measure(s, lx, ly, 2, 1, frame, got);
  ck_assert(got[0] == want[0] && got[1] == want[1] && got[2] == want[6]);
  free(frame);
}
END_TEST

typedef struct {
  rgrbm_lattice *lat;
  rgrbm_sampler *smp;
  rgrbm_rg *rg;
} setup;

static setup make(int L, double K, rgrbm_algorithm alg, uint64_t seed) {
  setup u;
  ck_assert_ok(rgrbm_lattice_create(&u.lat, RGRBM_SQUARE, L, L, RGRBM_PERIODIC));
  ck_assert_ok(rgrbm_lattice_set_couplings(u.lat, K, 0));
  ck_assert_ok(rgrbm_sampler_create(&u.smp, u.lat, alg, seed));
  ck_assert_ok(rgrbm_rg_create_block2d(&u.rg, L, L, 2, RGRBM_BLOCK_MAJORITY, seed));
  return u;
}

static void unmake(setup *u) {
  rgrbm_rg_destroy(u->rg);
  rgrbm_sampler_destroy(u->smp);
  rgrbm_lattice_destroy(u->lat);
}

static rgrbm_mcrg_options options(int levels, size_t samples, long thermalize) {
  rgrbm_mcrg_options o;
  rgrbm_mcrg_options_init(&o, RGRBM_MCRG_OPTIONS_VERSION);
  o.levels = levels;
  o.samples = samples;
  o.thermalize = thermalize;
  return o;
}

START_TEST(infinite_temperature_map_is_exact) {
  /* At K = 0 the spins are independent; with 2 x 2 majority blocks and fair
   * ties, E[s' s_i] = 3/8 for a member i of the block. Then, for one operator
   * of each parity, T = Cov(S', S)/Var(S') exactly: magnetization 4 * 3/8 =
   * 3/2; nearest-neighbour bonds 2 crossing bonds * (3/8)^2 = 9/32. Every
   * level maps independent spins to independent spins. */
  size_t before = rgrbm_memory_in_use();
  setup u = make(16, 0.0, RGRBM_HEAT_BATH, 3);
  rgrbm_mcrg_options o = options(2, 6000, 2);
  o.even_operators = 2;
  o.odd_operators = 2;
  rgrbm_mcrg_result r = RGRBM_MCRG_RESULT_INIT;
  const size_t held = rgrbm_memory_in_use();
  ck_assert_ok(rgrbm_mcrg_run(u.smp, u.rg, &o, &r));
  ck_assert(r.levels == 2 && r.b == 2 && r.samples == 6000 && r.even_operators == 2);
  ck_assert(r.odd_operators == 2 && r.version == RGRBM_MCRG_RESULT_VERSION);
  /* levels x operators exponents, nothing more: two arrays of 2 x 2. */
  ck_assert_uint_eq(rgrbm_memory_in_use(), held + 2 * 4 * sizeof(rgrbm_mcrg_exponent));
  for (int n = 0; n < 2; n++) {
    const rgrbm_mcrg_exponent *even = &r.even[n * 2], *odd = &r.odd[n * 2];
    double le = even[0].lambda, lo = odd[0].lambda;
    double se = even[0].lambda_err, so = odd[0].lambda_err;
    ck_assert_msg(se > 0 && se < 0.05 && so > 0 && so < 0.05, "errors %g %g", se, so);
    ck_assert_msg(fabs(le - 9.0 / 32) <= 4 * se, "level %d even: %g +- %g", n + 1, le, se);
    ck_assert_msg(fabs(lo - 1.5) <= 4 * so, "level %d odd: %g +- %g", n + 1, lo, so);
    ck_assert(fabs(odd[0].y - log(lo) / log(2.0)) < 1e-15);
    ck_assert(!isnan(even[1].lambda) && !isnan(odd[1].lambda));
  }
  rgrbm_mcrg_result_free(&r);
  ck_assert_ptr_null(r.even);
  ck_assert_ptr_null(r.odd);
  rgrbm_mcrg_result_free(&r); /* twice is safe */
  rgrbm_mcrg_result_free(NULL);
  unmake(&u);
  ck_assert_uint_eq(rgrbm_memory_in_use(), before);
}
END_TEST

START_TEST(frozen_lattice_has_singular_correlations) {
  /* Metropolis at K = 5 from the all-up start never flips a spin
   * (acceptance e^-40): no operator fluctuates. */
  setup u = make(16, 5.0, RGRBM_METROPOLIS, 1);
  rgrbm_mcrg_options o = options(1, 40, 0);
  rgrbm_mcrg_result r, copy;
  memset(&r, 0x5a, sizeof r);
  r.version = RGRBM_MCRG_RESULT_VERSION;
  copy = r;
  ck_assert_fails(rgrbm_mcrg_run(u.smp, u.rg, &o, &r), RGRBM_ENUMERIC, "level 1", "singular");
  ck_assert_mem_eq(&r, &copy, sizeof r);
  unmake(&u);
}
END_TEST

START_TEST(bad_input) {
  size_t before = rgrbm_memory_in_use();
  setup u = make(16, 0.3, RGRBM_HEAT_BATH, 1);
  rgrbm_mcrg_options o;
  rgrbm_mcrg_result r = RGRBM_MCRG_RESULT_INIT;
  ck_assert_fails(rgrbm_mcrg_options_init(NULL, RGRBM_MCRG_OPTIONS_VERSION), RGRBM_EINVAL,
                  "rgrbm_mcrg_options_init", "o is NULL");
#define BAD(field, value, ...)                                                  \
  do {                                                                          \
    rgrbm_mcrg_options_init(&o, RGRBM_MCRG_OPTIONS_VERSION);                                                \
    o.field = value;                                                            \
    ck_assert_fails(rgrbm_mcrg_run(u.smp, u.rg, &o, &r), RGRBM_EINVAL, __VA_ARGS__); \
  } while (0)
  BAD(version, 99, "o->version = 99", "rgrbm_mcrg_options versions 1 to 2");
  BAD(version, 0, "o->version = 0");
  BAD(levels, 0, "o->levels = 0");
  BAD(levels, 9, "o->levels = 9");
  BAD(levels, 3, "o->levels = 3 is more than", "16 x 16");
  BAD(bins, 1, "o->bins = 1");
  BAD(samples, 5, "o->samples = 5");
  BAD(thermalize, (uint64_t)-1, "o->thermalize", "exceeds the limit");
  BAD(spacing, 0, "o->spacing = 0");
  BAD(even_operators, 7, "o->even_operators = 7");
  BAD(odd_operators, 0, "o->odd_operators = 0");
#undef BAD
  r.version = 0;
  ck_assert_fails(rgrbm_mcrg_run(u.smp, u.rg, NULL, &r), RGRBM_EINVAL, "out->version = 0",
                  "rgrbm_mcrg_result versions 1 to 1");
  r.version = RGRBM_MCRG_RESULT_VERSION + 1;
  ck_assert_fails(rgrbm_mcrg_run(u.smp, u.rg, NULL, &r), RGRBM_EINVAL, "out->version = 2");
  r.version = RGRBM_MCRG_RESULT_VERSION;
  ck_assert_fails(rgrbm_mcrg_run(NULL, u.rg, NULL, &r), RGRBM_EINVAL, "smp is NULL");
  ck_assert_fails(rgrbm_mcrg_run(u.smp, NULL, NULL, &r), RGRBM_EINVAL, "rg is NULL");
  ck_assert_fails(rgrbm_mcrg_run(u.smp, u.rg, NULL, NULL), RGRBM_EINVAL, "out is NULL");
  rgrbm_rg *other;
  ck_assert_ok(rgrbm_rg_create_block2d(&other, 32, 32, 2, RGRBM_BLOCK_MAJORITY, 0));
  ck_assert_fails(rgrbm_mcrg_run(u.smp, other, NULL, &r), RGRBM_EINVAL, "16 x 16",
                  "rg expects one of 32 x 32");
  rgrbm_rg_destroy(other);
  ck_assert_ok(rgrbm_rg_create_decimation1d(&other, 256, 2));
  ck_assert_fails(rgrbm_mcrg_run(u.smp, other, NULL, &r), RGRBM_EUNSUPPORTED,
                  "rg is not a block-spin plan");
  rgrbm_rg_destroy(other);
  unmake(&u);
  ck_assert_uint_eq(rgrbm_memory_in_use(), before);
}
END_TEST

/* Absurd limits are refused up front with the limit in the message (a run
 * with samples = SIZE_MAX used to start and never end). */
START_TEST(limits_are_refused_precisely) {
  setup u = make(16, 0.3, RGRBM_HEAT_BATH, 1);
  rgrbm_mcrg_options o;
  rgrbm_mcrg_result r = RGRBM_MCRG_RESULT_INIT;
  rgrbm_mcrg_options_init(&o, RGRBM_MCRG_OPTIONS_VERSION);
  o.samples = SIZE_MAX;
  ck_assert_fails(rgrbm_mcrg_run(u.smp, u.rg, &o, &r), RGRBM_EINVAL,
                  "o->samples = 18446744073709551615", "4294967296");
  o.samples = (size_t)RGRBM_MCRG_MAX_SAMPLES + 1;
  ck_assert_fails(rgrbm_mcrg_run(u.smp, u.rg, &o, &r), RGRBM_EINVAL, "o->samples = 4294967297");
  rgrbm_mcrg_options_init(&o, RGRBM_MCRG_OPTIONS_VERSION);
  o.spacing = (uint64_t)LONG_MAX;
  ck_assert_fails(rgrbm_mcrg_run(u.smp, u.rg, &o, &r), RGRBM_EINVAL, "o->spacing",
                  "sweeps exceeds the limit of 281474976710656");
  rgrbm_mcrg_options_init(&o, RGRBM_MCRG_OPTIONS_VERSION);
  o.thermalize = UINT64_MAX;
  ck_assert_fails(rgrbm_mcrg_run(u.smp, u.rg, &o, &r), RGRBM_EINVAL, "o->thermalize",
                  "281474976710656");
  /* One sweep over the limit is refused: the boundary is the documented one. */
  rgrbm_mcrg_options_init(&o, RGRBM_MCRG_OPTIONS_VERSION);
  o.samples = 1 << 16;
  o.thermalize = (RGRBM_MCRG_MAX_SWEEPS - ((uint64_t)1 << 16) * 2) + 1;
  o.spacing = 2;
  ck_assert_fails(rgrbm_mcrg_run(u.smp, u.rg, &o, &r), RGRBM_EINVAL, "exceeds the limit");
  unmake(&u);
}
END_TEST

/* The operators wrap around the lattice: an open one is refused. */
START_TEST(open_lattice_is_refused) {
  size_t before = rgrbm_memory_in_use();
  rgrbm_lattice *lat;
  rgrbm_sampler *smp;
  rgrbm_rg *rg;
  rgrbm_mcrg_result r;
  ck_assert_ok(rgrbm_lattice_create(&lat, RGRBM_SQUARE, 16, 16, RGRBM_OPEN));
  ck_assert_ok(rgrbm_lattice_set_couplings(lat, 0.3, 0));
  ck_assert_ok(rgrbm_sampler_create(&smp, lat, RGRBM_HEAT_BATH, 1));
  ck_assert_ok(rgrbm_rg_create_block2d(&rg, 16, 16, 2, RGRBM_BLOCK_MAJORITY, 1));
  memset(&r, 0x5a, sizeof r);
  r.version = RGRBM_MCRG_RESULT_VERSION;
  rgrbm_mcrg_result copy = r;
  ck_assert_fails(rgrbm_mcrg_run(smp, rg, NULL, &r), RGRBM_EINVAL, "rgrbm_mcrg_run",
                  "open boundaries", "periodic");
  ck_assert_mem_eq(&r, &copy, sizeof r);
  rgrbm_rg_destroy(rg);
  rgrbm_sampler_destroy(smp);
  rgrbm_lattice_destroy(lat);
  ck_assert_uint_eq(rgrbm_memory_in_use(), before);
}
END_TEST

/* LAPACKE reports its own allocation failures with these statuses; they are
 * out-of-memory conditions, not singular matrices. */
START_TEST(lapack_allocation_failures_are_enomem) {
  ck_assert(rgrbm__lapack_out_of_memory(LAPACK_WORK_MEMORY_ERROR));
  ck_assert(rgrbm__lapack_out_of_memory(LAPACK_TRANSPOSE_MEMORY_ERROR));
  ck_assert(!rgrbm__lapack_out_of_memory(0));
  ck_assert(!rgrbm__lapack_out_of_memory(1));
  ck_assert(!rgrbm__lapack_out_of_memory(-4));
  ck_assert_fails(rgrbm__mcrg_lapack_failure(LAPACK_WORK_MEMORY_ERROR, "rgrbm_mcrg_run"),
                  RGRBM_ENOMEM, "rgrbm_mcrg_run", "work space", "-1010");
  ck_assert_fails(rgrbm__mcrg_lapack_failure(LAPACK_TRANSPOSE_MEMORY_ERROR, "rgrbm_mcrg_run"),
                  RGRBM_ENOMEM, "transposed copy", "-1011");
}
END_TEST


/* ---- chains ---- */

/* The options of the 1.0 layout, as a caller built against it holds them. */
typedef struct {
  unsigned version;
  int levels;
  size_t samples;
  uint64_t thermalize, spacing;
  size_t bins;
  int even_operators, odd_operators;
} mcrg_options_v1;

static rgrbm_mcrg_options chain_options(size_t chains) {
  rgrbm_mcrg_options o = options(2, 90, 20);
  o.bins = 7; /* bins straddle chains: 90 samples over 7 bins and 4 chains */
  o.chains = chains;
  o.seed = 77;
  o.even_operators = 3;
  o.odd_operators = 2;
  return o;
}

static void run_and_copy(setup *u, const void *o, rgrbm_mcrg_exponent *even,
                         rgrbm_mcrg_exponent *odd) {
  rgrbm_mcrg_result r = RGRBM_MCRG_RESULT_INIT;
  ck_assert_ok(rgrbm_mcrg_run(u->smp, u->rg, o, &r));
  memcpy(even, r.even, (size_t)(r.levels * r.even_operators) * sizeof *even);
  memcpy(odd, r.odd, (size_t)(r.levels * r.odd_operators) * sizeof *odd);
  rgrbm_mcrg_result_free(&r);
}

START_TEST(version_1_options_run_one_chain) {
  /* A version-1 caller gets the 1.0 run, bit for bit: one chain, the
   * sampler itself, whatever seed the current layout would hold. */
  rgrbm_mcrg_exponent e1[6], o1[4], e2[6], o2[4];
  rgrbm_mcrg_options cur = chain_options(1);
  cur.seed = 12345;
  mcrg_options_v1 old = {1, cur.levels, cur.samples, cur.thermalize, cur.spacing, cur.bins,
                         cur.even_operators, cur.odd_operators};
  setup a = make(16, 0.44, RGRBM_WOLFF, 5), b = make(16, 0.44, RGRBM_WOLFF, 5);
  run_and_copy(&a, &old, e1, o1);
  run_and_copy(&b, &cur, e2, o2);
  ck_assert_mem_eq(e1, e2, sizeof e1);
  ck_assert_mem_eq(o1, o2, sizeof o1);
  /* Both advanced their own sampler the same way. */
  ck_assert_mem_eq(rgrbm_lattice_spins_const(a.lat), rgrbm_lattice_spins_const(b.lat), 256);
  unmake(&a);
  unmake(&b);
}
END_TEST

START_TEST(chains_do_not_depend_on_threads) {
  rgrbm_mcrg_exponent e1[6], o1[4], e2[6], o2[4];
  rgrbm_mcrg_options o = chain_options(4);
  setup u = make(16, 0.44, RGRBM_HEAT_BATH, 5);
  int8_t start[256];
  memcpy(start, rgrbm_lattice_spins_const(u.lat), sizeof start);
  run_and_copy(&u, &o, e1, o1);
  /* The sampler is a template with several chains: left as it was. */
  ck_assert_mem_eq(rgrbm_lattice_spins_const(u.lat), start, sizeof start);
#ifdef _OPENMP
  int threads = omp_get_max_threads();
  omp_set_num_threads(threads > 1 ? 1 : 2);
#endif
  run_and_copy(&u, &o, e2, o2);
#ifdef _OPENMP
  omp_set_num_threads(threads);
#endif
  ck_assert_mem_eq(e1, e2, sizeof e1);
  ck_assert_mem_eq(o1, o2, sizeof o1);
  /* Another seed gives other chains; the exponents stay finite. */
  o.seed = 78;
  run_and_copy(&u, &o, e2, o2);
  ck_assert(memcmp(e1, e2, sizeof e1) != 0);
  for (int i = 0; i < 6; i++) ck_assert(isfinite(e2[i].lambda) && e2[i].lambda_err > 0);
  unmake(&u);
}
END_TEST

START_TEST(chain_ranges_combine_in_chain_order) {
  /* What the MPI layer does: ranges of chains run apart (any split) give the
   * run's bits. */
  rgrbm_mcrg_options o = chain_options(4);
  setup u = make(16, 0.44, RGRBM_SWENDSEN_WANG, 9);
  rgrbm_mcrg_result whole = RGRBM_MCRG_RESULT_INIT, split = RGRBM_MCRG_RESULT_INIT;
  ck_assert_ok(rgrbm_mcrg_run(u.smp, u.rg, &o, &whole));
  rgrbm__mcrg_job job;
  ck_assert_ok(rgrbm__mcrg_begin(&job, u.smp, u.rg, &o, &split, "test"));
  ck_assert_ok(rgrbm__mcrg_run_chains(&job, 3, 4, "test"));
  ck_assert_ok(rgrbm__mcrg_run_chains(&job, 0, 1, "test"));
  ck_assert_ok(rgrbm__mcrg_run_chains(&job, 1, 3, "test"));
  ck_assert_ok(rgrbm__mcrg_finish(&job, "test"));
  rgrbm__mcrg_deliver(&job, &split);
  rgrbm__mcrg_end(&job);
  ck_assert_mem_eq(whole.even, split.even, 2 * 3 * sizeof *whole.even);
  ck_assert_mem_eq(whole.odd, split.odd, 2 * 2 * sizeof *whole.odd);
  rgrbm_mcrg_result_free(&whole);
  rgrbm_mcrg_result_free(&split);
  /* One chain per sample is the limit. */
  o.samples = o.chains = 14;
  o.levels = 1;
  ck_assert_ok(rgrbm_mcrg_run(u.smp, u.rg, &o, &whole));
  rgrbm_mcrg_result_free(&whole);
  unmake(&u);
}
END_TEST

START_TEST(bad_chains_are_refused) {
  setup u = make(16, 0.44, RGRBM_METROPOLIS, 3);
  rgrbm_mcrg_result r = RGRBM_MCRG_RESULT_INIT;
  rgrbm_mcrg_options o = chain_options(0);
  ck_assert_fails(rgrbm_mcrg_run(u.smp, u.rg, &o, &r), RGRBM_EINVAL, "rgrbm_mcrg_run",
                  "o->chains = 0, must be in 1..min(o->samples = 90, 65536)");
  o.chains = 91;
  ck_assert_fails(rgrbm_mcrg_run(u.smp, u.rg, &o, &r), RGRBM_EINVAL, "o->chains = 91");
  /* Several chains need a lattice sampler to copy; a Gibbs sampler emits no
   * 2D shape and is refused before that. */
  rgrbm_stack *s;
  const int sizes[] = {256, 4};
  ck_assert_ok(rgrbm_stack_create(&s, sizes, 2, RGRBM_UNITS_SPIN, 1));
  rgrbm_sampler *gibbs;
  ck_assert_ok(rgrbm_sampler_create_gibbs(&gibbs, s, 0, 1, 2));
  o.chains = 2;
  ck_assert_fails(rgrbm_mcrg_run(gibbs, u.rg, &o, &r), RGRBM_EINVAL, "rgrbm_mcrg_run",
                  "rg expects one of 16 x 16");
  ck_assert_ptr_null(r.even);
  rgrbm_sampler_destroy(gibbs);
  rgrbm_stack_destroy(s);
  unmake(&u);
}
END_TEST

START_TEST(a_failing_chain_is_named) {
  /* A spin other than -1/+1 in the template fails every chain: the lowest
   * one is named. */
  setup u = make(16, 0.44, RGRBM_METROPOLIS, 3);
  rgrbm_lattice_spins(u.lat)[17] = 3;
  rgrbm_mcrg_result r = RGRBM_MCRG_RESULT_INIT;
  rgrbm_mcrg_options o = chain_options(3);
  int rc = rgrbm_mcrg_run(u.smp, u.rg, &o, &r);
  ck_assert_int_ne(rc, RGRBM_OK);
  ck_assert_msg(strncmp(rgrbm_last_error(), "rgrbm_mcrg_run: chain 0: ", 25) == 0, "%s",
                rgrbm_last_error());
  ck_assert_ptr_null(r.even);
  unmake(&u);
}
END_TEST

static Suite *mcrg_suite(void) {
  Suite *s = suite_create("mcrg");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, operators_match_direct_sums);
  tcase_add_test(tc, infinite_temperature_map_is_exact);
  tcase_add_test(tc, frozen_lattice_has_singular_correlations);
  tcase_add_test(tc, bad_input);
  tcase_add_test(tc, limits_are_refused_precisely);
  tcase_add_test(tc, open_lattice_is_refused);
  tcase_add_test(tc, lapack_allocation_failures_are_enomem);
  tcase_add_test(tc, version_1_options_run_one_chain);
  tcase_add_test(tc, chains_do_not_depend_on_threads);
  tcase_add_test(tc, chain_ranges_combine_in_chain_order);
  tcase_add_test(tc, bad_chains_are_refused);
  tcase_add_test(tc, a_failing_chain_is_named);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return rgrbm_test_run(mcrg_suite()); }
