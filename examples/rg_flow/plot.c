#include "plot.h"

#include <math.h>
#include <stdio.h>

enum { WIDTH = 640, HEIGHT = 440, LEFT = 70, RIGHT = 20, TOP = 40, BOTTOM = 50, TICKS = 5 };

static const char *const COLOURS[] = {"#b2182b", "#2166ac", "#1b7837", "#762a83", "#e08214",
                                      "#35978f", "#8c510a", "#4d4d4d"};
enum { N_COLOURS = sizeof COLOURS / sizeof COLOURS[0] };

typedef struct frame {
  double x0, x1, y0, y1;
} frame;

static double px(const frame *f, double x) {
  return LEFT + (x - f->x0) / (f->x1 - f->x0) * (WIDTH - LEFT - RIGHT);
}

static double py(const frame *f, double y) {
  return HEIGHT - BOTTOM - (y - f->y0) / (f->y1 - f->y0) * (HEIGHT - TOP - BOTTOM);
}

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

static void axes(FILE *out, const plot_spec *p, const frame *f) {
  fprintf(out, "<rect x='%d' y='%d' width='%d' height='%d' fill='none' stroke='#444'/>\n", LEFT,
          TOP, WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM);
  for (int t = 0; t <= TICKS; t++) {
    double x = f->x0 + (f->x1 - f->x0) * t / TICKS, y = f->y0 + (f->y1 - f->y0) * t / TICKS;
    fprintf(out, "<text x='%.1f' y='%d' font-size='11' text-anchor='middle'>%.3g</text>\n",
            px(f, x), HEIGHT - BOTTOM + 16, x);
    fprintf(out, "<text x='%d' y='%.1f' font-size='11' text-anchor='end'>%.3g</text>\n", LEFT - 6,
            py(f, y) + 4, y);
  }
  fprintf(out, "<text x='%d' y='24' font-size='15' text-anchor='middle'>%s</text>\n", WIDTH / 2,
          p->title);
  fprintf(out, "<text x='%d' y='%d' font-size='12' text-anchor='middle'>%s</text>\n",
          (WIDTH + LEFT - RIGHT) / 2, HEIGHT - 12, p->xlabel);
  fprintf(out, "<text x='16' y='%d' font-size='12' text-anchor='middle' "
          "transform='rotate(-90 16 %d)'>%s</text>\n", (HEIGHT + TOP - BOTTOM) / 2,
          (HEIGHT + TOP - BOTTOM) / 2, p->ylabel);
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
  fprintf(out, "<?xml version='1.0' encoding='UTF-8'?>\n"
          "<svg xmlns='http://www.w3.org/2000/svg' width='%d' height='%d' "
          "viewBox='0 0 %d %d' font-family='sans-serif'>\n"
          "<rect width='100%%' height='100%%' fill='white'/>\n", WIDTH, HEIGHT, WIDTH, HEIGHT);
  axes(out, p, &f);
  references(out, p, &f);
  for (int k = 0; k < p->nseries; k++) series(out, p, &f, k);
  fprintf(out, "</svg>\n");
  int failed = ferror(out);
  if (fclose(out) != 0 || failed) return -1;
  return 0;
}
