#include "analysis.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* One level's working arrays, freed together. */
typedef struct level_work {
  float *rf;            /* sites x units receptive fields */
  int *block;           /* per unit, the index of its best aligned block */
  int8_t *sigma;        /* per unit, the sign of its field in that block */
  int8_t *learned;      /* samples x units learned coarse spins */
  int8_t *majority;     /* samples x blocks majority-rule block spins */
} level_work;

static void work_free(level_work *w) {
  free(w->rf);
  free(w->block);
  free(w->sigma);
  free(w->learned);
  free(w->majority);
}

/* Coarse-grain the whole data set with a plan and copy the spins out. */
static int coarse_spins(const rgrbm_rg *rg, const rgrbm_dataset *data, int8_t **out) {
  rgrbm_rg_dims dims = RGRBM_RG_DIMS_INIT;
  rgrbm_dataset *coarse = NULL;
  int rc = rgrbm_rg_shape(rg, &dims);
  size_t out_dim = dims.out_dim;
  if (rc == RGRBM_OK) rc = rgrbm_dataset_create(&coarse, out_dim);
  if (rc == RGRBM_OK) rc = rgrbm_rg_apply(rg, data, coarse);
  size_t n = rgrbm_dataset_count(coarse);
  if (rc == RGRBM_OK && (*out = malloc(n * out_dim)) == NULL) rc = RGRBM_ENOMEM;
  if (rc == RGRBM_OK) rc = rgrbm_dataset_get(coarse, 0, n, *out);
  rgrbm_dataset_destroy(coarse);
  return rc;
}

static int learned_spins(const paper2d_run *run, int level, int8_t **out) {
  rgrbm_rg *rg = NULL;
  int rc = rgrbm_rg_create_learned(&rg, run->stack, level, RGRBM_RG_SIGN_MEAN, run->cfg.seed + 3);
  if (rc == RGRBM_OK) rc = coarse_spins(rg, run->data, out);
  rgrbm_rg_destroy(rg);
  return rc;
}

static int majority_spins(const paper2d_run *run, int b, int8_t **out) {
  rgrbm_rg *rg = NULL;
  int side = run->cfg.side;
  int rc = rgrbm_rg_create_block2d(&rg, side, side, b, RGRBM_BLOCK_MAJORITY, run->cfg.seed + 4);
  if (rc == RGRBM_OK) rc = coarse_spins(rg, run->data, out);
  rgrbm_rg_destroy(rg);
  return rc;
}

/* The aligned b x b block with the largest share of unit j's sum r^2. */
static void best_block(const float *rf, int side, int b, int units, int j, int *block,
                       int8_t *sigma) {
  int nb = side / b;
  double best = -1, best_sum = 0;
  for (int by = 0; by < nb; by++)
    for (int bx = 0; bx < nb; bx++) {
      double sq = 0, sum = 0;
      for (int y = by * b; y < (by + 1) * b; y++)
        for (int x = bx * b; x < (bx + 1) * b; x++) {
          double r = rf[((size_t)y * (size_t)side + (size_t)x) * (size_t)units + (size_t)j];
          sq += r * r;
          sum += r;
        }
      if (sq > best) best = sq, best_sum = sum, *block = by * nb + bx;
    }
  *sigma = best_sum < 0 ? -1 : 1;
}

/* The block half a lattice away in both directions: a control whose
 * agreement comes from the overall magnetization alone. */
static int far_block(int block, int nb) {
  int bx = block % nb, by = block / nb;
  return ((by + nb / 2) % nb) * nb + (bx + nb / 2) % nb;
}

static double agreement(const level_work *w, size_t samples, int units, int blocks, int j,
                        int far, int nb) {
  int block = far ? far_block(w->block[j], nb) : w->block[j];
  size_t agree = 0;
  for (size_t n = 0; n < samples; n++)
    agree += w->learned[n * (size_t)units + (size_t)j] ==
             w->sigma[j] * w->majority[n * (size_t)blocks + (size_t)block];
  return (double)agree / (double)samples;
}

static void agreement_stats(paper2d_level *lv, const level_work *w, size_t samples, int nb) {
  double sum = 0, far = 0;
  lv->agreement_min = 1;
  lv->agreement_max = 0;
  for (int j = 0; j < lv->units; j++) {
    double a = agreement(w, samples, lv->units, nb * nb, j, 0, nb);
    sum += a;
    far += agreement(w, samples, lv->units, nb * nb, j, 1, nb);
    lv->agreement_min = fmin(lv->agreement_min, a);
    lv->agreement_max = fmax(lv->agreement_max, a);
  }
  lv->agreement_mean = sum / lv->units;
  lv->agreement_far = far / lv->units;
}

/* Bins centred on the n + 1 possible values of m, g consecutive values a
 * bin: equal bins that never split the lattice of values unevenly. */
static void histogram_edges(paper2d_level *lv) {
  int n = lv->units, g = (n + PAPER2D_HIST_MAX_BINS - 1) / (PAPER2D_HIST_MAX_BINS - 1);
  lv->bins = (n + 1 + g - 1) / g;
  for (int k = 0; k <= lv->bins; k++) lv->edges[k] = -1 - 1.0 / n + 2.0 * g * k / n;
}

static void histogram_add(const paper2d_level *lv, double *hist, double m, double weight) {
  double width = lv->edges[1] - lv->edges[0];
  int k = (int)floor((m - lv->edges[0]) / width);
  if (k < 0) k = 0;
  if (k >= lv->bins) k = lv->bins - 1;
  hist[k] += weight;
}

static void magnetizations(paper2d_level *lv, const level_work *w, size_t samples) {
  histogram_edges(lv);
  double weight = 1.0 / (double)samples;
  for (size_t n = 0; n < samples; n++) {
    double learned = 0, raw = 0, major = 0;
    for (int j = 0; j < lv->units; j++) {
      learned += w->sigma[j] * w->learned[n * (size_t)lv->units + (size_t)j];
      raw += w->learned[n * (size_t)lv->units + (size_t)j];
      major += w->majority[n * (size_t)lv->units + (size_t)j];
    }
    learned /= lv->units, raw /= lv->units, major /= lv->units;
    histogram_add(lv, lv->hist_learned, learned, weight);
    histogram_add(lv, lv->hist_majority, major, weight);
    lv->learned_abs_m += fabs(learned) * weight;
    lv->learned_raw_abs_m += fabs(raw) * weight;
    lv->majority_abs_m += fabs(major) * weight;
  }
}

static int keep_shown_blocks(const paper2d_run *run, paper2d_level *lv, const level_work *w) {
  lv->majority_samples = malloc(PAPER2D_RECONSTRUCTIONS * (size_t)lv->units * sizeof(float));
  if (lv->majority_samples == NULL) return RGRBM_ENOMEM;
  for (int r = 0; r < PAPER2D_RECONSTRUCTIONS; r++)
    for (int j = 0; j < lv->units; j++)
      lv->majority_samples[(size_t)r * (size_t)lv->units + (size_t)j] =
          w->majority[run->samples_shown[r] * (size_t)lv->units + (size_t)j];
  return RGRBM_OK;
}

static int analyze_level(paper2d_run *run, int level) {
  const paper2d_config *c = &run->cfg;
  paper2d_level *lv = &run->levels[level];
  lv->level = level;
  lv->b = paper2d_block_side(level);
  lv->units = c->sizes[level];
  lv->coarse_side = c->side / lv->b;
  lv->uniform_fraction = (double)(lv->b * lv->b) / ((double)c->side * c->side);
  size_t samples = rgrbm_dataset_count(run->data);
  level_work w = {0};
  lv->locality = (rgrbm_receptive_summary)RGRBM_RECEPTIVE_SUMMARY_INIT;
  int rc = rgrbm_receptive_summarize(run->stack, level, c->side, c->side, lv->b, &lv->locality);
  w.rf = malloc((size_t)c->sizes[0] * (size_t)lv->units * sizeof *w.rf);
  w.block = malloc((size_t)lv->units * sizeof *w.block);
  w.sigma = malloc((size_t)lv->units);
  if (rc == RGRBM_OK && (w.rf == NULL || w.block == NULL || w.sigma == NULL)) rc = RGRBM_ENOMEM;
  if (rc == RGRBM_OK) rc = rgrbm_receptive_field(run->stack, level, w.rf);
  for (int j = 0; rc == RGRBM_OK && j < lv->units; j++)
    best_block(w.rf, c->side, lv->b, lv->units, j, &w.block[j], &w.sigma[j]);
  if (rc == RGRBM_OK) rc = learned_spins(run, level, &w.learned);
  if (rc == RGRBM_OK) rc = majority_spins(run, lv->b, &w.majority);
  if (rc == RGRBM_OK) {
    agreement_stats(lv, &w, samples, lv->coarse_side);
    magnetizations(lv, &w, samples);
    rc = keep_shown_blocks(run, lv, &w);
  }
  work_free(&w);
  return rc;
}

int paper2d_analyze(paper2d_run *run) {
  size_t n = rgrbm_dataset_count(run->data);
  for (int r = 0; r < PAPER2D_RECONSTRUCTIONS; r++)
    run->samples_shown[r] = (size_t)r * (n - 1) / (PAPER2D_RECONSTRUCTIONS - 1);
  paper2d_progress_begin(&run->progress, "analysis");
  int rc = RGRBM_OK;
  for (int l = 1; rc == RGRBM_OK && l <= paper2d_layers(run); l++) rc = analyze_level(run, l);
  if (rc == RGRBM_OK) paper2d_progress_end(&run->progress, "locality, agreement, magnetizations");
  return rc;
}
