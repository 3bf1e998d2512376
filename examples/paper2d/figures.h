/* Every file of the output folder except the report: the data set, the
 * stack (native and .npy), receptive-field grids, reconstructions, the
 * training curves and the magnetization histograms. The names are here so
 * that the report links exactly what was written. */
#ifndef PAPER2D_FIGURES_H
#define PAPER2D_FIGURES_H

#include <stddef.h>

#include "experiment.h"

#define PAPER2D_DATASET_FILE "dataset.npy"
#define PAPER2D_STACK_FILE "stack.rgrbm"
#define PAPER2D_STACK_NPY_PREFIX "stack_"
#define PAPER2D_RECONSTRUCTION_FILE "reconstructions.png"
#define PAPER2D_CURVES_FILE "training_curves.svg"

/* "receptive_fields_level<l>.png" and "magnetization_level<l>.svg". */
void paper2d_receptive_file(char *buf, size_t len, int level);
void paper2d_magnetization_file(char *buf, size_t len, int level);

/* out_dir/name into buf. */
void paper2d_out_path(const paper2d_run *run, const char *name, char *buf, size_t len);

/* Write the data set and the stack. */
int paper2d_write_data(const paper2d_run *run);

/* Receptive fields (side*side sites x units, as rgrbm_receptive_field
 * writes them) as a grid of tiles about 1000 px wide, each tile scaled to
 * its largest |r|: RGRBM_OK or PAPER2D_FILE_ERROR (reported). */
int paper2d_receptive_png(const char *path, const float *rf, int side, int units);

/* Write the PNG and SVG figures. */
int paper2d_write_figures(const paper2d_run *run);

#endif
