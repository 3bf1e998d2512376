/* Monte Carlo RG with learned plans: a stack whose levels are exact block
 * maps, built by hand with its units in a scrambled order, is placed on the
 * coarse lattices by its receptive fields and must give the block-spin plan's
 * coarse configurations and therefore bit-identical exponents on the same
 * samples; placements that are not one-to-one, plans without a lattice and
 * levels of different factors are refused precisely. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "alloc.h"
#include "rg.h"
#include "rgrbm/mcrg.h"
#include "testutil.h"

enum { MAX_DEPTH = 4 };

/* A stack whose level l (1..depth) is rule's b x b block map of level l - 1
 * on an L x L torus: spin units, zero biases, weight w on the members. Unit
 * u of level l sits on coarse site site[l][u], a fixed scramble. */
typedef struct {
  rgrbm_stack *s;
  int L, b, depth;
  int *site[MAX_DEPTH + 1]; /* level l: unit -> site (level 0: identity) */
  int *unit[MAX_DEPTH + 1]; /* level l: site -> unit */
} block_stack;

static int side(const block_stack *k, int l) {
  int n = k->L;
  for (int i = 0; i < l; i++) n /= k->b;
  return n;
}

/* A fixed permutation of 0..n-1 (Fisher-Yates on a 64-bit LCG). */
static void scramble(int *p, int n, uint64_t seed) {
  for (int i = 0; i < n; i++) p[i] = i;
  uint64_t x = seed;
  for (int i = n - 1; i > 0; i--) {
    x = x * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
    int j = (int)((x >> 33) % (uint64_t)(i + 1));
    int t = p[i];
    p[i] = p[j];
    p[j] = t;
  }
}

static block_stack make_stack(int L, int b, int depth, rgrbm_block_rule rule, float w) {
  block_stack k = {NULL, L, b, depth, {NULL}, {NULL}};
  int sizes[MAX_DEPTH + 1];
  for (int l = 0; l <= depth; l++) {
    int n = side(&k, l) * side(&k, l);
    sizes[l] = n;
    k.site[l] = malloc((size_t)n * sizeof(int));
    k.unit[l] = malloc((size_t)n * sizeof(int));
    if (l == 0)
      for (int i = 0; i < n; i++) k.site[0][i] = i;
    else
      scramble(k.site[l], n, 77 + (uint64_t)l);
    for (int u = 0; u < n; u++) k.unit[l][k.site[l][u]] = u;
  }
  ck_assert_ok(rgrbm_stack_create(&k.s, sizes, depth + 1, RGRBM_UNITS_SPIN, 5));
  for (int l = 1; l <= depth; l++) {
    const int fine = side(&k, l - 1), coarse = side(&k, l), nh = sizes[l];
    float *W = rgrbm_stack_weights(k.s, l - 1);
    memset(W, 0, (size_t)sizes[l - 1] * (size_t)nh * sizeof *W);
    memset(rgrbm_stack_visible_bias(k.s, l - 1), 0, (size_t)sizes[l - 1] * sizeof(float));
    memset(rgrbm_stack_hidden_bias(k.s, l - 1), 0, (size_t)nh * sizeof(float));
    const int members = rule == RGRBM_BLOCK_MAJORITY ? b : 1;
    for (int u = 0; u < nh; u++) {
      int X = k.site[l][u] % coarse, Y = k.site[l][u] / coarse;
      for (int dy = 0; dy < members; dy++)
        for (int dx = 0; dx < members; dx++) {
          int below = k.unit[l - 1][(Y * b + dy) * fine + X * b + dx];
          W[(size_t)below * (size_t)nh + (size_t)u] = w;
        }
    }
  }
  return k;
}

static void free_stack(block_stack *k) {
  rgrbm_stack_destroy(k->s);
  for (int l = 0; l <= k->depth; l++) {
    free(k->site[l]);
    free(k->unit[l]);
  }
}

static rgrbm_sampler *sampler(rgrbm_lattice **lat, int L, uint64_t seed) {
  rgrbm_sampler *smp;
  ck_assert_ok(rgrbm_lattice_create(lat, RGRBM_SQUARE, L, L, RGRBM_PERIODIC));
  ck_assert_ok(rgrbm_lattice_set_couplings(*lat, 0.4406868, 0));
  ck_assert_ok(rgrbm_sampler_create(&smp, *lat, RGRBM_SWENDSEN_WANG, seed));
  return smp;
}

/* MCRG of plan on a fresh Swendsen-Wang chain of the given seed: the same
 * seed gives the same samples. */
static rgrbm_mcrg_result run(const rgrbm_rg *rg, int L, int levels, uint64_t seed) {
  rgrbm_lattice *lat;
  rgrbm_sampler *smp = sampler(&lat, L, seed);
  rgrbm_mcrg_options o;
  rgrbm_mcrg_options_init(&o, RGRBM_MCRG_OPTIONS_VERSION);
  o.levels = levels;
  o.samples = 400;
  o.bins = 10;
  o.thermalize = 20;
  o.even_operators = 3;
  o.odd_operators = 2;
  rgrbm_mcrg_result r = RGRBM_MCRG_RESULT_INIT;
  ck_assert_ok(rgrbm_mcrg_run(smp, rg, &o, &r));
  rgrbm_sampler_destroy(smp);
  rgrbm_lattice_destroy(lat);
  return r;
}

static void assert_same_result(const rgrbm_mcrg_result *a, const rgrbm_mcrg_result *p) {
  ck_assert(a->levels == p->levels && a->b == p->b && a->samples == p->samples);
  size_t ne = (size_t)a->levels * a->even_operators, no = (size_t)a->levels * a->odd_operators;
  ck_assert_mem_eq(a->even, p->even, ne * sizeof *a->even);
  ck_assert_mem_eq(a->odd, p->odd, no * sizeof *a->odd);
  /* Not a vacuous match: the exponents were computed. */
  ck_assert(isfinite(a->even[0].y) && isfinite(a->odd[0].y) && a->odd[0].y_err > 0);
}

/* The coarse configurations of `count` samples, level n of the placed plan
 * against level n of the block plans composed: the claim behind the
 * bit-identical exponents. */
static void assert_same_coarse(const rgrbm_rg *placed, const rgrbm_rg *block, int L, int levels,
                               size_t count) {
  rgrbm_lattice *lat;
  rgrbm_sampler *smp = sampler(&lat, L, 11);
  rgrbm_dataset *fine, *a, *p;
  ck_assert_ok(rgrbm_dataset_create(&fine, (size_t)L * L));
  ck_assert_ok(rgrbm_sampler_draw(smp, count, 10, 1, fine));
  rgrbm_dataset *prev = fine;
  for (int n = 1; n <= levels; n++) {
    rgrbm_rg *pn = (rgrbm_rg *)placed, *bn = (rgrbm_rg *)block;
    int reads_p = 0, reads_b = 0;
    if (n > 1) {
      ck_assert_ok(placed->kind->mcrg_level(placed, n, &pn, &reads_p, "test"));
      ck_assert_ok(block->kind->mcrg_level(block, n, &bn, &reads_b, "test"));
    }
    ck_assert_int_eq(reads_p, 0);
    ck_assert_int_eq(reads_b, n - 1);
    ck_assert_ok(rgrbm_dataset_create(&a, bn->out_dim));
    ck_assert_ok(rgrbm_dataset_create(&p, pn->out_dim));
    ck_assert_ok(rgrbm_rg_apply(bn, prev, a));
    ck_assert_ok(rgrbm_rg_apply(pn, fine, p));
    size_t dim = bn->out_dim;
    int8_t *x = malloc(count * dim), *y = malloc(count * dim);
    ck_assert_ok(rgrbm_dataset_get(a, 0, count, x));
    ck_assert_ok(rgrbm_dataset_get(p, 0, count, y));
    ck_assert_msg(memcmp(x, y, count * dim) == 0, "level %d: coarse configurations differ", n);
    free(x);
    free(y);
    if (prev != fine) rgrbm_dataset_destroy(prev);
    prev = a;
    rgrbm_dataset_destroy(p);
    if (n > 1) {
      rgrbm_rg_destroy(pn);
      rgrbm_rg_destroy(bn);
    }
  }
  if (prev != fine) rgrbm_dataset_destroy(prev);
  rgrbm_dataset_destroy(fine);
  rgrbm_sampler_destroy(smp);
  rgrbm_lattice_destroy(lat);
}

/* A block-spin plan and the learned plan placed on k's stack, with the
 * same lattice, factor and rule (its units saturate: weight 20). */
typedef struct {
  size_t memory_before; /* the library's memory in use before the pair */
  block_stack k;
  rgrbm_rg *block, *placed;
} plan_pair;

static plan_pair make_pair(int L, int b, int depth, rgrbm_block_rule rule, uint64_t block_seed,
                           uint64_t placed_seed, rgrbm_rg_placement *rep) {
  plan_pair p = {rgrbm_memory_in_use(), make_stack(L, b, depth, rule, 20.0f), NULL, NULL};
  ck_assert_ok(rgrbm_rg_create_block2d(&p.block, L, L, b, rule, block_seed));
  ck_assert_ok(rgrbm_rg_create_learned_placed(&p.placed, p.k.s, 1, RGRBM_RG_SIGN_MEAN,
                                              placed_seed, L, L, rep));
  return p;
}

/* Frees the pair and checks that the library holds what it held before. */
static void free_pair(plan_pair *p) {
  rgrbm_rg_destroy(p->block);
  rgrbm_rg_destroy(p->placed);
  free_stack(&p->k);
  ck_assert_uint_eq(rgrbm_memory_in_use(), p->memory_before);
}

/* The two plans give the same coarse configurations at every level of the
 * stack on `configs` samples, and bit for bit the same MCRG results on
 * chains of seed run_seed. */
static void assert_pair_agrees(const plan_pair *p, size_t configs, uint64_t run_seed) {
  const int L = p->k.L, levels = p->k.depth;
  assert_same_coarse(p->placed, p->block, L, levels, configs);
  rgrbm_mcrg_result a = run(p->block, L, levels, run_seed);
  rgrbm_mcrg_result r = run(p->placed, L, levels, run_seed);
  ck_assert_int_eq(r.b, p->k.b);
  assert_same_result(&a, &r);
  rgrbm_mcrg_result_free(&a);
  rgrbm_mcrg_result_free(&r);
}

/* Decimation: each unit copies one spin of the level below, so the
 * saturated means (tanh(20) = 1 in float) are the decimated spins exactly;
 * there are no ties, hence no coins. Same samples, same coarse
 * configurations at every level: the operator sums, and so every number
 * MCRG derives from them, are bit for bit the same. */
START_TEST(placed_decimation_matches_block_spins) {
  rgrbm_rg_placement rep = RGRBM_RG_PLACEMENT_INIT;
  plan_pair p = make_pair(32, 2, 3, RGRBM_BLOCK_DECIMATE, 3, 9, &rep);
  ck_assert(rep.fraction == 1.0 && rep.placed == 256 && rep.units == 256);
  ck_assert(rep.empty_sites == 0 && rep.crowded_sites == 0);
  ck_assert(rep.coarse_lx == 16 && rep.coarse_ly == 16);
  /* The placement undid the scramble: site j is the unit placed there. */
  for (int j = 0; j < 256; j++) ck_assert_uint_eq(p.placed->map[j], (uint32_t)p.k.unit[1][j]);
  rgrbm_rg_dims d = RGRBM_RG_DIMS_INIT;
  ck_assert_ok(rgrbm_rg_shape(p.placed, &d));
  ck_assert(d.in_lx == 32 && d.out_lx == 16 && d.out_ly == 16 && d.b == 2);
  assert_pair_agrees(&p, 64, 21);
  free_pair(&p);
}
END_TEST

/* Majority of 3 x 3 blocks: sums are odd, never 0, so every mean saturates
 * to the majority's sign at every level (no ties, no coins): the placed
 * stack's level 2 (majority of level-1 means of +-1) is the majority of the
 * level-1 majorities, as block spins compose. */
START_TEST(placed_majority_b3_matches_block_spins) {
  plan_pair p = make_pair(36, 3, 2, RGRBM_BLOCK_MAJORITY, 3, 9, NULL);
  assert_pair_agrees(&p, 64, 22);
  free_pair(&p);
}
END_TEST

/* Majority of 2 x 2 blocks ties: the mean of a tied block is exactly 0 and
 * takes a coin. A placed plan draws its coins in site order from the same
 * per-configuration stream as block spins, so with the same seed level 1 is
 * identical. (Level 2 is not: the stack feeds the tied means, 0, up where
 * block spins feed the coin.) */
START_TEST(placed_majority_b2_ties_match_at_level_1) {
  plan_pair p = make_pair(16, 2, 1, RGRBM_BLOCK_MAJORITY, 4, 4, NULL);
  assert_pair_agrees(&p, 200, 23);
  /* A depth-1 stack has no level 2 for the run. */
  rgrbm_lattice *lat;
  rgrbm_sampler *smp = sampler(&lat, 16, 1);
  rgrbm_mcrg_options o;
  rgrbm_mcrg_options_init(&o, RGRBM_MCRG_OPTIONS_VERSION);
  o.levels = 2;
  rgrbm_mcrg_result a = RGRBM_MCRG_RESULT_INIT;
  ck_assert_fails(rgrbm_mcrg_run(smp, p.placed, &o, &a), RGRBM_EINVAL, "rgrbm_mcrg_run",
                  "level 2 of the run needs the stack's level 2 x 1 = 2", "depth 1");
  rgrbm_sampler_destroy(smp);
  rgrbm_lattice_destroy(lat);
  free_pair(&p);
}
END_TEST

/* Two units with the same field claim one site and leave another empty:
 * refused, the report filled all the same. */
START_TEST(placement_that_is_not_one_to_one_is_refused) {
  size_t before = rgrbm_memory_in_use();
  block_stack k = make_stack(16, 2, 1, RGRBM_BLOCK_DECIMATE, 1.0f);
  float *W = rgrbm_stack_weights(k.s, 0);
  const int u = k.unit[1][5], v = k.unit[1][6];
  for (int i = 0; i < 256; i++) W[i * 64 + v] = W[i * 64 + u]; /* v copies u's field */
  rgrbm_rg *rg = (rgrbm_rg *)&k; /* must become NULL */
  rgrbm_rg_placement rep = RGRBM_RG_PLACEMENT_INIT;
  ck_assert_fails(rgrbm_rg_create_learned_placed(&rg, k.s, 1, RGRBM_RG_SAMPLE, 1, 16, 16, &rep),
                  RGRBM_EINVAL, "rgrbm_rg_create_learned_placed", "stack level 1",
                  "not place one-to-one", "8 x 8", "62 of 64 units", "fraction 0.9688",
                  "1 sites empty", "1 claimed by two or more");
  ck_assert_ptr_null(rg);
  ck_assert(rep.version == RGRBM_RG_PLACEMENT_VERSION && rep.units == 64 && rep.placed == 62);
  ck_assert(rep.fraction == 62.0 / 64 && rep.empty_sites == 1 && rep.crowded_sites == 1);
  ck_assert(rep.coarse_lx == 8 && rep.coarse_ly == 8);
  /* Arguments, each named. */
  rgrbm_rg_placement copy = rep;
  ck_assert_fails(rgrbm_rg_create_learned_placed(&rg, k.s, 1, RGRBM_RG_SAMPLE, 1, 8, 16, &rep),
                  RGRBM_EINVAL, "lx * ly = 8 * 16", "size(0) = 256");
  ck_assert_fails(rgrbm_rg_create_learned_placed(&rg, k.s, 2, RGRBM_RG_SAMPLE, 1, 16, 16, &rep),
                  RGRBM_EINVAL, "level");
  ck_assert_fails(rgrbm_rg_create_learned_placed(&rg, k.s, 1, (rgrbm_rg_mode)7, 1, 16, 16, &rep),
                  RGRBM_EINVAL, "mode = 7");
  ck_assert_fails(rgrbm_rg_create_learned_placed(&rg, NULL, 1, RGRBM_RG_SAMPLE, 1, 16, 16, &rep),
                  RGRBM_EINVAL, "s is NULL");
  ck_assert_mem_eq(&rep, &copy, sizeof rep); /* untouched by the failures before placing */
  rep.version = 0;
  ck_assert_fails(rgrbm_rg_create_learned_placed(&rg, k.s, 1, RGRBM_RG_SAMPLE, 1, 16, 16, &rep),
                  RGRBM_EINVAL, "report->version = 0");
  rep.version = RGRBM_RG_PLACEMENT_VERSION + 1;
  ck_assert_fails(rgrbm_rg_create_learned_placed(&rg, k.s, 1, RGRBM_RG_SAMPLE, 1, 16, 16, &rep),
                  RGRBM_EINVAL, "report->version = 2");
  free_stack(&k);
  /* 256 -> 16: B = 4, placed on 4 x 4; 256 -> 32 has no integer B. */
  int sizes[2] = {256, 32};
  rgrbm_stack *s;
  ck_assert_ok(rgrbm_stack_create(&s, sizes, 2, RGRBM_UNITS_SPIN, 1));
  ck_assert_fails(rgrbm_rg_create_learned_placed(&rg, s, 1, RGRBM_RG_SAMPLE, 1, 16, 16, NULL),
                  RGRBM_EINVAL, "256 / 32 is not B^2");
  rgrbm_stack_destroy(s);
  ck_assert_uint_eq(rgrbm_memory_in_use(), before);
}
END_TEST

/* MCRG needs a lattice in site order at every level, one factor b. */
START_TEST(plans_without_lattice_or_one_factor_are_refused) {
  size_t before = rgrbm_memory_in_use();
  rgrbm_lattice *lat;
  rgrbm_sampler *smp = sampler(&lat, 32, 1);
  rgrbm_mcrg_result r = RGRBM_MCRG_RESULT_INIT;
  rgrbm_mcrg_options o;
  rgrbm_mcrg_options_init(&o, RGRBM_MCRG_OPTIONS_VERSION);
  o.levels = 2;
  /* An unplaced learned plan: its outputs are in unit order. */
  block_stack k = make_stack(32, 2, 2, RGRBM_BLOCK_DECIMATE, 20.0f);
  rgrbm_rg *rg;
  ck_assert_ok(rgrbm_rg_create_learned(&rg, k.s, 1, RGRBM_RG_SIGN_MEAN, 1));
  ck_assert_fails(rgrbm_mcrg_run(smp, rg, &o, &r), RGRBM_EUNSUPPORTED, "rgrbm_mcrg_run",
                  "rgrbm_rg_create_learned_placed");
  rgrbm_rg_destroy(rg);
  /* A plan of a kind MCRG can repeat but without 2D geometry. */
  ck_assert_ok(rgrbm_rg_create_block2d(&rg, 32, 32, 2, RGRBM_BLOCK_MAJORITY, 1));
  rg->out_lx = rg->out_ly = 0;
  ck_assert_fails(rgrbm_mcrg_run(smp, rg, &o, &r), RGRBM_EINVAL, "level 1: rg has no 2D geometry");
  rgrbm_rg_destroy(rg);
  free_stack(&k);
  /* Level 1 by 2 (32 -> 16), level 2 by 4 (16 -> 4). */
  k = make_stack(32, 2, 2, RGRBM_BLOCK_DECIMATE, 20.0f);
  rgrbm_stack_destroy(k.s);
  int sizes[3] = {1024, 256, 16};
  ck_assert_ok(rgrbm_stack_create(&k.s, sizes, 3, RGRBM_UNITS_SPIN, 1));
  float *W0 = rgrbm_stack_weights(k.s, 0), *W1 = rgrbm_stack_weights(k.s, 1);
  memset(W0, 0, 1024 * 256 * sizeof *W0);
  memset(W1, 0, 256 * 16 * sizeof *W1);
  for (int j = 0; j < 256; j++) W0[((j / 16) * 2 * 32 + (j % 16) * 2) * 256 + j] = 1.0f;
  for (int j = 0; j < 16; j++) W1[((j / 4) * 4 * 16 + (j % 4) * 4) * 16 + j] = 1.0f;
  ck_assert_ok(rgrbm_rg_create_learned_placed(&rg, k.s, 1, RGRBM_RG_SIGN_MEAN, 1, 32, 32, NULL));
  ck_assert_fails(rgrbm_mcrg_run(smp, rg, &o, &r), RGRBM_EINVAL, "level 2", "4 x 4",
                  "level 1's 16 x 16", "level 1's b = 2");
  o.levels = 1; /* level 1 alone runs */
  o.samples = 200;
  ck_assert_ok(rgrbm_mcrg_run(smp, rg, &o, &r));
  rgrbm_mcrg_result_free(&r);
  rgrbm_rg_destroy(rg);
  free_stack(&k);
  rgrbm_sampler_destroy(smp);
  rgrbm_lattice_destroy(lat);
  ck_assert_uint_eq(rgrbm_memory_in_use(), before);
}
END_TEST

/* A placed plan is the unplaced one with its outputs in site order (in
 * sampling mode, where no mean sits at a midpoint and no coin is drawn). */
START_TEST(placed_plan_permutes_the_learned_plan) {
  size_t before = rgrbm_memory_in_use();
  block_stack k = make_stack(16, 2, 2, RGRBM_BLOCK_MAJORITY, 0.5f);
  rgrbm_lattice *lat;
  rgrbm_sampler *smp = sampler(&lat, 16, 3);
  rgrbm_dataset *fine, *a, *p;
  ck_assert_ok(rgrbm_dataset_create(&fine, 256));
  ck_assert_ok(rgrbm_sampler_draw(smp, 50, 10, 1, fine));
  for (int level = 1; level <= 2; level++) {
    rgrbm_rg *plain, *placed;
    ck_assert_ok(rgrbm_rg_create_learned(&plain, k.s, level, RGRBM_RG_SAMPLE, 6));
    ck_assert_ok(rgrbm_rg_create_learned_placed(&placed, k.s, level, RGRBM_RG_SAMPLE, 6, 16, 16,
                                                NULL));
    const size_t n = placed->out_dim;
    ck_assert_ok(rgrbm_dataset_create(&a, n));
    ck_assert_ok(rgrbm_dataset_create(&p, n));
    ck_assert_ok(rgrbm_rg_apply(plain, fine, a));
    ck_assert_ok(rgrbm_rg_apply(placed, fine, p));
    int8_t *x = malloc(50 * n), *y = malloc(50 * n);
    ck_assert_ok(rgrbm_dataset_get(a, 0, 50, x));
    ck_assert_ok(rgrbm_dataset_get(p, 0, 50, y));
    long flips = 0;
    for (size_t i = 0; i < 50; i++)
      for (size_t j = 0; j < n; j++) {
        ck_assert_int_eq(y[i * n + j], x[i * n + (size_t)k.unit[level][j]]);
        flips += y[i * n + j] != y[(i + 1) % 50 * n + j];
      }
    ck_assert(flips > 0); /* not a constant output */
    free(x);
    free(y);
    rgrbm_dataset_destroy(a);
    rgrbm_dataset_destroy(p);
    rgrbm_rg_destroy(plain);
    rgrbm_rg_destroy(placed);
  }
  rgrbm_dataset_destroy(fine);
  rgrbm_sampler_destroy(smp);
  rgrbm_lattice_destroy(lat);
  free_stack(&k);
  ck_assert_uint_eq(rgrbm_memory_in_use(), before);
}
END_TEST

/* Stochastic coarse spins: each level samples its units on the way up. The
 * run is a function of its seeds and differs from the deterministic one. */
START_TEST(sampled_coarse_spins_run) {
  size_t before = rgrbm_memory_in_use();
  block_stack k = make_stack(32, 2, 3, RGRBM_BLOCK_MAJORITY, 0.5f);
  rgrbm_rg *sample, *mean;
  ck_assert_ok(rgrbm_rg_create_learned_placed(&sample, k.s, 1, RGRBM_RG_SAMPLE, 9, 32, 32, NULL));
  ck_assert_ok(rgrbm_rg_create_learned_placed(&mean, k.s, 1, RGRBM_RG_SIGN_MEAN, 9, 32, 32, NULL));
  rgrbm_mcrg_result a = run(sample, 32, 3, 24), b = run(sample, 32, 3, 24), m = run(mean, 32, 3, 24);
  ck_assert_int_eq(a.levels, 3);
  assert_same_result(&a, &b);
  ck_assert(memcmp(a.odd, m.odd, sizeof *a.odd) != 0);
  for (int n = 0; n < 3; n++)
    ck_assert_msg(isfinite(a.even[n * 3].lambda) && isfinite(a.odd[n * 2].lambda) &&
                      a.odd[n * 2].lambda_err > 0,
                  "level %d: %g %g", n + 1, a.even[n * 3].lambda, a.odd[n * 2].lambda);
  rgrbm_mcrg_result_free(&a);
  rgrbm_mcrg_result_free(&b);
  rgrbm_mcrg_result_free(&m);
  rgrbm_rg_destroy(sample);
  rgrbm_rg_destroy(mean);
  free_stack(&k);
  ck_assert_uint_eq(rgrbm_memory_in_use(), before);
}
END_TEST

/* Every allocation of a placement and of a run over placed levels fails in
 * turn: RGRBM_ENOMEM in the public function's name, nothing held after,
 * the caller's out and report untouched; then the call succeeds. */
START_TEST(allocation_failures_leave_nothing) {
  block_stack k = make_stack(16, 2, 2, RGRBM_BLOCK_DECIMATE, 20.0f);
  size_t before = rgrbm_memory_in_use();
  int failures = 0, rc;
  rgrbm_rg *rg;
  for (long n = 0;; n++) {
    rgrbm_rg_placement rep = RGRBM_RG_PLACEMENT_INIT, copy = rep;
    rg = (rgrbm_rg *)&k;
    rgrbm__alloc_fail_after(n);
    rc = rgrbm_rg_create_learned_placed(&rg, k.s, 2, RGRBM_RG_SIGN_MEAN, 1, 16, 16, &rep);
    rgrbm__alloc_fail_after(-1);
    if (rc == RGRBM_OK) break;
    ck_assert_msg(rc == RGRBM_ENOMEM, "allocation %ld: %s", n, rgrbm_last_error());
    RGRBM_CHECK_MESSAGE("placement", "rgrbm_rg_create_learned_placed");
    ck_assert_ptr_null(rg);
    ck_assert_mem_eq(&rep, &copy, sizeof rep);
    ck_assert_uint_eq(rgrbm_memory_in_use(), before);
    failures++;
  }
  ck_assert_int_ge(failures, 3); /* site buffer, plan, receptive-field work */
  rgrbm_rg_destroy(rg);
  ck_assert_ok(rgrbm_rg_create_learned_placed(&rg, k.s, 1, RGRBM_RG_SIGN_MEAN, 1, 16, 16, NULL));
  rgrbm_lattice *lat;
  rgrbm_sampler *smp = sampler(&lat, 16, 2);
  rgrbm_mcrg_options o;
  rgrbm_mcrg_options_init(&o, RGRBM_MCRG_OPTIONS_VERSION);
  o.levels = 2;
  o.samples = 100;
  o.bins = 4;
  o.thermalize = 2;
  const size_t held = rgrbm_memory_in_use();
  failures = 0;
  for (long n = 0;; n++) {
    rgrbm_mcrg_result r = RGRBM_MCRG_RESULT_INIT, copy = r;
    rgrbm__alloc_fail_after(n);
    rc = rgrbm_mcrg_run(smp, rg, &o, &r);
    rgrbm__alloc_fail_after(-1);
    if (rc == RGRBM_OK) {
      rgrbm_mcrg_result_free(&r);
      break;
    }
    ck_assert_msg(rc == RGRBM_ENOMEM, "allocation %ld: %s", n, rgrbm_last_error());
    RGRBM_CHECK_MESSAGE("run", "rgrbm_mcrg_run");
    ck_assert_mem_eq(&r, &copy, sizeof r);
    ck_assert_uint_eq(rgrbm_memory_in_use(), held);
    failures++;
  }
  ck_assert_int_ge(failures, 5);
  rgrbm_sampler_destroy(smp);
  rgrbm_lattice_destroy(lat);
  rgrbm_rg_destroy(rg);
  ck_assert_uint_eq(rgrbm_memory_in_use(), before);
  free_stack(&k);
}
END_TEST

int main(void) {
  Suite *s = suite_create("mcrg_learned");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, placed_decimation_matches_block_spins);
  tcase_add_test(tc, placed_majority_b3_matches_block_spins);
  tcase_add_test(tc, placed_majority_b2_ties_match_at_level_1);
  tcase_add_test(tc, placement_that_is_not_one_to_one_is_refused);
  tcase_add_test(tc, plans_without_lattice_or_one_factor_are_refused);
  tcase_add_test(tc, placed_plan_permutes_the_learned_plan);
  tcase_add_test(tc, sampled_coarse_spins_run);
  tcase_add_test(tc, allocation_failures_leave_nothing);
  suite_add_tcase(s, tc);
  return rgrbm_test_run(s);
}
