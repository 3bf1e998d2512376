/* The versioned-struct rules of docs/conventions.md, from a caller's side:
 * options of an older layout (a local copy of the 0.x rgrbm_cd_options,
 * without `products`) train exactly like the current layout with the
 * defaults; init(o, v) writes nothing past version v's layout; versions 0
 * and newer than the library's are refused with a message; the static
 * initializers equal what init writes; results are never written past the
 * caller's struct. Version 1 is the first and current layout of every
 * result struct, so an older, smaller result is simulated on the internal
 * idiom itself (lib/versioned.h) with a two-version struct whose first
 * version is the current layout truncated. */
#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "stack.h"
#include "stack_fixtures.h"
#include "testutil.h"
#include "versioned.h"

enum { GUARD = 64 };
static const unsigned char GUARD_BYTE = 0xA5;

/* ---- a caller compiled against the 0.x header ------------------------- */

/* rgrbm_cd_options as librgrbm 0.x declared it: version 1, no products. */
typedef struct cd_options_v1 {
  unsigned version;
  int epochs;
  size_t batch_size;
  int k;
  int persistent;
  size_t persistent_chains;
  double learning_rate;
  double momentum_initial;
  double momentum_final;
  int momentum_switch_epoch;
  double l1;
  double l2;
  int mean_field_reconstruction;
  rgrbm_pass feed_up;
  int compute_pll;
  uint64_t seed;
  rgrbm_progress_fn progress;
  void *progress_data;
} cd_options_v1;

/* The current layout begins with version 1's, field for field. */
_Static_assert(sizeof(cd_options_v1) == offsetof(rgrbm_cd_options, products),
               "version 1 is the current layout up to products");
_Static_assert(offsetof(cd_options_v1, seed) == offsetof(rgrbm_cd_options, seed), "same prefix");
_Static_assert(offsetof(cd_options_v1, progress_data) ==
                   offsetof(rgrbm_cd_options, progress_data), "same prefix");

static rgrbm_dataset *two_prototypes(size_t dim, size_t rows, uint64_t seed) {
  rgrbm_dataset *ds;
  ck_assert_ok(rgrbm_dataset_create(&ds, dim));
  uint64_t state = seed;
  int8_t row[64];
  ck_assert_uint_le(dim, sizeof row);
  for (size_t n = 0; n < rows; n++) {
    for (size_t i = 0; i < dim; i++) {
      state = state * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
      int8_t s = (i < dim / 2) == (n % 2) ? 1 : -1;
      row[i] = (state >> 60) == 0 ? (int8_t)-s : s; /* 1 in 16 flipped */
    }
    ck_assert_ok(rgrbm_dataset_append(ds, row, 1));
  }
  return ds;
}

static rgrbm_stack *fresh_stack(void) {
  const int sizes[] = {16, 8, 4};
  rgrbm_stack *s;
  ck_assert_ok(rgrbm_stack_create(&s, sizes, 3, RGRBM_UNITS_BINARY, 5));
  return s;
}

/* Non-default values, the same in both layouts. */
#define SET_TRAINING(o)          \
  do {                           \
    (o).epochs = 3;              \
    (o).batch_size = 10;         \
    (o).k = 2;                   \
    (o).learning_rate = 0.05;    \
    (o).l2 = 1e-4;               \
    (o).seed = 77;               \
  } while (0)

/* On the heap at exactly its size, so that ASan reports any read past it. */
static cd_options_v1 *old_caller_options(void) {
  cd_options_v1 *old = malloc(sizeof *old);
  ck_assert_ptr_nonnull(old);
  ck_assert_ok(rgrbm_cd_options_init((rgrbm_cd_options *)old, 1));
  ck_assert_uint_eq(old->version, 1);
  SET_TRAINING(*old);
  return old;
}

START_TEST(an_old_caller_trains_like_the_defaults) {
  rgrbm_dataset *ds = two_prototypes(16, 60, 3);
  rgrbm_stack *old_s = fresh_stack(), *new_s = fresh_stack();
  cd_options_v1 *old = old_caller_options();
  rgrbm_cd_options current = RGRBM_CD_OPTIONS_INIT;
  SET_TRAINING(current);
  ck_assert_int_eq(current.products, RGRBM_PRODUCTS_AUTO);
  ck_assert_ok(rgrbm_cd_train(old_s, 0, ds, (const rgrbm_cd_options *)old));
  ck_assert_ok(rgrbm_cd_train(new_s, 0, ds, &current));
  assert_same_parameters(old_s, new_s);
  ck_assert_int_eq(old_s->trained_with[0].products, RGRBM_PRODUCTS_AUTO);
  ck_assert_int_eq(old_s->trained_with[0].k, 2);
  free(old);
  rgrbm_stack_destroy(old_s);
  rgrbm_stack_destroy(new_s);
  rgrbm_dataset_destroy(ds);
}
END_TEST

/* rgrbm_cd_train_stack walks the caller's array with the caller's stride. */
START_TEST(an_old_callers_array_trains_every_layer) {
  rgrbm_dataset *ds = two_prototypes(16, 60, 4);
  rgrbm_stack *old_s = fresh_stack(), *new_s = fresh_stack();
  cd_options_v1 *old = malloc(2 * sizeof *old);
  ck_assert_ptr_nonnull(old);
  rgrbm_cd_options current[2] = {RGRBM_CD_OPTIONS_INIT, RGRBM_CD_OPTIONS_INIT};
  for (int l = 0; l < 2; l++) {
    ck_assert_ok(rgrbm_cd_options_init((rgrbm_cd_options *)&old[l], 1));
    SET_TRAINING(old[l]);
    SET_TRAINING(current[l]);
    old[l].seed = current[l].seed = 100 + (uint64_t)l;
  }
  old[1].feed_up = current[1].feed_up = RGRBM_PASS_SAMPLES;
  ck_assert_ok(rgrbm_cd_train_stack(old_s, ds, (const rgrbm_cd_options *)old));
  ck_assert_ok(rgrbm_cd_train_stack(new_s, ds, current));
  assert_same_parameters(old_s, new_s);
  ck_assert_int_eq(old_s->trained_with[1].feed_up, RGRBM_PASS_SAMPLES);
  ck_assert(old_s->trained_with[1].seed == 101);
  /* One array has one layout: a newer element in an older array is refused
   * (it would be read past its end), before anything is trained. */
  rgrbm_stack *untouched = fresh_stack();
  old[1].version = 2;
  ck_assert_fails(rgrbm_cd_train_stack(untouched, ds, (const rgrbm_cd_options *)old),
                  RGRBM_EINVAL, "rgrbm_cd_train_stack", "per_layer[1]->version = 2",
                  "per_layer[0]->version = 1");
  ck_assert_int_eq(untouched->epochs_done[0], 0);
  rgrbm_stack_destroy(untouched);
  free(old);
  rgrbm_stack_destroy(old_s);
  rgrbm_stack_destroy(new_s);
  rgrbm_dataset_destroy(ds);
}
END_TEST

/* ---- init and the static initializers --------------------------------- */

START_TEST(init_of_version_1_writes_nothing_past_it) {
  unsigned char buf[sizeof(rgrbm_cd_options) + GUARD];
  memset(buf, GUARD_BYTE, sizeof buf);
  rgrbm_cd_options *o = (rgrbm_cd_options *)(void *)buf;
  ck_assert_ok(rgrbm_cd_options_init(o, 1));
  for (size_t i = offsetof(rgrbm_cd_options, products); i < sizeof buf; i++)
    ck_assert_msg(buf[i] == GUARD_BYTE, "byte %zu written", i);
  const rgrbm_cd_options defaults = RGRBM_CD_OPTIONS_INIT;
  ck_assert_uint_eq(o->version, 1);
  ck_assert_int_eq(o->epochs, defaults.epochs);
  ck_assert(o->seed == defaults.seed && o->progress_data == NULL);
  /* Version 2 writes products, and nothing past the struct. */
  memset(buf, GUARD_BYTE, sizeof buf);
  ck_assert_ok(rgrbm_cd_options_init(o, 2));
  ck_assert_int_eq(o->products, RGRBM_PRODUCTS_AUTO);
  for (size_t i = sizeof(rgrbm_cd_options); i < sizeof buf; i++) ck_assert(buf[i] == GUARD_BYTE);
}
END_TEST

START_TEST(unknown_versions_are_refused) {
  rgrbm_cd_options o, copy;
  memset(&o, 0x3c, sizeof o);
  copy = o;
  ck_assert_fails(rgrbm_cd_options_init(&o, 0), RGRBM_EINVAL, "rgrbm_cd_options_init",
                  "version = 0", "rgrbm_cd_options versions 1 to 2");
  ck_assert_fails(rgrbm_cd_options_init(&o, RGRBM_CD_OPTIONS_VERSION + 1), RGRBM_EINVAL,
                  "version = 3", "1 to 2");
  ck_assert_mem_eq(&o, &copy, sizeof o);
  rgrbm_ais_options a;
  rgrbm_mcrg_options m;
  ck_assert_fails(rgrbm_ais_options_init(&a, 0), RGRBM_EINVAL, "rgrbm_ais_options versions 1 to 1");
  ck_assert_fails(rgrbm_ais_options_init(&a, 2), RGRBM_EINVAL, "version = 2");
  ck_assert_fails(rgrbm_mcrg_options_init(&m, 3), RGRBM_EINVAL, "rgrbm_mcrg_options versions 1 to 2");
  ck_assert_fails(rgrbm_ais_options_init(NULL, 1), RGRBM_EINVAL, "o is NULL");
  /* The training functions refuse them as well, naming struct, version and range. */
  rgrbm_dataset *ds = two_prototypes(16, 20, 1);
  rgrbm_stack *s = fresh_stack();
  ck_assert_ok(rgrbm_cd_options_init(&o, RGRBM_CD_OPTIONS_VERSION));
  o.version = 0;
  ck_assert_fails(rgrbm_cd_train(s, 0, ds, &o), RGRBM_EINVAL, "rgrbm_cd_train",
                  "o->version = 0", "rgrbm_cd_options versions 1 to 2");
  o.version = RGRBM_CD_OPTIONS_VERSION + 1;
  ck_assert_fails(rgrbm_cd_train(s, 0, ds, &o), RGRBM_EINVAL, "o->version = 3");
  ck_assert_int_eq(s->epochs_done[0], 0);
  ck_assert_ok(rgrbm_ais_options_init(&a, RGRBM_AIS_OPTIONS_VERSION));
  a.version = 2;
  double lo = 0, up = 0;
  ck_assert_fails(rgrbm_ais_log_partition(s, 0, &a, &lo, &up), RGRBM_EINVAL,
                  "rgrbm_ais_log_partition", "o->version = 2", "rgrbm_ais_options versions 1 to 1");
  rgrbm_stack_destroy(s);
  rgrbm_dataset_destroy(ds);
}
END_TEST

START_TEST(static_initializers_equal_init) {
  rgrbm_cd_options c;
  const rgrbm_cd_options ci = RGRBM_CD_OPTIONS_INIT;
  memset(&c, 0x77, sizeof c);
  ck_assert_ok(rgrbm_cd_options_init(&c, RGRBM_CD_OPTIONS_VERSION));
  ck_assert_uint_eq(c.version, ci.version);
  ck_assert_int_eq(c.epochs, ci.epochs);
  ck_assert_uint_eq(c.batch_size, ci.batch_size);
  ck_assert_int_eq(c.k, ci.k);
  ck_assert_int_eq(c.persistent, ci.persistent);
  ck_assert_uint_eq(c.persistent_chains, ci.persistent_chains);
  ck_assert(c.learning_rate == ci.learning_rate);
  ck_assert(c.momentum_initial == ci.momentum_initial);
  ck_assert(c.momentum_final == ci.momentum_final);
  ck_assert_int_eq(c.momentum_switch_epoch, ci.momentum_switch_epoch);
  ck_assert(c.l1 == ci.l1 && c.l2 == ci.l2);
  ck_assert_int_eq(c.mean_field_reconstruction, ci.mean_field_reconstruction);
  ck_assert_int_eq(c.feed_up, ci.feed_up);
  ck_assert_int_eq(c.compute_pll, ci.compute_pll);
  ck_assert(c.seed == ci.seed);
  ck_assert(c.progress == ci.progress && c.progress_data == ci.progress_data);
  ck_assert_int_eq(c.products, ci.products);
  /* and the documented defaults */
  ck_assert(ci.epochs == 10 && ci.batch_size == 100 && ci.learning_rate == 0.01 &&
            ci.momentum_switch_epoch == 5 && ci.seed == 1 && ci.feed_up == RGRBM_PASS_MEANS);

  rgrbm_ais_options a;
  const rgrbm_ais_options ai = RGRBM_AIS_OPTIONS_INIT;
  memset(&a, 0x77, sizeof a);
  ck_assert_ok(rgrbm_ais_options_init(&a, RGRBM_AIS_OPTIONS_VERSION));
  ck_assert_uint_eq(a.version, ai.version);
  ck_assert_int_eq(a.betas, ai.betas);
  ck_assert_uint_eq(a.runs, ai.runs);
  ck_assert_int_eq(a.base, ai.base);
  ck_assert(a.data == ai.data);
  ck_assert(a.reverse_burn_in == ai.reverse_burn_in);
  ck_assert(a.margin == ai.margin);
  ck_assert(a.seed == ai.seed);
  ck_assert(ai.betas == 1000 && ai.runs == 100 && ai.reverse_burn_in == 1000 && ai.margin == 3);

  rgrbm_mcrg_options m;
  const rgrbm_mcrg_options mi = RGRBM_MCRG_OPTIONS_INIT;
  memset(&m, 0x77, sizeof m);
  ck_assert_ok(rgrbm_mcrg_options_init(&m, RGRBM_MCRG_OPTIONS_VERSION));
  ck_assert_uint_eq(m.version, mi.version);
  ck_assert_int_eq(m.levels, mi.levels);
  ck_assert_uint_eq(m.samples, mi.samples);
  ck_assert(m.thermalize == mi.thermalize && m.spacing == mi.spacing);
  ck_assert_uint_eq(m.bins, mi.bins);
  ck_assert_int_eq(m.even_operators, mi.even_operators);
  ck_assert_int_eq(m.odd_operators, mi.odd_operators);
  ck_assert(mi.levels == 3 && mi.samples == 10000 && mi.thermalize == 200 && mi.bins == 20);
  ck_assert(m.chains == mi.chains && m.seed == mi.seed && mi.chains == 1 && mi.seed == 0);
}
END_TEST

/* ---- results ----------------------------------------------------------- */

/* A result struct in a buffer of guard bytes: the library must write its
 * fields and not one byte past sizeof. */
#define GUARDED(type, name)                                 \
  unsigned char name##_buf[sizeof(type) + GUARD];           \
  memset(name##_buf, GUARD_BYTE, sizeof name##_buf);        \
  type *name = (type *)(void *)name##_buf

static void assert_guard_intact(const unsigned char *buf, size_t size) {
  for (size_t i = size; i < size + GUARD; i++)
    ck_assert_msg(buf[i] == GUARD_BYTE, "byte %zu past the struct written", i - size);
}

START_TEST(results_are_written_exactly_to_their_size) {
  GUARDED(rgrbm_exact, e);
  e->version = RGRBM_EXACT_VERSION;
  ck_assert_ok(rgrbm_exact_chain(8, 0.5, 0.1, RGRBM_PERIODIC, e));
  ck_assert(e->log_z_per_site > 0 && e->version == 1);
  ck_assert(isnan(e->magnetization4)); /* the last field, written: NaN for the chain */
  assert_guard_intact(e_buf, sizeof *e);

  rgrbm_rg *rg;
  ck_assert_ok(rgrbm_rg_create_block2d(&rg, 8, 8, 2, RGRBM_BLOCK_MAJORITY, 1));
  GUARDED(rgrbm_rg_dims, d);
  d->version = RGRBM_RG_DIMS_VERSION;
  ck_assert_ok(rgrbm_rg_shape(rg, d));
  ck_assert_int_eq(d->b, 2); /* the last field */
  ck_assert_uint_eq(d->in_dim, 64);
  assert_guard_intact(d_buf, sizeof *d);
  rgrbm_rg_destroy(rg);

  rgrbm_lattice *lat;
  ck_assert_ok(rgrbm_lattice_create(&lat, RGRBM_SQUARE, 4, 4, RGRBM_PERIODIC));
  ck_assert_ok(rgrbm_lattice_set_couplings(lat, 0.3, 0));
  rgrbm_dataset *ds = two_prototypes(16, 40, 2);
  GUARDED(rgrbm_thermo, t);
  t->version = RGRBM_THERMO_VERSION;
  ck_assert_ok(rgrbm_measure_thermo(ds, lat, 4, t));
  ck_assert(isfinite(t->binder.error)); /* the last field */
  assert_guard_intact(t_buf, sizeof *t);
  rgrbm_dataset_destroy(ds);
  rgrbm_lattice_destroy(lat);
}
END_TEST

START_TEST(result_versions_above_current_are_refused) {
  rgrbm_exact e = RGRBM_EXACT_INIT, copy;
  e.version = RGRBM_EXACT_VERSION + 1;
  copy = e;
  ck_assert_fails(rgrbm_exact_onsager(0.3, &e), RGRBM_EINVAL, "rgrbm_exact_onsager",
                  "out->version = 2", "rgrbm_exact versions 1 to 1");
  e.version = copy.version = 0;
  ck_assert_fails(rgrbm_exact_torus(4, 4, 0.3, &e), RGRBM_EINVAL, "out->version = 0");
  ck_assert_fails(rgrbm_exact_enumerate(RGRBM_CHAIN, 4, 1, RGRBM_OPEN, 0.3, 0, &e), RGRBM_EINVAL,
                  "rgrbm_exact_enumerate", "out->version = 0");
  ck_assert_mem_eq(&e, &copy, sizeof e);
  rgrbm_lattice *lat;
  ck_assert_ok(rgrbm_lattice_create(&lat, RGRBM_SQUARE, 4, 4, RGRBM_PERIODIC));
  rgrbm_dataset *ds = two_prototypes(16, 40, 2);
  rgrbm_thermo t = RGRBM_THERMO_INIT;
  t.version = RGRBM_THERMO_VERSION + 1;
  ck_assert_fails(rgrbm_measure_thermo(ds, lat, 4, &t), RGRBM_EINVAL, "rgrbm_measure_thermo",
                  "out->version = 2", "rgrbm_thermo versions 1 to 1");
  rgrbm_dataset_destroy(ds);
  rgrbm_lattice_destroy(lat);
}
END_TEST

/* An MCRG result: the fixed part is written to its size, the exponents go
 * to arrays the library allocates and rgrbm_mcrg_result_free releases. */
START_TEST(mcrg_result_is_guarded_and_freed) {
  rgrbm_lattice *lat;
  rgrbm_sampler *smp;
  rgrbm_rg *rg;
  ck_assert_ok(rgrbm_lattice_create(&lat, RGRBM_SQUARE, 16, 16, RGRBM_PERIODIC));
  ck_assert_ok(rgrbm_lattice_set_couplings(lat, 0.3, 0));
  ck_assert_ok(rgrbm_sampler_create(&smp, lat, RGRBM_HEAT_BATH, 1));
  ck_assert_ok(rgrbm_rg_create_block2d(&rg, 16, 16, 2, RGRBM_BLOCK_MAJORITY, 1));
  rgrbm_mcrg_options o = RGRBM_MCRG_OPTIONS_INIT;
  o.levels = 1;
  o.samples = 200;
  o.bins = 4;
  o.even_operators = 2;
  o.odd_operators = 3;
  const size_t before = rgrbm_memory_in_use();
  GUARDED(rgrbm_mcrg_result, r);
  r->version = RGRBM_MCRG_RESULT_VERSION;
  ck_assert_ok(rgrbm_mcrg_run(smp, rg, &o, r));
  assert_guard_intact(r_buf, sizeof *r);
  ck_assert(r->levels == 1 && r->even_operators == 2 && r->odd_operators == 3);
  ck_assert_uint_eq(rgrbm_memory_in_use(), before + 5 * sizeof(rgrbm_mcrg_exponent));
  for (int k = 0; k < 2; k++) ck_assert(isfinite(r->even[k].lambda));
  for (int k = 0; k < 3; k++) ck_assert(isfinite(r->odd[k].lambda));
  rgrbm_mcrg_result_free(r);
  ck_assert(r->even == NULL && r->odd == NULL);
  ck_assert_uint_eq(rgrbm_memory_in_use(), before);
  rgrbm_mcrg_result_free(r);
  rgrbm_mcrg_result empty = RGRBM_MCRG_RESULT_INIT;
  rgrbm_mcrg_result_free(&empty);
  /* A refused run allocates nothing and leaves out as it was. */
  rgrbm_mcrg_result bad = RGRBM_MCRG_RESULT_INIT, copy;
  bad.version = RGRBM_MCRG_RESULT_VERSION + 1;
  copy = bad;
  ck_assert_fails(rgrbm_mcrg_run(smp, rg, &o, &bad), RGRBM_EINVAL, "rgrbm_mcrg_run",
                  "out->version = 2", "rgrbm_mcrg_result versions 1 to 1");
  ck_assert_mem_eq(&bad, &copy, sizeof bad);
  ck_assert_uint_eq(rgrbm_memory_in_use(), before);
  rgrbm_rg_destroy(rg);
  rgrbm_sampler_destroy(smp);
  rgrbm_lattice_destroy(lat);
}
END_TEST

/* ---- the idiom on a struct that grew ------------------------------------ */

/* Version 2 of a struct that appended `added`; version 1 is it truncated. */
typedef struct grown {
  unsigned version;
  double kept;
  double added;
} grown;
typedef struct grown_v1 {
  unsigned version;
  double kept;
} grown_v1;
static const size_t GROWN_BYTES[2] = {offsetof(grown, added), sizeof(grown)};
static const rgrbm__layout GROWN = {"grown", 2, GROWN_BYTES};

START_TEST(an_older_result_is_not_written_past) {
  _Static_assert(sizeof(grown_v1) == offsetof(grown, added), "a truncated layout");
  unsigned char buf[sizeof(grown_v1) + GUARD];
  memset(buf, GUARD_BYTE, sizeof buf);
  grown_v1 *old = (grown_v1 *)(void *)buf;
  old->version = 1;
  ck_assert_ok(rgrbm__version_check(&GROWN, old->version, "f", "out"));
  grown filled = {2, 1.5, 2.5};
  rgrbm__versioned_write(&GROWN, old, &filled);
  ck_assert_uint_eq(old->version, 1); /* the caller's version stays */
  ck_assert(old->kept == 1.5);
  assert_guard_intact(buf, sizeof *old);
  /* The current version gets every field. */
  grown now = {2, 0, 0};
  rgrbm__versioned_write(&GROWN, &now, &(grown){2, 1.5, 2.5});
  ck_assert(now.kept == 1.5 && now.added == 2.5);
  ck_assert_fails(rgrbm__version_check(&GROWN, 3, "f", "out"), RGRBM_EINVAL,
                  "f: out->version = 3", "grown versions 1 to 2");
}
END_TEST

START_TEST(older_options_keep_the_defaults_of_newer_fields) {
  grown current = {2, 10.0, 20.0}; /* the defaults */
  grown_v1 *given = malloc(sizeof *given); /* exactly its size: ASan sees any read past */
  ck_assert_ptr_nonnull(given);
  *given = (grown_v1){1, 11.0};
  ck_assert_ok(rgrbm__versioned_read(&GROWN, &current, given, "f", "o"));
  ck_assert(current.kept == 11.0 && current.added == 20.0 && current.version == 1);
  given->version = 0;
  ck_assert_fails(rgrbm__versioned_read(&GROWN, &current, given, "f", "o"), RGRBM_EINVAL,
                  "f: o->version = 0", "grown versions 1 to 2");
  ck_assert_ok(rgrbm__versioned_read(&GROWN, &current, NULL, "f", "o")); /* NULL: defaults */
  free(given);
}
END_TEST

static Suite *versions_suite(void) {
  Suite *s = suite_create("versions");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, an_old_caller_trains_like_the_defaults);
  tcase_add_test(tc, an_old_callers_array_trains_every_layer);
  tcase_add_test(tc, init_of_version_1_writes_nothing_past_it);
  tcase_add_test(tc, unknown_versions_are_refused);
  tcase_add_test(tc, static_initializers_equal_init);
  tcase_add_test(tc, results_are_written_exactly_to_their_size);
  tcase_add_test(tc, result_versions_above_current_are_refused);
  tcase_add_test(tc, mcrg_result_is_guarded_and_freed);
  tcase_add_test(tc, an_older_result_is_not_written_past);
  tcase_add_test(tc, older_options_keep_the_defaults_of_newer_fields);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return rgrbm_test_run(versions_suite()); }
