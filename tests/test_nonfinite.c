/* Non-finite parameters through every function that reads RBM parameters:
 * a NaN, +Inf or -Inf planted in a weight, a visible bias or a hidden bias of
 * one layer makes every function that reads that layer fail with
 * RGRBM_ENUMERIC, naming the function, the layer and the entry, and leave
 * the caller's objects as they were; functions that read only other layers
 * still succeed (the check is exact, not a blanket refusal). */
#include <math.h>
#include <stdint.h>

#include "stack_fixtures.h"
#include "testutil.h"

/* Levels 16 (a 4 x 4 lattice) - 9 - 4, spin units: small enough for the
 * enumerations (vrg, ln Z) on both layers. */
static const int SIZES[3] = {16, 9, 4};
enum { ROWS = 6 };

typedef enum array_kind { WEIGHT, VBIAS, HBIAS } array_kind;

typedef struct poison {
  int layer;
  array_kind array;
  size_t i, j; /* entry (i, j) of the weights, or entry i of a bias */
  float value;
} poison;

static float *entry_of(rgrbm_stack *s, const poison *p) {
  const size_t nh = (size_t)s->sizes[p->layer + 1];
  switch (p->array) {
    case WEIGHT: return &s->weights[p->layer][p->i * nh + p->j];
    case VBIAS: return &s->vbias[p->layer][p->i];
    case HBIAS: return &s->hbias[p->layer][p->i];
  }
  return NULL;
}

/* The fragment the message must contain, e.g. "layer 0 weight (3, 7) is NaN". */
static void expected_fragment(const poison *p, char *buf, size_t size) {
  const char *value = isnan(p->value) ? "NaN" : p->value > 0 ? "+Inf" : "-Inf";
  if (p->array == WEIGHT)
    snprintf(buf, size, "layer %d weight (%zu, %zu) is %s", p->layer, p->i, p->j, value);
  else
    snprintf(buf, size, "layer %d %s bias %zu is %s", p->layer,
             p->array == VBIAS ? "visible" : "hidden", p->i, value);
}

/* Everything a call needs; the stack is rebuilt (and poisoned) per case. */
typedef struct fixture {
  rgrbm_stack *s;
  rgrbm_dataset *data0, *data1; /* configurations of level 0 and of level 1 */
  float in[ROWS * 16], out[ROWS * 16];
} fixture;

static void fixture_init(fixture *f) {
  f->s = random_stack(SIZES, 3, RGRBM_UNITS_SPIN, 0.3, 0.1, 5);
  ck_assert_ok(rgrbm_dataset_create(&f->data0, 16));
  ck_assert_ok(rgrbm_dataset_create(&f->data1, 9));
  int8_t spins[ROWS * 16];
  for (int k = 0; k < ROWS * 16; k++) {
    spins[k] = (int8_t)(((k * 7 + k / 5) % 3) ? 1 : -1);
    f->in[k] = spins[k];
  }
  ck_assert_ok(rgrbm_dataset_append(f->data0, spins, ROWS));
  ck_assert_ok(rgrbm_dataset_append(f->data1, spins, ROWS)); /* 9-spin rows of the same bytes */
}

static void fixture_free(fixture *f) {
  rgrbm_stack_destroy(f->s);
  rgrbm_dataset_destroy(f->data0);
  rgrbm_dataset_destroy(f->data1);
}

/* One reading function: its name, the layers it reads, whether it reads the
 * biases, and a call that returns its status. */
typedef struct reader {
  const char *name;
  int first, last;
  int biases;
  int (*call)(fixture *f);
} reader;

static int call_set_units(fixture *f) { return rgrbm_stack_set_units(f->s, RGRBM_UNITS_BINARY); }
static int call_up(fixture *f) { return rgrbm_stack_up(f->s, 0, 2, f->in, ROWS, f->out); }
static int call_down(fixture *f) { return rgrbm_stack_down(f->s, 1, 0, f->in, ROWS, f->out); }
static int call_sample_up(fixture *f) {
  return rgrbm_stack_sample_up(f->s, 1, 2, f->in, ROWS, 3, f->out);
}
static int call_sample_down(fixture *f) {
  return rgrbm_stack_sample_down(f->s, 2, 0, f->in, ROWS, 3, f->out);
}
static int call_free_energy(fixture *f) {
  double fe[ROWS];
  return rgrbm_stack_free_energy(f->s, 1, f->in, ROWS, fe);
}
static int call_log_partition(fixture *f) {
  double lz;
  return rgrbm_stack_log_partition(f->s, 0, &lz);
}
static int call_log_likelihood(fixture *f) {
  double ll;
  return rgrbm_stack_log_likelihood(f->s, 1, f->data1, &ll);
}
static int call_pll(fixture *f) {
  double pll;
  return rgrbm_stack_pseudo_log_likelihood(f->s, 0, f->data0, &pll);
}
static int call_ais(fixture *f) {
  rgrbm_ais_options o;
  rgrbm_ais_options_init(&o, RGRBM_AIS_OPTIONS_VERSION);
  o.betas = 10;
  o.runs = 4;
  o.reverse_burn_in = 10;
  o.base = RGRBM_AIS_BASE_DATA;
  o.data = f->data0;
  double lo, hi;
  return rgrbm_ais_log_partition(f->s, 1, &o, &lo, &hi);
}
static int call_receptive(fixture *f) {
  float rf[16 * 4];
  return rgrbm_receptive_field(f->s, 2, rf);
}
static int call_locality(fixture *f) {
  rgrbm_receptive_summary loc = RGRBM_RECEPTIVE_SUMMARY_INIT;
  return rgrbm_receptive_summarize(f->s, 2, 4, 4, 2, &loc);
}
static int call_reconstruct(fixture *f) {
  return rgrbm_stack_reconstruct(f->s, 1, RGRBM_PASS_SAMPLES, f->in, ROWS, 9, f->out);
}
static int call_vrg(fixture *f) {
  rgrbm_lattice *lat;
  rgrbm_vrg_report r = RGRBM_VRG_REPORT_INIT;
  ck_assert_ok(rgrbm_lattice_create(&lat, RGRBM_SQUARE, 4, 4, RGRBM_PERIODIC));
  ck_assert_ok(rgrbm_lattice_set_couplings(lat, 0.3, 0.0));
  int rc = rgrbm_vrg_check(f->s, 0, lat, &r);
  rgrbm_lattice_destroy(lat);
  return rc;
}
static int call_rg_apply(fixture *f) {
  rgrbm_rg *rg;
  rgrbm_dataset *out;
  ck_assert_ok(rgrbm_rg_create_learned(&rg, f->s, 2, RGRBM_RG_SIGN_MEAN, 1));
  ck_assert_ok(rgrbm_dataset_create(&out, 4));
  int rc = rgrbm_rg_apply(rg, f->data0, out);
  if (rc) ck_assert_uint_eq(rgrbm_dataset_count(out), 0);
  rgrbm_dataset_destroy(out);
  rgrbm_rg_destroy(rg);
  return rc;
}
/* The sampler is created before the stack changes: the check is per call. */
static int gibbs_call(fixture *f, int layer, int draw) {
  rgrbm_sampler *smp;
  ck_assert_ok(rgrbm_sampler_create_gibbs(&smp, f->s, layer, 3, 1));
  int rc;
  if (draw) {
    rgrbm_dataset *out;
    ck_assert_ok(rgrbm_dataset_create(&out, (size_t)f->s->sizes[layer < 0 ? 0 : layer]));
    rc = rgrbm_sampler_draw(smp, 5, 2, 1, out);
    if (rc) ck_assert_uint_eq(rgrbm_dataset_count(out), 0);
    rgrbm_dataset_destroy(out);
  } else {
    rc = rgrbm_sampler_sweep(smp, 3);
  }
  rgrbm_sampler_destroy(smp);
  return rc;
}
static int call_gibbs_sweep(fixture *f) { return gibbs_call(f, 1, 0); }
static int call_gibbs_draw(fixture *f) { return gibbs_call(f, -1, 1); }
static int call_cd_train(fixture *f) {
  rgrbm_cd_options o;
  rgrbm_cd_options_init(&o, RGRBM_CD_OPTIONS_VERSION);
  o.epochs = 1;
  o.batch_size = 3;
  return rgrbm_cd_train(f->s, 1, f->data0, &o);
}

static const reader READERS[] = {
    {"rgrbm_stack_set_units", 0, 1, 1, call_set_units},
    {"rgrbm_stack_up", 0, 1, 1, call_up},
    {"rgrbm_stack_down", 0, 0, 1, call_down},
    {"rgrbm_stack_sample_up", 1, 1, 1, call_sample_up},
    {"rgrbm_stack_sample_down", 0, 1, 1, call_sample_down},
    {"rgrbm_stack_free_energy", 1, 1, 1, call_free_energy},
    {"rgrbm_stack_log_partition", 0, 0, 1, call_log_partition},
    {"rgrbm_stack_log_likelihood", 1, 1, 1, call_log_likelihood},
    {"rgrbm_stack_pseudo_log_likelihood", 0, 0, 1, call_pll},
    {"rgrbm_ais_log_partition", 0, 1, 1, call_ais},
    {"rgrbm_receptive_field", 0, 1, 0, call_receptive},
    {"rgrbm_receptive_summarize", 0, 1, 0, call_locality},
    {"rgrbm_stack_reconstruct", 0, 0, 1, call_reconstruct},
    {"rgrbm_vrg_check", 0, 0, 1, call_vrg},
    {"rgrbm_rg_apply", 0, 1, 1, call_rg_apply},
    {"rgrbm_sampler_sweep", 1, 1, 1, call_gibbs_sweep},
    {"rgrbm_sampler_draw", 0, 1, 1, call_gibbs_draw},
    {"rgrbm_cd_train", 0, 1, 1, call_cd_train},
};
enum { NREADERS = sizeof READERS / sizeof READERS[0] };

static const poison POISONS[] = {
    {0, WEIGHT, 3, 7, NAN},      {0, VBIAS, 15, 0, INFINITY}, {0, HBIAS, 8, 0, -INFINITY},
    {1, WEIGHT, 8, 3, INFINITY}, {1, VBIAS, 2, 0, NAN},       {1, HBIAS, 0, 0, NAN},
    {1, WEIGHT, 0, 0, -INFINITY},
};
enum { NPOISONS = sizeof POISONS / sizeof POISONS[0] };

static int reads(const reader *r, const poison *p) {
  return p->layer >= r->first && p->layer <= r->last && (r->biases || p->array == WEIGHT);
}

/* Loop over readers inside the test (_i is the poison). */
START_TEST(every_reader_refuses_the_layers_it_reads) {
  const poison *p = &POISONS[_i];
  char fragment[128];
  expected_fragment(p, fragment, sizeof fragment);
  for (int k = 0; k < NREADERS; k++) {
    const reader *r = &READERS[k];
    fixture f;
    fixture_init(&f);
    *entry_of(f.s, p) = p->value;
    rgrbm_stack *before = random_stack(SIZES, 3, RGRBM_UNITS_SPIN, 0.3, 0.1, 5);
    *entry_of(before, p) = p->value;
    for (int m = 0; m < ROWS * 16; m++) f.out[m] = 42.0f;
    rgrbm_clear_error();
    int rc = r->call(&f);
    if (reads(r, p)) {
      ck_assert_msg(rc == RGRBM_ENUMERIC, "%s with %s returned %s (%s)", r->name, fragment,
                    rgrbm_strerror(rc), rgrbm_last_error());
      RGRBM_CHECK_MESSAGE(r->name, r->name);
      /* rgrbm_cd_train's own check of the trained layer words it its way. */
      if (!(k == NREADERS - 1 && p->layer == 1)) RGRBM_CHECK_MESSAGE(r->name, fragment);
      assert_same_parameters(f.s, before);
      for (int m = 0; m < ROWS * 16; m++)
        ck_assert_msg(f.out[m] == 42.0f, "%s wrote out before failing", r->name);
    } else {
      ck_assert_msg(rc == RGRBM_OK, "%s, which does not read %s, returned %s (%s)", r->name,
                    fragment, rgrbm_strerror(rc), rgrbm_last_error());
    }
    rgrbm_stack_destroy(before);
    fixture_free(&f);
  }
}
END_TEST

/* Inputs are read too: a NaN row is refused, never turned into a mean of 1. */
START_TEST(non_finite_inputs_are_refused) {
  fixture f;
  fixture_init(&f);
  f.in[2 * 16 + 5] = NAN;
  ck_assert_fails(rgrbm_stack_up(f.s, 0, 1, f.in, ROWS, f.out), RGRBM_ENUMERIC,
                  "rgrbm_stack_up", "in row 2, column 5 is NaN");
  f.in[2 * 16 + 5] = 1.0f;
  f.in[1 * 9 + 8] = -INFINITY;
  double fe[ROWS];
  ck_assert_fails(rgrbm_stack_free_energy(f.s, 1, f.in, ROWS, fe), RGRBM_ENUMERIC,
                  "rgrbm_stack_free_energy", "v row 1, column 8 is -Inf");
  fixture_free(&f);
}
END_TEST

/* Finite parameters whose binary form would overflow float are refused, and
 * the stack keeps its units and every bit. */
START_TEST(set_units_refuses_an_overflow) {
  fixture f;
  fixture_init(&f);
  f.s->weights[1][5] = 1e38f;
  rgrbm_stack *before = random_stack(SIZES, 3, RGRBM_UNITS_SPIN, 0.3, 0.1, 5);
  before->weights[1][5] = 1e38f;
  ck_assert_fails(rgrbm_stack_set_units(f.s, RGRBM_UNITS_BINARY), RGRBM_ENUMERIC,
                  "rgrbm_stack_set_units", "layer 1 weight", "FLT_MAX");
  assert_same_parameters(f.s, before);
  ck_assert_int_eq(rgrbm_stack_units(f.s), RGRBM_UNITS_SPIN);
  rgrbm_stack_destroy(before);
  fixture_free(&f);
}
END_TEST

/* Receptive fields: finite weights whose product overflows float. */
START_TEST(receptive_field_refuses_an_overflowing_product) {
  fixture f;
  fixture_init(&f);
  for (int k = 0; k < 16 * 9; k++) f.s->weights[0][k] = 3e20f;
  for (int k = 0; k < 9 * 4; k++) f.s->weights[1][k] = 3e20f;
  float rf[16 * 4];
  ck_assert_fails(rgrbm_receptive_field(f.s, 2, rf), RGRBM_ENUMERIC,
                  "rgrbm_receptive_field", "the product r(level)", "+Inf");
  fixture_free(&f);
}
END_TEST

/* rgrbm_stack_save refuses them too (stack_io.c's own check). */
START_TEST(save_refuses_non_finite_parameters) {
  fixture f;
  fixture_init(&f);
  f.s->hbias[1][2] = NAN;
  char path[] = "/tmp/rgrbm_nonfinite_XXXXXX";
  int fd = mkstemp(path);
  ck_assert_int_ge(fd, 0);
  close(fd);
  ck_assert_fails(rgrbm_stack_save(f.s, path), RGRBM_ENUMERIC, "rgrbm_stack_save", "layer 1");
  unlink(path);
  fixture_free(&f);
}
END_TEST

/* Limits agree with cd.h: a batch_size above the data (even SIZE_MAX) is one
 * batch, bit for bit the same training as batch_size = the data's size; as
 * PCD's default chain count it obeys the chains' limit of 2^30 - 1. */
START_TEST(cd_batch_size_beyond_the_data_is_one_batch) {
  fixture a, b;
  fixture_init(&a);
  fixture_init(&b);
  rgrbm_cd_options o;
  rgrbm_cd_options_init(&o, RGRBM_CD_OPTIONS_VERSION);
  o.epochs = 2;
  o.batch_size = SIZE_MAX;
  ck_assert_ok(rgrbm_cd_train(a.s, 0, a.data0, &o));
  o.batch_size = ROWS;
  ck_assert_ok(rgrbm_cd_train(b.s, 0, b.data0, &o));
  b.s->trained_with[0].batch_size = SIZE_MAX; /* the recorded option differs, nothing else */
  assert_same_parameters(a.s, b.s);
  o.persistent = 1;
  o.batch_size = ((size_t)1 << 30);
  ck_assert_fails(rgrbm_cd_train(a.s, 0, a.data0, &o), RGRBM_EINVAL, "o->batch_size = 1073741824",
                  "PCD's chain count", "1073741823");
  o.persistent_chains = 4; /* explicit chains: the batch size is free again */
  ck_assert_ok(rgrbm_cd_train(a.s, 0, a.data0, &o));
  fixture_free(&a);
  fixture_free(&b);
}
END_TEST

/* Estimators: variances from deviations (no cancellation), and never a
 * non-finite estimate with RGRBM_OK. */
static rgrbm_dataset *frozen_dataset(int L, size_t count, size_t flipped) {
  rgrbm_dataset *ds;
  ck_assert_ok(rgrbm_dataset_create(&ds, (size_t)L * L));
  int8_t *s = malloc((size_t)L * L);
  for (size_t i = 0; i < count; i++) {
    memset(s, 1, (size_t)L * L);
    if (i < flipped) s[(size_t)(L / 2) * L + L / 2] = -1;
    ck_assert_ok(rgrbm_dataset_append(ds, s, 1));
  }
  free(s);
  return ds;
}

START_TEST(thermo_variances_keep_their_digits) {
  /* 64 x 64 torus at K = 3: 1 configuration in 1000 has one flipped spin
   * (B lower by 8, M by 2). Exactly: C = N K^2 p (1 - p) (8/N)^2 and
   * chi = N p (1 - p) (2/N)^2 with p = 1/1000; <e^2> - <e>^2 would cancel
   * 9 of the 16 digits. */
  const int L = 64;
  const double N = L * L, K = 3, p = 1e-3;
  rgrbm_lattice *lat;
  ck_assert_ok(rgrbm_lattice_create(&lat, RGRBM_SQUARE, L, L, RGRBM_PERIODIC));
  ck_assert_ok(rgrbm_lattice_set_couplings(lat, K, 0));
  rgrbm_dataset *ds = frozen_dataset(L, 1000, 1);
  rgrbm_thermo t = RGRBM_THERMO_INIT;
  ck_assert_ok(rgrbm_measure_thermo(ds, lat, 10, &t));
  double c = N * K * K * p * (1 - p) * (8 / N) * (8 / N), chi = N * p * (1 - p) * (2 / N) * (2 / N);
  ck_assert_msg(fabs(t.specific_heat.value / c - 1) < 1e-12, "C = %.17g vs %.17g",
                t.specific_heat.value, c);
  ck_assert_msg(fabs(t.susceptibility.value / chi - 1) < 1e-12, "chi = %.17g vs %.17g",
                t.susceptibility.value, chi);
  rgrbm_dataset_destroy(ds);
  /* no fluctuation at all: exactly 0, not a rounding residue of either sign */
  ds = frozen_dataset(L, 100, 0);
  ck_assert_ok(rgrbm_measure_thermo(ds, lat, 10, &t));
  ck_assert(t.specific_heat.value == 0 && t.susceptibility.value == 0);
  /* couplings whose energies overflow */
  ck_assert_ok(rgrbm_lattice_set_couplings(lat, 1e308, 0));
  double *e = malloc(100 * sizeof *e);
  ck_assert_fails(rgrbm_measure(ds, lat, RGRBM_OBS_ENERGY, e), RGRBM_ENUMERIC, "rgrbm_measure",
                  "overflow");
  ck_assert_ok(rgrbm_measure(ds, lat, RGRBM_OBS_BOND_MEAN, e)); /* b needs no K */
  ck_assert_ok(rgrbm_lattice_set_couplings(lat, 1e151, 0));
  ck_assert_fails(rgrbm_measure_thermo(ds, lat, 10, &t), RGRBM_ENUMERIC, "rgrbm_measure_thermo",
                  "2|K| + |h| <= 1e+150");
  free(e);
  rgrbm_dataset_destroy(ds);
  rgrbm_lattice_destroy(lat);
}
END_TEST

/* Configurations that all have m = 0: the Binder cumulant is 0/0 and the
 * second-moment length undefined. */
START_TEST(binder_of_unmagnetized_data_is_refused) {
  rgrbm_lattice *lat;
  rgrbm_dataset *ds;
  ck_assert_ok(rgrbm_lattice_create(&lat, RGRBM_SQUARE, 4, 4, RGRBM_PERIODIC));
  ck_assert_ok(rgrbm_dataset_create(&ds, 16));
  int8_t s[16];
  for (int i = 0; i < 16; i++) s[i] = (int8_t)(((i + i / 4) % 2) ? 1 : -1); /* checkerboard */
  for (int k = 0; k < 10; k++) ck_assert_ok(rgrbm_dataset_append(ds, s, 1));
  rgrbm_thermo t = RGRBM_THERMO_INIT;
  memset(&t, 0x5a, sizeof t);
  t.version = RGRBM_THERMO_VERSION;
  rgrbm_thermo copy = t;
  ck_assert_fails(rgrbm_measure_thermo(ds, lat, 5, &t), RGRBM_ENUMERIC, "binder",
                  "cumulant is undefined");
  ck_assert_mem_eq(&t, &copy, sizeof t);
  /* chi_0 = 0 < F: no second-moment length (it used to be NaN with OK) */
  rgrbm_estimate xi = {42, 42};
  ck_assert_fails(rgrbm_measure_xi2(ds, lat, 5, &xi), RGRBM_ENUMERIC, "rgrbm_measure_xi2",
                  "no correlation length");
  ck_assert(xi.value == 42 && xi.error == 42);
  rgrbm_dataset_destroy(ds);
  rgrbm_lattice_destroy(lat);
}
END_TEST

static Suite *nonfinite_suite(void) {
  Suite *s = suite_create("nonfinite");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 120);
  tcase_add_loop_test(tc, every_reader_refuses_the_layers_it_reads, 0, NPOISONS);
  tcase_add_test(tc, non_finite_inputs_are_refused);
  tcase_add_test(tc, set_units_refuses_an_overflow);
  tcase_add_test(tc, receptive_field_refuses_an_overflowing_product);
  tcase_add_test(tc, save_refuses_non_finite_parameters);
  tcase_add_test(tc, cd_batch_size_beyond_the_data_is_one_batch);
  tcase_add_test(tc, thermo_variances_keep_their_digits);
  tcase_add_test(tc, binder_of_unmagnetized_data_is_refused);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return rgrbm_test_run(nonfinite_suite()); }
