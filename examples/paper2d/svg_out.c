#include "svg_out.h"

#include <math.h>
#include <stdio.h>

#include "../svg_axes.h"

enum { WIDTH = 640, HEIGHT = 400, LEFT = 70, RIGHT = 20, TOP = 40, BOTTOM = 50, TICKS = 5 };

static const char *const COLOURS[] = {"#b2182b", "#2166ac", "#1b7837", "#762a83", "#e08214"};

typedef svg_range frame;

static const svg_canvas CANVAS = {WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM};

static double px(const frame *f, double x) { return svg_px(&CANVAS, f, x); }

static double py(const frame *f, double y) { return svg_py(&CANVAS, f, y); }

static size_t x_count(const paper2d_plot *p, const paper2d_series *s) {
  return p->style == PAPER2D_STEPS ? s->n + 1 : s->n;
}

/* Data range over every series; the y axis starts at 0 for histograms. */
static frame data_range(const paper2d_plot *p) {
  frame f = {INFINITY, -INFINITY, p->style == PAPER2D_STEPS ? 0 : INFINITY, -INFINITY};
  for (int k = 0; k < p->nseries; k++) {
    const paper2d_series *s = &p->series[k];
    for (size_t i = 0; i < x_count(p, s); i++) f.x0 = fmin(f.x0, s->x[i]), f.x1 = fmax(f.x1, s->x[i]);
    for (size_t i = 0; i < s->n; i++)
      if (isfinite(s->y[i])) f.y0 = fmin(f.y0, s->y[i]), f.y1 = fmax(f.y1, s->y[i]);
  }
  if (!(f.x1 > f.x0)) f.x0 -= 0.5, f.x1 = f.x0 + 1;
  if (!(f.y1 > f.y0)) f.y0 = isfinite(f.y0) ? f.y0 - 0.5 : 0, f.y1 = f.y0 + 1;
  double pad = 0.05 * (f.y1 - f.y0);
  if (p->style == PAPER2D_LINES) f.y0 -= pad;
  f.y1 += pad;
  return f;
}

static void series_path(FILE *out, const paper2d_plot *p, const frame *f, int k) {
  const paper2d_series *s = &p->series[k];
  const char *colour = COLOURS[k % (int)(sizeof COLOURS / sizeof *COLOURS)];
  fprintf(out, "<polyline fill='none' stroke='%s' stroke-width='1.6' points='", colour);
  for (size_t i = 0; i < s->n; i++) {
    if (!isfinite(s->y[i])) continue;
    if (p->style == PAPER2D_STEPS)
      fprintf(out, "%.1f,%.1f %.1f,%.1f ", px(f, s->x[i]), py(f, s->y[i]), px(f, s->x[i + 1]),
              py(f, s->y[i]));
    else
      fprintf(out, "%.1f,%.1f ", px(f, s->x[i]), py(f, s->y[i]));
  }
  fprintf(out, "'/>\n");
  int ly = TOP + 16 + 16 * k;
  fprintf(out, "<line x1='%d' y1='%d' x2='%d' y2='%d' stroke='%s' stroke-width='2'/>\n",
          WIDTH - RIGHT - 190, ly - 4, WIDTH - RIGHT - 170, ly - 4, colour);
  fprintf(out, "<text x='%d' y='%d' font-size='11'>%s</text>\n", WIDTH - RIGHT - 165, ly, s->label);
}

int paper2d_svg_write(const char *path, const paper2d_plot *p) {
  FILE *out = fopen(path, "w");
  if (out == NULL) return -1;
  frame f = data_range(p);
  svg_begin(out, &CANVAS);
  svg_axes(out, &CANVAS, &f, TICKS, p->title, p->xlabel, p->ylabel);
  for (int k = 0; k < p->nseries; k++) series_path(out, p, &f, k);
  return svg_end(out);
}
