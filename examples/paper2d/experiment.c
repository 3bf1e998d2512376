#include "experiment.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { DRAW_CHUNKS = 20, THERMO_BINS = 20 };

void paper2d_run_init(paper2d_run *run, const paper2d_config *cfg) {
  memset(run, 0, sizeof *run);
  run->cfg = *cfg;
  paper2d_progress_init(&run->progress);
  run->started = paper2d_now();
}

void paper2d_run_free(paper2d_run *run) {
  for (int l = 0; l < PAPER2D_MAX_LEVELS; l++) free(run->levels[l].majority_samples);
  free(run->curves);
  rgrbm_stack_destroy(run->stack);
  rgrbm_dataset_destroy(run->data);
  rgrbm_sampler_destroy(run->smp);
  rgrbm_lattice_destroy(run->lat);
  memset(run, 0, sizeof *run);
}

int paper2d_layers(const paper2d_run *run) { return run->cfg.nlevels - 1; }

static int series_tau(const rgrbm_dataset *ds, const rgrbm_lattice *lat, rgrbm_observable obs,
                      double *tau) {
  size_t n = rgrbm_dataset_count(ds);
  double *x = malloc(n * sizeof *x);
  if (x == NULL) return RGRBM_ENOMEM;
  int rc = rgrbm_measure(ds, lat, obs, x);
  if (rc == RGRBM_OK) rc = rgrbm_series_tau_int(x, n, tau);
  free(x);
  return rc;
}

/* Consecutive Wolff clusters after thermalization: tau_int of |m| and of
 * the energy, in clusters, decide the production spacing. */
static int pilot(paper2d_run *run) {
  const paper2d_config *c = &run->cfg;
  rgrbm_dataset *ds = NULL;
  int rc = rgrbm_dataset_create(&ds, (size_t)c->side * (size_t)c->side);
  if (rc == RGRBM_OK) rc = rgrbm_sampler_draw(run->smp, c->pilot_samples, c->pilot_thermalize, 1, ds);
  if (rc == RGRBM_OK) rc = series_tau(ds, run->lat, RGRBM_OBS_ABS_MAGNETIZATION, &run->sampling.tau_abs_m);
  if (rc == RGRBM_OK) rc = series_tau(ds, run->lat, RGRBM_OBS_ENERGY, &run->sampling.tau_energy);
  rgrbm_dataset_destroy(ds);
  double tau = fmax(run->sampling.tau_abs_m, run->sampling.tau_energy);
  run->sampling.spacing = (long)ceil(c->spacing_taus * tau);
  if (run->sampling.spacing < 1) run->sampling.spacing = 1;
  return rc;
}

/* Draw in chunks so that the progress bar moves; draw() sweeps `spacing`
 * clusters before every configuration, so chunks continue with a uniform
 * spacing. */
static int draw_data(paper2d_run *run) {
  const paper2d_config *c = &run->cfg;
  long spacing = run->sampling.spacing;
  int rc = rgrbm_dataset_create(&run->data, (size_t)c->side * (size_t)c->side);
  if (rc == RGRBM_OK) rc = rgrbm_dataset_reserve(run->data, c->samples);
  size_t chunk = (c->samples + DRAW_CHUNKS - 1) / DRAW_CHUNKS;
  for (size_t done = 0; rc == RGRBM_OK && done < c->samples; done += chunk) {
    size_t n = c->samples - done < chunk ? c->samples - done : chunk;
    rc = rgrbm_sampler_draw(run->smp, n, 0, spacing, run->data);
    char detail[64];
    snprintf(detail, sizeof detail, "configurations, spacing %ld clusters", spacing);
    paper2d_progress_update(&run->progress, (long)(done + n), (long)c->samples, detail);
  }
  return rc;
}

int paper2d_sample(paper2d_run *run) {
  const paper2d_config *c = &run->cfg;
  paper2d_progress_begin(&run->progress, "sampling");
  double t0 = paper2d_now();
  int rc = rgrbm_lattice_create(&run->lat, RGRBM_SQUARE, c->side, c->side, RGRBM_PERIODIC);
  if (rc == RGRBM_OK) rc = rgrbm_lattice_set_couplings(run->lat, c->K, 0.0);
  if (rc == RGRBM_OK) rc = rgrbm_lattice_randomize(run->lat, c->seed);
  if (rc == RGRBM_OK) rc = rgrbm_sampler_create(&run->smp, run->lat, RGRBM_WOLFF, c->seed + 1);
  if (rc == RGRBM_OK) rc = pilot(run);
  if (rc == RGRBM_OK) rc = draw_data(run);
  run->sampling.thermo = (rgrbm_thermo)RGRBM_THERMO_INIT;
  if (rc == RGRBM_OK) rc = rgrbm_measure_thermo(run->data, run->lat, THERMO_BINS, &run->sampling.thermo);
  rgrbm_exact exact = RGRBM_EXACT_INIT;
  if (rc == RGRBM_OK) rc = rgrbm_exact_torus(c->side, c->side, c->K, &exact);
  if (rc != RGRBM_OK) return rc;
  run->sampling.exact_bond_mean = exact.bond_mean;
  run->sampling.seconds = paper2d_now() - t0;
  char summary[160];
  snprintf(summary, sizeof summary, "%zu configurations; tau_int |m| = %.2f, energy = %.2f "
           "clusters; spacing %ld", c->samples, run->sampling.tau_abs_m, run->sampling.tau_energy,
           run->sampling.spacing);
  paper2d_progress_end(&run->progress, summary);
  return RGRBM_OK;
}

static int on_epoch(void *user, int layer, int epoch, double error, double pll, double seconds) {
  paper2d_run *run = user;
  int epochs = run->cfg.epochs;
  run->curves[(size_t)layer * (size_t)epochs + (size_t)(epoch - 1)] = error;
  char detail[96];
  snprintf(detail, sizeof detail, "layer %d/%d epoch %d/%d, error %.4f", layer + 1,
           paper2d_layers(run), epoch, epochs, error);
  paper2d_progress_update(&run->progress, (long)layer * epochs + epoch,
                          (long)paper2d_layers(run) * epochs, detail);
  return 0;
}

static void layer_options(paper2d_run *run, int layer, rgrbm_cd_options *o) {
  const paper2d_config *c = &run->cfg;
  rgrbm_cd_options_init(o, RGRBM_CD_OPTIONS_VERSION);
  o->epochs = c->epochs;
  o->batch_size = c->batch_size;
  o->k = 1;
  o->learning_rate = c->learning_rate;
  o->momentum_initial = c->momentum_initial;
  o->momentum_final = c->momentum_final;
  o->momentum_switch_epoch = c->momentum_switch_epoch;
  o->l1 = c->l1;
  o->feed_up = c->feed_up;
  o->seed = c->seed + 100 + (uint64_t)layer;
  o->progress = on_epoch;
  o->progress_data = run;
}

int paper2d_train(paper2d_run *run) {
  const paper2d_config *c = &run->cfg;
  int layers = paper2d_layers(run);
  rgrbm_cd_options per_layer[PAPER2D_MAX_LEVELS];
  for (int l = 0; l < layers; l++) layer_options(run, l, &per_layer[l]);
  run->curves = calloc((size_t)layers * (size_t)c->epochs, sizeof *run->curves);
  if (run->curves == NULL) return RGRBM_ENOMEM;
  paper2d_progress_begin(&run->progress, "training");
  double t0 = paper2d_now();
  int rc = rgrbm_stack_create(&run->stack, c->sizes, c->nlevels, c->units, c->seed + 2);
  if (rc == RGRBM_OK) rc = rgrbm_cd_train_stack(run->stack, run->data, per_layer);
  if (rc != RGRBM_OK) return rc;
  run->train_seconds = paper2d_now() - t0;
  char summary[96];
  snprintf(summary, sizeof summary, "%d layers x %d epochs", layers, c->epochs);
  paper2d_progress_end(&run->progress, summary);
  return RGRBM_OK;
}
