/* Allocation-failure injection over the public API: every allocation a call
 * makes is failed in turn (lib/alloc.c's test hook). Each failure must give
 * RGRBM_ENOMEM with a message naming the public function, return
 * rgrbm_memory_in_use() to its value before the call and leave every object
 * the caller holds as it was (their bytes are hashed); a retry must then
 * succeed with the results of a call that never failed. A failure absorbed by
 * a documented fallback (RGRBM_OK) must give those same results.
 * Allocations inside OpenBLAS, LAPACKE, libgomp and libc are not reached. */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <sys/stat.h>

#include "alloc.h"
#include "atomic_file.h"
#include "conv.h"
#include "dataset.h"
#include "lattice.h"
#include "rg.h"
#include "stack.h"
#include "testutil.h"

/* ---- the objects a call may touch ---- */

enum { SIDE = 8, SITES = SIDE * SIDE, ROWS = 12, HID = 16, TOP = 4, FLOATS = 2 * SITES * HID };

typedef struct fixture {
  rgrbm_lattice *lat, *chain; /* 8 x 8 torus at K = 0.4; 8-site ring */
  rgrbm_dataset *data;        /* ROWS configurations of the torus, shaped 8 x 8 */
  rgrbm_dataset *out;         /* an output dataset, made by a case's prepare */
  rgrbm_dataset *flat;        /* data without a 2D shape, made by a case's prepare */
  rgrbm_stack *stack;         /* 64-16-4, spin units, trained a little */
  rgrbm_stack *small;         /* 8-4 on the ring, for enumeration */
  rgrbm_sampler *smp;         /* made by a case's prepare */
  rgrbm_rg *rg;               /* made by a case's prepare */
  rgrbm_conv *conv;           /* f = 4, b = 2, spin units */
  rgrbm_cd_options cd[2];
  float in[FLOATS], res[FLOATS];
  double num[2048]; /* results: rgrbm_exact, rgrbm_thermo, rgrbm_mcrg_result, ... */
  char path[600], dir[300];
  /* what a constructor under test made */
  rgrbm_dataset *made_ds;
  rgrbm_lattice *made_lat;
  rgrbm_sampler *made_smp;
  rgrbm_stack *made_stack;
  rgrbm_rg *made_rg;
  rgrbm_conv *made_conv;
} fixture;

/* ---- hashing the objects ---- */

_Static_assert(4 * (RGRBM_MCRG_EVEN + RGRBM_MCRG_ODD) <= sizeof(((fixture *)0)->num) / sizeof(double),
               "room for results");

static uint64_t mix(uint64_t h, const void *p, size_t n) {
  const unsigned char *b = p;
  for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 0x100000001b3ULL;
  return h;
}

#define MIX(h, x) ((h) = mix((h), &(x), sizeof(x)))

/* with_capacity: a failed call must not even change a dataset's capacity;
 * a call that succeeds through a fallback may. */
static uint64_t hash_dataset(uint64_t h, const rgrbm_dataset *ds, int with_capacity) {
  if (ds == NULL) return mix(h, "null", 4);
  MIX(h, ds->dim);
  MIX(h, ds->count);
  MIX(h, ds->lx);
  MIX(h, ds->ly);
  if (with_capacity) MIX(h, ds->capacity);
  return mix(h, ds->bits, ds->count * ds->words_per_row * sizeof(uint64_t));
}

static uint64_t hash_stack(uint64_t h, const rgrbm_stack *s) {
  if (s == NULL) return mix(h, "null", 4);
  MIX(h, s->depth);
  MIX(h, s->units);
  MIX(h, s->seed);
  h = mix(h, s->sizes, (size_t)(s->depth + 1) * sizeof(int));
  for (int l = 0; l < s->depth; l++) {
    size_t nv = (size_t)s->sizes[l], nh = (size_t)s->sizes[l + 1];
    h = mix(h, s->weights[l], nv * nh * sizeof(float));
    h = mix(h, s->vbias[l], nv * sizeof(float));
    h = mix(h, s->hbias[l], nh * sizeof(float));
    MIX(h, s->epochs_done[l]);
    MIX(h, s->trained_with[l]);
  }
  return h;
}

static uint64_t hash_lattice(uint64_t h, const rgrbm_lattice *lat) {
  if (lat == NULL) return mix(h, "null", 4);
  MIX(h, lat->K);
  MIX(h, lat->h);
  MIX(h, lat->sites);
  return mix(h, lat->spins, lat->sites);
}

static uint64_t hash_rg(uint64_t h, const rgrbm_rg *rg) {
  if (rg == NULL) return mix(h, "null", 4);
  MIX(h, rg->kind);
  MIX(h, rg->in_dim);
  MIX(h, rg->out_dim);
  MIX(h, rg->seed);
  return rg->map ? mix(h, rg->map, rg->out_dim * rg->block_size * sizeof(uint32_t)) : h;
}

static uint64_t hash_conv(uint64_t h, const rgrbm_conv *c) {
  if (c == NULL) return mix(h, "null", 4);
  MIX(h, c->f);
  MIX(h, c->b);
  MIX(h, c->units);
  MIX(h, c->seed);
  MIX(h, c->epochs_done);
  MIX(h, c->trained_with);
  return mix(h, c->params, rgrbm__conv_param_count(c->f) * sizeof(float));
}

/* The file at f->path (or its absence) and every name in its directory. */
static uint64_t hash_files(uint64_t h, const fixture *f) {
  FILE *fp = fopen(f->path, "rb");
  if (fp == NULL) return mix(h, "nofile", 6);
  unsigned char buf[4096];
  for (size_t n; (n = fread(buf, 1, sizeof buf, fp)) > 0;) h = mix(h, buf, n);
  fclose(fp);
  return h;
}

static uint64_t hash_names(uint64_t h, const fixture *f) {
  DIR *d = opendir(f->dir);
  if (d == NULL) return h;
  uint64_t sum = 0; /* order independent */
  for (struct dirent *e; (e = readdir(d)) != NULL;) sum += mix(h, e->d_name, strlen(e->d_name));
  closedir(d);
  return mix(h, &sum, sizeof sum);
}

/* Everything the caller holds; the sampler through its lattice and, for
 * hidden chain state, through the retry's results. */
static uint64_t hash_all(const fixture *f, int with_capacity) {
  uint64_t h = 0xcbf29ce484222325ULL;
  h = hash_lattice(h, f->lat);
  h = hash_lattice(h, f->chain);
  h = hash_dataset(h, f->data, with_capacity);
  h = hash_dataset(h, f->out, with_capacity);
  h = hash_dataset(h, f->flat, with_capacity);
  h = hash_stack(h, f->stack);
  h = hash_stack(h, f->small);
  h = hash_rg(h, f->rg);
  h = mix(h, f->in, sizeof f->in);
  h = mix(h, f->res, sizeof f->res);
  h = mix(h, f->num, sizeof f->num);
  h = hash_files(h, f);
  h = hash_names(h, f);
  h = hash_dataset(h, f->made_ds, with_capacity);
  h = hash_lattice(h, f->made_lat);
  h = hash_stack(h, f->made_stack);
  h = hash_rg(h, f->made_rg);
  h = hash_conv(h, f->conv);
  h = hash_conv(h, f->made_conv);
  const unsigned char made_sampler = f->made_smp != NULL;
  return mix(h, &made_sampler, 1);
}

static int made_nothing(const fixture *f) {
  return !f->made_ds && !f->made_lat && !f->made_smp && !f->made_stack && !f->made_rg &&
         !f->made_conv;
}

/* ---- the common fixture ---- */

static void fixture_setup(fixture *f) {
  memset(f, 0, sizeof *f);
  ck_assert_ok(rgrbm_lattice_create(&f->lat, RGRBM_SQUARE, SIDE, SIDE, RGRBM_PERIODIC));
  ck_assert_ok(rgrbm_lattice_set_couplings(f->lat, 0.4, 0.0));
  ck_assert_ok(rgrbm_lattice_randomize(f->lat, 3));
  ck_assert_ok(rgrbm_lattice_create(&f->chain, RGRBM_CHAIN, 8, 1, RGRBM_PERIODIC));
  ck_assert_ok(rgrbm_lattice_set_couplings(f->chain, 0.5, 0.1));
  ck_assert_ok(rgrbm_dataset_create(&f->data, SITES));
  ck_assert_ok(rgrbm_dataset_set_shape(f->data, SIDE, SIDE));
  int8_t spins[ROWS * SITES];
  for (size_t i = 0; i < sizeof spins; i++) spins[i] = (int8_t)((i * 7 + i / 5) % 3 ? 1 : -1);
  ck_assert_ok(rgrbm_dataset_append(f->data, spins, ROWS));
  const int sizes[3] = {SITES, HID, TOP}, small[2] = {8, 4};
  ck_assert_ok(rgrbm_stack_create(&f->stack, sizes, 3, RGRBM_UNITS_SPIN, 5));
  ck_assert_ok(rgrbm_stack_create(&f->small, small, 2, RGRBM_UNITS_BINARY, 6));
  ck_assert_ok(rgrbm_conv_create(&f->conv, 4, 2, RGRBM_UNITS_SPIN, 7));
  for (int l = 0; l < 2; l++) {
    rgrbm_cd_options_init(&f->cd[l], RGRBM_CD_OPTIONS_VERSION);
    f->cd[l].epochs = 2;
    f->cd[l].batch_size = 5;
  }
  for (size_t i = 0; i < FLOATS; i++) f->in[i] = (i % 3 == 0) ? 1.0f : -1.0f;
  rgrbm_test_tmpfile(f->dir, sizeof f->dir, "files");
  mkdir(f->dir, 0700);
  snprintf(f->path, sizeof f->path, "%s/target", f->dir);
}

static void fixture_teardown(fixture *f) {
  rgrbm_sampler_destroy(f->smp);
  rgrbm_sampler_destroy(f->made_smp);
  rgrbm_rg_destroy(f->rg);
  rgrbm_rg_destroy(f->made_rg);
  rgrbm_dataset_destroy(f->made_ds);
  rgrbm_lattice_destroy(f->made_lat);
  rgrbm_stack_destroy(f->made_stack);
  rgrbm_conv_destroy(f->conv);
  rgrbm_conv_destroy(f->made_conv);
  rgrbm_dataset_destroy(f->out);
  rgrbm_dataset_destroy(f->flat);
  rgrbm_dataset_destroy(f->data);
  rgrbm_stack_destroy(f->stack);
  rgrbm_stack_destroy(f->small);
  rgrbm_lattice_destroy(f->lat);
  rgrbm_lattice_destroy(f->chain);
  rgrbm_test_remove_tree(f->dir);
}

/* ---- preparations (run without injection) ---- */

static void out_dataset(fixture *f, size_t dim) { ck_assert_ok(rgrbm_dataset_create(&f->out, dim)); }
static void out_sites(fixture *f) { out_dataset(f, SITES); }
static void out_chain(fixture *f) { out_dataset(f, 8); }
static void make_sampler(fixture *f, rgrbm_algorithm alg) {
  ck_assert_ok(rgrbm_sampler_create(&f->smp, f->lat, alg, 11));
  out_sites(f);
}
static void prep_metropolis(fixture *f) { make_sampler(f, RGRBM_METROPOLIS); }
static void prep_heat_bath(fixture *f) { make_sampler(f, RGRBM_HEAT_BATH); }
static void prep_wolff(fixture *f) { make_sampler(f, RGRBM_WOLFF); }
static void prep_sw(fixture *f) { make_sampler(f, RGRBM_SWENDSEN_WANG); }
static void prep_gibbs(fixture *f) {
  ck_assert_ok(rgrbm_sampler_create_gibbs(&f->smp, f->stack, -1, 3, 12));
  out_sites(f);
}
static void prep_block(fixture *f) {
  ck_assert_ok(rgrbm_rg_create_block2d(&f->rg, SIDE, SIDE, 2, RGRBM_BLOCK_MAJORITY, 4));
  out_dataset(f, SITES / 4);
}
static void prep_decimation(fixture *f) {
  ck_assert_ok(rgrbm_rg_create_decimation1d(&f->rg, SITES, 2));
  out_dataset(f, SITES / 2);
  int8_t spins[ROWS * SITES];
  ck_assert_ok(rgrbm_dataset_get(f->data, 0, ROWS, spins));
  ck_assert_ok(rgrbm_dataset_create(&f->flat, SITES));
  ck_assert_ok(rgrbm_dataset_append(f->flat, spins, ROWS));
}
static void prep_learned(fixture *f, rgrbm_rg_mode mode) {
  ck_assert_ok(rgrbm_rg_create_learned(&f->rg, f->stack, 2, mode, 4));
  out_dataset(f, TOP);
}
static void prep_learned_mean(fixture *f) { prep_learned(f, RGRBM_RG_SIGN_MEAN); }
static void prep_learned_sample(fixture *f) { prep_learned(f, RGRBM_RG_SAMPLE); }
static void prep_mcrg(fixture *f) {
  ck_assert_ok(rgrbm_sampler_create(&f->smp, f->lat, RGRBM_WOLFF, 11));
  ck_assert_ok(rgrbm_rg_create_block2d(&f->rg, SIDE, SIDE, 2, RGRBM_BLOCK_MAJORITY, 4));
}
static void prep_conv(fixture *f, rgrbm_rg_mode mode) {
  ck_assert_ok(rgrbm_rg_create_conv(&f->rg, f->conv, SIDE, SIDE, mode, 4));
  out_dataset(f, SITES / 4);
}
static void prep_conv_mean(fixture *f) { prep_conv(f, RGRBM_RG_SIGN_MEAN); }
static void prep_conv_sample(fixture *f) { prep_conv(f, RGRBM_RG_SAMPLE); }
static void prep_saved_conv(fixture *f) { ck_assert_ok(rgrbm_conv_save(f->conv, f->path)); }
static void prep_saved_stack(fixture *f) { ck_assert_ok(rgrbm_stack_save(f->stack, f->path)); }
static void prep_saved_data(fixture *f) { ck_assert_ok(rgrbm_dataset_save_npy(f->data, f->path)); }
static void prep_old_file(fixture *f) {
  FILE *fp = fopen(f->path, "wb");
  ck_assert_ptr_nonnull(fp);
  fputs("the old contents", fp);
  fclose(fp);
}

/* ---- the calls ---- */

static int progress_ok(void *user, int layer, int epoch, double err, double pll, double sec) {
  (void)user, (void)layer, (void)epoch, (void)err, (void)pll, (void)sec;
  return 0;
}

static int c_dataset_create(fixture *f) { return rgrbm_dataset_create(&f->made_ds, 100); }
static int c_dataset_reserve(fixture *f) { return rgrbm_dataset_reserve(f->data, 1000); }
static int c_dataset_append(fixture *f) {
  int8_t spins[40 * SITES];
  for (size_t i = 0; i < sizeof spins; i++) spins[i] = (int8_t)(i % 5 ? 1 : -1);
  return rgrbm_dataset_append(f->data, spins, 40);
}
static int c_dataset_save(fixture *f) { return rgrbm_dataset_save_npy(f->data, f->path); }
static int c_dataset_load(fixture *f) { return rgrbm_dataset_load_npy(&f->made_ds, f->path); }
static int c_lattice_create(fixture *f) {
  return rgrbm_lattice_create(&f->made_lat, RGRBM_SQUARE, 6, 4, RGRBM_OPEN);
}
static int create_sampler(fixture *f, rgrbm_algorithm alg) {
  return rgrbm_sampler_create(&f->made_smp, f->lat, alg, 9);
}
static int c_create_metropolis(fixture *f) { return create_sampler(f, RGRBM_METROPOLIS); }
static int c_create_heat_bath(fixture *f) { return create_sampler(f, RGRBM_HEAT_BATH); }
static int c_create_wolff(fixture *f) { return create_sampler(f, RGRBM_WOLFF); }
static int c_create_sw(fixture *f) { return create_sampler(f, RGRBM_SWENDSEN_WANG); }
static int c_create_gibbs(fixture *f) {
  return rgrbm_sampler_create_gibbs(&f->made_smp, f->stack, 0, 4, 9);
}
static int c_sweep(fixture *f) { return rgrbm_sampler_sweep(f->smp, 3); }
static int c_draw(fixture *f) { return rgrbm_sampler_draw(f->smp, 7, 2, 1, f->out); }
static int c_exact_chain(fixture *f) {
  return rgrbm_exact_chain(50, 0.7, 0.2, RGRBM_OPEN, (rgrbm_exact *)f->num);
}
static int c_exact_onsager(fixture *f) { return rgrbm_exact_onsager(0.3, (rgrbm_exact *)f->num); }
static int c_exact_torus(fixture *f) { return rgrbm_exact_torus(12, 10, 0.4, (rgrbm_exact *)f->num); }
static int c_exact_enumerate(fixture *f) {
  return rgrbm_exact_enumerate(RGRBM_SQUARE, 4, 3, RGRBM_PERIODIC, 0.4, 0.1,
                               (rgrbm_exact *)f->num);
}
static int c_series_error(fixture *f) {
  double x[40];
  for (int i = 0; i < 40; i++) x[i] = sin(i);
  return rgrbm_series_binned_error(x, 40, 4, &f->num[0]);
}
static int c_series_tau(fixture *f) {
  double x[40];
  for (int i = 0; i < 40; i++) x[i] = sin(i);
  return rgrbm_series_tau_int(x, 40, &f->num[0]);
}
static int c_measure(fixture *f) {
  return rgrbm_measure(f->data, f->lat, RGRBM_OBS_ENERGY, f->num);
}
static int c_measure_thermo(fixture *f) {
  return rgrbm_measure_thermo(f->data, f->lat, 3, (rgrbm_thermo *)f->num);
}
static int c_measure_correlation(fixture *f) {
  return rgrbm_measure_correlation(f->data, f->lat, 3, f->num);
}
static int c_measure_xi2(fixture *f) {
  return rgrbm_measure_xi2(f->data, f->lat, 3, (rgrbm_estimate *)f->num);
}
static int c_stack_create(fixture *f) {
  const int sizes[4] = {9, 5, 3, 2};
  return rgrbm_stack_create(&f->made_stack, sizes, 4, RGRBM_UNITS_BINARY, 2);
}
static int c_set_units(fixture *f) { return rgrbm_stack_set_units(f->stack, RGRBM_UNITS_BINARY); }
static int c_up(fixture *f) { return rgrbm_stack_up(f->stack, 0, 2, f->in, 5, f->res); }
static int c_down(fixture *f) { return rgrbm_stack_down(f->stack, 2, 0, f->in, 5, f->res); }
static int c_sample_up(fixture *f) {
  return rgrbm_stack_sample_up(f->stack, 0, 2, f->in, 5, 3, f->res);
}
static int c_sample_down(fixture *f) {
  return rgrbm_stack_sample_down(f->stack, 2, 0, f->in, 5, 3, f->res);
}
static int c_free_energy(fixture *f) {
  return rgrbm_stack_free_energy(f->stack, 0, f->in, 5, f->num);
}
static int c_log_partition(fixture *f) { return rgrbm_stack_log_partition(f->stack, 1, f->num); }
static int c_log_likelihood(fixture *f) {
  return rgrbm_stack_log_likelihood(f->small, 0, f->out, f->num);
}
static int c_pll(fixture *f) { return rgrbm_stack_pseudo_log_likelihood(f->stack, 0, f->data, f->num); }
static void prep_chain_data(fixture *f) {
  out_chain(f);
  int8_t spins[6 * 8];
  for (size_t i = 0; i < sizeof spins; i++) spins[i] = (int8_t)(i % 3 ? 1 : -1);
  ck_assert_ok(rgrbm_dataset_append(f->out, spins, 6));
}
static int c_cd(fixture *f) { return rgrbm_cd_train(f->stack, 0, f->data, &f->cd[0]); }
static int c_cd_layer1(fixture *f) { return rgrbm_cd_train(f->stack, 1, f->data, &f->cd[1]); }
static void prep_pcd(fixture *f) {
  f->cd[0].persistent = 1;
  f->cd[0].progress = progress_ok;
}
static void prep_pll_progress(fixture *f) {
  f->cd[0].compute_pll = 1;
  f->cd[0].progress = progress_ok;
}
static void prep_tables(fixture *f) {
  f->cd[0].products = (rgrbm_cpu_flags() & RGRBM_CPU_FLAG_AVX2) ? RGRBM_PRODUCTS_TABLES
                                                                 : RGRBM_PRODUCTS_SGEMM;
}
static void prep_samples_up(fixture *f) {
  f->cd[1].feed_up = RGRBM_PASS_SAMPLES;
  f->cd[1].compute_pll = 1;
  f->cd[1].progress = progress_ok;
}
static int c_stack_train(fixture *f) { return rgrbm_cd_train_stack(f->stack, f->data, f->cd); }
static int c_receptive(fixture *f) { return rgrbm_receptive_field(f->stack, 2, f->res); }
static int c_receptive_locality(fixture *f) {
  return rgrbm_receptive_locality(f->in, SIDE, SIDE, 4, 2, f->num, f->num + 4, f->num + 8,
                                  f->num + 12);
}
/* Every result struct starts with its version, which the caller sets (1 is
 * current for all of them). */
static int c_measure_k_eff(fixture *f) {
  return rgrbm_measure_k_eff(f->data, 3, (rgrbm_estimate *)f->num);
}
static int c_exact_torus_coupling(fixture *f) {
  return rgrbm_exact_torus_coupling(4, 6, 1.9999, f->num); /* K > 1.1: the strip's transfer matrix */
}
static void prep_result(fixture *f) {
  const unsigned version = 1;
  memcpy(f->num, &version, sizeof version);
}
static int c_locality(fixture *f) {
  return rgrbm_receptive_summarize(f->stack, 1, SIDE, SIDE, 2, (rgrbm_receptive_summary *)f->num);
}
static int c_reconstruct(fixture *f) {
  return rgrbm_stack_reconstruct(f->stack, 2, RGRBM_PASS_SAMPLES, f->in, 5, 8, f->res);
}
static int ais(fixture *f, rgrbm_ais_base base) {
  rgrbm_ais_options o;
  rgrbm_ais_options_init(&o, RGRBM_AIS_OPTIONS_VERSION);
  o.betas = 10;
  o.runs = 4;
  o.reverse_burn_in = 2;
  o.base = base;
  o.data = f->data;
  return rgrbm_ais_log_partition(f->stack, 0, &o, &f->num[0], &f->num[1]);
}
static int c_ais(fixture *f) { return ais(f, RGRBM_AIS_BASE_ZERO); }
static int c_ais_data(fixture *f) { return ais(f, RGRBM_AIS_BASE_DATA); }
static int c_stack_save(fixture *f) { return rgrbm_stack_save(f->stack, f->path); }
static int c_stack_load(fixture *f) { return rgrbm_stack_load(&f->made_stack, f->path); }
static int c_export(fixture *f) { return rgrbm_stack_export_npy(f->small, f->path); }
static int c_rg_decimation(fixture *f) { return rgrbm_rg_create_decimation1d(&f->made_rg, 16, 2); }
static int c_rg_block(fixture *f) {
  return rgrbm_rg_create_block2d(&f->made_rg, SIDE, SIDE, 2, RGRBM_BLOCK_DECIMATE, 1);
}
static int c_rg_learned(fixture *f) {
  return rgrbm_rg_create_learned(&f->made_rg, f->stack, 1, RGRBM_RG_SAMPLE, 1);
}
static int c_rg_apply(fixture *f) {
  return rgrbm_rg_apply(f->rg, f->flat ? f->flat : f->data, f->out);
}
static int c_conv_create(fixture *f) {
  return rgrbm_conv_create(&f->made_conv, 6, 2, RGRBM_UNITS_BINARY, 3);
}
static int c_conv_train(fixture *f) { return rgrbm_conv_train(f->conv, f->data, &f->cd[0]); }
static int c_conv_save(fixture *f) { return rgrbm_conv_save(f->conv, f->path); }
static int c_conv_load(fixture *f) { return rgrbm_conv_load(&f->made_conv, f->path); }
static int c_rg_conv(fixture *f) {
  return rgrbm_rg_create_conv(&f->made_rg, f->conv, SIDE, SIDE, RGRBM_RG_SAMPLE, 1);
}
static int c_flow(fixture *f) {
  return rgrbm_decimation1d_flow(0.8, 0.1, 2, 10, f->num, f->num + 11, f->num + 22);
}
static int c_decimation_stack(fixture *f) {
  return rgrbm_decimation1d_stack(&f->made_stack, 16, 0.7, 2);
}
static int c_vrg(fixture *f) {
  return rgrbm_vrg_check(f->small, 0, f->chain, (rgrbm_vrg_report *)f->num);
}
static int c_mcrg(fixture *f) {
  rgrbm_mcrg_options o;
  rgrbm_mcrg_options_init(&o, RGRBM_MCRG_OPTIONS_VERSION);
  o.levels = 1;
  o.samples = 24;
  o.thermalize = 3;
  o.bins = 3;
  /* The exponents go to f->num (the result's arrays would differ in address). */
  rgrbm_mcrg_result r = RGRBM_MCRG_RESULT_INIT;
  int rc = rgrbm_mcrg_run(f->smp, f->rg, &o, &r);
  if (rc) return rc;
  memcpy(f->num, r.even, (size_t)r.even_operators * sizeof *r.even);
  memcpy(f->num + 4 * RGRBM_MCRG_EVEN, r.odd, (size_t)r.odd_operators * sizeof *r.odd);
  rgrbm_mcrg_result_free(&r);
  return RGRBM_OK;
}

/* ---- the table ---- */

typedef struct fault_case {
  const char *label;
  const char *func; /* the public function the message must name */
  void (*prepare)(fixture *f);
  int (*call)(fixture *f);
} fault_case;

static const fault_case CASES[] = {
    {"dataset_create", "rgrbm_dataset_create", NULL, c_dataset_create},
    {"dataset_reserve", "rgrbm_dataset_reserve", NULL, c_dataset_reserve},
    {"dataset_append", "rgrbm_dataset_append", NULL, c_dataset_append},
    {"dataset_save_npy new", "rgrbm_dataset_save_npy", NULL, c_dataset_save},
    {"dataset_save_npy over", "rgrbm_dataset_save_npy", prep_old_file, c_dataset_save},
    {"dataset_load_npy", "rgrbm_dataset_load_npy", prep_saved_data, c_dataset_load},
    {"lattice_create", "rgrbm_lattice_create", NULL, c_lattice_create},
    {"create metropolis", "rgrbm_sampler_create", NULL, c_create_metropolis},
    {"create heat bath", "rgrbm_sampler_create", NULL, c_create_heat_bath},
    {"create wolff", "rgrbm_sampler_create", NULL, c_create_wolff},
    {"create swendsen-wang", "rgrbm_sampler_create", NULL, c_create_sw},
    {"create_gibbs", "rgrbm_sampler_create_gibbs", NULL, c_create_gibbs},
    {"sweep metropolis", "rgrbm_sampler_sweep", prep_metropolis, c_sweep},
    {"sweep heat bath", "rgrbm_sampler_sweep", prep_heat_bath, c_sweep},
    {"sweep wolff", "rgrbm_sampler_sweep", prep_wolff, c_sweep},
    {"sweep swendsen-wang", "rgrbm_sampler_sweep", prep_sw, c_sweep},
    {"sweep gibbs", "rgrbm_sampler_sweep", prep_gibbs, c_sweep},
    {"draw metropolis", "rgrbm_sampler_draw", prep_metropolis, c_draw},
    {"draw heat bath", "rgrbm_sampler_draw", prep_heat_bath, c_draw},
    {"draw wolff", "rgrbm_sampler_draw", prep_wolff, c_draw},
    {"draw swendsen-wang", "rgrbm_sampler_draw", prep_sw, c_draw},
    {"draw gibbs", "rgrbm_sampler_draw", prep_gibbs, c_draw},
    {"exact_chain", "rgrbm_exact_chain", prep_result, c_exact_chain},
    {"exact_onsager", "rgrbm_exact_onsager", prep_result, c_exact_onsager},
    {"exact_torus", "rgrbm_exact_torus", prep_result, c_exact_torus},
    {"exact_enumerate", "rgrbm_exact_enumerate", prep_result, c_exact_enumerate},
    {"series_binned_error", "rgrbm_series_binned_error", NULL, c_series_error},
    {"series_tau_int", "rgrbm_series_tau_int", NULL, c_series_tau},
    {"measure", "rgrbm_measure", NULL, c_measure},
    {"measure_thermo", "rgrbm_measure_thermo", prep_result, c_measure_thermo},
    {"measure_correlation", "rgrbm_measure_correlation", NULL, c_measure_correlation},
    {"measure_xi2", "rgrbm_measure_xi2", NULL, c_measure_xi2},
    {"measure_k_eff", "rgrbm_measure_k_eff", NULL, c_measure_k_eff},
    {"exact_torus_coupling", "rgrbm_exact_torus_coupling", NULL, c_exact_torus_coupling},
    {"stack_create", "rgrbm_stack_create", NULL, c_stack_create},
    {"stack_set_units", "rgrbm_stack_set_units", NULL, c_set_units},
    {"stack_up", "rgrbm_stack_up", NULL, c_up},
    {"stack_down", "rgrbm_stack_down", NULL, c_down},
    {"stack_sample_up", "rgrbm_stack_sample_up", NULL, c_sample_up},
    {"stack_sample_down", "rgrbm_stack_sample_down", NULL, c_sample_down},
    {"stack_free_energy", "rgrbm_stack_free_energy", NULL, c_free_energy},
    {"stack_log_partition", "rgrbm_stack_log_partition", NULL, c_log_partition},
    {"stack_log_likelihood", "rgrbm_stack_log_likelihood", prep_chain_data, c_log_likelihood},
    {"stack_pseudo_log_likelihood", "rgrbm_stack_pseudo_log_likelihood", NULL, c_pll},
    {"cd_train cd", "rgrbm_cd_train", NULL, c_cd},
    {"cd_train products", "rgrbm_cd_train", prep_tables, c_cd},
    {"cd_train pcd progress", "rgrbm_cd_train", prep_pcd, c_cd},
    {"cd_train pll progress", "rgrbm_cd_train", prep_pll_progress, c_cd},
    {"cd_train layer 1 means", "rgrbm_cd_train", NULL, c_cd_layer1},
    {"cd_train layer 1 samples pll", "rgrbm_cd_train", prep_samples_up, c_cd_layer1},
    {"stack_train", "rgrbm_cd_train_stack", prep_pll_progress, c_stack_train},
    {"receptive_field", "rgrbm_receptive_field", NULL, c_receptive},
    {"receptive_locality", "rgrbm_receptive_locality", NULL, c_receptive_locality},
    {"stack_locality", "rgrbm_receptive_summarize", prep_result, c_locality},
    {"stack_reconstruct", "rgrbm_stack_reconstruct", NULL, c_reconstruct},
    {"ais zero", "rgrbm_ais_log_partition", NULL, c_ais},
    {"ais data", "rgrbm_ais_log_partition", NULL, c_ais_data},
    {"stack_save new", "rgrbm_stack_save", NULL, c_stack_save},
    {"stack_save over", "rgrbm_stack_save", prep_old_file, c_stack_save},
    {"stack_load", "rgrbm_stack_load", prep_saved_stack, c_stack_load},
    {"stack_export_npy", "rgrbm_stack_export_npy", NULL, c_export},
    {"rg_create_decimation1d", "rgrbm_rg_create_decimation1d", NULL, c_rg_decimation},
    {"rg_create_block2d", "rgrbm_rg_create_block2d", NULL, c_rg_block},
    {"rg_create_learned", "rgrbm_rg_create_learned", NULL, c_rg_learned},
    {"rg_apply decimation", "rgrbm_rg_apply", prep_decimation, c_rg_apply},
    {"rg_apply block", "rgrbm_rg_apply", prep_block, c_rg_apply},
    {"rg_apply learned mean", "rgrbm_rg_apply", prep_learned_mean, c_rg_apply},
    {"rg_apply learned sample", "rgrbm_rg_apply", prep_learned_sample, c_rg_apply},
    {"decimation1d_flow", "rgrbm_decimation1d_flow", NULL, c_flow},
    {"stack_create_decimation1d", "rgrbm_decimation1d_stack", NULL, c_decimation_stack},
    {"vrg_check", "rgrbm_vrg_check", prep_result, c_vrg},
    {"mcrg_run", "rgrbm_mcrg_run", prep_mcrg, c_mcrg},
    {"conv_create", "rgrbm_conv_create", NULL, c_conv_create},
    {"conv_train cd", "rgrbm_conv_train", NULL, c_conv_train},
    {"conv_train pcd progress", "rgrbm_conv_train", prep_pcd, c_conv_train},
    {"conv_save new", "rgrbm_conv_save", NULL, c_conv_save},
    {"conv_save over", "rgrbm_conv_save", prep_old_file, c_conv_save},
    {"conv_load", "rgrbm_conv_load", prep_saved_conv, c_conv_load},
    {"rg_create_conv", "rgrbm_rg_create_conv", NULL, c_rg_conv},
    {"rg_apply conv mean", "rgrbm_rg_apply", prep_conv_mean, c_rg_apply},
    {"rg_apply conv sample", "rgrbm_rg_apply", prep_conv_sample, c_rg_apply},
};
enum { CASE_COUNT = sizeof CASES / sizeof CASES[0] };

/* ---- the driver ---- */

static void prepare(fixture *f, const fault_case *c) {
  fixture_setup(f);
  if (c->prepare) c->prepare(f);
}

/* The call without injection: its allocation count and the results. */
static long reference_run(const fault_case *c, uint64_t *results) {
  fixture f;
  prepare(&f, c);
  rgrbm__alloc_fail_after(-1);
  int rc = c->call(&f);
  long points = rgrbm__alloc_count();
  ck_assert_msg(rc == RGRBM_OK, "%s: %s", c->label, rgrbm_last_error());
  *results = hash_all(&f, 0);
  fixture_teardown(&f);
  return points;
}

/* Fail allocation `point` of the call; 0 when all is as it must be, else a
 * description in why. absorbed is set when a fallback took the failure. */
static int inject(const fault_case *c, long point, int onward, uint64_t results, int *absorbed,
                  char *why, size_t cap) {
  fixture f;
  prepare(&f, c);
  const uint64_t before = hash_all(&f, 1);
  const size_t memory = rgrbm_memory_in_use();
  rgrbm_clear_error();
  if (onward) rgrbm__alloc_fail_onward(point);
  else rgrbm__alloc_fail_after(point);
  int rc = c->call(&f);
  rgrbm__alloc_fail_after(-1);
  int bad = 1;
  *absorbed = rc == RGRBM_OK;
  if (rc == RGRBM_OK) {
    if (hash_all(&f, 0) != results) snprintf(why, cap, "absorbed, but the results differ");
    else bad = 0;
  } else if (rc != RGRBM_ENOMEM) {
    snprintf(why, cap, "status %s: %s", rgrbm_strerror(rc), rgrbm_last_error());
  } else if (strstr(rgrbm_last_error(), c->func) == NULL) {
    snprintf(why, cap, "message '%s' does not name %s", rgrbm_last_error(), c->func);
  } else if (rgrbm_memory_in_use() != memory) {
    snprintf(why, cap, "memory in use %zu, was %zu (%s)", rgrbm_memory_in_use(), memory,
             rgrbm_last_error());
  } else if (!made_nothing(&f) || hash_all(&f, 1) != before) {
    snprintf(why, cap, "the caller's objects changed (%s)", rgrbm_last_error());
  } else {
    rc = c->call(&f);
    if (rc != RGRBM_OK) snprintf(why, cap, "retry failed: %s", rgrbm_last_error());
    else if (hash_all(&f, 0) != results) snprintf(why, cap, "retry gave other results");
    else bad = 0;
  }
  fixture_teardown(&f);
  return bad;
}

START_TEST(every_allocation_fails_cleanly) {
  const fault_case *c = &CASES[_i];
  uint64_t results;
  long points = reference_run(c, &results);
  int defects = 0, absorbed = 0;
  /* Each point fails alone (fallbacks may absorb it), then with every
   * allocation after it (failing the fallbacks too). */
  for (long p = 0; p < 2 * points; p++) {
    char why[768] = "";
    int took = 0, onward = p >= points;
    if (inject(c, p % points, onward, results, &took, why, sizeof why)) {
      fprintf(stderr, "DEFECT %s, allocation %ld of %ld%s: %s\n", c->label, p % points, points,
              onward ? " onward" : "", why);
      defects++;
    }
    absorbed += took && !why[0];
  }
  printf("faults: %-30s %4ld allocation points x 2 (alone, onward): %ld clean, %d absorbed, "
         "%d defects\n", c->label, points, 2 * points - absorbed - defects, absorbed, defects);
  fflush(stdout);
  ck_assert_msg(defects == 0, "%s: %d of %ld allocation points fail uncleanly", c->label,
                defects, points);
}
END_TEST

/* ---- file-call injection ---- */

static const fault_case FILE_CASES[] = {
    {"dataset_save_npy new", "rgrbm_dataset_save_npy", NULL, c_dataset_save},
    {"dataset_save_npy over", "rgrbm_dataset_save_npy", prep_old_file, c_dataset_save},
    {"stack_save new", "rgrbm_stack_save", NULL, c_stack_save},
    {"stack_save over", "rgrbm_stack_save", prep_old_file, c_stack_save},
    {"stack_export_npy", "rgrbm_stack_export_npy", NULL, c_export},
    {"conv_save new", "rgrbm_conv_save", NULL, c_conv_save},
    {"conv_save over", "rgrbm_conv_save", prep_old_file, c_conv_save},
};
enum { FILE_CASE_COUNT = sizeof FILE_CASES / sizeof FILE_CASES[0] };

static int temporaries_in(const char *dir) {
  DIR *d = opendir(dir);
  int n = 0;
  for (struct dirent *e; d && (e = readdir(d)) != NULL;) n += strstr(e->d_name, RGRBM__TMP_TAG) != NULL;
  if (d) closedir(d);
  return n;
}

/* Fail file call `point` with err: RGRBM_EIO naming the function, no
 * temporary file left, the old file intact (or, when only the directory
 * fsync failed, the new one in place, as the message must say), a retry
 * that succeeds. Exports replace their files one by one, so only the first
 * two apply to them. */
static int inject_file(const fault_case *c, long point, int err, uint64_t results, char *why,
                       size_t cap) {
  fixture f;
  prepare(&f, c);
  const uint64_t before = hash_all(&f, 1);
  rgrbm__file_fail_after(point, err);
  int rc = c->call(&f);
  rgrbm__file_fail_after(-1, 0);
  const int whole = c->call != c_export, renamed = strstr(rgrbm_last_error(), "new contents") != NULL;
  int bad = 1;
  if (rc != RGRBM_EIO)
    snprintf(why, cap, "status %s: %s", rgrbm_strerror(rc), rgrbm_last_error());
  else if (strstr(rgrbm_last_error(), c->func) == NULL || strstr(rgrbm_last_error(), strerror(err)) == NULL)
    snprintf(why, cap, "message '%s' names neither %s nor '%s'", rgrbm_last_error(), c->func, strerror(err));
  else if (temporaries_in(f.dir) != 0)
    snprintf(why, cap, "a temporary file is left (%s)", rgrbm_last_error());
  else if (whole && hash_all(&f, !renamed) != (renamed ? results : before))
    snprintf(why, cap, "the %s file is not in place (%s)", renamed ? "new" : "old", rgrbm_last_error());
  else if ((rc = c->call(&f)) != RGRBM_OK)
    snprintf(why, cap, "retry failed: %s", rgrbm_last_error());
  else if (hash_all(&f, 0) != results)
    snprintf(why, cap, "retry gave other results");
  else
    bad = 0;
  fixture_teardown(&f);
  return bad;
}

START_TEST(every_file_call_fails_cleanly) {
  const fault_case *c = &FILE_CASES[_i];
  fixture f;
  prepare(&f, c);
  rgrbm__file_fail_after(-1, 0);
  ck_assert_ok(c->call(&f));
  const long points = rgrbm__file_call_count();
  const uint64_t results = hash_all(&f, 0);
  fixture_teardown(&f);
  const int errs[2] = {EIO, ENOSPC};
  int defects = 0;
  for (long p = 0; p < points; p++)
    for (int e = 0; e < 2; e++) {
      char why[768] = "";
      if (inject_file(c, p, errs[e], results, why, sizeof why)) {
        fprintf(stderr, "DEFECT %s, file call %ld of %ld (%s): %s\n", c->label, p, points,
                strerror(errs[e]), why);
        defects++;
      }
    }
  printf("faults: %-30s %4ld file calls x 2 errors, %d defects\n", c->label, points, defects);
  fflush(stdout);
  ck_assert_int_gt(points, 5);
  ck_assert_msg(defects == 0, "%s: %d file-call failures unclean", c->label, defects);
}
END_TEST

int main(void) {
  Suite *s = suite_create("faults");
  TCase *tc = tcase_create("allocation");
  tcase_set_timeout(tc, 600);
  tcase_add_loop_test(tc, every_allocation_fails_cleanly, 0, CASE_COUNT);
  suite_add_tcase(s, tc);
  TCase *files = tcase_create("files");
  tcase_set_timeout(files, 120);
  tcase_add_loop_test(files, every_file_call_fails_cleanly, 0, FILE_CASE_COUNT);
  suite_add_tcase(s, files);
  return rgrbm_test_run(s);
}
