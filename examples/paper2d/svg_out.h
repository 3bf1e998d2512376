/* Hand-written SVG plots: line charts (training curves) and step
 * histograms (coarse magnetizations), several series on shared axes. */
#ifndef PAPER2D_SVG_OUT_H
#define PAPER2D_SVG_OUT_H

#include <stddef.h>

typedef struct paper2d_series {
  const char *label;
  const double *x, *y; /* n points; for histograms x holds the n + 1 bin edges */
  size_t n;
} paper2d_series;

typedef enum paper2d_plot_style { PAPER2D_LINES = 0, PAPER2D_STEPS = 1 } paper2d_plot_style;

typedef struct paper2d_plot {
  const char *title, *xlabel, *ylabel;
  paper2d_plot_style style;
  const paper2d_series *series;
  int nseries;
} paper2d_plot;

/* Write the plot to path; 0 on success, -1 with errno set otherwise. */
int paper2d_svg_write(const char *path, const paper2d_plot *plot);

#endif
