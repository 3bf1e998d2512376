#include "plot.h"

#include <math.h>
#include <stdio.h>

#include "../svg_axes.h"

enum { WIDTH = 640, HEIGHT = 440, LEFT = 70, RIGHT = 20, TOP = 40, BOTTOM = 50, TICKS = 5 };

static const char *const COLOURS[] = {"#b2182b", "#2166ac", "#1b7837", "#762a83", "#e08214",
                                      "#35978f", "#8c510a", "#4d4d4d"};
enum { N_COLOURS = sizeof COLOURS / sizeof COLOURS[0] };

typedef svg_range frame;

static const svg_canvas CANVAS = {WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM};

static double px(const frame *f, double x) { return svg_px(&CANVAS, f, x); }

static double py(const frame *f, double y) { return svg_py(&CANVAS, f, y); }

static void widen(frame *f, double x, double ylo, double yhi) {
  f->x0 = fmin(f->x0, x), f->x1 = fmax(f->x1, x);
  f->y0 = fmin(f->y0, ylo), f->y1 = fmax(f->y1, yhi);
}

/* The range of every point and its error bar, padded by 5%; with the
 * diagonal, x and y share one range so that y = x is at 45 degrees. */
static frame data_range(const plot_spec *p) {
  frame f = {INFINITY, -INFINITY, INFINITY, -INFINITY};
  for (int k = 0; k < p->nseries; k++) {
    const plot_series *s = &p->series[k];
    for (size_t i = 0; i < s->n; i++) {
      if (!isfinite(s->x[i]) || !isfinite(s->y[i])) continue;
      double e = s->yerr && isfinite(s->yerr[i]) ? s->yerr[i] : 0;
      widen(&f, s->x[i], s->y[i] - e, s->y[i] + e);
    }
  }
  if (p->diagonal) {
    f.x0 = f.y0 = fmin(f.x0, f.y0);
    f.x1 = f.y1 = fmax(f.x1, f.y1);
  }
  if (!(f.x1 > f.x0)) f.x0 = isfinite(f.x0) ? f.x0 - 0.5 : 0, f.x1 = f.x0 + 1;
  if (!(f.y1 > f.y0)) f.y0 = isfinite(f.y0) ? f.y0 - 0.5 : 0, f.y1 = f.y0 + 1;
  double xpad = 0.05 * (f.x1 - f.x0), ypad = 0.05 * (f.y1 - f.y0);
  f.x0 -= xpad, f.x1 += xpad, f.y0 -= ypad, f.y1 += ypad;
  return f;
}

static void line(FILE *out, const frame *f, double x0, double y0, double x1, double y1,
                 const char *style) {
  fprintf(out, "<line x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f' %s/>\n", px(f, x0), py(f, y0),
          px(f, x1), py(f, y1), style);
}

static void references(FILE *out, const plot_spec *p, const frame *f) {
  if (p->diagonal) {
    double lo = fmax(f->x0, f->y0), hi = fmin(f->x1, f->y1);
    line(out, f, lo, lo, hi, hi, "stroke='#888' stroke-width='1'");
  }
  const char *dashed = "stroke='#888' stroke-width='1' stroke-dasharray='4 3'";
  if (isfinite(p->x_mark) && p->x_mark > f->x0 && p->x_mark < f->x1)
    line(out, f, p->x_mark, f->y0, p->x_mark, f->y1, dashed);
  if (isfinite(p->y_mark) && p->y_mark > f->y0 && p->y_mark < f->y1)
    line(out, f, f->x0, p->y_mark, f->x1, p->y_mark, dashed);
}

static void series(FILE *out, const plot_spec *p, const frame *f, int k) {
  const plot_series *s = &p->series[k];
  const char *colour = COLOURS[k % N_COLOURS];
  if (s->joined) {
    fprintf(out, "<polyline fill='none' stroke='%s' stroke-width='1.4' points='", colour);
    for (size_t i = 0; i < s->n; i++)
      if (isfinite(s->x[i]) && isfinite(s->y[i]))
        fprintf(out, "%.1f,%.1f ", px(f, s->x[i]), py(f, s->y[i]));
    fprintf(out, "'/>\n");
  }
  char style[64];
  snprintf(style, sizeof style, "stroke='%s' stroke-width='1.2'", colour);
  for (size_t i = 0; i < s->n; i++) {
    if (!isfinite(s->x[i]) || !isfinite(s->y[i])) continue;
    if (s->yerr && isfinite(s->yerr[i]) && s->yerr[i] > 0)
      line(out, f, s->x[i], s->y[i] - s->yerr[i], s->x[i], s->y[i] + s->yerr[i], style);
    fprintf(out, "<circle cx='%.1f' cy='%.1f' r='2.6' fill='%s'/>\n", px(f, s->x[i]),
            py(f, s->y[i]), colour);
  }
  int ly = TOP + 16 + 16 * k;
  fprintf(out, "<line x1='%d' y1='%d' x2='%d' y2='%d' stroke='%s' stroke-width='2'/>\n",
          LEFT + 10, ly - 4, LEFT + 30, ly - 4, colour);
  fprintf(out, "<text x='%d' y='%d' font-size='11'>%s</text>\n", LEFT + 35, ly, s->label);
}

int plot_svg_write(const char *path, const plot_spec *p) {
  FILE *out = fopen(path, "w");
  if (out == NULL) return -1;
  frame f = data_range(p);
  svg_begin(out, &CANVAS);
  svg_axes(out, &CANVAS, &f, TICKS, p->title, p->xlabel, p->ylabel);
  references(out, p, &f);
  for (int k = 0; k < p->nseries; k++) series(out, p, &f, k);
  return svg_end(out);
}
