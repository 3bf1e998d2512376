#include "figures.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "png_out.h"
#include "svg_out.h"

enum { PATH_LEN = 4096, PANEL_PIXELS = 160, PANEL_GAP = 8, TILE_PIXELS_MIN = 2 };

void paper2d_receptive_file(char *buf, size_t len, int level) {
  snprintf(buf, len, "receptive_fields_level%d.png", level);
}

void paper2d_magnetization_file(char *buf, size_t len, int level) {
  snprintf(buf, len, "magnetization_level%d.svg", level);
}

void paper2d_out_path(const paper2d_run *run, const char *name, char *buf, size_t len) {
  snprintf(buf, len, "%s/%s", run->cfg.out_dir, name);
}

int paper2d_write_data(const paper2d_run *run) {
  char path[PATH_LEN];
  paper2d_out_path(run, PAPER2D_DATASET_FILE, path, sizeof path);
  int rc = rgrbm_dataset_save_npy(run->data, path);
  paper2d_out_path(run, PAPER2D_STACK_FILE, path, sizeof path);
  if (rc == RGRBM_OK) rc = rgrbm_stack_save(run->stack, path);
  paper2d_out_path(run, PAPER2D_STACK_NPY_PREFIX, path, sizeof path);
  if (rc == RGRBM_OK) rc = rgrbm_stack_export_npy(run->stack, path);
  return rc;
}

/* Tiles shrink with their number so that every grid is about 1000 px wide. */
int paper2d_receptive_png(const char *path, const float *rf, int side, int units) {
  int cols = (int)ceil(sqrt((double)units));
  int scale = (int)fmax(TILE_PIXELS_MIN, 1000.0 / (cols * side));
  return paper2d_png_tiles(path, rf, side, side, units, scale) != 0
             ? paper2d_file_error("write", path) : RGRBM_OK;
}

static int receptive_grid(const paper2d_run *run, int level) {
  int side = run->cfg.side, units = run->cfg.sizes[level];
  float *rf = malloc((size_t)side * (size_t)side * (size_t)units * sizeof *rf);
  if (rf == NULL) return RGRBM_ENOMEM;
  int rc = rgrbm_receptive_field(run->stack, level, rf);
  char name[64], path[PATH_LEN];
  paper2d_receptive_file(name, sizeof name, level);
  paper2d_out_path(run, name, path, sizeof path);
  if (rc == RGRBM_OK) rc = paper2d_receptive_png(path, rf, side, units);
  free(rf);
  return rc;
}

static int sample_rows(const paper2d_run *run, float *rows) {
  size_t dim = (size_t)run->cfg.side * (size_t)run->cfg.side;
  int8_t *spins = malloc(dim);
  if (spins == NULL) return RGRBM_ENOMEM;
  int rc = RGRBM_OK;
  for (int r = 0; rc == RGRBM_OK && r < PAPER2D_RECONSTRUCTIONS; r++) {
    rc = rgrbm_dataset_get(run->data, run->samples_shown[r], 1, spins);
    for (size_t i = 0; i < dim; i++) rows[(size_t)r * dim + i] = spins[i];
  }
  free(spins);
  return rc;
}

/* Map values of the stack's units to [-1, 1] for painting. */
static void to_spin_scale(const paper2d_run *run, float *v, size_t n) {
  if (run->cfg.units == RGRBM_UNITS_BINARY)
    for (size_t i = 0; i < n; i++) v[i] = 2 * v[i] - 1;
}

static void from_spin_scale(const paper2d_run *run, float *v, size_t n) {
  if (run->cfg.units == RGRBM_UNITS_BINARY)
    for (size_t i = 0; i < n; i++) v[i] = (v[i] + 1) / 2;
}

/* Row r: the sample, its reconstructions from levels 1..depth (means), then
 * the majority-rule block spins b = 2, 4, ..., every panel the same size. */
static int paint_reconstructions(const paper2d_run *run, paper2d_image *img, float *rows,
                                 float *recon) {
  int side = run->cfg.side, depth = paper2d_layers(run), scale = PANEL_PIXELS / side;
  size_t dim = (size_t)side * (size_t)side;
  int rc = RGRBM_OK;
  for (int l = 1; rc == RGRBM_OK && l <= depth; l++) {
    rc = rgrbm_stack_reconstruct(run->stack, l, RGRBM_PASS_MEANS, rows, PAPER2D_RECONSTRUCTIONS, 0,
                                 recon);
    to_spin_scale(run, recon, PAPER2D_RECONSTRUCTIONS * dim);
    for (int r = 0; rc == RGRBM_OK && r < PAPER2D_RECONSTRUCTIONS; r++) {
      int y0 = PANEL_GAP + r * (side * scale + PANEL_GAP);
      const paper2d_level *lv = &run->levels[l];
      paper2d_image_paint_field(img, PANEL_GAP + l * (side * scale + PANEL_GAP), y0,
                                recon + (size_t)r * dim, 1, side, side, scale, 1.0);
      paper2d_image_paint_field(img, PANEL_GAP + (depth + l) * (side * scale + PANEL_GAP), y0,
                                lv->majority_samples + (size_t)r * (size_t)lv->units, 1,
                                lv->coarse_side, lv->coarse_side, scale * lv->b, 1.0);
    }
  }
  to_spin_scale(run, rows, PAPER2D_RECONSTRUCTIONS * dim);
  for (int r = 0; r < PAPER2D_RECONSTRUCTIONS; r++)
    paper2d_image_paint_field(img, PANEL_GAP, PANEL_GAP + r * (side * scale + PANEL_GAP),
                              rows + (size_t)r * dim, 1, side, side, scale, 1.0);
  return rc;
}

static int reconstructions(const paper2d_run *run) {
  int side = run->cfg.side, depth = paper2d_layers(run), scale = PANEL_PIXELS / side;
  size_t dim = (size_t)side * (size_t)side;
  int panel = side * scale + PANEL_GAP;
  float *rows = malloc(2 * PAPER2D_RECONSTRUCTIONS * dim * sizeof *rows);
  paper2d_image img = {0};
  if (rows == NULL || paper2d_image_create(&img, PANEL_GAP + (2 * depth + 1) * panel,
                                           PANEL_GAP + PAPER2D_RECONSTRUCTIONS * panel, 255)) {
    free(rows);
    return RGRBM_ENOMEM;
  }
  int rc = sample_rows(run, rows);
  if (rc == RGRBM_OK) {
    from_spin_scale(run, rows, PAPER2D_RECONSTRUCTIONS * dim);
    rc = paint_reconstructions(run, &img, rows, rows + PAPER2D_RECONSTRUCTIONS * dim);
  }
  char path[PATH_LEN];
  paper2d_out_path(run, PAPER2D_RECONSTRUCTION_FILE, path, sizeof path);
  if (rc == RGRBM_OK && paper2d_png_write(path, &img) != 0) rc = paper2d_file_error("write", path);
  paper2d_image_destroy(&img);
  free(rows);
  return rc;
}

static int training_curves(const paper2d_run *run) {
  int layers = paper2d_layers(run), epochs = run->cfg.epochs;
  double *x = malloc((size_t)epochs * sizeof *x);
  if (x == NULL) return RGRBM_ENOMEM;
  for (int e = 0; e < epochs; e++) x[e] = e + 1;
  paper2d_series series[PAPER2D_MAX_LEVELS];
  char labels[PAPER2D_MAX_LEVELS][48];
  for (int l = 0; l < layers; l++) {
    snprintf(labels[l], sizeof labels[l], "layer %d (%d-%d)", l + 1, run->cfg.sizes[l],
             run->cfg.sizes[l + 1]);
    series[l] = (paper2d_series){labels[l], x, run->curves + (size_t)l * (size_t)epochs,
                                 (size_t)epochs};
  }
  paper2d_plot plot = {"CD-1 reconstruction error", "epoch",
                       "mean (v - p(v|h))^2 per unit", PAPER2D_LINES, series, layers};
  char path[PATH_LEN];
  paper2d_out_path(run, PAPER2D_CURVES_FILE, path, sizeof path);
  int rc = paper2d_svg_write(path, &plot) != 0 ? paper2d_file_error("write", path) : RGRBM_OK;
  free(x);
  return rc;
}

static int magnetization_histogram(const paper2d_run *run, int level) {
  const paper2d_level *lv = &run->levels[level];
  char title[96], name[64], path[PATH_LEN];
  snprintf(title, sizeof title, "Coarse magnetization, level %d (%d x %d, b = %d)", level,
           lv->coarse_side, lv->coarse_side, lv->b);
  paper2d_series series[2] = {
      {"learned (sign-aligned)", lv->edges, lv->hist_learned, (size_t)lv->bins},
      {"majority-rule blocks", lv->edges, lv->hist_majority, (size_t)lv->bins}};
  paper2d_plot plot = {title, "m", "fraction of configurations", PAPER2D_STEPS, series, 2};
  paper2d_magnetization_file(name, sizeof name, level);
  paper2d_out_path(run, name, path, sizeof path);
  return paper2d_svg_write(path, &plot) != 0 ? paper2d_file_error("write", path) : RGRBM_OK;
}

int paper2d_write_figures(const paper2d_run *run) {
  int rc = RGRBM_OK;
  for (int l = 1; rc == RGRBM_OK && l <= paper2d_layers(run); l++) rc = receptive_grid(run, l);
  if (rc == RGRBM_OK) rc = reconstructions(run);
  if (rc == RGRBM_OK) rc = training_curves(run);
  for (int l = 1; rc == RGRBM_OK && l <= paper2d_layers(run); l++)
    rc = magnetization_histogram(run, l);
  return rc;
}
