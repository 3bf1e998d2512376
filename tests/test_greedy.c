/* Greedy layer-wise training: every layer in turn with its own options, the
 * same as training the layers one by one, progress across layers, and the
 * failure paths (cancel in a later layer, a bad option in a later layer). */
#include <stdint.h>

#include "stack_fixtures.h"
#include "testutil.h"

static const int SIZES[] = {12, 8, 4};

static rgrbm_dataset *some_data(void) {
  /* Two noisy prototypes, so that the layers have something to learn. */
  rgrbm_dataset *ds;
  ck_assert_ok(rgrbm_dataset_create(&ds, 12));
  rgrbm__rng r;
  rgrbm__rng_init(&r, 4, 0);
  int8_t row[12];
  for (int n = 0; n < 300; n++) {
    int proto = n % 2;
    for (int i = 0; i < 12; i++) {
      int8_t s = (i < 6) == proto ? 1 : -1;
      row[i] = rgrbm__rng_double(&r) < 0.1 ? (int8_t)-s : s;
    }
    ck_assert_ok(rgrbm_dataset_append(ds, row, 1));
  }
  return ds;
}

typedef struct progress_log {
  int layers[16], epochs[16], count;
  int cancel_layer, cancel_epoch;
} progress_log;

static int record(void *user, int layer, int epoch, double err, double pll, double seconds) {
  progress_log *log = user;
  ck_assert_int_lt(log->count, 16);
  log->layers[log->count] = layer;
  log->epochs[log->count] = epoch;
  log->count++;
  ck_assert(err >= 0 && seconds >= 0);
  return layer == log->cancel_layer && epoch == log->cancel_epoch;
}

static void options_for(rgrbm_cd_options o[2], progress_log *log) {
  for (int l = 0; l < 2; l++) {
    rgrbm_cd_options_init(&o[l], RGRBM_CD_OPTIONS_VERSION);
    o[l].epochs = 2 + l;
    o[l].batch_size = 20;
    o[l].learning_rate = 0.05;
    o[l].seed = 10 + (uint64_t)l;
    o[l].progress = log ? record : NULL;
    o[l].progress_data = log;
  }
  o[1].k = 2;
  o[1].feed_up = RGRBM_PASS_SAMPLES;
}

/* Two stacks created alike: the one under test and its reference. */
static void stack_pair(rgrbm_stack **a, rgrbm_stack **b, rgrbm_units units) {
  ck_assert_ok(rgrbm_stack_create(a, SIZES, 3, units, 3));
  ck_assert_ok(rgrbm_stack_create(b, SIZES, 3, units, 3));
}

/* The reference: layer 0, then layer 1 for `epochs1` epochs, one by one. */
static void train_by_hand(rgrbm_stack *s, const rgrbm_dataset *ds, int epochs1) {
  rgrbm_cd_options o[2];
  options_for(o, NULL);
  o[1].epochs = epochs1;
  ck_assert_ok(rgrbm_cd_train(s, 0, ds, &o[0]));
  ck_assert_ok(rgrbm_cd_train(s, 1, ds, &o[1]));
}

START_TEST(trains_every_layer_in_turn) {
  rgrbm_dataset *ds = some_data();
  rgrbm_stack *greedy, *by_hand;
  stack_pair(&greedy, &by_hand, RGRBM_UNITS_BINARY);
  progress_log log = {.cancel_layer = -1};
  rgrbm_cd_options o[2];
  options_for(o, &log);
  ck_assert_ok(rgrbm_cd_train_stack(greedy, ds, o));
  /* Progress runs across the layers: layer 0's epochs, then layer 1's. */
  const int want_layers[] = {0, 0, 1, 1, 1}, want_epochs[] = {1, 2, 1, 2, 3};
  ck_assert_int_eq(log.count, 5);
  for (int i = 0; i < 5; i++) {
    ck_assert_int_eq(log.layers[i], want_layers[i]);
    ck_assert_int_eq(log.epochs[i], want_epochs[i]);
  }
  ck_assert_int_eq(greedy->epochs_done[0], 2);
  ck_assert_int_eq(greedy->epochs_done[1], 3);
  ck_assert_int_eq(greedy->trained_with[1].k, 2);
  /* The same as training layer 0, then layer 1, by hand. */
  train_by_hand(by_hand, ds, 3);
  assert_same_parameters(greedy, by_hand);
  rgrbm_stack_destroy(greedy);
  rgrbm_stack_destroy(by_hand);
  rgrbm_dataset_destroy(ds);
}
END_TEST

START_TEST(cancel_in_a_later_layer_keeps_the_earlier_ones) {
  rgrbm_dataset *ds = some_data();
  rgrbm_stack *s, *ref;
  stack_pair(&s, &ref, RGRBM_UNITS_SPIN);
  progress_log log = {.cancel_layer = 1, .cancel_epoch = 2};
  rgrbm_cd_options o[2];
  options_for(o, &log);
  ck_assert_fails(rgrbm_cd_train_stack(s, ds, o), RGRBM_ECANCELED, "rgrbm_cd_train_stack",
                  "per_layer[1]");
  ck_assert_int_eq(log.count, 4);
  ck_assert_int_eq(s->epochs_done[0], 2);
  ck_assert_int_eq(s->epochs_done[1], 2);
  /* Layer 0 fully trained, layer 1 as of its last completed epoch. */
  train_by_hand(ref, ds, 2);
  assert_same_parameters(s, ref);
  rgrbm_stack_destroy(s);
  rgrbm_stack_destroy(ref);
  rgrbm_dataset_destroy(ds);
}
END_TEST

START_TEST(a_bad_option_in_a_later_layer_changes_nothing) {
  rgrbm_dataset *ds = some_data();
  rgrbm_stack *s, *untouched;
  stack_pair(&s, &untouched, RGRBM_UNITS_BINARY);
  rgrbm_cd_options o[2];
  options_for(o, NULL);
  o[1].epochs = 0;
  size_t before = rgrbm_memory_in_use();
  ck_assert_fails(rgrbm_cd_train_stack(s, ds, o), RGRBM_EINVAL, "rgrbm_cd_train_stack", "per_layer[1]",
                  "epochs = 0");
  assert_same_parameters(s, untouched);
  options_for(o, NULL);
  o[1].version = 77;
  ck_assert_fails(rgrbm_cd_train_stack(s, ds, o), RGRBM_EINVAL, "per_layer[1]", "version = 77");
  assert_same_parameters(s, untouched);
  /* Tables cannot run on layer 1 fed up by means: refused before layer 0 trains. */
  options_for(o, NULL);
  o[1].feed_up = RGRBM_PASS_MEANS;
  o[1].products = RGRBM_PRODUCTS_TABLES;
  ck_assert_fails(rgrbm_cd_train_stack(s, ds, o), RGRBM_EUNSUPPORTED, "per_layer[1]",
                  "RGRBM_PRODUCTS_TABLES");
  assert_same_parameters(s, untouched);
  ck_assert_int_eq(s->trained_with[0].trained, 0);
  /* An unknown version of the array itself. */
  options_for(o, NULL);
  o[0].version = 0;
  ck_assert_fails(rgrbm_cd_train_stack(s, ds, o), RGRBM_EINVAL, "per_layer[0]->version = 0");
  assert_same_parameters(s, untouched);
  ck_assert_uint_eq(rgrbm_memory_in_use(), before);
  rgrbm_stack_destroy(s);
  rgrbm_stack_destroy(untouched);
  rgrbm_dataset_destroy(ds);
}
END_TEST

START_TEST(bad_arguments_are_named) {
  rgrbm_dataset *ds = some_data(), *wrong;
  ck_assert_ok(rgrbm_dataset_create(&wrong, 5));
  rgrbm_stack *s;
  ck_assert_ok(rgrbm_stack_create(&s, SIZES, 3, RGRBM_UNITS_BINARY, 3));
  rgrbm_cd_options o[2];
  options_for(o, NULL);
  ck_assert_fails(rgrbm_cd_train_stack(NULL, ds, o), RGRBM_EINVAL, "rgrbm_cd_train_stack", "s is NULL");
  ck_assert_fails(rgrbm_cd_train_stack(s, NULL, o), RGRBM_EINVAL, "data is NULL");
  ck_assert_fails(rgrbm_cd_train_stack(s, wrong, o), RGRBM_EINVAL, "rgrbm_cd_train_stack", "per_layer[0]",
                  "data dim = 5");
  ck_assert_int_eq(s->epochs_done[0], 0);
  rgrbm_stack_destroy(s);
  rgrbm_dataset_destroy(ds);
  rgrbm_dataset_destroy(wrong);
}
END_TEST

/* NULL options are the defaults in every layer. */
START_TEST(null_options_are_the_defaults) {
  rgrbm_dataset *ds = some_data();
  rgrbm_stack *s, *ref;
  stack_pair(&s, &ref, RGRBM_UNITS_BINARY);
  ck_assert_ok(rgrbm_cd_train_stack(s, ds, NULL));
  const rgrbm_cd_options defaults[2] = {RGRBM_CD_OPTIONS_INIT, RGRBM_CD_OPTIONS_INIT};
  ck_assert_ok(rgrbm_cd_train_stack(ref, ds, defaults));
  assert_same_parameters(s, ref);
  ck_assert_int_eq(s->epochs_done[1], 10);
  ck_assert_uint_eq(s->trained_with[1].batch_size, 100);
  rgrbm_stack_destroy(s);
  rgrbm_stack_destroy(ref);
  rgrbm_dataset_destroy(ds);
}
END_TEST

static Suite *greedy_suite(void) {
  Suite *s = suite_create("greedy");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, trains_every_layer_in_turn);
  tcase_add_test(tc, cancel_in_a_later_layer_keeps_the_earlier_ones);
  tcase_add_test(tc, a_bad_option_in_a_later_layer_changes_nothing);
  tcase_add_test(tc, bad_arguments_are_named);
  tcase_add_test(tc, null_options_are_the_defaults);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return rgrbm_test_run(greedy_suite()); }
