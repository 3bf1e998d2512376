/* Hand-written SVG charts shared by the example programs (rg_flow's plot.c,
 * paper2d's svg_out.c): the canvas and its margins, the map from data to
 * pixels, the document's frame and the labelled axes. Header-only, as
 * cli.h. */
#ifndef EXAMPLES_SVG_AXES_H
#define EXAMPLES_SVG_AXES_H

#include <stdio.h>

/* The picture's size and the margins around the plotting area, in pixels. */
typedef struct svg_canvas {
  int width, height, left, right, top, bottom;
} svg_canvas;

/* The data range shown: x0..x1 across, y0..y1 up. */
typedef struct svg_range {
  double x0, x1, y0, y1;
} svg_range;

static inline double svg_px(const svg_canvas *c, const svg_range *f, double x) {
  return c->left + (x - f->x0) / (f->x1 - f->x0) * (c->width - c->left - c->right);
}

static inline double svg_py(const svg_canvas *c, const svg_range *f, double y) {
  return c->height - c->bottom - (y - f->y0) / (f->y1 - f->y0) * (c->height - c->top - c->bottom);
}

/* The document's start: the XML declaration, the svg element, a white
 * background. */
static inline void svg_begin(FILE *out, const svg_canvas *c) {
  fprintf(out, "<?xml version='1.0' encoding='UTF-8'?>\n"
          "<svg xmlns='http://www.w3.org/2000/svg' width='%d' height='%d' "
          "viewBox='0 0 %d %d' font-family='sans-serif'>\n"
          "<rect width='100%%' height='100%%' fill='white'/>\n", c->width, c->height, c->width,
          c->height);
}

/* The document's end; closes out. 0, or -1 when a write failed. */
static inline int svg_end(FILE *out) {
  fprintf(out, "</svg>\n");
  int failed = ferror(out);
  if (fclose(out) != 0 || failed) return -1;
  return 0;
}

/* The plotting area's box, ticks + 1 labelled ticks on each axis, the
 * title and the axis labels. */
static inline void svg_axes(FILE *out, const svg_canvas *c, const svg_range *f, int ticks,
                            const char *title, const char *xlabel, const char *ylabel) {
  fprintf(out, "<rect x='%d' y='%d' width='%d' height='%d' fill='none' stroke='#444'/>\n",
          c->left, c->top, c->width - c->left - c->right, c->height - c->top - c->bottom);
  for (int t = 0; t <= ticks; t++) {
    double x = f->x0 + (f->x1 - f->x0) * t / ticks, y = f->y0 + (f->y1 - f->y0) * t / ticks;
    fprintf(out, "<text x='%.1f' y='%d' font-size='11' text-anchor='middle'>%.3g</text>\n",
            svg_px(c, f, x), c->height - c->bottom + 16, x);
    fprintf(out, "<text x='%d' y='%.1f' font-size='11' text-anchor='end'>%.3g</text>\n",
            c->left - 6, svg_py(c, f, y) + 4, y);
  }
  fprintf(out, "<text x='%d' y='24' font-size='15' text-anchor='middle'>%s</text>\n",
          c->width / 2, title);
  fprintf(out, "<text x='%d' y='%d' font-size='12' text-anchor='middle'>%s</text>\n",
          (c->width + c->left - c->right) / 2, c->height - 12, xlabel);
  fprintf(out, "<text x='16' y='%d' font-size='12' text-anchor='middle' "
          "transform='rotate(-90 16 %d)'>%s</text>\n", (c->height + c->top - c->bottom) / 2,
          (c->height + c->top - c->bottom) / 2, ylabel);
}

#endif
