/* Small SVG scatter plots with error bars, for the flow diagrams: several
 * series on shared axes, optionally joined by lines, with the diagonal
 * y = x and reference lines. */
#ifndef RG_FLOW_PLOT_H
#define RG_FLOW_PLOT_H

#include <stddef.h>

typedef struct plot_series {
  const char *label;
  const double *x, *y;
  const double *yerr; /* n standard errors drawn as bars, or NULL */
  size_t n;           /* points; non-finite y are skipped */
  int joined;         /* 1: a polyline through the points */
} plot_series;

typedef struct plot_spec {
  const char *title, *xlabel, *ylabel;
  const plot_series *series;
  int nseries;
  int diagonal;          /* 1: draw y = x (a fixed point of a map lies on it) */
  double x_mark, y_mark; /* dashed reference lines x = x_mark, y = y_mark; NaN for none */
} plot_spec;

/* Write the plot to path: 0, or -1 with errno set. */
int plot_svg_write(const char *path, const plot_spec *p);

#endif
