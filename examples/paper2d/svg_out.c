#include "svg_out.h"

#include <math.h>
#include <stdio.h>

enum { WIDTH = 640, HEIGHT = 400, LEFT = 70, RIGHT = 20, TOP = 40, BOTTOM = 50, TICKS = 5 };

static const char *const COLOURS[] = {"#b2182b", "#2166ac", "#1b7837", "#762a83", "#e08214"};

typedef struct frame {
  double x0, x1, y0, y1;
} frame;

static double px(const frame *f, double x) {
  return LEFT + (x - f->x0) / (f->x1 - f->x0) * (WIDTH - LEFT - RIGHT);
}

static double py(const frame *f, double y) {
  return HEIGHT - BOTTOM - (y - f->y0) / (f->y1 - f->y0) * (HEIGHT - TOP - BOTTOM);
}

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

static void axes(FILE *out, const paper2d_plot *p, const frame *f) {
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
  fprintf(out, "<?xml version='1.0' encoding='UTF-8'?>\n"
          "<svg xmlns='http://www.w3.org/2000/svg' width='%d' height='%d' "
          "viewBox='0 0 %d %d' font-family='sans-serif'>\n"
          "<rect width='100%%' height='100%%' fill='white'/>\n", WIDTH, HEIGHT, WIDTH, HEIGHT);
  axes(out, p, &f);
  for (int k = 0; k < p->nseries; k++) series_path(out, p, &f, k);
  fprintf(out, "</svg>\n");
  int failed = ferror(out);
  if (fclose(out) != 0 || failed) return -1;
  return 0;
}
